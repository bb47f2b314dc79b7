package augment

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
)

// Kind is a parameter's type, as GET /api/v1/ops names it.
type Kind string

// Parameter kinds.
const (
	KindRange       Kind = "range"       // a number, or [min, max] drawn per variant
	KindInt         Kind = "int"         // a whole number, or [min, max] drawn per variant
	KindSize        Kind = "size"        // [w, h] in pixels
	KindBool        Kind = "bool"        // true or false
	KindEnum        Kind = "enum"        // one of the names in enum
	KindPair        Kind = "pair"        // [x, y] fractions
	KindOrder       Kind = "order"       // the names in enum, each once, in the order applied
	KindPermutation Kind = "permutation" // the whole numbers from min to max, each once
	KindPoints      Kind = "points"      // four [dx, dy] corner displacements
	KindBoxes       Kind = "boxes"       // a list of [x, y, size]
)

// Param describes one parameter of an op for GET /api/v1/ops.
type Param struct {
	Name        string   `json:"name"`
	Kind        Kind     `json:"type"`
	Default     any      `json:"default,omitempty"`
	Min         *float64 `json:"min,omitempty"`
	Max         *float64 `json:"max,omitempty"`
	Enum        []string `json:"enum,omitempty"`
	Required    bool     `json:"required,omitempty"`
	Description string   `json:"description"`
	Jitter      *Spread  `json:"jitter,omitempty"`
}

// Spread says what a parameter given as a single number x stands for when
// it is a symmetric jitter: the range [max(Floor, Around−x), Around+x],
// drawn per variant. Into names the parameter the drawn value is recorded
// in, when it is not this one (affine's translate draws its offset); a pair
// [x, y] is a spread of each.
type Spread struct {
	Around float64  `json:"around"`
	Floor  *float64 `json:"floor,omitempty"`
	Into   string   `json:"into,omitempty"`
}

// of is the range a number x stands for.
func (s *Spread) of(x float64) Range {
	lo := s.Around - x
	if s.Floor != nil {
		lo = max(*s.Floor, lo)
	}
	return Range{lo + 0, s.Around + x} // + 0: no −0 in records
}

func bound(v float64) *float64 { return &v }

