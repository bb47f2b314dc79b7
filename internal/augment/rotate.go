package augment

import (
	"math"
	"math/rand/v2"

	"github.com/augment-ml/augment/internal/geom"
)

// Rotate turns the image by Degrees counter-clockwise about its centre, on
// a canvas of the same size or, with Expand, one that holds all of it.
type Rotate struct {
	Degrees Range `param:"degrees" default:"[-30, 30]" min:"-360" max:"360" help:"angle range"`
	Fill    Fill  `param:"fill" default:"black" help:"what fills the corners the image leaves"`
	Expand  Bool  `param:"expand" default:"false" help:"grow the canvas to hold the whole rotated image"`
}

func init() {
	register[Rotate]("rotate", "geometric", "Rotates by an angle in degrees, counter-clockwise.")
}

func (o Rotate) plan(r *rand.Rand) []Op {
	o.Degrees = o.Degrees.drawn(r)
	return []Op{o}
}

// Steps implements Geometric. Whole quarter turns that fit the canvas are
// exact: they move whole pixels and need no fill.
func (o Rotate) Steps(w, h int) ([]geom.Step, error) {
	angle := o.Degrees.Value()
	if q := angle / 90; q == math.Trunc(q) && (bool(o.Expand) || w == h || int(q)%2 == 0) {
		m, ow, oh := geom.QuarterTurns(int(q), w, h)
		return one(m, ow, oh), nil
	}
	ow, oh := w, h
	if o.Expand {
		ow, oh = geom.RotatedSize(angle, w, h)
	}
	m, err := geom.AboutCentre(geom.Linear(angle, 1, 0), 0, 0, w, h, ow, oh)
	return one(m, ow, oh), err
}

// Outside implements Geometric.
func (o Rotate) Outside() Fill { return o.Fill }
