package worker

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/augment-ml/augment/internal/augment"
	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/queue"
)

// slots runs interactive slots over the fixture's handler until stop is
// called, which waits for them.
func (f *fixture) slots(t *testing.T, rdb *redis.Client, grace time.Duration) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	r := &Interactive{Handler: f.h, Tasks: queue.NewTaker(rdb), Slots: 1, Lease: time.Hour, Grace: grace, Log: f.h.Log}
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	stop = func() { cancel(); <-done }
	t.Cleanup(stop)
	return stop
}

// TestInteractiveSlotStartsAtOnce: with no asynq server running at all, an
// interactive slot takes the job the api queues and runs it, its variants
// side by side, each the same as one rendered alone; the lease it held is
// gone once the job is done.
func TestInteractiveSlotStartsAtOnce(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.h.Parallel = 3
	rdb := f.redis(t)
	f.slots(t, rdb, time.Second)
	const pipeline = `[{"op": "hflip", "p": 0.5}, {"op": "rotate", "degrees": [-30, 30]}]`
	alone := f.job(t, f.img.URL+"/rocket.jpg", 4, pipeline)
	if err := f.h.ProcessTask(ctx, task(alone.ID)); err != nil {
		t.Fatal(err)
	}
	j := f.job(t, f.img.URL+"/rocket.jpg", 4, pipeline)
	conn, err := pgx.Connect(ctx, f.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `UPDATE jobs SET priority = $2 WHERE id = $1`, j.ID, domain.PriorityInteractive); err != nil {
		t.Fatal(err)
	}
	if err := queue.NewEnqueuer(rdb).Enqueue(ctx, &domain.Job{ID: j.ID, Priority: domain.PriorityInteractive, Source: j.Source}); err != nil {
		t.Fatal(err)
	}
	got := f.waitEnded(t, j.ID)
	want, _ := f.db.Job(ctx, alone.ID)
	if got.Status != domain.StatusDone || len(got.Variants) != 4 {
		t.Fatalf("job %s with %d variants, %+v", got.Status, len(got.Variants), got.Error)
	}
	for i, v := range got.Variants {
		w := want.Variants[i]
		if v.Index != i || string(v.Ops) != string(w.Ops) || !bytes.Equal(read(t, f.blobs, v.Key), read(t, f.blobs, w.Key)) {
			t.Errorf("variant %d (%s) differs from the one rendered alone (%s)", i, v.Ops, w.Ops)
		}
	}
	ins := asynq.NewInspectorFromRedisClient(rdb)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		_, err := ins.GetTaskInfo(queue.QueueInteractive, j.ID)
		if errors.Is(err, asynq.ErrTaskNotFound) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the done job's task is still held: %v", err)
		}
	}
}

// TestInteractiveSlotHandsFailuresBack: an attempt that fails in a slot is
// counted, shown on the job, and handed to the queue, where a server makes
// the remaining attempts with the count going on.
func TestInteractiveSlotHandsFailuresBack(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	flaky := &flakyBlobs{Blobs: f.blobs}
	flaky.failures.Store(2)
	f.h.Blobs = flaky
	rdb := f.redis(t)
	stop := f.slots(t, rdb, time.Second)
	j := f.job(t, f.img.URL+"/rocket.jpg", 1, `[{"op": "hflip"}]`)
	if err := queue.NewEnqueuer(rdb).Enqueue(ctx, &domain.Job{ID: j.ID, Priority: domain.PriorityInteractive, Source: j.Source}); err != nil {
		t.Fatal(err)
	}
	ins := asynq.NewInspectorFromRedisClient(rdb)
	var info *asynq.TaskInfo
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var err error
		info, err = ins.GetTaskInfo(queue.QueueInteractive, j.ID)
		if err == nil && info.State == asynq.TaskStateScheduled && strings.Contains(string(info.Payload), `"attempts":1`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the failed attempt was not handed back: %+v, %v", info, err)
		}
	}
	if info.MaxRetry != queue.MaxRetry-1 || time.Until(info.NextProcessAt) < 10*time.Second {
		t.Fatalf("handed back with %d retries, due in %v; want %d, after asynq's delay", info.MaxRetry, time.Until(info.NextProcessAt), queue.MaxRetry-1)
	}
	got, _ := f.db.Job(ctx, j.ID)
	if got.Status != domain.StatusProcessing || got.Error == nil || !strings.Contains(got.Error.Message, "Attempt 1 of 6 failed") {
		t.Fatalf("job %s with %+v after a failed attempt", got.Status, got.Error)
	}
	stop()
	if err := ins.RunTask(queue.QueueInteractive, j.ID); err != nil { // NOTE: not asynq's 15 s
		t.Fatal(err)
	}
	f.serve(t, rdb)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		got, _ = f.db.Job(ctx, j.ID)
		if got.Status == domain.StatusDone || (got.Error != nil && !strings.Contains(got.Error.Message, "Attempt 1 of")) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server never tried again: %s with %+v", got.Status, got.Error)
		}
	}
	if got.Error != nil && !strings.Contains(got.Error.Message, "Attempt 2 of 6 failed") {
		t.Fatalf("the second attempt shows %+v", got.Error)
	}
	if got := f.waitEnded(t, j.ID); got.Status != domain.StatusDone {
		t.Fatalf("job %s with %+v", got.Status, got.Error)
	}
}

