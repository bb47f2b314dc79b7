package queue

import (
	"context"
	"errors"
	"fmt"

	"github.com/hibiken/asynq"

	"github.com/augment-ml/augment/internal/domain"
)

// Why a recorded job's task will not run.
const (
	TaskGone      = "gone"      // not in Redis: flushed, or Redis restarted without persistence
	TaskArchived  = "archived"  // its attempts ran out, e.g. while PostgreSQL was down
	TaskCompleted = "completed" // it ended without ending the job
)

// TaskLost says why the task of job jobID will not run, or "" when it is
// queued, scheduled, waiting to retry or running.
func (e *Enqueuer) TaskLost(_ context.Context, jobID string, p domain.Priority) (string, error) {
	info, err := e.inspector.GetTaskInfo(QueueName(p), jobID)
	switch {
	case errors.Is(err, asynq.ErrTaskNotFound), errors.Is(err, asynq.ErrQueueNotFound):
		return TaskGone, nil
	case err != nil:
		return "", domain.Wrap(err, domain.EUnavailable, "The job queue is unavailable.")
	case info.State == asynq.TaskStateArchived:
		return TaskArchived, nil
	case info.State == asynq.TaskStateCompleted:
		return TaskCompleted, nil
	}
	return "", nil
}

// Replace queues job jobID afresh, with a full set of attempts. A task still
// held under the job's id (archived or completed) is deleted first: NOTE its
// id would make the new one a conflict, which Enqueue takes for "already
// queued", and the job would wait for good.
func (e *Enqueuer) Replace(ctx context.Context, jobID string, p domain.Priority) error {
	err := e.inspector.DeleteTask(QueueName(p), jobID)
	if err != nil && !errors.Is(err, asynq.ErrTaskNotFound) && !errors.Is(err, asynq.ErrQueueNotFound) {
		// A running task cannot be deleted: another sweeper queued it meanwhile.
		return fmt.Errorf("queue: replace %s: %w", jobID, err)
	}
	return e.enqueueJob(ctx, NewTask(jobID, p), jobID, p)
}
