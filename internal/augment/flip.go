package augment

import (
	"fmt"
	"math/rand/v2"

	"github.com/augment-ml/augment/internal/geom"
)

// HFlip mirrors left and right.
type HFlip struct{}

// VFlip mirrors top and bottom.
type VFlip struct{}

// Rot90 turns by K quarter turns counter-clockwise (as numpy.rot90); K 0
// plans to no op.
type Rot90 struct {
	K IntRange `param:"k" default:"[1, 3]" min:"0" max:"3" help:"quarter turns"`
}

func init() {
	register[HFlip]("hflip", "geometric", "Mirrors left and right.")
	register[VFlip]("vflip", "geometric", "Mirrors top and bottom.")
	register[Rot90]("rot90", "geometric", "Turns by k quarter turns counter-clockwise.")
}

func (o HFlip) plan(*rand.Rand) []Op { return []Op{o} }
func (o VFlip) plan(*rand.Rand) []Op { return []Op{o} }

func (o Rot90) plan(r *rand.Rand) []Op {
	if o.K = o.K.drawn(r); o.K.Value() == 0 {
		return nil
	}
	return []Op{o}
}

// Steps implements Geometric.
func (HFlip) Steps(w, h int) ([]geom.Step, error) { return one(geom.Flip(true, w, h), w, h), nil }

// Steps implements Geometric.
func (VFlip) Steps(w, h int) ([]geom.Step, error) { return one(geom.Flip(false, w, h), w, h), nil }

// Steps implements Geometric.
func (o Rot90) Steps(w, h int) ([]geom.Step, error) {
	m, ow, oh := geom.QuarterTurns(o.K.Value(), w, h)
	return one(m, ow, oh), nil
}

// Outside implements Geometric: a flip reads only inside.
func (HFlip) Outside() Fill { return FillBlack }

// Outside implements Geometric: a flip reads only inside.
func (VFlip) Outside() Fill { return FillBlack }

// Outside implements Geometric: a quarter turn reads only inside.
func (Rot90) Outside() Fill { return FillBlack }

// Mirroring is an op that may mirror the image, so that left and right (or
// top and bottom) swap places: labelled keypoints must swap their paired
// slots after it.
type Mirroring interface {
	Op
	Mirrors() bool
}

// Mirrors implements Mirroring.
func (HFlip) Mirrors() bool { return true }

// Mirrors implements Mirroring.
func (VFlip) Mirrors() bool { return true }

// Mirrors names the steps of the pipeline that can mirror the image, as
// errors name steps ("step 2 (hflip)", "step 1 > one_of[2] (vflip)"),
// through one_of and some_of; steps with p 0 never apply.
func (p *Pipeline) Mirrors() []string {
	var out []string
	var walk func([]step)
	walk = func(steps []step) {
		for _, s := range steps {
			if s.p == 0 {
				continue
			}
			walk(s.oneOf)
			walk(s.someOf)
			if m, ok := s.op.(Mirroring); ok && m.Mirrors() {
				out = append(out, fmt.Sprintf("%s (%s)", s.where, Name(s.op)))
			}
		}
	}
	walk(p.steps)
	return out
}
