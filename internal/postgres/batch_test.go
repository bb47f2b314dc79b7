package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/google/uuid"

	"github.com/augment-ml/augment/internal/domain"
)

func newBatch(n int) (*domain.Batch, []*domain.Job) {
	b := &domain.Batch{ID: uuid.NewString(), Spec: domain.Spec{Variants: 1, Seed: 3, Pipeline: json.RawMessage(`[]`)},
		Skipped: domain.SkipReport{Total: 1, ByReason: map[string]int{"not an image": 1},
			First: []domain.Skipped{{Name: "notes.txt", Reason: "not an image"}}}}
	jobs := make([]*domain.Job, n)
	for i := range jobs {
		url := fmt.Sprintf("http://example.test/%d.jpg", i)
		jobs[i] = &domain.Job{ID: uuid.NewString(), Seq: i, Stem: fmt.Sprintf("img-%d", i),
			Source: domain.Source{URL: url}, SeedKey: url}
	}
	return b, jobs
}

func TestBatchCountsAndOrder(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	b, jobs := newBatch(5)
	if err := db.CreateBatch(ctx, b, jobs); err != nil {
		t.Fatal(err)
	}
	_ = db.StartJob(ctx, jobs[0].ID)
	_ = db.FinishJob(ctx, jobs[0].ID)
	_ = db.FailJob(ctx, jobs[1].ID, domain.Errorf(domain.ENotImage, "no"))
	_ = db.StartJob(ctx, jobs[2].ID)
	got, err := db.Batch(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := domain.Counts{Queued: 2, Processing: 1, Done: 1, Failed: 1}
	if got.Counts != want || got.Total != 5 || got.Status != domain.StatusRunning || got.FinishedAt != nil {
		t.Fatalf("batch = %+v, counts %+v", got, got.Counts)
	}
	if got.Skipped.Total != 1 || len(got.Skipped.First) != 1 || got.Skipped.First[0].Name != "notes.txt" {
		t.Fatalf("skipped = %+v", got.Skipped)
	}
	page, err := db.Jobs(ctx, domain.JobFilter{BatchID: b.ID, Limit: 2, After: jobs[1].ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 2 || page[0].ID != jobs[2].ID || page[1].Stem != "img-3" || page[0].BatchID != b.ID ||
		page[1].SeedKey != "http://example.test/3.jpg" {
		t.Fatalf("page after job 1 = %v", jobIDs(page))
	}
	for _, j := range jobs[2:] {
		_ = db.StartJob(ctx, j.ID)
		_ = db.FinishJob(ctx, j.ID)
	}
	got, _ = db.Batch(ctx, b.ID)
	if got.Status != domain.StatusDone || got.FinishedAt == nil || got.Counts.Done != 4 {
		t.Fatalf("finished batch = %+v", got)
	}
}

// TestCreateBatchIsAllOrNothing: a batch that cannot be recorded whole
// leaves nothing behind.
func TestCreateBatchIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	b, jobs := newBatch(3)
	jobs[2].Stem = jobs[0].Stem // stems are unique within a batch
	if err := db.CreateBatch(ctx, b, jobs); err == nil {
		t.Fatal("a batch with a duplicate stem was recorded")
	}
	if _, err := db.Batch(ctx, b.ID); domain.ErrorCode(err) != domain.ENotFound {
		t.Fatalf("batch after a failed create: %v", err)
	}
	for _, j := range jobs {
		if _, err := db.Job(ctx, j.ID); domain.ErrorCode(err) != domain.ENotFound {
			t.Fatalf("job %s survived a failed batch", j.ID)
		}
	}
}
