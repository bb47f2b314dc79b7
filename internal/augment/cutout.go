package augment

import (
	"image"
	"math"
	"math/rand/v2"
)

// Cutout paints square holes with Fill: Boxes places them, or, when absent,
// Count of them are drawn, each of side Size (a fraction of the shorter side)
// at a random place.
type Cutout struct {
	Count IntRange `param:"holes" default:"[1, 3]" min:"1" max:"32" record:"-" help:"number of holes"`
	Size  Range    `param:"size" default:"[0.1, 0.3]" min:"0.01" max:"1" record:"-" help:"side as a fraction of the shorter side"`
	Fill  Ink      `param:"fill" default:"black" help:"colour of the holes"`
	Boxes Boxes    `param:"boxes" min:"0" max:"1" help:"the holes [[x, y, size] …]: x, y place each in the room the image leaves it (0 to 1), size is its side as a fraction of the shorter side (drawn from holes and size when absent)"`
}

func init() {
	register[Cutout]("cutout", "occlusion", "Fills square holes at random places.")
}

func (o Cutout) plan(r *rand.Rand) []Op {
	if o.Boxes == nil {
		n := o.Count.drawn(r).Value()
		o.Boxes = make(Boxes, n)
		for i := range o.Boxes {
			x, y := round4(r.Float64()), round4(r.Float64())
			o.Boxes[i] = [3]float64{x, y, o.Size.drawn(r).Value()}
		}
	}
	return []Op{o}
}

// Holes implements Occluder.
func (o Cutout) Holes(w, h int) []image.Rectangle {
	out := make([]image.Rectangle, 0, len(o.Boxes))
	for _, b := range o.Boxes {
		side := max(1, int(math.Round(b[2]*float64(min(w, h)))))
		x, y := place(b[0], w, side), place(b[1], h, side)
		out = append(out, image.Rect(x, y, x+side, y+side))
	}
	return out
}