// within says what the bounds are, for error messages.
func (p *Param) within() string {
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

// holds says whether x is inside the parameter's bounds.
func (p *Param) holds(x float64) bool {
	return !math.IsNaN(x) && (p.Min == nil || x >= *p.Min) && (p.Max == nil || x <= *p.Max)
}

// value is what every parameter type implements (on its pointer): its kind,
// and how it reads and checks itself from JSON against its Param.
type value interface {
	kind() Kind
	parse(raw json.RawMessage, p *Param) error
}

// enumerated is implemented by the string types whose values are a fixed
// list of names.
type enumerated interface {
	names() []string
}

// Range is a number, or a range [Lo, Hi] drawn from per variant. In a
// planned op it is fixed: Lo == Hi.
type Range struct{ Lo, Hi float64 }

// Fixed is the range holding only x.
func Fixed(x float64) Range { return Range{x, x} }

// Value is the value of a fixed range (the low end of any other).
func (r Range) Value() float64 { return r.Lo }

func (*Range) kind() Kind { return KindRange }

func (r *Range) parse(raw json.RawMessage, p *Param) error {
	var n float64
	var pair []float64
	switch {
	case json.Unmarshal(raw, &n) == nil:
		*r = Range{n, n}
	case json.Unmarshal(raw, &pair) == nil && len(pair) == 2:
		*r = Range{pair[0], pair[1]}
	default:
		return fmt.Errorf("must be a number or a [min, max] range%s", p.within())
	}
	if !p.holds(r.Lo) || !p.holds(r.Hi) {
		return fmt.Errorf("must be a number or a [min, max] range%s", p.within())
	}
	if r.Lo > r.Hi {
		return fmt.Errorf("range [%g, %g] has its minimum above its maximum", r.Lo, r.Hi)
	}
	return nil
}

// MarshalJSON writes a fixed range as its number.
func (r Range) MarshalJSON() ([]byte, error) {
	if r.Lo == r.Hi {
		return json.Marshal(r.Lo)
	}
	return json.Marshal([2]float64{r.Lo, r.Hi})
}

// drawn is the range fixed at a value drawn from it, rounded so that a
// recorded plan is readable and replays exactly. A fixed range draws nothing.
func (r Range) drawn(rnd *rand.Rand) Range {
	x := r.Lo
	if r.Hi > r.Lo {
		x = r.Lo + rnd.Float64()*(r.Hi-r.Lo)
	}
	return Fixed(round4(x))
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }

// IntRange is a whole number, or a range of them drawn from per variant.
type IntRange struct{ Lo, Hi int }

// Value is the value of a fixed range (the low end of any other).
func (r IntRange) Value() int { return r.Lo }

func (*IntRange) kind() Kind { return KindInt }

func (r *IntRange) parse(raw json.RawMessage, p *Param) error {
	var f Range
	if err := f.parse(raw, p); err != nil {
		return err
	}
	if f.Lo != math.Trunc(f.Lo) || f.Hi != math.Trunc(f.Hi) {
		return fmt.Errorf("must be a whole number or a [min, max] range of whole numbers%s", p.within())
	}
	*r = IntRange{int(f.Lo), int(f.Hi)}
	return nil
}

// MarshalJSON writes a fixed range as its number.
func (r IntRange) MarshalJSON() ([]byte, error) {
	if r.Lo == r.Hi {
		return json.Marshal(r.Lo)
	}
	return json.Marshal([2]int{r.Lo, r.Hi})
}

func (r IntRange) drawn(rnd *rand.Rand) IntRange {
	if r.Hi > r.Lo {
		// NOTE: a float is drawn and dropped first, as the planner always
		// did, so that every seed keeps the plans it gave before.
		_ = rnd.Float64()
		x := r.Lo + rnd.IntN(r.Hi-r.Lo+1)
		return IntRange{x, x}
	}
	return r
}

// Jitter is torchvision's ColorJitter parameter: a number x is the range
// its Param's Spread gives (factors: [max(0, 1−x), 1+x]; hue: [−x, x]); a
// range is taken as it is. It is written as a range always, so a
// drawn value [f, f] is not read back as a number.
type Jitter struct{ Range }

func (*Jitter) kind() Kind { return KindRange }

func (j *Jitter) parse(raw json.RawMessage, p *Param) error {
	var n float64
	if json.Unmarshal(raw, &n) == nil {
		if !p.holds(n) {
			return fmt.Errorf("must be a number%s or a [min, max] range", p.within())
		}
		j.Range = p.Jitter.of(n)
		return nil
	}
	// a range may reach as far as the widest a number gives
	w := p.Jitter.of(*p.Max)
	return j.Range.parse(raw, &Param{Min: bound(w.Lo), Max: bound(w.Hi)})
}

// MarshalJSON writes the range as [lo, hi].
func (j Jitter) MarshalJSON() ([]byte, error) { return json.Marshal([2]float64{j.Lo, j.Hi}) }

// maxSide caps sizes in pixels.
const maxSide = 8192

// Size is [width, height] in pixels.
type Size [2]int

func (*Size) kind() Kind { return KindSize }

func (s *Size) parse(raw json.RawMessage, _ *Param) error {
	var sz []float64
	if err := json.Unmarshal(raw, &sz); err != nil || len(sz) != 2 || sz[0] != math.Trunc(sz[0]) || sz[1] != math.Trunc(sz[1]) ||
		sz[0] < 1 || sz[1] < 1 || sz[0] > maxSide || sz[1] > maxSide {
		return fmt.Errorf("must be [width, height] in whole pixels from 1 to %d", maxSide)
	}
	*s = Size{int(sz[0]), int(sz[1])}
	return nil
}

// Pair is [x, y], fractions of the width and the height.
type Pair [2]float64

func (*Pair) kind() Kind { return KindPair }

func (v *Pair) parse(raw json.RawMessage, p *Param) error {
	var r []float64
	if err := json.Unmarshal(raw, &r); err != nil || len(r) != 2 || !p.holds(r[0]) || !p.holds(r[1]) {
		return fmt.Errorf("must be a pair [x, y]%s", p.within())
	}
	*v = Pair{r[0], r[1]}
	return nil
}

// Bool is a parameter that is true or false.
type Bool bool

func (*Bool) kind() Kind { return KindBool }

func (b *Bool) parse(raw json.RawMessage, _ *Param) error {
	if err := json.Unmarshal(raw, (*bool)(b)); err != nil {
		return fmt.Errorf("must be true or false")
	}
	return nil
}
