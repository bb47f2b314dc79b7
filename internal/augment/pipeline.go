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
	op     Op // nil for one_of and some_of
	p      float64
	oneOf  []step
	someOf []step
	n      IntRange
	where  string // "step 2", "step 3 > one_of[1]": how errors name it
}

func stepError(format string, a ...any) error {
	return domain.Errorf(domain.EInvalidSpec, format, a...)
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
		s.where = name
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
		var v Range
		if err := v.parse(p, &Param{Min: bound(0), Max: bound(1)}); err != nil || v.Lo != v.Hi {
			return s, domain.Errorf(domain.EInvalidSpec, "%s: parameter \"p\" must be a probability from 0 to 1.", where)
		}
		s.p = v.Lo
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
			s.n = IntRange{1, len(steps)}
			if n, ok := fields["n"]; ok {
				if err := s.n.parse(n, &Param{Min: bound(0), Max: bound(float64(len(steps)))}); err != nil {
					return s, domain.Errorf(domain.EInvalidSpec, "%s (some_of): parameter \"n\" %v.", where, err)
				}
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
	t, ok := registry[name]
	if !ok {
		return s, domain.Errorf(domain.EInvalidSpec, "%s: unknown operation %q; GET /api/v1/ops lists them.", where, name)
	}
	var err error
	s.op, err = t.parse(fields, where)
	return s, err
}

// JSON returns the pipeline as submitted, compacted.
func (p *Pipeline) JSON() json.RawMessage { return p.raw }

// Plan draws the concrete ops of variant index of the source named key in
// its batch, for seed (see source). The same seed, key and index always give
// the same ops.
func (p *Pipeline) Plan(seed int64, key string, index int) Ops {
	return planSteps(rand.New(source(seed, key, index)), p.steps)
}

func planSteps(r *rand.Rand, steps []step) Ops {
	var out Ops
	for _, s := range steps {
		if s.p < 1 && r.Float64() >= s.p {
			continue
		}
		switch {
		case s.oneOf != nil:
			out = append(out, planSteps(r, []step{s.oneOf[r.IntN(len(s.oneOf))]})...)
		case s.someOf != nil:
			n := s.n.drawn(r).Value()
			pick := r.Perm(len(s.someOf))[:n]
			sort.Ints(pick)
			for _, i := range pick {
				out = append(out, planSteps(r, []step{s.someOf[i]})...)
			}
		default:
			for _, op := range s.op.plan(r) {
				out = append(out, concrete(op))
			}
		}
	}
	return out
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
	switch {
	case o.Chroma != "" && o.Chroma != domain.ChromaHalf && o.Chroma != domain.ChromaFull:
		return domain.Errorf(domain.EInvalidSpec, "output chroma must be %q or %q, not %q.", domain.ChromaHalf, domain.ChromaFull, o.Chroma)
	case o.Chroma != "" && (o.Format == "png" || o.Format == "webp"):
		return domain.Errorf(domain.EInvalidSpec, "output chroma applies to JPEG only, and the output format is %s.", o.Format)
	}
	return nil
}
