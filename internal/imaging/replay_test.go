package imaging

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/augment-ml/augment/internal/augment"
)

// everyPipeline is, for every op of the catalogue, a step using it (with
// its defaults, and a plain value for what it must be given), the presets,
// and randaugment at every magnitude: together they reach every op the
// planner can emit.
func everyPipeline(t testing.TB) map[string]*augment.Pipeline {
	out := map[string]*augment.Pipeline{}
	for _, info := range augment.Catalogue() {
		if info.Name == "one_of" || info.Name == "some_of" {
			continue
		}
		step := map[string]any{"op": info.Name}
		var optional []augment.Param
		for _, p := range info.Params {
			switch {
			case p.Required:
				step[p.Name] = sample(t, p)
			case p.Default == nil:
				optional = append(optional, p)
			}
		}
		p, err := parseStep(step)
		for _, o := range optional { // an op that needs one of its optional parameters (resize)
			if err == nil {
				break
			}
			step[o.Name] = sample(t, o)
			p, err = parseStep(step)
			delete(step, o.Name)
		}
		if err != nil {
			t.Fatalf("%s: %v", info.Name, err)
		}
		out[info.Name] = p
	}
	for _, info := range augment.Presets() {
		out["preset "+info.Name], _ = augment.Preset(info.Name)
	}
	p, err := augment.Parse([]byte(`[{"op": "randaugment", "n": 10, "m": [0, 30]}]`))
	if err != nil {
		t.Fatal(err)
	}
	out["randaugment at every magnitude"] = p
	return out
}

func parseStep(step map[string]any) (*augment.Pipeline, error) {
	raw, _ := json.Marshal([]any{step})
	return augment.Parse(raw)
}

func sample(t testing.TB, p augment.Param) any {
	switch p.Kind {
	case augment.KindSize:
		return []int{160, 120}
	case augment.KindInt:
		return max(300, *p.Min)
	}
	t.Fatalf("no sample value for a %s parameter", p.Kind)
	return nil
}

// TestPassesReplayEveryRecord: for every op the planner can emit, a variant's
// recorded ops, submitted as the pipeline of a new job with any seed, plan
// to the same ops and render the same bytes.
func TestPassesReplayEveryRecord(t *testing.T) {
	ims := []*Image{decode(t, "rocket.jpg"), decode(t, "logo-alpha.png")}
	for name, p := range everyPipeline(t) {
		for seed := range int64(3) {
			im := ims[seed%2]
			ops := p.Plan(seed, "", int(seed))
			rec, err := json.Marshal(ops)
			if err != nil {
				t.Fatal(err)
			}
			again, err := augment.Parse(rec)
			if err != nil {
				t.Fatalf("%s: the record %s is not a pipeline: %v", name, rec, err)
			}
			replayed := again.Plan(seed+100, "another/source.jpg", 5)
			if rec2, _ := json.Marshal(replayed); !bytes.Equal(rec2, rec) {
				t.Fatalf("%s: recorded %s, replayed %s", name, rec, rec2)
			}
			a, err := im.Render(context.Background(), ops, Output{Format: "png"})
			if err != nil {
				t.Fatalf("%s: %s: %v", name, rec, err)
			}
			b, err := im.Render(context.Background(), replayed, Output{Format: "png"})
			if err != nil {
				t.Fatalf("%s: replaying %s: %v", name, rec, err)
			}
			if !bytes.Equal(a.Bytes, b.Bytes) {
				t.Errorf("%s: the record %s replays to other pixels", name, rec)
			}
		}
	}
}
