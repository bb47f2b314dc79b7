package augment

import "math/rand/v2"

// The linear colour ops: each is an affine map of (r, g, b), so the
// renderer composes a run of them into one matrix.

// Brightness multiplies every channel by Factor.
type Brightness struct {
	Factor Range `param:"factor" default:"[0.8, 1.2]" min:"0" max:"10" help:"1 leaves it unchanged"`
}

// Contrast scales the distance from the mean luminance by Factor (as
// torchvision).
type Contrast struct {
	Factor Range `param:"factor" default:"[0.8, 1.2]" min:"0" max:"10" help:"1 leaves it unchanged"`
}

// Saturation blends with the gray image: Factor 0 is gray, 1 unchanged (as
// torchvision).
type Saturation struct {
	Factor Range `param:"factor" default:"[0.7, 1.3]" min:"0" max:"10" help:"1 leaves it unchanged"`
}

// Hue turns the chroma plane of YIQ by Shift turns; a third of a turn takes
// red to green.
type Hue struct {
	Shift Range `param:"shift" default:"[-0.1, 0.1]" min:"-0.5" max:"0.5" help:"turns"`
}

// Grayscale makes the three channels equal to the luminance (Rec. 601).
type Grayscale struct{}

// ChannelShuffle reorders the colour channels: output channel i is input
// channel Order[i].
type ChannelShuffle struct {
	Order Permutation `param:"order" min:"0" max:"2" help:"output channel i is input channel order[i] (drawn when absent)"`
}

func init() {
	register[Brightness]("brightness", "photometric", "Multiplies every channel by factor.")
	register[Contrast]("contrast", "photometric", "Scales the distance from the mean luminance by factor.")
	register[Saturation]("saturation", "photometric", "Blends with the gray image: 0 is gray, 1 unchanged (torchvision).")
	register[Hue]("hue", "photometric", "Turns the hue by shift turns (a rotation of the YIQ chroma plane).")
	register[Grayscale]("grayscale", "photometric", "Turns the image gray (three equal channels).")
	register[ChannelShuffle]("channel_shuffle", "photometric", "Reorders the colour channels at random.")
}

func (o Brightness) plan(r *rand.Rand) []Op {
	o.Factor = o.Factor.drawn(r)
	return []Op{o}
}

func (o Contrast) plan(r *rand.Rand) []Op {
	o.Factor = o.Factor.drawn(r)
	return []Op{o}
}

func (o Saturation) plan(r *rand.Rand) []Op {
	o.Factor = o.Factor.drawn(r)
	return []Op{o}
}

func (o Hue) plan(r *rand.Rand) []Op {
	o.Shift = o.Shift.drawn(r)
	return []Op{o}
}

func (o Grayscale) plan(*rand.Rand) []Op { return []Op{o} }

func (o ChannelShuffle) plan(r *rand.Rand) []Op {
	if o.Order == nil {
		o.Order = r.Perm(3)
	}
	return []Op{o}
}
