package augment

import (
	"math"
	"math/rand/v2"

	"github.com/augment-ml/augment/internal/geom"
)

// RandomResizedCrop crops an area of Scale times the image's, of aspect
// ratio Ratio (w/h), at X, Y in the room the image leaves it (0 to 1), and
// resizes it to Size, as torchvision's RandomResizedCrop.
type RandomResizedCrop struct {
	Size  Size  `param:"size" required:"true" help:"output [width, height]"`
	Scale Range `param:"scale" default:"[0.08, 1]" min:"0.01" max:"1" help:"area fraction range"`
	Ratio Range `param:"ratio" default:"[0.75, 1.3333]" min:"0.1" max:"10" help:"aspect ratio (w/h) range"`
	X     Range `param:"x" default:"[0, 1]" min:"0" max:"1" help:"the crop's place across the room left, 0 (left) to 1 (right)"`
	Y     Range `param:"y" default:"[0, 1]" min:"0" max:"1" help:"the crop's place down the room left, 0 (top) to 1 (bottom)"`
}

// RandomCrop crops Size at X, Y in the room the image leaves it; a smaller
// image is first scaled up to cover Size.
type RandomCrop struct {
	Size Size  `param:"size" required:"true" help:"[width, height]"`
	X    Range `param:"x" default:"[0, 1]" min:"0" max:"1" help:"the crop's place across the room left, 0 (left) to 1 (right)"`
	Y    Range `param:"y" default:"[0, 1]" min:"0" max:"1" help:"the crop's place down the room left, 0 (top) to 1 (bottom)"`
}

// CenterCrop crops Size from the centre; a smaller image is first scaled up
// to cover Size.
type CenterCrop struct {
	Size Size `param:"size" required:"true" help:"[width, height]"`
}

func init() {
	register[RandomResizedCrop]("random_resized_crop", "geometric",
		"Crops a random area of the given scale and aspect ratio and resizes it to size.")
	register[RandomCrop]("random_crop", "geometric", "Crops size at a random place (a smaller source is scaled up to cover it first).")
	register[CenterCrop]("center_crop", "geometric", "Crops size from the centre (a smaller source is scaled up to cover it first).")
}

func (o RandomResizedCrop) plan(r *rand.Rand) []Op {
	o.Scale, o.Ratio = o.Scale.drawn(r), o.Ratio.drawn(r)
	o.X, o.Y = o.X.drawn(r), o.Y.drawn(r)
	return []Op{o}
}

func (o RandomCrop) plan(r *rand.Rand) []Op {
	o.X, o.Y = o.X.drawn(r), o.Y.drawn(r)
	return []Op{o}
}

func (o CenterCrop) plan(*rand.Rand) []Op { return []Op{o} }

// Steps implements Geometric: a crop, then a resize.
func (o RandomResizedCrop) Steps(w, h int) ([]geom.Step, error) {
	area, ratio := o.Scale.Value()*float64(w*h), o.Ratio.Value()
	cw := min(max(int(math.Round(math.Sqrt(area*ratio))), 1), w)
	ch := min(max(int(math.Round(math.Sqrt(area/ratio))), 1), h)
	x, y := place(o.X.Value(), w, cw), place(o.Y.Value(), h, ch)
	return []geom.Step{
		{ToInput: geom.Crop(float64(x), float64(y)), W: cw, H: ch},
		{ToInput: geom.Resize(cw, ch, o.Size[0], o.Size[1]), W: o.Size[0], H: o.Size[1]},
	}, nil
}

// Steps implements Geometric: a resize when the image is smaller than the
// crop, then the crop.
func (o RandomCrop) Steps(w, h int) ([]geom.Step, error) {
	return cropSteps(o.Size, o.X.Value(), o.Y.Value(), w, h), nil
}

// Steps implements Geometric (see RandomCrop).
func (o CenterCrop) Steps(w, h int) ([]geom.Step, error) {
	return cropSteps(o.Size, 0.5, 0.5, w, h), nil
}

func cropSteps(size Size, fx, fy float64, w, h int) []geom.Step {
	var steps []geom.Step
	tw, th := size[0], size[1]
	if w < tw || h < th { // scale up to cover the crop first
		f := math.Max(float64(tw)/float64(w), float64(th)/float64(h))
		uw, uh := max(tw, int(math.Ceil(float64(w)*f))), max(th, int(math.Ceil(float64(h)*f)))
		steps = append(steps, geom.Step{ToInput: geom.Resize(w, h, uw, uh), W: uw, H: uh})
		w, h = uw, uh
	}
	x, y := place(fx, w, tw), place(fy, h, th)
	return append(steps, geom.Step{ToInput: geom.Crop(float64(x), float64(y)), W: tw, H: th})
}

// Outside implements Geometric: a crop reads only inside.
func (RandomResizedCrop) Outside() Fill { return FillBlack }

// Outside implements Geometric: a crop reads only inside.
func (RandomCrop) Outside() Fill { return FillBlack }

// Outside implements Geometric: a crop reads only inside.
func (CenterCrop) Outside() Fill { return FillBlack }
