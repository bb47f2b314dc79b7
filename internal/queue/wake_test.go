package queue

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/testenv"
)

// queuedJob queues an interactive job on this package's Redis DB and
// returns a Taker and an Inspector of it.
func queuedJob(t *testing.T) (*redis.Client, *Taker, *asynq.Inspector, string) {
	opt, _ := redis.ParseURL(testenv.Redis(t, redisDB))
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { rdb.Close() })
	job := uuid.NewString()
	if err := NewEnqueuer(rdb).Enqueue(context.Background(), &domain.Job{ID: job, Priority: domain.PriorityInteractive}); err != nil {
		t.Fatal(err)
	}
	return rdb, NewTaker(rdb), asynq.NewInspectorFromRedisClient(rdb), job
}

// TestTakerTakesWhatIsQueued: an interactive slot is handed a job and a
// preview the moment they are queued, with no server running; a job's task
// stays behind as a lease until Done, a preview's does not; a job queued
// for the API is not the slot's.
func TestTakerTakesWhatIsQueued(t *testing.T) {
	rdb, tk, ins, job := queuedJob(t)
	ctx := context.Background()
	task, err := tk.Take(ctx, time.Second, time.Hour)
	if err != nil || task == nil || task.Type() != TypeAugment {
		t.Fatalf("Take = %v, %v; want the job's task", task, err)
	}
	if p, _ := ParsePayload(task); p.JobID != job {
		t.Fatalf("took job %q, want %q", p.JobID, job)
	}
	if err := tk.leased(job); err != nil { // NOTE: written while the job starts
		t.Fatal(err)
	}
	if info, err := ins.GetTaskInfo(QueueInteractive, job); err != nil || info.State != asynq.TaskStateScheduled || time.Until(info.NextProcessAt) < 50*time.Minute {
		t.Fatalf("the job's lease: %+v, %v", info, err)
	}
	if err := tk.Done(task); err != nil {
		t.Fatal(err)
	}
	if _, err := ins.GetTaskInfo(QueueInteractive, job); !errors.Is(err, asynq.ErrTaskNotFound) {
		t.Fatalf("the lease after Done: %v", err)
	}

	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pv := &domain.Preview{ID: uuid.NewString(), Size: 64}
	go func() { _, _ = NewPreviews(rdb).Preview(pctx, pv) }()
	task, err = tk.Take(ctx, 5*time.Second, time.Hour)
	if err != nil || task == nil || task.Type() != TypePreview {
		t.Fatalf("Take = %v, %v; want the preview's task", task, err)
	}
	if got, err := ParsePreview(task); err != nil || got.ID != pv.ID {
		t.Fatalf("took preview %+v, %v; want %s", got, err, pv.ID)
	}
	if _, err := ins.GetTaskInfo(QueueInteractive, pv.ID); !errors.Is(err, asynq.ErrTaskNotFound) {
		t.Fatalf("a preview taken left its task: %v", err)
	}

	if err := NewEnqueuer(rdb).Enqueue(ctx, &domain.Job{ID: uuid.NewString(), Priority: domain.PriorityDefault}); err != nil {
		t.Fatal(err)
	}
	if task, err := tk.Take(ctx, time.Second, time.Hour); err != nil || task != nil {
		t.Fatalf("Take = %v, %v; want nothing for an API job", task, err)
	}
}

// TestTakerLease: a job taken leaves a lease due when asked, which Extend
// moves on (as asynq's Inspector sees it, so the key Extend writes is
// asynq's); once the lease is gone there is nothing to extend.
func TestTakerLease(t *testing.T) {
	_, tk, ins, job := queuedJob(t)
	ctx := context.Background()
	task, err := tk.Take(ctx, time.Second, 30*time.Second)
	if err != nil || task == nil {
		t.Fatalf("Take = %v, %v", task, err)
	}
	if err := tk.leased(job); err != nil {
		t.Fatal(err)
	}
	due := func() time.Duration {
		t.Helper()
		info, err := ins.GetTaskInfo(QueueInteractive, job)
		if err != nil || info.State != asynq.TaskStateScheduled {
			t.Fatalf("the lease: %+v, %v", info, err)
		}
		return time.Until(info.NextProcessAt)
	}
	if d := due(); d < 28*time.Second || d > 31*time.Second {
		t.Fatalf("a 30 s lease is due in %s", d)
	}
	if ok, err := tk.Extend(ctx, task, 10*time.Minute); !ok || err != nil {
		t.Fatalf("Extend = %v, %v", ok, err)
	}
	if d := due(); d < 9*time.Minute || d > 11*time.Minute {
		t.Fatalf("a lease extended by 10 min is due in %s", d)
	}
	if err := tk.Done(task); err != nil {
		t.Fatal(err)
	}
	if ok, err := tk.Extend(ctx, task, time.Minute); ok || err != nil {
		t.Fatalf("Extend after Done = %v, %v; want false", ok, err)
	}
}

// TestDoneAtOnceLeavesNoLease: the lease is written while the job starts;
// a job done (or handed back) before it is written still leaves no lease
// behind to run it again, nor two tasks.
func TestDoneAtOnceLeavesNoLease(t *testing.T) {
	ctx := context.Background()
	rdb, tk, ins, _ := queuedJob(t)
	for i := range 20 {
		job := uuid.NewString()
		if err := NewEnqueuer(rdb).Enqueue(ctx, &domain.Job{ID: job, Priority: domain.PriorityInteractive}); err != nil {
			t.Fatal(err)
		}
		var task *asynq.Task
		for task == nil {
			var err error
			if task, err = tk.Take(ctx, time.Second, time.Hour); err != nil || task == nil {
				t.Fatalf("Take = %v, %v", task, err)
			}
			if p, _ := ParsePayload(task); p.JobID != job {
				task = nil // the first job queuedJob queued
			}
		}
		if i%2 == 0 {
			if err := tk.Done(task); err != nil {
				t.Fatal(err)
			}
			if _, err := ins.GetTaskInfo(QueueInteractive, job); !errors.Is(err, asynq.ErrTaskNotFound) {
				t.Fatalf("a job done at once left its lease: %v", err)
			}
			continue
		}
		if err := tk.Again(ctx, task, 1, time.Hour); err != nil {
			t.Fatal(err)
		}
		if info, err := ins.GetTaskInfo(QueueInteractive, job); err != nil || info.State != asynq.TaskStateScheduled || time.Until(info.NextProcessAt) < 50*time.Minute {
			t.Fatalf("a job handed back at once: %+v, %v; want its next attempt in an hour", info, err)
		}
	}
}
