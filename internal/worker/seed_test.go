package worker

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/augment-ml/augment/internal/augment"
	"github.com/augment-ml/augment/internal/domain"
)

// TestVariantsDrawFromTheSeedKey: a job's variants record the plans of
// (seed, its seed key, index): two sources of a batch with the same seed draw
// apart, and a job on its own draws as (seed, index) always did.
func TestVariantsDrawFromTheSeedKey(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	const pipeline = `[{"op": "rotate", "degrees": [-30, 30]}, {"op": "cutout"}]`
	p, err := augment.Parse([]byte(pipeline))
	if err != nil {
		t.Fatal(err)
	}
	recorded := map[string][]string{}
	for _, key := range []string{"", "train/cat.jpg", "train/dog.jpg"} {
		j := &domain.Job{ID: uuid.NewString(), Source: domain.Source{URL: f.img.URL + "/rocket.jpg"}, SeedKey: key,
			Spec: domain.Spec{Variants: 2, Seed: 9, Pipeline: p.JSON()}}
		if err := f.db.CreateJob(ctx, j); err != nil {
			t.Fatal(err)
		}
		if err := f.h.ProcessTask(ctx, task(j.ID)); err != nil {
			t.Fatal(err)
		}
		got, err := f.db.Job(ctx, j.ID)
		if err != nil || len(got.Variants) != 2 {
			t.Fatalf("job %+v: %v", got, err)
		}
		for i, v := range got.Variants {
			want, _ := json.Marshal(p.Plan(9, key, i))
			var a, b any
			_ = json.Unmarshal(v.Ops, &a)
			_ = json.Unmarshal(want, &b)
			if !cmp.Equal(a, b) {
				t.Errorf("key %q, variant %d recorded %s, want %s", key, i, v.Ops, want)
			}
			recorded[key] = append(recorded[key], string(want))
		}
	}
	for i := range 2 {
		if recorded[""][i] == recorded["train/cat.jpg"][i] || recorded["train/cat.jpg"][i] == recorded["train/dog.jpg"][i] {
			t.Errorf("variant %d: two sources drew the same ops: %v", i, recorded)
		}
	}
}
