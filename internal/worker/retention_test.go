package worker

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/augment-ml/augment/internal/domain"
)

// TestRetentionDeletesRowsAndFilesTogether: jobs and whole batches that ended
// longer ago than RETENTION go, files and rows; younger ones, a batch with a
// job still running and the files of other jobs stay.
func TestRetentionDeletesRowsAndFilesTogether(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	conn, err := pgx.Connect(ctx, f.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	finished := func(j *domain.Job, ago time.Duration) {
		if err := f.h.ProcessTask(ctx, task(j.ID)); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec(ctx, `UPDATE jobs SET finished_at = now() - $2::interval,
			created_at = now() - $2::interval WHERE id = $1`, j.ID, ago); err != nil {
			t.Fatal(err)
		}
	}
	batch := func(ended ...bool) (string, []*domain.Job) {
		b := &domain.Batch{ID: uuid.NewString(), Spec: domain.Spec{Variants: 1, Pipeline: json.RawMessage(`[{"op": "hflip"}]`)}}
		var jobs []*domain.Job
		for i := range ended {
			jobs = append(jobs, &domain.Job{ID: uuid.NewString(), Seq: i, Stem: fmt.Sprint(i), Source: domain.Source{URL: f.img.URL + "/rocket.jpg"}})
		}
		if err := f.db.CreateBatch(ctx, b, jobs); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec(ctx, `UPDATE batches SET created_at = now() - interval '3 hours' WHERE id = $1`, b.ID); err != nil {
			t.Fatal(err)
		}
		for i, e := range ended {
			if e {
				finished(jobs[i], 2*time.Hour)
			}
		}
		return b.ID, jobs
	}
	old := f.job(t, f.img.URL+"/rocket.jpg", 2, `[{"op": "hflip"}]`)
	finished(old, 2*time.Hour)
	recent := f.job(t, f.img.URL+"/rocket.jpg", 2, `[{"op": "hflip"}]`)
	finished(recent, time.Minute)
	oldBatch, oldJobs := batch(true, true)
	runningBatch, runningJobs := batch(true, false)
	keys := func(j *domain.Job) []string {
		got, err := f.db.Job(ctx, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		out := []string{got.Source.Key, domain.SourceThumbKey(j.ID)}
		for _, v := range got.Variants {
			out = append(out, v.Key, domain.ThumbKey(j.ID, v.Index))
		}
		return out
	}
	// The expired batch is a dataset's that keeps a file of its own.
	if _, err := conn.Exec(ctx, `UPDATE batches SET dataset = '{"files": ["README.txt"]}' WHERE id = $1`, oldBatch); err != nil {
		t.Fatal(err)
	}
	if err := f.blobs.Put(ctx, domain.BatchFileKey(oldBatch, 0), strings.NewReader("hello"), 5, ""); err != nil {
		t.Fatal(err)
	}
	gone := append(append(keys(old), keys(oldJobs[0])...), keys(oldJobs[1])...)
	gone = append(gone, domain.BatchFileKey(oldBatch, 0))
	kept := append(keys(recent), keys(runningJobs[0])...)

	r := &Retention{Store: f.db, Blobs: f.blobs, After: time.Hour, Log: f.h.Log}
	p, err := r.Purge(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Each job: its source and variants, with a thumbnail of each.
	if p != (Purged{Batches: 1, Jobs: 3, Files: 15}) {
		t.Errorf("purged %+v, want 1 batch, 3 jobs, 15 files", p)
	}
	for _, k := range gone {
		if _, _, err := f.blobs.Get(ctx, k); domain.ErrorCode(err) != domain.ENotFound {
			t.Errorf("%s is still stored (%v)", k, err)
		}
	}
	for _, k := range kept {
		if r, _, err := f.blobs.Get(ctx, k); err != nil {
			t.Errorf("%s was deleted: %v", k, err)
		} else {
			r.Close()
		}
	}
	for _, id := range []string{old.ID, oldJobs[0].ID, oldJobs[1].ID} {
		if _, err := f.db.Job(ctx, id); domain.ErrorCode(err) != domain.ENotFound {
			t.Errorf("job %s is still recorded (%v)", id, err)
		}
	}
	if _, err := f.db.Batch(ctx, oldBatch); domain.ErrorCode(err) != domain.ENotFound {
		t.Errorf("the expired batch is still recorded (%v)", err)
	}
	if b, err := f.db.Batch(ctx, runningBatch); err != nil || b.Total != 2 {
		t.Errorf("the running batch: %+v, %v", b, err)
	}
	if p, err := r.Purge(ctx); err != nil || p != (Purged{}) {
		t.Errorf("a second round: %+v, %v; want nothing", p, err)
	}
}
