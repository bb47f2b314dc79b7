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
	Extend(ctx context.Context, t *asynq.Task, lease time.Duration) (bool, error)
	Done(t *asynq.Task) error
	Again(ctx context.Context, t *asynq.Task, attempts int, delay time.Duration) error
}

// Interactive runs interactive tasks (jobs a person waits on the page for,
// previews) in slots of their own, beside the asynq servers: an idle slot
// is woken the moment the api queues such a task, where a server would find
// it only at its next look at the queue. A job a slot cannot finish goes
// back to the queue: at once when the worker stops, after asynq's delay
// with one attempt counted when it failed. Should the worker die, the job's
// lease (Taker.Take), which the running slot extends every third of it,
// falls due and a server runs the job again.
type Interactive struct {
	Handler asynq.Handler // the worker's, by task type
	Tasks   Taker
	Slots   int
	// Lease is how soon a job taken runs again should this worker die; its
	// slot extends it while the job runs (LeaseTime).
	Lease time.Duration
	// Grace is how long running jobs may go on once the worker stops.
	Grace time.Duration
	Log   *slog.Logger
}

// LeaseTime is an interactive job's lease: a dead worker's job runs again
// within it (and asynq's next look at scheduled tasks, 5 s), while its
// slot extends it every third of it, one Redis command each.
const LeaseTime = 30 * time.Second

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
	go r.extend(context.WithoutCancel(ctx), task, ended)
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

// extend extends task's lease every third of it until ended is closed.
func (r *Interactive) extend(ctx context.Context, task *asynq.Task, ended <-chan struct{}) {
	tick := time.NewTicker(r.Lease / 3)
	defer tick.Stop()
	for {
		select {
		case <-ended:
			return
		case <-tick.C:
		}
		ok, err := r.Tasks.Extend(ctx, task, r.Lease)
		if err != nil {
			r.Log.Warn("interactive slot: extending a job's lease", "payload", string(task.Payload()), "err", err)
		} else if !ok {
			r.Log.Warn("interactive slot: a job's lease fell due while it ran; it may run again beside", "payload", string(task.Payload()))
			return
		}
	}
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
