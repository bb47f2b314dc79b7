package augment

import (
	"math/rand/v2"

	"github.com/augment-ml/augment/internal/geom"
)

// Affine rotates, scales, shears and shifts the image about its centre,
// keeping its size: output = Offset + Scale · rotation(Degrees) ·
// shear(Shear) about the centre. The shift is drawn from ±Translate unless
// Offset gives it.
type Affine struct {
	Degrees   Range `param:"degrees" default:"[-15, 15]" min:"-180" max:"180" help:"rotation range"`
	Translate Pair  `param:"translate" default:"[0.1, 0.1]" min:"0" max:"1" around:"0" into:"offset" record:"-" help:"largest shift [fx, fy] as fractions of width and height"`
	Scale     Range `param:"scale" default:"[0.9, 1.1]" min:"0.1" max:"10" help:"scale range"`
	Shear     Range `param:"shear" default:"[-10, 10]" min:"-60" max:"60" help:"horizontal shear range, degrees"`
	Offset    *Pair `param:"offset" min:"-1" max:"1" help:"the shift [fx, fy] as fractions of width and height (drawn from translate when absent)"`
	Fill      Fill  `param:"fill" default:"black" help:"what fills the corners the image leaves"`
}

func init() {
	register[Affine]("affine", "geometric", "Rotates, scales, shears and translates about the centre, keeping the size.")
}

func (o Affine) plan(r *rand.Rand) []Op {
	if o.Offset == nil {
		t := o.Translate
		o.Offset = &Pair{round4((r.Float64()*2 - 1) * t[0]), round4((r.Float64()*2 - 1) * t[1])}
	}
	o.Degrees, o.Scale, o.Shear = o.Degrees.drawn(r), o.Scale.drawn(r), o.Shear.drawn(r)
	return []Op{o}
}

// Steps implements Geometric.
func (o Affine) Steps(w, h int) ([]geom.Step, error) {
	if o.Offset == nil {
		return nil, errNotPlanned
	}
	off := *o.Offset
	f := geom.Linear(o.Degrees.Value(), o.Scale.Value(), o.Shear.Value())
	m, err := geom.AboutCentre(f, off[0]*float64(w), off[1]*float64(h), w, h, w, h)
	return one(m, w, h), err
}

// Outside implements Geometric.
func (o Affine) Outside() Fill { return o.Fill }
