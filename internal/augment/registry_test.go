package augment

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// everyStep is, for every registered op, a step using it with its defaults
// and, for the parameters it must have, a plain value; then the presets and
// randaugment at every magnitude, so that every op the planner can emit is
// reached.
func everyStep(t testing.TB) map[string]*Pipeline {
	out := map[string]*Pipeline{}
	for name, op := range registry {
		p, err := exampleStep(op)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = p
	}
	for _, info := range Presets() {
		p, _ := Preset(info.Name)
		out["preset "+info.Name] = p
	}
	p, err := Parse([]byte(`[{"op": "randaugment", "n": 10, "m": [0, 30]}]`))
	if err != nil {
		t.Fatal(err)
	}
	out["randaugment at every magnitude"] = p
	return out
}

// exampleStep is a step of op with its required parameters, and, if that is
// not enough, one optional parameter without a default.
func exampleStep(op *opType) (*Pipeline, error) {
	step := map[string]any{"op": op.name}
	var optional []field
	for _, f := range op.fields {
		switch {
		case f.Required:
			step[f.Name] = sample(f.Param)
		case !f.def.IsValid():
			optional = append(optional, f)
		}
	}
	raw, _ := json.Marshal([]any{step})
	p, err := Parse(raw)
	for _, f := range optional {
		if err == nil {
			break
		}
		step[f.Name] = sample(f.Param)
		raw, _ = json.Marshal([]any{step})
		p, err = Parse(raw)
		delete(step, f.Name)
	}
	return p, err
}

func sample(p Param) any {
	switch p.Kind {
	case KindSize:
		return []int{160, 120}
	case KindInt:
		return max(64, *p.Min)
	}
	panic(fmt.Sprintf("no sample for a required %s parameter", p.Kind))
}

// TestRecordsReplay: every concrete op the planner emits is recorded as a
// pipeline step with fixed values, which, planned again with any seed and
// key, gives the same op and the same record; ParseOps reads the records.
func TestRecordsReplay(t *testing.T) {
	emitted := map[string]bool{}
	for name, p := range everyStep(t) {
		for seed := range int64(40) {
			ops := p.Plan(seed, "", int(seed))
			rec, err := json.Marshal(ops)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			again, err := Parse(rec)
			if err != nil {
				t.Fatalf("%s: the record %s is not a pipeline: %v", name, rec, err)
			}
			replayed := again.Plan(seed+1000, "elsewhere/in/a/batch.jpg", 7)
			if diff := cmp.Diff(ops, replayed); diff != "" {
				t.Fatalf("%s: the record %s plans to other ops:\n%s", name, rec, diff)
			}
			if rec2, _ := json.Marshal(replayed); string(rec2) != string(rec) {
				t.Fatalf("%s: recorded %s, replayed %s", name, rec, rec2)
			}
			read, err := ParseOps(rec)
			if err != nil || !cmp.Equal(read, ops) {
				t.Fatalf("%s: ParseOps(%s) = %v, %v", name, rec, read, err)
			}
			for _, op := range ops {
				emitted[Name(op)] = true
			}
		}
	}
	for name := range registry {
		if !emitted[name] && name != "identity" && name != "randaugment" {
			t.Errorf("%s was never planned", name)
		}
	}
}

// TestRegistry: each op's type registers once, under one name; its
// parameters are described and their defaults are valid values.
func TestRegistry(t *testing.T) {
	if len(registry) != len(byType) {
		t.Errorf("%d names for %d op types", len(registry), len(byType))
	}
	for name, op := range registry {
		if op.name != name || byType[op.typ] != op {
			t.Errorf("%s is registered as %s", name, op.name)
		}
		for _, f := range op.fields {
			if f.Description == "" && op.typ != reflect.TypeFor[ColorJitter]() {
				t.Errorf("%s: parameter %s has no description", name, f.Name)
			}
			if f.Kind == KindEnum && len(f.Enum) == 0 {
				t.Errorf("%s: enum parameter %s has no names", name, f.Name)
			}
		}
	}
}

func TestParseOpsRefusesDraws(t *testing.T) {
	for _, raw := range []string{
		`[{"op": "rotate"}]`, `[{"op": "hflip", "p": 0.5}]`, `[{"one_of": [{"op": "hflip"}]}]`,
		`[{"op": "cutout"}]`, `[{"op": "color_jitter", "brightness": [1.2, 1.2]}]`,
	} {
		if _, err := ParseOps([]byte(raw)); err == nil {
			t.Errorf("ParseOps(%s) accepted values left to chance", raw)
		}
	}
	ops, err := ParseOps([]byte(`[{"op": "rotate", "degrees": 12.5}, {"op": "cutout", "boxes": [[0.5, 0.5, 0.2]]}]`))
	if err != nil || len(ops) != 2 || ops[0].(Rotate).Degrees != Fixed(12.5) || ops[0].(Rotate).Fill != FillBlack {
		t.Errorf("ParseOps of fixed ops: %+v, %v", ops, err)
	}
}

// TestStepsAreInvertible: every step of every geometric op the planner
// emits, at any size, chains to the next and can be inverted, as moving
// labels to the output needs.
func TestStepsAreInvertible(t *testing.T) {
	for name, p := range everyStep(t) {
		for seed := range int64(20) {
			for _, op := range p.Plan(seed, "", int(seed)) {
				g, ok := op.(Geometric)
				if !ok {
					continue
				}
				for _, size := range [][2]int{{1, 1}, {640, 427}, {97, 1000}} {
					steps, err := g.Steps(size[0], size[1])
					if err != nil || len(steps) == 0 {
						t.Fatalf("%s: %s at %v: %v, %v", name, Name(op), size, steps, err)
					}
					for _, s := range steps {
						if s.W < 1 || s.H < 1 {
							t.Fatalf("%s: %s at %v: a step makes %d×%d", name, Name(op), size, s.W, s.H)
						}
						if _, err := s.ToOutput(); err != nil {
							t.Fatalf("%s: %s at %v: %v", name, Name(op), size, err)
						}
					}
				}
			}
		}
	}
}