// TestInteractiveSlotStopping: a slot stopping mid-job hands it back at
// once, no attempt counted, for any worker to run.
func TestInteractiveSlotStopping(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	rdb := f.redis(t)
	stop := f.slots(t, rdb, 0)
	p, _ := augment.Preset("heavy")
	j := f.job(t, f.img.URL+"/large.jpg", 64, string(p.JSON()))
	if err := queue.NewEnqueuer(rdb).Enqueue(ctx, &domain.Job{ID: j.ID, Priority: domain.PriorityInteractive, Source: j.Source}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if got, _ := f.db.Job(ctx, j.ID); got.Status == domain.StatusProcessing {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the slot never started the job")
		}
	}
	stop()
	info, err := asynq.NewInspectorFromRedisClient(rdb).GetTaskInfo(queue.QueueInteractive, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	var pl queue.Payload
	_ = json.Unmarshal(info.Payload, &pl)
	if info.State != asynq.TaskStatePending || pl.Attempts != 0 || info.MaxRetry != queue.MaxRetry {
		t.Fatalf("handed back as %v with payload %s and %d retries; want pending, no attempt counted", info.State, info.Payload, info.MaxRetry)
	}
	if got, _ := f.db.Job(ctx, j.ID); got.Status != domain.StatusProcessing || got.Error != nil {
		t.Fatalf("the stopped job shows %s with %+v", got.Status, got.Error)
	}
}

// dyingTaker is a Taker whose slot dies when die is closed: from then on
// its leases are no longer extended.
type dyingTaker struct {
	*queue.Taker
	die chan struct{}
}

func (d *dyingTaker) Extend(ctx context.Context, t *asynq.Task, lease time.Duration) (bool, error) {
	select {
	case <-d.die:
		return true, nil
	default:
		return d.Taker.Extend(ctx, t, lease)
	}
}

// TestLeaseOfADeadSlot: while a slot runs a job, it extends the job's short
// lease, so no server runs the job beside it however long it takes; once
// the slot dies mid-job (its lease no longer extended) a server runs the
// job within about a lease.
func TestLeaseOfADeadSlot(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	rdb := f.redis(t)
	started := make(chan struct{})
	tk := &dyingTaker{Taker: queue.NewTaker(rdb), die: make(chan struct{})}
	const lease = 1500 * time.Millisecond
	slot := &Interactive{Tasks: tk, Slots: 1, Lease: lease, Grace: time.Second, Log: f.h.Log,
		Handler: asynq.HandlerFunc(func(ctx context.Context, _ *asynq.Task) error { close(started); <-ctx.Done(); return ctx.Err() })}
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { slot.Run(sctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	j := f.job(t, f.img.URL+"/rocket.jpg", 2, `[{"op": "hflip"}]`)
	if err := queue.NewEnqueuer(rdb).Enqueue(ctx, &domain.Job{ID: j.ID, Priority: domain.PriorityInteractive, Source: j.Source}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the slot never took the job")
	}
	f.serve(t, rdb) // NOTE: only now, so the slot has the job
	time.Sleep(3 * lease)
	if got, _ := f.db.Job(ctx, j.ID); got.Status.Ended() {
		t.Fatalf("the job ran beside its slot, whose lease was extended: %s", got.Status)
	}
	close(tk.die)
	died := time.Now()
	got := f.waitEnded(t, j.ID)
	if got.Status != domain.StatusDone || len(got.Variants) != 2 {
		t.Fatalf("job %s with %d variants, %+v", got.Status, len(got.Variants), got.Error)
	}
	if d := time.Since(died); d > lease+5*time.Second {
		t.Errorf("the dead slot's job ran again %s after, with a lease of %s", d, lease)
	}
}
