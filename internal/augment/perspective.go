package augment

import (
	"fmt"
	"math/rand/v2"

	"github.com/augment-ml/augment/internal/geom"
)

// Perspective moves the four corners and warps the image to match, as
// torchvision's RandomPerspective: each corner moves inwards by up to half
// of Distortion of the width and height, unless Points gives the moves.
type Perspective struct {
	Distortion Range    `param:"distortion" default:"[0, 0.3]" min:"0" max:"1" record:"-" help:"distortion scale range"`
	Points     *Corners `param:"points" min:"-1" max:"1" help:"the corners' moves [[dx, dy] × 4] (top left, top right, bottom right, bottom left) as fractions of width and height (drawn from distortion when absent)"`
	Fill       Fill     `param:"fill" default:"black" help:"what fills the corners the image leaves"`
}

func init() {
	register[Perspective]("perspective", "geometric", "Moves the four corners inwards at random, as torchvision's RandomPerspective.")
}

func (o Perspective) plan(r *rand.Rand) []Op {
	if o.Points == nil {
		d := o.Distortion.drawn(r).Value() / 2
		in := func() float64 { return round4(r.Float64() * d) }
		o.Points = &Corners{{in(), in()}, {-in(), in()}, {-in(), -in()}, {in(), -in()}}
	}
	return []Op{o}
}

func (o Perspective) check() error {
	if o.Points == nil {
		return nil
	}
	if _, err := geom.Homography(1, 1, *o.Points); err != nil {
		return fmt.Errorf("parameter \"points\": the moved corners do not make a quadrilateral")
	}
	return nil
}

// Steps implements Geometric.
func (o Perspective) Steps(w, h int) ([]geom.Step, error) {
	if o.Points == nil {
		return nil, errNotPlanned
	}
	m, err := geom.Homography(float64(w), float64(h), *o.Points)
	return one(m, w, h), err
}

// Outside implements Geometric.
func (o Perspective) Outside() Fill { return o.Fill }

// Mirrors implements Mirroring: corners moved across each other turn the
// image over. Drawn moves go inwards by at most half the side, and never do.
func (o Perspective) Mirrors() bool {
	if o.Points == nil {
		return false
	}
	m, err := geom.Homography(1, 1, *o.Points)
	return err == nil && m.Jacobian(0.5, 0.5) < 0
}
