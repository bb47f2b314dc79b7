package worker

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hibiken/asynq"

	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/queue"
)

// TestSweeperEndsEveryJob: a recorded job whose task will not run — archived
// after its attempts ran out (a database outage), or gone from Redis — is
// queued again with fresh attempts and runs to the end; a live task is left
// alone; a job queued again too often fails with a reason.
func TestSweeperEndsEveryJob(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	rdb := f.redis(t)
	enq := queue.NewEnqueuer(rdb)
	ins := asynq.NewInspectorFromRedisClient(rdb)
	job := func(queued, archived bool, requeues int) *domain.Job {
		j := f.job(t, f.img.URL+"/rocket.jpg", 1, `[{"op": "hflip"}]`)
		if queued {
			if err := enq.Enqueue(ctx, j); err != nil {
				t.Fatal(err)
			}
		}
		if archived {
			if err := ins.ArchiveTask(queue.QueueDefault, j.ID); err != nil {
				t.Fatal(err)
			}
		}
		for range requeues {
			if _, err := f.db.Requeued(ctx, j.ID); err != nil {
				t.Fatal(err)
			}
		}
		return j
	}
	archived, gone, alive, hopeless := job(true, true, 0), job(false, false, 0), job(true, false, 0), job(true, true, 3)

	s := &Sweeper{Jobs: f.db, Tasks: enq, Age: 0, MaxRequeues: 3, Log: f.h.Log}
	sw, err := s.Sweep(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := Swept{Checked: 4, Requeued: map[string]int{queue.TaskArchived: 1, queue.TaskGone: 1}, Failed: 1}
	if diff := cmp.Diff(want, sw); diff != "" {
		t.Fatalf("first sweep (-want +got):\n%s", diff)
	}
	if sw, err = s.Sweep(ctx); err != nil || len(sw.Requeued) != 0 || sw.Failed != 0 || sw.Checked != 3 {
		t.Fatalf("second sweep: %+v, %v; want nothing to do", sw, err)
	}
	f.serve(t, rdb)
	for _, j := range []*domain.Job{archived, gone, alive} {
		if got := f.waitEnded(t, j.ID); got.Status != domain.StatusDone {
			t.Errorf("job %s: %s %+v, want done", j.ID, got.Status, got.Error)
		}
	}
	got, _ := f.db.Job(ctx, hopeless.ID)
	if got.Status != domain.StatusFailed || got.Error == nil || !strings.Contains(got.Error.Message, "queued again 3 times") {
		t.Errorf("a job re-queued 3 times: %s %+v, want failed with the reason", got.Status, got.Error)
	}
}
