package augment

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"

	"github.com/augment-ml/augment/internal/domain"
)

// Limits on a pipeline's shape.
const (
	maxSteps = 64
	maxDepth = 4
)

// Pipeline is a validated list of steps.
type Pipeline struct {
	steps []step
	raw   json.RawMessage
}

type step struct {
	def    *opDef
	args   args
	p      float64
	oneOf  []step
	someOf []step
	n      value
}

// Parse validates a JSON pipeline. Problems are *domain.Error with code
// invalid_spec, naming the step and the parameter.
func Parse(raw []byte) (*Pipeline, error) {
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, domain.Errorf(domain.EInvalidSpec, "The pipeline must be a JSON list of steps, such as [{\"op\": \"hflip\"}].")
	}
	steps, err := parseSteps(list, "step ", 0)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	_ = json.Compact(&buf, raw)
	return &Pipeline{steps: steps, raw: buf.Bytes()}, nil
}

func parseSteps(list []json.RawMessage, where string, depth int) ([]step, error) {
	if len(list) > maxSteps {
		return nil, domain.Errorf(domain.EInvalidSpec, "A pipeline may have at most %d steps, not %d.", maxSteps, len(list))
	}
	if depth > maxDepth {
		return nil, domain.Errorf(domain.EInvalidSpec, "%s: one_of and some_of may nest at most %d deep.", where, maxDepth)
	}
	out := make([]step, 0, len(list))
	for i, raw := range list {
		name := fmt.Sprintf("%s%d", where, i+1)
		if depth > 0 {
			name += "]"
		}
		s, err := parseStep(raw, name, depth)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func parseStep(raw json.RawMessage, where string, depth int) (step, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return step{}, domain.Errorf(domain.EInvalidSpec, "%s must be an object such as {\"op\": \"hflip\"}.", where)
	}
	s := step{p: 1}
	if p, ok := fields["p"]; ok {
		v, err := (Param{Kind: KindRange, Min: bound(0), Max: bound(1)}).parse(p)
		if err != nil || v.lo != v.hi {
			return s, domain.Errorf(domain.EInvalidSpec, "%s: parameter \"p\" must be a probability from 0 to 1.", where)
		}
		s.p = v.lo
		delete(fields, "p")
	}
	for _, key := range []string{"one_of", "some_of"} {
		sub, ok := fields[key]
		if !ok {
			continue
		}
		var list []json.RawMessage
		if err := json.Unmarshal(sub, &list); err != nil || len(list) == 0 {
			return s, domain.Errorf(domain.EInvalidSpec, "%s: %q must be a non-empty list of steps.", where, key)
		}
		steps, err := parseSteps(list, where+" > "+key+"[", depth+1)
		if err != nil {
			return s, err
		}
		delete(fields, key)
		if key == "one_of" {
			s.oneOf = steps
		} else {
			s.someOf = steps
			s.n = value{lo: 1, hi: float64(len(steps))}
			if n, ok := fields["n"]; ok {
				v, err := (Param{Kind: KindInt, Min: bound(0), Max: bound(float64(len(steps)))}).parse(n)
				if err != nil {
					return s, domain.Errorf(domain.EInvalidSpec, "%s (some_of): parameter \"n\" %v.", where, err)
				}
				s.n = v
				delete(fields, "n")
			}
		}
		if _, ok := fields["op"]; ok || len(fields) > 0 {
			return s, domain.Errorf(domain.EInvalidSpec, "%s: a %s step takes only %q and \"p\"%s.", where, key, key,
				map[bool]string{true: " and \"n\"", false: ""}[key == "some_of"])
		}
		return s, nil
	}
	var name string
	if err := json.Unmarshal(fields["op"], &name); err != nil || name == "" {
		return s, domain.Errorf(domain.EInvalidSpec, "%s needs an \"op\" (an operation name), a \"one_of\" or a \"some_of\".", where)
	}
	delete(fields, "op")
	def, ok := registry[name]
	if !ok {
		return s, domain.Errorf(domain.EInvalidSpec, "%s: unknown operation %q; GET /api/v1/ops lists them.", where, name)
	}
	s.def, s.args = def, args{def: def, vals: map[string]value{}}
	for _, p := range def.Params {
		raw, given := fields[p.Name]
		delete(fields, p.Name)
		if !given {
			if p.Required {
				return s, domain.Errorf(domain.EInvalidSpec, "%s (%s): parameter %q is required.", where, name, p.Name)
			}
			if p.Default == nil {
				continue
			}
			raw, _ = json.Marshal(p.Default)
		}
		v, err := p.parse(raw)
		if err != nil {
			return s, domain.Errorf(domain.EInvalidSpec, "%s (%s): parameter %q %v.", where, name, p.Name, err)
		}
		s.args.vals[p.Name] = v
	}
	for k := range fields {
		return s, domain.Errorf(domain.EInvalidSpec, "%s (%s): unknown parameter %q.", where, name, k)
	}
	if name == "resize" && s.args.has("size") == s.args.has("longest") {
		return s, domain.Errorf(domain.EInvalidSpec, "%s (resize): give either parameter \"size\" or parameter \"longest\".", where)
	}
	return s, nil
}

// JSON returns the pipeline as submitted, compacted.
func (p *Pipeline) JSON() json.RawMessage { return p.raw }

// Plan draws the concrete ops of variant index for seed. The same seed and
// index always give the same ops.
func (p *Pipeline) Plan(seed int64, index int) []Op {
	r := rand.New(rand.NewPCG(uint64(seed), uint64(index)))
	return planSteps(r, p.steps)
}

func planSteps(r *rand.Rand, steps []step) []Op {
	var out []Op
	for _, s := range steps {
		if s.p < 1 && r.Float64() >= s.p {
			continue
		}
		switch {
		case s.oneOf != nil:
			out = append(out, planSteps(r, []step{s.oneOf[r.IntN(len(s.oneOf))]})...)
		case s.someOf != nil:
			n := int(s.n.draw(r, KindInt))
			pick := r.Perm(len(s.someOf))[:n]
			sort.Ints(pick)
			for _, i := range pick {
				out = append(out, planSteps(r, []step{s.someOf[i]})...)
			}
		default:
			out = append(out, s.def.plan(r, s.args)...)
		}
	}
	return out
}

// ParseOps reads a recorded list of concrete ops back, for replay.
func ParseOps(raw []byte) ([]Op, error) {
	var ops []Op
	if err := json.Unmarshal(raw, &ops); err != nil {
		return nil, domain.Errorf(domain.EInvalidSpec, "The ops must be a JSON list of {\"op\": …} objects: %v.", err)
	}
	for i, o := range ops {
		if _, ok := registry[o.Name]; !ok {
			return nil, domain.Errorf(domain.EInvalidSpec, "ops[%d]: unknown operation %q.", i, o.Name)
		}
	}
	return ops, nil
}

// ValidateOutput checks an output spec: format jpeg, png, webp or empty;
// quality 0 (the default, 90) or 1–100.
func ValidateOutput(o domain.Output) error {
	switch o.Format {
	case "", "jpeg", "png", "webp":
	default:
		return domain.Errorf(domain.EInvalidSpec, "output format must be jpeg, png or webp, not %q.", o.Format)
	}
	if o.Quality < 0 || o.Quality > 100 {
		return domain.Errorf(domain.EInvalidSpec, "output quality must be from 1 to 100, not %d.", o.Quality)
	}
	return nil
}
