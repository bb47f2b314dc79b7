package queue

import (
	"context"
	"errors"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// NOTE: an idle asynq server looks for tasks only every check interval (it
// has no wake-up on enqueue), and a ?url= page waits on its job's start. So
// Enqueue also puts each interactive job's id on wakeKey, a Redis list an
// idle interactive slot blocks on (BLPOP), and the slot takes the job's task
// out of the queue itself (Taker): it starts at once, while the servers look
// for tasks only every 100 ms. An id lost on the way costs no job: the task
// is in its queue still, which the worker's main slots serve too.
const (
	wakeKey  = "augment:wake:interactive"
	wakeKeep = 1000 // ids kept when no slot takes them (no interactive slots running)
)

// wake tells an idle interactive slot that job jobID is queued.
func (e *Enqueuer) wake(ctx context.Context, jobID string) error {
	_, err := e.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.LPush(ctx, wakeKey, jobID)
		p.LTrim(ctx, wakeKey, 0, wakeKeep-1)
		return nil
	})
	return err
}

// Taker takes interactive tasks out of their queue as soon as they are
// queued, for a worker's interactive slots to run.
type Taker struct {
	rdb       redis.UniversalClient
	client    *asynq.Client
	inspector *asynq.Inspector
}

// NewTaker returns a Taker that shares the caller's Redis client.
func NewTaker(rdb redis.UniversalClient) *Taker {
	return &Taker{rdb: rdb, client: asynq.NewClientFromRedisClient(rdb), inspector: asynq.NewInspectorFromRedisClient(rdb)}
}

// Take waits up to wait for an interactive job to be queued and takes its
// task: the task is replaced by a lease, a copy due after lease, which runs
// the job again should this process die before Done or Again. It returns
// the job's id, or "" when none came or another slot or server took it.
func (t *Taker) Take(ctx context.Context, wait, lease time.Duration) (string, error) {
	res, err := t.rdb.BLPop(ctx, wait, wakeKey).Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	id := res[1]
	// NOTE: only a task queued afresh: one waiting to be tried again keeps
	// its count of attempts with asynq.
	info, err := t.inspector.GetTaskInfo(QueueInteractive, id)
	if err != nil || info.State != asynq.TaskStatePending || info.Retried > 0 {
		return "", nil
	}
	// NOTE: deleting fails once a server has taken the task (it is active):
	// one of them runs it, never both.
	if err := t.inspector.DeleteTask(QueueInteractive, id); err != nil {
		return "", nil
	}
	if _, err := t.client.EnqueueContext(ctx, NewAttempt(id, 0, asynq.ProcessIn(lease))); err != nil {
		return "", err
	}
	return id, nil
}

// Done drops the lease of a job taken that ran to its end.
func (t *Taker) Done(id string) error {
	err := t.inspector.DeleteTask(QueueInteractive, id)
	if errors.Is(err, asynq.ErrTaskNotFound) {
		return nil
	}
	return err
}

// Again hands a job taken back to the queue, to run after delay with
// attempts already made: a server tries it the remaining times. One handed
// back at once with no attempt made (its slot stopped) wakes a slot, maybe
// another worker's.
func (t *Taker) Again(ctx context.Context, id string, attempts int, delay time.Duration) error {
	if err := t.Done(id); err != nil {
		return err
	}
	if _, err := t.client.EnqueueContext(ctx, NewAttempt(id, attempts, asynq.ProcessIn(delay))); err != nil {
		return err
	}
	if attempts == 0 && delay == 0 {
		return (&Enqueuer{rdb: t.rdb}).wake(ctx, id)
	}
	return nil
}
