package worker

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/hibiken/asynq"
)

// Taker is what interactive slots ask of the queue (queue.Taker).
type Taker interface {
	Take(ctx context.Context, wait, lease time.Duration) (*asynq.Task, error)
	Done(t *asynq.Task) error
	Again(ctx context.Context, t *asynq.Task, attempts int, delay time.Duration) error
}

// Interactive runs interactive tasks (jobs a person waits on the page for,
// previews) in slots of their own, beside the asynq servers: an idle slot
// is woken the moment the api queues such a task, where a server would find
// it only at its next look at the queue. A job a slot cannot finish goes
// back to the queue: at once when the worker stops, after asynq's delay
// with one attempt counted when it failed. Should the worker die, the job's
// lease (Taker.Take) runs it again once the job's time limit has passed.
type Interactive struct {
	Handler asynq.Handler // the worker's, by task type
	Tasks   Taker
	Slots   int
	// Lease is when a job taken runs again should this worker die: past
	// the job's time limit, when its slot would have given up.
	Lease time.Duration
	// Grace is how long running jobs may go on once the worker stops.
	Grace time.Duration
	Log   *slog.Logger
}

// idleWait is how long an idle slot blocks on Redis before it looks again:
// one cheap command a second at rest, and how long a stop waits on it.
const idleWait = time.Second

// Run runs the slots until ctx ends and their jobs have ended or gone back
// to the queue.
func (r *Interactive) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for range r.Slots {
		wg.Go(func() {
			for ctx.Err() == nil {
				task, err := r.Tasks.Take(ctx, idleWait, r.Lease)
				if err != nil {
					if ctx.Err() == nil {
						r.Log.Warn("interactive slot: taking a job", "err", err)
						sleep(ctx, idleWait)
					}
					continue
				}
				if task != nil {
					r.run(ctx, task)
				}
			}
		})
	}
	wg.Wait()
}

// run runs one task taken, giving it Grace to end once ctx ends.
func (r *Interactive) run(ctx context.Context, task *asynq.Task) {
	jctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	ended := make(chan struct{})
	defer close(ended)
	go func() {
		select {
		case <-ended:
			return
		case <-ctx.Done():
		}
		select {
		case <-ended:
		case <-time.After(r.Grace):
			cancel()
		}
	}()
	err := r.Handler.ProcessTask(jctx, task)
	bg := context.WithoutCancel(ctx)
	switch {
	case err == nil:
		err = r.Tasks.Done(task)
	case jctx.Err() != nil:
		err = r.Tasks.Again(bg, task, 0, 0) // stopped: not the job's failure
	default:
		err = r.Tasks.Again(bg, task, 1, asynq.DefaultRetryDelayFunc(0, err, task))
	}
	if err != nil {
		r.Log.Warn("interactive slot: handing the task back", "type", task.Type(), "payload", string(task.Payload()), "err", err)
	}
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
