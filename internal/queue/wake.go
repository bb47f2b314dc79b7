package queue

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// NOTE: an idle asynq server looks for tasks only every check interval (it
// has no wake-up on enqueue), and a ?url= page or a preview waits on its
// task's start. So Enqueue and Preview also put each interactive task's id
// on wakeKey, a Redis list an idle interactive slot blocks on (BLPOP), and
// the slot takes the task out of the queue itself (Taker): it starts at
// once, while the servers look for tasks only every 100 ms. An id lost on
// the way costs no task: it is in its queue still, which the worker's main
// slots serve too.
const (
	wakeKey  = "augment:wake:interactive"
	wakeKeep = 1000 // ids kept when no slot takes them (no interactive slots running)
)

// wake tells an idle interactive slot that the task with this id is
// queued on the interactive queue.
func wake(ctx context.Context, rdb redis.UniversalClient, id string) error {
	_, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.LPush(ctx, wakeKey, id)
		p.LTrim(ctx, wakeKey, 0, wakeKeep-1)
		return nil
	})
	return err
}

// Taker takes interactive tasks out of their queue as soon as they are
// queued, for a worker's interactive slots to run.
type Taker struct {
	conn
	mu     sync.Mutex
	leases map[string]chan error // the leases being written, by job id
}

// NewTaker returns a Taker that shares the caller's Redis client.
func NewTaker(rdb redis.UniversalClient) *Taker {
	return &Taker{conn: newConn(rdb), leases: map[string]chan error{}}
}

// Take waits up to wait for an interactive task to be queued and takes it.
// A job's task is replaced by a lease, a copy due after lease, which runs
// the job again should this process die before Done or Again; a preview's
// is not (it is never tried again). The lease is written while the job
// starts, one round trip fewer before it does; Extend, Done and Again wait
// for it. It returns nil when none came or another slot or server took it.
func (t *Taker) Take(ctx context.Context, wait, lease time.Duration) (*asynq.Task, error) {
	res, err := t.rdb.BLPop(ctx, wait, wakeKey).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	id := res[1]
	// NOTE: only a task queued afresh: one waiting to be tried again keeps
	// its count of attempts with asynq.
	info, err := t.inspector.GetTaskInfo(QueueInteractive, id)
	if err != nil || info.State != asynq.TaskStatePending || info.Retried > 0 {
		return nil, nil
	}
	// NOTE: deleting fails once a server has taken the task (it is active):
	// one of them runs it, never both.
	if err := t.inspector.DeleteTask(QueueInteractive, id); err != nil {
		return nil, nil
	}
	if info.Type == TypeAugment {
		t.lease(ctx, id, lease)
	}
	return asynq.NewTask(info.Type, info.Payload, asynq.TaskID(id)), nil
}

// lease starts writing the lease of the job with this id.
func (t *Taker) lease(ctx context.Context, id string, lease time.Duration) {
	written := make(chan error, 1)
	t.mu.Lock()
	t.leases[id] = written
	t.mu.Unlock()
	go func() {
		_, err := t.client.EnqueueContext(context.WithoutCancel(ctx), NewAttempt(id, 0, asynq.ProcessIn(lease)))
		written <- err
	}()
}

// leased waits until the lease of the job with this id is written, and
// returns the error that kept it from being written: the job then runs
// without one (should its worker die, the sweeper queues it again).
func (t *Taker) leased(id string) error {
	t.mu.Lock()
	written, ok := t.leases[id]
	delete(t.leases, id)
	t.mu.Unlock()
	if !ok {
		return nil
	}
	if err := <-written; err != nil {
		return fmt.Errorf("writing the job's lease: %w", err)
	}
	return nil
}

// scheduledKey is asynq's sorted set of the interactive queue's scheduled
// tasks, scored by when each is due (asynq's internal/base.ScheduledKey;
// TestTakerLease holds it to asynq's Inspector).
const scheduledKey = "asynq:{" + QueueInteractive + "}:scheduled"

// Extend moves the lease of a task taken to lease from now, in one
// command; a running slot does so every few seconds, so a short lease runs
// the job again soon after its worker died, never while it runs. It
// reports false when there was no lease to extend (a preview; or the lease
// fell due, and the job may run again beside this run).
func (t *Taker) Extend(ctx context.Context, task *asynq.Task, lease time.Duration) (bool, error) {
	if task.Type() != TypeAugment {
		return true, nil
	}
	p, err := ParsePayload(task)
	if err != nil {
		return false, err
	}
	if err := t.leased(p.JobID); err != nil {
		return false, err
	}
	n, err := t.rdb.ZAddXX(ctx, scheduledKey, redis.Z{Score: float64(time.Now().Add(lease).Unix()), Member: p.JobID}).Result()
	if err != nil {
		return false, err
	}
	// NOTE: XX without CH counts no update; ask whether the lease is there.
	if n == 0 {
		if _, err := t.rdb.ZScore(ctx, scheduledKey, p.JobID).Result(); errors.Is(err, redis.Nil) {
			return false, nil
		} else if err != nil {
			return false, err
		}
	}
	return true, nil
}

// Done drops the lease of a task taken that ran to its end.
func (t *Taker) Done(task *asynq.Task) error {
	if task.Type() != TypeAugment {
		return nil
	}
	p, err := ParsePayload(task)
	if err != nil {
		return err
	}
	lerr := t.leased(p.JobID)
	if err := t.dropLease(p.JobID); err != nil {
		return err
	}
	return lerr
}

// dropLease deletes the lease of the job with this id, if there is one.
func (t *Taker) dropLease(id string) error {
	err := t.inspector.DeleteTask(QueueInteractive, id)
	if errors.Is(err, asynq.ErrTaskNotFound) {
		return nil
	}
	return err
}

// Again hands a job taken back to the queue, to run after delay with
// attempts already made: a server tries it the remaining times. One handed
// back at once with no attempt made (its slot stopped) wakes a slot, maybe
// another worker's. A preview is not handed back: its person has moved on
// by the time it would run.
func (t *Taker) Again(ctx context.Context, task *asynq.Task, attempts int, delay time.Duration) error {
	if task.Type() != TypeAugment {
		return nil
	}
	p, err := ParsePayload(task)
	if err != nil {
		return err
	}
	// NOTE: a lease that could not be written is reported once the job is
	// queued again.
	lerr := t.leased(p.JobID)
	if err := t.dropLease(p.JobID); err != nil {
		return err
	}
	if _, err := t.client.EnqueueContext(ctx, NewAttempt(p.JobID, attempts, asynq.ProcessIn(delay))); err != nil {
		return err
	}
	if attempts == 0 && delay == 0 {
		if err := wake(ctx, t.rdb, p.JobID); err != nil {
			return err
		}
	}
	return lerr
}
