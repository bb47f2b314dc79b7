package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/testenv"
)

func openTest(t *testing.T) *DB {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, testenv.Database(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

func newJob(t *testing.T, db *DB) *domain.Job {
	t.Helper()
	j := &domain.Job{
		ID:     uuid.NewString(),
		Source: domain.Source{URL: "http://example.test/cat.jpg"},
		Spec:   domain.Spec{Variants: 2, Seed: 42, Preset: "classic", Pipeline: json.RawMessage(`[{"op":"hflip"}]`)},
	}
	if err := db.CreateJob(context.Background(), j); err != nil {
		t.Fatal(err)
	}
	return j
}

func TestJobLifecycle(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	j := newJob(t, db)

	got, err := db.Job(ctx, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != domain.StatusQueued || got.Spec.Seed != 42 || string(got.Spec.Pipeline) != `[{"op": "hflip"}]` {
		t.Fatalf("created job = %+v", got)
	}
	if err := db.StartJob(ctx, j.ID); err != nil {
		t.Fatal(err)
	}
	src := domain.Source{Name: "cat.jpg", Key: "jobs/x/source", Width: 640, Height: 480, Format: "jpeg", Bytes: 1234}
	if err := db.SetSource(ctx, j.ID, src); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		v := domain.Variant{Index: i, Width: 10, Height: 20, Format: "jpeg", Bytes: 99, Ops: json.RawMessage(`[]`), Key: "k"}
		if err := db.PutVariant(ctx, j.ID, v); err != nil {
			t.Fatal(err)
		}
	}
	// A retried task writes the same variant again: still two rows.
	v := domain.Variant{Index: 1, Width: 11, Height: 21, Format: "png", Bytes: 100, Ops: json.RawMessage(`[{"op":"vflip"}]`), Key: "k2"}
	if err := db.PutVariant(ctx, j.ID, v); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishJob(ctx, j.ID); err != nil {
		t.Fatal(err)
	}
	got, err = db.Job(ctx, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != domain.StatusDone || got.StartedAt == nil || got.FinishedAt == nil {
		t.Fatalf("finished job = %+v", got)
	}
	if len(got.Variants) != 2 || got.Variants[1].Format != "png" || got.Variants[1].Width != 11 {
		t.Fatalf("variants = %+v", got.Variants)
	}
	src.URL = j.Source.URL
	if got.Source != src {
		t.Fatalf("source = %+v, want %+v", got.Source, src)
	}
	// An ended job does not change: a late failure of a redelivered task is ignored.
	if err := db.FailJob(ctx, j.ID, domain.Errorf(domain.EInternal, "late")); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Job(ctx, j.ID); got.Status != domain.StatusDone || got.Error != nil {
		t.Fatalf("ended job changed: %+v", got)
	}
	events := eventsOf(t, db, j.ID)
	if want := []string{"queued", "processing", "done"}; len(events) != 3 || events[0] != want[0] || events[2] != want[2] {
		t.Fatalf("events = %v, want %v", events, want)
	}
}

func TestFailJobKeepsReason(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	j := newJob(t, db)
	if err := db.FailJob(ctx, j.ID, domain.Errorf(domain.ENotImage, "Not an image.")); err != nil {
		t.Fatal(err)
	}
	got, err := db.Job(ctx, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != domain.StatusFailed || got.Error == nil || got.Error.Code != domain.ENotImage || got.Error.Message != "Not an image." {
		t.Fatalf("failed job = %+v, error %+v", got, got.Error)
	}
}

func TestUnknownJob(t *testing.T) {
	db := openTest(t)
	for _, id := range []string{uuid.NewString(), "not-a-uuid", ""} {
		if _, err := db.Job(context.Background(), id); domain.ErrorCode(err) != domain.ENotFound {
			t.Errorf("Job(%q) = %v, want not_found", id, err)
		}
	}
}

func TestJobsNewestFirstWithCursor(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	var ids []string
	for range 5 {
		ids = append(ids, newJob(t, db).ID)
	}
	page, err := db.Jobs(ctx, domain.JobFilter{Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 3 || page[0].ID != ids[4] || page[2].ID != ids[2] {
		t.Fatalf("first page = %v", jobIDs(page))
	}
	page, err = db.Jobs(ctx, domain.JobFilter{Limit: 3, Before: page[2].ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 2 || page[0].ID != ids[1] || page[1].ID != ids[0] {
		t.Fatalf("second page = %v", jobIDs(page))
	}
}

func TestCreateDatabaseAndMigrateTwice(t *testing.T) {
	ctx := context.Background()
	dsn := testenv.Database(t)
	// Running both again is harmless: a second process starting does the same.
	for range 2 {
		if err := CreateDatabase(ctx, dsn); err != nil {
			t.Fatal(err)
		}
		db, err := Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
}

func jobIDs(js []*domain.Job) []string {
	out := make([]string, len(js))
	for i, j := range js {
		out[i] = j.ID
	}
	return out
}

// A worker claims a job, records its variants and ends it in few round
// trips; the rows and events are those of StartJob, PutVariant and
// FinishJob one by one.
func TestClaimAndFinishJob(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	j := newJob(t, db)
	got, err := db.ClaimJob(ctx, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != domain.StatusProcessing || got.StartedAt == nil || len(got.Variants) != 0 || got.Spec.Seed != 42 {
		t.Fatalf("claimed job = %+v", got)
	}
	if st, err := db.Job(ctx, j.ID); err != nil || st.Status != domain.StatusProcessing {
		t.Fatalf("Job = %+v, %v; want processing", st, err)
	}
	v0 := domain.Variant{Index: 0, Width: 10, Height: 20, Format: "jpeg", Bytes: 99, Ops: json.RawMessage(`[]`), Key: "k0"}
	if err := db.PutVariant(ctx, j.ID, v0); err != nil {
		t.Fatal(err)
	}
	// A redelivered task finds the variant an earlier attempt recorded.
	again, err := db.ClaimJob(ctx, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Variants) != 1 || again.Variants[0].Key != "k0" || !again.StartedAt.Equal(*got.StartedAt) {
		t.Fatalf("claimed again = %+v, variants %+v", again, again.Variants)
	}
	v1 := domain.Variant{Index: 1, Width: 11, Height: 21, Format: "png", Bytes: 100, Ops: json.RawMessage(`[]`), Key: "k1"}
	if err := db.FinishJob(ctx, j.ID, v1); err != nil {
		t.Fatal(err)
	}
	done, err := db.Job(ctx, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != domain.StatusDone || len(done.Variants) != 2 || done.Variants[1].Key != "k1" {
		t.Fatalf("finished job = %+v, variants %+v", done, done.Variants)
	}
	// Claiming an ended job changes nothing.
	if ended, err := db.ClaimJob(ctx, j.ID); err != nil || ended.Status != domain.StatusDone {
		t.Fatalf("ClaimJob of a done job = %+v, %v", ended, err)
	}
	events := eventsOf(t, db, j.ID)
	if want := "[queued processing processing done]"; fmt.Sprint(events) != want {
		t.Fatalf("events = %v, want %s", events, want)
	}
	for _, id := range []string{uuid.NewString(), "not-a-uuid"} {
		if _, err := db.ClaimJob(ctx, id); domain.ErrorCode(err) != domain.ENotFound {
			t.Errorf("ClaimJob(%q) = %v, want not_found", id, err)
		}
		if _, err := db.Job(ctx, id); domain.ErrorCode(err) != domain.ENotFound {
			t.Errorf("Job(%q) = %v, want not_found", id, err)
		}
	}
}

// eventsOf lists the statuses a job's events record, in order.
func eventsOf(t *testing.T, db *DB, id string) []string {
	t.Helper()
	rows, err := db.pool.Query(context.Background(), `SELECT status FROM job_events WHERE job_id = $1 ORDER BY id`, id)
	if err != nil {
		t.Fatal(err)
	}
	events, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return events
}

// TestLazyCommitsStayTheirOwn: a waited job's record and those a job makes
// on its way (claim, source, a variant) are committed lazily, and the
// setting ends with each: on the same connection (the pool has one), the
// job's end waits for the disk again. A lazy write's failure is reported.
func TestLazyCommitsStayTheirOwn(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, testenv.Database(t)+"&pool_max_conns=1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	j := &domain.Job{ID: uuid.NewString(), Source: domain.Source{URL: "http://example.test/cat.jpg"},
		Spec: domain.Spec{Variants: 1, Seed: 1, Pipeline: json.RawMessage(`[{"op":"hflip"}]`)}}
	v := domain.Variant{Index: 0, Width: 4, Height: 3, Format: "jpeg", Ops: json.RawMessage(`[]`), Key: "v0"}
	for _, step := range []struct {
		name string
		do   func() error
	}{
		{"record", func() error { return db.CreateWaitedJob(ctx, j) }},
		{"claim", func() error { _, err := db.ClaimJob(ctx, j.ID); return err }},
		{"source", func() error {
			return db.SetSource(ctx, j.ID, domain.Source{Name: "cat.jpg", Key: "k", Width: 4, Height: 3, Format: "jpeg"})
		}},
		{"variant", func() error { return db.PutVariant(ctx, j.ID, v) }},
	} {
		if err := step.do(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		var mode string
		if err := db.pool.QueryRow(ctx, `SELECT current_setting('synchronous_commit')`).Scan(&mode); err != nil || mode != "on" {
			t.Fatalf("after the %s, the connection's synchronous_commit is %q (%v), want on", step.name, mode, err)
		}
	}
	got, err := db.Job(ctx, j.ID)
	if err != nil || got.Status != domain.StatusProcessing || got.Source.Key != "k" || len(got.Variants) != 1 || got.CreatedAt.IsZero() {
		t.Fatalf("job after its lazy records = %+v, %v", got, err)
	}
	if err := db.PutVariant(ctx, uuid.NewString(), v); err == nil {
		t.Fatal("a variant of a job that does not exist was recorded without an error")
	}
}
