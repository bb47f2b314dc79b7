package augment

import (
	"errors"
	"math"
	"math/rand/v2"

	"github.com/augment-ml/augment/internal/geom"
)

// Resize scales the image to Size, or so that its longest side is Longest
// pixels: one of the two.
type Resize struct {
	Size    *Size     `param:"size" help:"[width, height]"`
	Longest *IntRange `param:"longest" min:"1" max:"8192" help:"length of the longest side"`
}

// Zoom magnifies the centre by Scale, keeping the size: the centre 1/Scale
// of the image fills it.
type Zoom struct {
	Scale Range `param:"scale" default:"[1, 1.5]" min:"1" max:"10" help:"zoom factor range"`
}

func init() {
	register[Resize]("resize", "geometric", "Resizes to size, or so the longest side is longest pixels.")
	register[Zoom]("zoom", "geometric", "Crops the centre 1/scale and scales it back to the original size.")
}

func (o Resize) check() error {
	if (o.Size == nil) == (o.Longest == nil) {
		return errors.New(`give either parameter "size" or parameter "longest"`)
	}
	return nil
}

func (o Resize) plan(r *rand.Rand) []Op {
	if o.Longest != nil {
		l := o.Longest.drawn(r)
		o.Longest = &l
	}
	return []Op{o}
}

func (o Zoom) plan(r *rand.Rand) []Op {
	o.Scale = o.Scale.drawn(r)
	return []Op{o}
}

// Steps implements Geometric.
func (o Resize) Steps(w, h int) ([]geom.Step, error) {
	tw, th := w, h
	switch {
	case o.Size != nil:
		tw, th = o.Size[0], o.Size[1]
	case o.Longest != nil:
		f := float64(o.Longest.Value()) / float64(max(w, h))
		tw, th = max(1, int(math.Round(float64(w)*f))), max(1, int(math.Round(float64(h)*f)))
	}
	return one(geom.Resize(w, h, tw, th), tw, th), nil
}

// Steps implements Geometric.
func (o Zoom) Steps(w, h int) ([]geom.Step, error) {
	m, err := geom.AboutCentre(geom.Linear(0, math.Max(1, o.Scale.Value()), 0), 0, 0, w, h, w, h)
	return one(m, w, h), err
}

// Outside implements Geometric: a resize reads only inside.
func (Resize) Outside() Fill { return FillBlack }

// Outside implements Geometric: a zoom reads inside but for the bilinear
// taps of its outermost half pixel, which take the edge.
func (Zoom) Outside() Fill { return FillEdge }
