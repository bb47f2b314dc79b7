package web

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/augment-ml/augment/internal/augment"
)

// TestCaptionsCoverRegistry plans every registered op, many times, and
// checks that every op recorded has a phrase and that the phrase knows every
// field recorded: a new op, or a renamed field, fails here until
// captions.go says how it reads.
func TestCaptionsCoverRegistry(t *testing.T) {
	seenOps := map[string]bool{}
	for _, info := range augment.Catalogue() {
		if info.Name == "one_of" || info.Name == "some_of" {
			continue
		}
		if _, ok := phrases[info.Name]; !ok {
			t.Errorf("op %s has no caption phrase in captions.go", info.Name)
		}
		p := plannable(t, info)
		for seed := range int64(40) {
			for _, o := range p.Plan(seed, "", 0) {
				raw, _ := json.Marshal(augment.Ops{o})
				var recs []map[string]any
				_ = json.Unmarshal(raw, &recs)
				rec := recs[0]
				name := rec["op"].(string)
				seenOps[name] = true
				ph, ok := phrases[name]
				if !ok {
					t.Errorf("recorded op %s has no caption phrase", name)
					continue
				}
				for field := range rec {
					if field != "op" && !knows(ph, field) {
						t.Errorf("the phrase for %s does not know its recorded field %q", name, field)
					}
				}
				if c := captionOp(rec); !strings.HasPrefix(c, ph.label) || strings.Contains(c, "=") {
					t.Errorf("caption of %s = %q: want its label and no raw name=value", raw, c)
				}
			}
		}
	}
	if len(seenOps) < 20 {
		t.Errorf("only %d ops were recorded; the planning above is not reaching the registry", len(seenOps))
	}
}

// plannable parses a one-step pipeline of op, giving its required
// parameters (and, if it needs one of several, the first that works) a value.
func plannable(t *testing.T, info augment.OpInfo) *augment.Pipeline {
	t.Helper()
	sample := func(p augment.Param) any {
		switch p.Kind {
		case augment.KindSize:
			return []int{64, 48}
		case augment.KindBool:
			return true
		case augment.KindEnum:
			return p.Enum[0]
		}
		if p.Min != nil {
			return *p.Min + 1
		}
		return 1
	}
	step := map[string]any{"op": info.Name}
	if info.Name == "randaugment" {
		step["n"] = 10 // draw many of its transformations
	}
	for _, p := range info.Params {
		if p.Required {
			step[p.Name] = sample(p)
		}
	}
	try := func(s map[string]any) (*augment.Pipeline, error) {
		raw, _ := json.Marshal([]any{s})
		return augment.Parse(raw)
	}
	if p, err := try(step); err == nil {
		return p
	}
	for _, p := range info.Params {
		if p.Default == nil && !p.Required && p.Name != "p" {
			s := map[string]any{"op": info.Name, p.Name: sample(p)}
			if pl, err := try(s); err == nil {
				return pl
			}
		}
	}
	t.Fatalf("could not make a valid step of %s", info.Name)
	return nil
}

func knows(ph phrase, field string) bool {
	for _, s := range ph.fields {
		for _, n := range s.names {
			if n == field {
				return true
			}
		}
	}
	return false
}

func TestCaptionReads(t *testing.T) {
	for _, tc := range []struct{ ops, want string }{
		{`[]`, "unchanged"},
		{`[{"op": "rotate", "angle": -4.8123, "fill": "black", "expand": false}, {"op": "brightness", "factor": 1.1834}]`, "rotate −4.8°, brightness ×1.18"},
		{`[{"op": "rotate", "degrees": 12, "fill": "mirror", "expand": true}]`, "rotate 12° fill mirror canvas expanded"},
		{`[{"op": "hflip"}, {"op": "rot90", "k": 3}]`, "flip horizontal, turn 270°"},
		{`[{"op": "color_jitter", "brightness": [0.9, 1.1], "contrast": 1, "saturation": 1.05, "hue": -0.012, "order": ["hue"]}]`,
			"jitter brightness ×0.9–1.1 contrast ×1 saturation ×1.05 hue −0.012 turn"},
		{`[{"op": "gaussian_noise", "std": 0.031, "seed": 12345}]`, "noise σ 3.1%"},
		{`[{"op": "cutout", "boxes": [[0.1, 0.2, 0.1], [0.5, 0.5, 0.2]], "fill": "black"}]`, "cutout 2 holes"},
		{`[{"op": "brightness", "factor": 1.2, "gain": 3}]`, "brightness ×1.2 gain=3"},
		{`[{"op": "melt", "heat": 9}]`, "melt heat=9"},
	} {
		if got := caption(json.RawMessage(tc.ops)); got != tc.want {
			t.Errorf("caption(%s) = %q, want %q", tc.ops, got, tc.want)
		}
	}
}

func TestNumbersReadWell(t *testing.T) {
	for _, tc := range []struct {
		x    float64
		d    int
		want string
	}{{-4.8123, 1, "−4.8"}, {1.1834, 2, "1.18"}, {2, 2, "2"}, {-0.01, 1, "0"}, {0.5, 3, "0.5"}} {
		if got := num(tc.x, tc.d); got != tc.want {
			t.Errorf("num(%v, %d) = %q, want %q", tc.x, tc.d, got, tc.want)
		}
	}
	if got := fmt.Sprint(signed(0.03, 3)); got != "+0.03" {
		t.Errorf("signed = %q", got)
	}
}
