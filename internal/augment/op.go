package augment

import (
	"fmt"
	"math/rand/v2"
	"reflect"

	"github.com/augment-ml/augment/internal/domain"
)

// Op is one operation: a type of this package registered under its name
// (Rotate is "rotate"). The same value is a step of a pipeline, whose
// parameters may be ranges and may be left to chance, and, once planned,
// a concrete op of one variant, whose every value is fixed.
type Op interface {
	// plan draws every random value of the step and returns the concrete
	// ops it stands for: itself with its values fixed, most often; none for
	// an op that leaves the image as it is; others for randaugment.
	plan(r *rand.Rand) []Op
}

// Name is the name op is registered under.
func Name(op Op) string {
	if t := byType[reflect.TypeOf(op)]; t != nil {
		return t.name
	}
	return fmt.Sprintf("%T", op)
}

// Ops are the concrete ops of one variant, in order. Recorded as JSON, each
// is a pipeline step with fixed values, {"op": "rotate", "degrees": 12.7, …},
// so a record submitted as a pipeline renders the same pixels again.
type Ops []Op

// MarshalJSON writes the ops as a list of flat steps.
func (o Ops) MarshalJSON() ([]byte, error) {
	buf := []byte{'['}
	for i, op := range o {
		t := byType[reflect.TypeOf(op)]
		if t == nil {
			return nil, fmt.Errorf("augment: %T is not a registered op", op)
		}
		b, err := t.record(op)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, b...)
	}
	return append(buf, ']'), nil
}

// UnmarshalJSON reads recorded ops (see ParseOps).
func (o *Ops) UnmarshalJSON(b []byte) error {
	ops, err := ParseOps(b)
	*o = ops
	return err
}

// ParseOps reads recorded ops: a pipeline of plain steps, each with every
// value fixed, so that planning them draws nothing and gives them back.
func ParseOps(raw []byte) (Ops, error) {
	p, err := Parse(raw)
	if err != nil {
		return nil, err
	}
	var out Ops
	for i, s := range p.steps {
		if s.op == nil || s.p != 1 {
			return nil, domain.Errorf(domain.EInvalidSpec, "step %d must be an operation applied always, with no \"p\", \"one_of\" or \"some_of\".", i+1)
		}
		var draws countingSource
		for _, op := range s.op.plan(rand.New(&draws)) {
			out = append(out, concrete(op))
		}
		if draws > 0 {
			return nil, domain.Errorf(domain.EInvalidSpec,
				"step %d (%s) leaves values to chance; a recorded op gives every parameter one value.", i+1, Name(s.op))
		}
	}
	return out, nil
}

// countingSource is a rand.Source that counts what is drawn from it.
type countingSource int

func (c *countingSource) Uint64() uint64 {
	*c++
	return uint64(*c) * 0x9E3779B97F4A7C15
}
