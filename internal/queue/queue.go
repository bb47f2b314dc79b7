// Package queue defines augment's asynq task types, payloads and queues,
// and the Enqueuer the api uses to put jobs on them.
package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/augment-ml/augment/internal/domain"
)

// TypeAugment is the task that fetches a job's source and renders its variants.
const TypeAugment = "augment:job"

// Queue names, highest priority first.
const (
	QueueInteractive = "interactive"
	QueueDefault     = "default"
	QueueBatch       = "batch"
)

// Queues is the asynq server's queue configuration. With strict priority a
// worker takes batch tasks only when nobody waits on an interactive or API job.
var Queues = map[string]int{QueueInteractive: 6, QueueDefault: 3, QueueBatch: 1}

// Task settings. Timeout is asynq's deadline for one attempt, a backstop
// well past the worker's own JOB_TIMEOUT (at most Timeout - TimeoutMargin):
// asynq retries an attempt whose deadline passed at once, even while it still
// runs.
const (
	MaxRetry      = 5
	Timeout       = time.Hour
	TimeoutMargin = 5 * time.Minute
	Retention     = 24 * time.Hour
)

// Payload is the body of a TypeAugment task.
type Payload struct {
	JobID string `json:"job_id"`
	// Attempts were made outside asynq, by an interactive slot (Taker),
	// before this task: asynq counts only its own.
	Attempts int `json:"attempts,omitempty"`
	// URL is the job's source when it is to be fetched: the worker fetches
	// it while it claims the job, which tells it the same.
	URL string `json:"url,omitempty"`
}

// NewTask returns the task for a job on the queue of priority p. The task id
// is the job id, so a job is never queued twice.
func NewTask(jobID string, p domain.Priority) *asynq.Task {
	return newTask(Payload{JobID: jobID}, asynq.Queue(QueueName(p)))
}

// NewAttempt returns the task of an interactive job after attempts were
// made outside asynq: it has that many tries fewer.
func NewAttempt(jobID string, attempts int, opts ...asynq.Option) *asynq.Task {
	return newTask(Payload{JobID: jobID, Attempts: attempts}, opts...)
}

func newTask(p Payload, opts ...asynq.Option) *asynq.Task {
	body, _ := json.Marshal(p)
	return asynq.NewTask(TypeAugment, body, append([]asynq.Option{
		asynq.TaskID(p.JobID), asynq.Queue(QueueInteractive), asynq.MaxRetry(max(MaxRetry-p.Attempts, 0)),
		asynq.Timeout(Timeout), asynq.Retention(Retention)}, opts...)...)
}

// QueueName returns the queue that runs jobs of priority p.
func QueueName(p domain.Priority) string {
	switch p {
	case domain.PriorityInteractive:
		return QueueInteractive
	case domain.PriorityBatch:
		return QueueBatch
	}
	return QueueDefault
}

// ParsePayload reads a TypeAugment task's body.
func ParsePayload(t *asynq.Task) (Payload, error) {
	var p Payload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.JobID == "" {
		return p, fmt.Errorf("queue: bad payload %q: %w", t.Payload(), asynq.SkipRetry)
	}
	return p, nil
}

// conn is the Redis client and the asynq client and inspector over it, as
// the Enqueuer and the Taker both use them.
type conn struct {
	rdb       redis.UniversalClient
	client    *asynq.Client
	inspector *asynq.Inspector
}

func newConn(rdb redis.UniversalClient) conn {
	return conn{rdb: rdb, client: asynq.NewClientFromRedisClient(rdb), inspector: asynq.NewInspectorFromRedisClient(rdb)}
}

// Enqueuer puts jobs on the queues through an asynq client.
type Enqueuer struct{ conn }

// NewEnqueuer returns an Enqueuer that shares the caller's Redis client.
func NewEnqueuer(rdb redis.UniversalClient) *Enqueuer { return &Enqueuer{newConn(rdb)} }

// Enqueue queues job j, with its source URL when it is to be fetched, and
// wakes an idle interactive slot for an interactive one. A job already
// queued is not an error.
func (e *Enqueuer) Enqueue(ctx context.Context, j *domain.Job) error {
	return e.enqueueJob(ctx, NewTaskOf(j), j.ID, j.Priority)
}

// NewTaskOf is NewTask for job j, naming its source URL when it is to be
// fetched.
func NewTaskOf(j *domain.Job) *asynq.Task {
	p := Payload{JobID: j.ID}
	if j.Source.Key == "" {
		p.URL = j.Source.URL
	}
	return newTask(p, asynq.Queue(QueueName(j.Priority)))
}

func (e *Enqueuer) enqueueJob(ctx context.Context, task *asynq.Task, jobID string, p domain.Priority) error {
	if err := e.enqueue(ctx, task, jobID, p == domain.PriorityInteractive); err != nil {
		return domain.Wrap(err, domain.EUnavailable, "The job queue is unavailable; try again shortly.")
	}
	return nil
}

// enqueue queues task, whose id is id, and wakes an idle interactive slot
// for an interactive one. A task already queued under id is not an error.
func (c conn) enqueue(ctx context.Context, task *asynq.Task, id string, interactive bool) error {
	_, err := c.client.EnqueueContext(ctx, task)
	if errors.Is(err, asynq.ErrTaskIDConflict) {
		return nil
	}
	if err != nil {
		return err
	}
	if interactive {
		// NOTE: the task is queued: without the wake-up it waits for a server's next look.
		_ = wake(ctx, c.rdb, id)
	}
	return nil
}
