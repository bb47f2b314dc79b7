package augment

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
)

// Kind is a parameter's type.
type Kind string

// Parameter kinds.
const (
	KindRange Kind = "range" // a number, or [min, max] drawn per variant
	KindInt   Kind = "int"   // a whole number, or [min, max] drawn per variant
	KindSize  Kind = "size"  // [w, h] in pixels
	KindBool  Kind = "bool"
	KindEnum  Kind = "enum"
	KindPair  Kind = "pair" // [x, y] fractions
)

// Param describes one parameter of an op.
type Param struct {
	Name        string   `json:"name"`
	Kind        Kind     `json:"type"`
	Default     any      `json:"default,omitempty"`
	Min         *float64 `json:"min,omitempty"`
	Max         *float64 `json:"max,omitempty"`
	Enum        []string `json:"enum,omitempty"`
	Required    bool     `json:"required,omitempty"`
	Description string   `json:"description"`
}

func bound(v float64) *float64 { return &v }

// value is a validated parameter value: a fixed number or a range, a size,
// a bool or a string.
type value struct {
	lo, hi float64
	size   [2]int
	b      bool
	s      string
}

// parse checks raw against the parameter and returns its value.
func (p Param) parse(raw json.RawMessage) (value, error) {
	var v value
	switch p.Kind {
	case KindRange, KindInt:
		var n float64
		var r []float64
		if err := json.Unmarshal(raw, &n); err == nil {
			v.lo, v.hi = n, n
		} else if err := json.Unmarshal(raw, &r); err == nil && len(r) == 2 {
			v.lo, v.hi = r[0], r[1]
		} else {
			return v, fmt.Errorf("must be a number or a [min, max] range%s", p.within())
		}
		if math.IsNaN(v.lo) || math.IsNaN(v.hi) || (p.Min != nil && (v.lo < *p.Min || v.hi < *p.Min)) || (p.Max != nil && (v.lo > *p.Max || v.hi > *p.Max)) {
			return v, fmt.Errorf("must be a number or a [min, max] range%s", p.within())
		}
		if v.lo > v.hi {
			return v, fmt.Errorf("range [%g, %g] has its minimum above its maximum", v.lo, v.hi)
		}
		if p.Kind == KindInt && (v.lo != math.Trunc(v.lo) || v.hi != math.Trunc(v.hi)) {
			return v, fmt.Errorf("must be a whole number or a [min, max] range of whole numbers%s", p.within())
		}
	case KindSize:
		var sz []float64
		if err := json.Unmarshal(raw, &sz); err != nil || len(sz) != 2 || sz[0] != math.Trunc(sz[0]) || sz[1] != math.Trunc(sz[1]) ||
			sz[0] < 1 || sz[1] < 1 || sz[0] > maxSide || sz[1] > maxSide {
			return v, fmt.Errorf("must be [width, height] in whole pixels from 1 to %d", maxSide)
		}
		v.size = [2]int{int(sz[0]), int(sz[1])}
	case KindPair:
		var r []float64
		if err := json.Unmarshal(raw, &r); err != nil || len(r) != 2 || (p.Min != nil && (r[0] < *p.Min || r[1] < *p.Min)) ||
			(p.Max != nil && (r[0] > *p.Max || r[1] > *p.Max)) {
			return v, fmt.Errorf("must be a pair [x, y]%s", p.within())
		}
		v.lo, v.hi = r[0], r[1]
	case KindBool:
		if err := json.Unmarshal(raw, &v.b); err != nil {
			return v, fmt.Errorf("must be true or false")
		}
	case KindEnum:
		if err := json.Unmarshal(raw, &v.s); err != nil || !slices.Contains(p.Enum, v.s) {
			return v, fmt.Errorf("must be one of %s", strings.Join(p.Enum, ", "))
		}
	}
	return v, nil
}

func (p Param) within() string {
	switch {
	case p.Min != nil && p.Max != nil:
		return fmt.Sprintf(" within [%g, %g]", *p.Min, *p.Max)
	case p.Min != nil:
		return fmt.Sprintf(" of at least %g", *p.Min)
	case p.Max != nil:
		return fmt.Sprintf(" of at most %g", *p.Max)
	}
	return ""
}

// draw samples a number from the value, rounded so that recorded plans are
// readable and replay exactly.
func (v value) draw(r *rand.Rand, kind Kind) float64 {
	x := v.lo
	if v.hi > v.lo {
		x = v.lo + r.Float64()*(v.hi-v.lo)
	}
	if kind == KindInt {
		if v.hi > v.lo {
			return float64(int(v.lo) + r.IntN(int(v.hi-v.lo)+1))
		}
		return math.Round(x)
	}
	return round4(x)
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }

// maxSide caps sizes in pixels.
const maxSide = 8192
