package queue

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"github.com/augment-ml/augment/internal/domain"
)

// TypeThumb is the task that makes one thumbnail a page asked for
// (domain.ThumbRequest).
const TypeThumb = "augment:thumb"

// thumbDeadline bounds a thumbnail's task: the page that asked shows the
// full image after web's wait, and asks again when it is shown again.
const thumbDeadline = time.Minute

// AskThumb implements domain.ThumbAsker: it queues the thumbnail on the
// interactive queue and wakes an idle slot. A thumbnail already asked for
// and not made yet is not asked for twice.
func (e *Enqueuer) AskThumb(ctx context.Context, r domain.ThumbRequest) error {
	if err := e.enqueue(ctx, NewThumbTask(r), thumbTaskID(r), true); err != nil {
		return domain.Wrap(err, domain.EUnavailable, "The thumbnail queue is unavailable.")
	}
	return nil
}

// NewThumbTask returns the task that makes the thumbnail r asks for; its
// id is the thumbnail's, so it is never queued twice at once.
func NewThumbTask(r domain.ThumbRequest) *asynq.Task {
	body, _ := json.Marshal(r)
	return asynq.NewTask(TypeThumb, body, asynq.TaskID(thumbTaskID(r)), asynq.Queue(QueueInteractive),
		asynq.MaxRetry(0), asynq.Deadline(time.Now().Add(thumbDeadline)))
}

func thumbTaskID(r domain.ThumbRequest) string { return "thumb:" + r.Key }

// ParseThumb reads a TypeThumb task's body: both files must be the job's.
func ParseThumb(t *asynq.Task) (domain.ThumbRequest, error) {
	var r domain.ThumbRequest
	err := json.Unmarshal(t.Payload(), &r)
	dir := "jobs/" + r.JobID + "/"
	if err != nil || r.JobID == "" || strings.Contains(r.JobID+r.Key+r.From, "..") || !strings.HasPrefix(r.Key, dir+"thumbs/") || !strings.HasPrefix(r.From, dir) {
		return r, fmt.Errorf("queue: bad thumbnail payload %q: %w", t.Payload(), asynq.SkipRetry)
	}
	return r, nil
}
