package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
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

// TestDatasetBatch: a dataset batch keeps its record whole (Batch gives its
// summary and plan, BatchDataset all of it), each job its own spec and
// record, and a job without variants is done from the start.
func TestDatasetBatch(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	b, jobs := newBatch(3)
	b.Dataset = json.RawMessage(`{"summary": {"format": "yolo"}, "plan": {"augment_splits": ["train"]}, "dataset": {"classes": ["猫"]}, "files": ["data.yaml", "README.txt"]}`)
	for i, j := range jobs {
		j.Spec = b.Spec
		j.Dataset = json.RawMessage(fmt.Sprintf(`{"path": "train/images/%d.jpg"}`, i))
	}
	jobs[1].Spec.Labels = &domain.Labels{Objects: []domain.Object{{ID: "0", Class: "猫", BBox: &domain.Box{1, 2, 3, 4}}}}
	jobs[2].Spec.Variants = 0
	if err := db.CreateBatch(ctx, b, jobs); err != nil {
		t.Fatal(err)
	}
	if b.Counts != (domain.Counts{Queued: 2, Done: 1}) {
		t.Errorf("counts after create = %+v", b.Counts)
	}
	got, err := db.Batch(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Counts != (domain.Counts{Queued: 2, Done: 1}) || got.Files != 2 ||
		string(got.Dataset) != `{"plan": {"augment_splits": ["train"]}, "summary": {"format": "yolo"}}` {
		t.Fatalf("batch = %+v, dataset %s", got, got.Dataset)
	}
	whole, err := db.BatchDataset(ctx, b.ID)
	if err != nil || !strings.Contains(string(whole), `"classes": ["猫"]`) {
		t.Fatalf("whole record = %s, %v", whole, err)
	}
	back, err := db.Jobs(ctx, domain.JobFilter{BatchID: b.ID, Limit: 10})
	if err != nil || len(back) != 3 {
		t.Fatalf("jobs = %v, %v", back, err)
	}
	if back[1].Spec.Labels == nil || back[1].Spec.Labels.Objects[0].Class != "猫" || back[0].Spec.Labels != nil ||
		string(back[2].Dataset) != `{"path": "train/images/2.jpg"}` {
		t.Errorf("job 1 spec %+v, job 2 record %s", back[1].Spec, back[2].Dataset)
	}
	if back[2].Status != domain.StatusDone || back[2].FinishedAt == nil || back[2].Spec.Variants != 0 || back[0].Status != domain.StatusQueued {
		t.Errorf("statuses %s %s", back[0].Status, back[2].Status)
	}
	plain, _ := newBatch(1)
	if err := db.CreateBatch(ctx, plain, nil); err != nil {
		t.Fatal(err)
	}
	if rec, err := db.BatchDataset(ctx, plain.ID); err != nil || rec != nil {
		t.Errorf("a plain batch's record = %s, %v", rec, err)
	}
	if g, _ := db.Batch(ctx, plain.ID); g.Dataset != nil || g.Files != 0 {
		t.Errorf("a plain batch reads as a dataset: %s", g.Dataset)
	}
	if err := db.SetVersion(ctx, "libvips", "8.14.1"); err != nil {
		t.Fatal(err)
	}
	_ = db.SetVersion(ctx, "libvips", "8.16.0")
	if v, err := db.Versions(ctx); err != nil || v["libvips"] != "8.16.0" {
		t.Errorf("versions = %v, %v", v, err)
	}
}
