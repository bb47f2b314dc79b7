package worker

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/augment-ml/augment/internal/augment"
	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/fetch"
	"github.com/augment-ml/augment/internal/imaging"
	"github.com/augment-ml/augment/internal/postgres"
	"github.com/augment-ml/augment/internal/queue"
	"github.com/augment-ml/augment/internal/storage"
	"github.com/augment-ml/augment/internal/testenv"
)

const redisDB = 7

func TestMain(m *testing.M) {
	imaging.Init(imaging.Config{})
	os.Exit(m.Run())
}

type fixture struct {
	dsn   string
	db    *postgres.DB
	blobs domain.Blobs
	h     *Handler
	img   *httptest.Server
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	dsn := testenv.Database(t)
	db, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	blobs, err := storage.Open(ctx, "file://"+t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	img := httptest.NewServer(http.FileServer(http.Dir("../../testdata/corpus")))
	t.Cleanup(img.Close)
	return &fixture{dsn: dsn, db: db, blobs: blobs, img: img, h: &Handler{
		Jobs: db, Blobs: blobs, MaxPixels: 50_000_000,
		Fetcher: fetch.New(fetch.Config{AllowPrivate: true}),
		Log:     slog.New(slog.NewTextHandler(io.Discard, nil)),
	}}
}

func (f *fixture) job(t *testing.T, url string, n int, pipeline string) *domain.Job {
	t.Helper()
	p, err := augment.Parse([]byte(pipeline))
	if err != nil {
		t.Fatal(err)
	}
	j := &domain.Job{ID: uuid.NewString(), Priority: domain.PriorityDefault, Source: domain.Source{URL: url},
		Spec: domain.Spec{Variants: n, Seed: 9, Pipeline: p.JSON()}}
	if err := f.db.CreateJob(context.Background(), j); err != nil {
		t.Fatal(err)
	}
	return j
}

func task(id string) *asynq.Task {
	return queue.NewTask(id, domain.PriorityDefault)
}

// TestHandlerIsIdempotent runs one task twice, and once more after losing a
// variant record: the rows and files come out the same every time.
func TestHandlerIsIdempotent(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	j := f.job(t, f.img.URL+"/rocket.jpg", 3, `[{"op": "hflip", "p": 0.5}, {"op": "rotate", "degrees": [-30, 30]}]`)
	if err := f.h.ProcessTask(ctx, task(j.ID)); err != nil {
		t.Fatal(err)
	}
	first, err := f.db.Job(ctx, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if first.Status != domain.StatusDone || len(first.Variants) != 3 || first.Source.Width != 640 {
		t.Fatalf("job = %+v", first)
	}
	files := map[string][]byte{}
	for _, v := range first.Variants {
		files[v.Key] = read(t, f.blobs, v.Key)
	}
	// A redelivered task of a finished job changes nothing.
	if err := f.h.ProcessTask(ctx, task(j.ID)); err != nil {
		t.Fatal(err)
	}
	// A job interrupted after one variant resumes and writes the same files.
	conn, err := pgx.Connect(ctx, f.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, q := range []string{
		`UPDATE jobs SET status = 'processing', finished_at = NULL WHERE id = $1`,
		`DELETE FROM variants WHERE job_id = $1 AND idx > 0`,
	} {
		if _, err := conn.Exec(ctx, q, j.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.h.ProcessTask(ctx, task(j.ID)); err != nil {
		t.Fatal(err)
	}
	again, _ := f.db.Job(ctx, j.ID)
	if diff := cmp.Diff(first.Variants, again.Variants); diff != "" || again.Status != domain.StatusDone {
		t.Fatalf("variants changed on retry (-first +again):\n%s", diff)
	}
	for k, b := range files {
		if !bytes.Equal(read(t, f.blobs, k), b) {
			t.Errorf("%s changed on retry", k)
		}
	}
}

// TestUserFailuresAreNotTaskFailures: a bad source fails its job with a code,
// while its task, run by a real asynq server, ends as done: asynqmon shows
// no failed, retried or archived task for what was the user's mistake.
func TestUserFailuresAreNotTaskFailures(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	rdb := f.redis(t)
	want := map[string]string{
		"/bad/truncated.jpg":    domain.ENotImage,
		"/bad/bomb-900mp.png":   domain.ETooManyPixels,
		"/bad/not-an-image.jpg": domain.ENotImage,
		"/missing.jpg":          domain.EFetchFailed,
	}
	ids := map[string]string{}
	enq := queue.NewEnqueuer(rdb)
	for path := range want {
		j := f.job(t, f.img.URL+path, 2, `[{"op": "hflip"}]`)
		ids[path] = j.ID
		if err := enq.Enqueue(ctx, j); err != nil {
			t.Fatal(err)
		}
	}
	// A task whose job was removed (a batch refused after queueing) is dropped quietly.
	if err := enq.Enqueue(ctx, &domain.Job{ID: uuid.NewString(), Priority: domain.PriorityDefault, Source: domain.Source{URL: f.img.URL + "/rocket.jpg"}}); err != nil {
		t.Fatal(err)
	}
	f.serve(t, rdb)
	for path, code := range want {
		got := f.waitEnded(t, ids[path])
		if got.Status != domain.StatusFailed || got.Error == nil || got.Error.Code != code {
			t.Errorf("%s: job %s with %+v, want failed %s", path, got.Status, got.Error, code)
		}
	}
	ins := asynq.NewInspectorFromRedisClient(rdb)
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, err := ins.GetQueueInfo(queue.QueueDefault)
		if err != nil {
			t.Fatal(err)
		}
		if st.Completed == len(want)+1 {
			if st.Failed != 0 || st.Retry != 0 || st.Archived != 0 {
				t.Fatalf("queue shows %d failed, %d retrying, %d archived tasks for user errors", st.Failed, st.Retry, st.Archived)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("queue: %d completed of %d; %d retry, %d archived", st.Completed, len(want)+1, st.Retry, st.Archived)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestRetriedJobShowsItsLastError: while a job fails and waits for its next
// attempt, it shows why; once an attempt succeeds, the error is gone.
func TestRetriedJobShowsItsLastError(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	flaky := &flakyBlobs{Blobs: f.blobs}
	flaky.failures.Store(2)
	f.h.Blobs = flaky
	rdb := f.redis(t)
	j := f.job(t, f.img.URL+"/rocket.jpg", 1, `[{"op": "hflip"}]`)
	if err := queue.NewEnqueuer(rdb).Enqueue(ctx, j); err != nil {
		t.Fatal(err)
	}
	f.serve(t, rdb)
	deadline := time.Now().Add(20 * time.Second)
	for {
		got, err := f.db.Job(ctx, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status == domain.StatusProcessing && got.Error != nil {
			if !strings.Contains(got.Error.Message, "Attempt 1 of 6 failed") {
				t.Fatalf("a retried job shows %+v", got.Error)
			}
			break
		}
		if got.Status.Ended() || time.Now().After(deadline) {
			t.Fatalf("job %s with %+v: the failed attempt never showed", got.Status, got.Error)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := f.waitEnded(t, j.ID); got.Status != domain.StatusDone || got.Error != nil {
		t.Fatalf("after a good attempt: %s with %+v", got.Status, got.Error)
	}
}

// flakyBlobs fails the first few writes, as a storage outage would.
type flakyBlobs struct {
	domain.Blobs
	failures atomic.Int32
}

func (b *flakyBlobs) Put(ctx context.Context, key string, r io.Reader, size int64, ct string) error {
	if b.failures.Add(-1) >= 0 {
		return errors.New("storage unavailable")
	}
	return b.Blobs.Put(ctx, key, r, size, ct)
}

func read(t *testing.T, b domain.Blobs, key string) []byte {
	t.Helper()
	r, _, err := b.Get(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	data, _ := io.ReadAll(r)
	return data
}

// redis returns a client on this package's Redis DB, flushed.
func (f *fixture) redis(t *testing.T) *redis.Client {
	opt, _ := redis.ParseURL(testenv.Redis(t, redisDB))
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// serve runs the handler in a real asynq server until the test ends.
func (f *fixture) serve(t *testing.T, rdb *redis.Client) {
	srv := asynq.NewServerFromRedisClient(rdb, asynq.Config{
		Concurrency: 2, Queues: queue.Queues, TaskCheckInterval: 50 * time.Millisecond,
		Logger: queue.Logger(f.h.Log),
		// NOTE: asynq waits 15 s or more before a retry; a test has no time for that.
		RetryDelayFunc:           func(int, error, *asynq.Task) time.Duration { return 500 * time.Millisecond },
		DelayedTaskCheckInterval: 100 * time.Millisecond,
	})
	mux := asynq.NewServeMux()
	mux.Handle(queue.TypeAugment, f.h)
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
}

// waitEnded polls the job until it is done or failed.
func (f *fixture) waitEnded(t *testing.T, id string) *domain.Job {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		j, err := f.db.Job(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if j.Status.Ended() {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s still %s after 30s", id, j.Status)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestFailedJobLeavesNoSource: a job that fails for good keeps no source file.
func TestFailedJobLeavesNoSource(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	j := f.job(t, f.img.URL+"/bad/truncated.jpg", 1, `[{"op": "hflip"}]`)
	if err := f.h.ProcessTask(ctx, task(j.ID)); err != nil {
		t.Fatal(err)
	}
	got, _ := f.db.Job(ctx, j.ID)
	if got.Status != domain.StatusFailed || got.Source.Key != "" {
		t.Fatalf("job %s, source key %q", got.Status, got.Source.Key)
	}
	if _, _, err := f.blobs.Get(ctx, "jobs/"+j.ID+"/source"); domain.ErrorCode(err) != domain.ENotFound {
		t.Fatalf("the failed job's source is still stored (%v)", err)
	}
}

// TestJobTimeLimit: a job still rendering at its time limit stops between
// variants and fails with a reason; its task ends without a retry, so no
// second render ever starts beside the first.
func TestJobTimeLimit(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.h.JobTimeout = 2 * time.Second
	rdb := f.redis(t)
	p, _ := augment.Preset("heavy")
	j := f.job(t, f.img.URL+"/large.jpg", 64, string(p.JSON()))
	if err := queue.NewEnqueuer(rdb).Enqueue(ctx, j); err != nil {
		t.Fatal(err)
	}
	f.serve(t, rdb)
	got := f.waitEnded(t, j.ID)
	if got.Status != domain.StatusFailed || got.Error == nil || got.Error.Code != domain.ETimeout ||
		!strings.Contains(got.Error.Message, "limit of 2s") || len(got.Variants) == 64 {
		t.Fatalf("job %s with %d variants, %+v; want failed at its time limit", got.Status, len(got.Variants), got.Error)
	}
	t.Logf("%s (%.1f s after it started)", got.Error.Message, got.FinishedAt.Sub(*got.StartedAt).Seconds())
	ins := asynq.NewInspectorFromRedisClient(rdb)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		info, err := ins.GetTaskInfo(queue.QueueDefault, j.ID)
		if err == nil && info.State == asynq.TaskStateCompleted && info.Retried == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("task: %+v, %v; want completed, never retried", info, err)
		}
	}
}
