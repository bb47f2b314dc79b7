package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/augment-ml/augment/internal/domain"
)

// TestLabelsAreKept: a job's labels, options and mask, and each variant's
// labels and mask key, read back as they were written.
func TestLabelsAreKept(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	j := newJob(t, db)
	opt := domain.DefaultLabelOptions()
	spec := j.Spec
	spec.Labels = &domain.Labels{Width: 640, Height: 480, KeypointNames: []string{"left_eye", "right_eye"},
		Objects: []domain.Object{{ID: "7", Class: "chat ✓", BBox: &domain.Box{1.5, 2, 30, 40},
			Polygon: domain.Polygon{{{1, 2}, {3, 4}, {5, 0}}}, Keypoints: []domain.Keypoint{{1, 2, 2}, {0, 0, 0}},
			Attributes: json.RawMessage(`{"occluded":true}`)}}}
	spec.LabelOptions, spec.Mask = &opt, &domain.MaskSource{Name: "mask.png"}
	j2 := &domain.Job{ID: "00000000-0000-4000-8000-000000000007", Spec: spec}
	if err := db.CreateJob(ctx, j2); err != nil {
		t.Fatal(err)
	}
	vl := &domain.VariantLabels{Objects: spec.Labels.Objects, Dropped: []domain.Dropped{{ID: "3", Reason: "visibility 0.04 < 0.1"}},
		MaskKey: "jobs/x/variants/0.mask.png"}
	v := domain.Variant{Index: 0, Width: 10, Height: 10, Format: "jpeg", Ops: json.RawMessage(`[]`), Key: "k", Labels: vl}
	if err := db.PutVariant(ctx, j2.ID, v); err != nil {
		t.Fatal(err)
	}
	if err := db.PutVariant(ctx, j.ID, domain.Variant{Index: 0, Width: 1, Height: 1, Format: "png", Ops: json.RawMessage(`[]`), Key: "k"}); err != nil {
		t.Fatal(err)
	}
	got, err := db.Job(ctx, j2.ID)
	if err != nil {
		t.Fatal(err)
	}
	// jsonb keeps values, not spacing
	sameJSON := cmp.Transformer("json", func(r json.RawMessage) any {
		var v any
		_ = json.Unmarshal(r, &v)
		return v
	})
	if d := cmp.Diff(spec, got.Spec, sameJSON); d != "" {
		t.Errorf("spec:\n%s", d)
	}
	if d := cmp.Diff(vl, got.Variants[0].Labels, sameJSON); d != "" {
		t.Errorf("variant labels:\n%s", d)
	}
	if plain, _ := db.Job(ctx, j.ID); plain.Variants[0].Labels != nil {
		t.Errorf("a variant without labels reads back with %+v", plain.Variants[0].Labels)
	}
}

// TestLargeJSONIsLz4: a labelled variant's labels and a labelled job's spec,
// large enough to be compressed, are compressed with lz4 (migrations 0008 and 0010),
// and read back whole.
func TestLargeJSONIsLz4(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	j := newJob(t, db)
	var objects []domain.Object
	for i := range 150 {
		objects = append(objects, domain.Object{ID: fmt.Sprint(i), Class: "cat", BBox: &domain.Box{float64(i), 2, 30, 40}})
	}
	spec := j.Spec
	spec.Labels = &domain.Labels{Width: 640, Height: 480, Objects: objects}
	j2 := &domain.Job{ID: "00000000-0000-4000-8000-000000000010", Spec: spec}
	if err := db.CreateJob(ctx, j2); err != nil {
		t.Fatal(err)
	}
	v := domain.Variant{Index: 0, Width: 10, Height: 10, Format: "jpeg", Ops: json.RawMessage(`[]`), Key: "k",
		Labels: &domain.VariantLabels{Objects: objects}}
	if err := db.PutVariant(ctx, j2.ID, v); err != nil {
		t.Fatal(err)
	}
	var spc, lab *string
	if err := db.pool.QueryRow(ctx, `SELECT pg_column_compression(j.spec), pg_column_compression(v.labels)
		FROM jobs j JOIN variants v ON v.job_id = j.id WHERE j.id = $1`, j2.ID).Scan(&spc, &lab); err != nil {
		t.Fatal(err)
	}
	if spc == nil || *spc != "lz4" || lab == nil || *lab != "lz4" {
		t.Errorf("spec compressed with %v, labels with %v; want lz4", deref(spc), deref(lab))
	}
	got, err := db.Job(ctx, j2.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Spec.Labels.Objects) != 150 || len(got.Variants[0].Labels.Objects) != 150 {
		t.Errorf("read back %d and %d objects, want 150", len(got.Spec.Labels.Objects), len(got.Variants[0].Labels.Objects))
	}
}

func deref(s *string) string {
	if s == nil {
		return "(none)"
	}
	return *s
}
