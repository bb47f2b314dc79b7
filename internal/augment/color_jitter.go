package augment

import "math/rand/v2"

// ColorJitter changes brightness, contrast, saturation and hue in Order, as
// torchvision's ColorJitter: a single number x for a factor draws it from
// [max(0, 1−x), 1+x], for hue a shift from [−x, x]; a range is drawn from as
// it is. A planned op records each drawn value as a range [f, f] (a number
// would mean a range around it) and the order; Order is drawn when absent.
type ColorJitter struct {
	Brightness Jitter `param:"brightness" default:"0" min:"0" max:"10" around:"1" floor:"0"`
	Contrast   Jitter `param:"contrast" default:"0" min:"0" max:"10" around:"1" floor:"0"`
	Saturation Jitter `param:"saturation" default:"0" min:"0" max:"10" around:"1" floor:"0"`
	Hue        Jitter `param:"hue" default:"0" min:"0" max:"0.5" around:"0" help:"turns, at most 0.5"`
	Order      Order  `param:"order" enum:"brightness|contrast|saturation|hue" help:"the order the four apply in (drawn when absent)"`
}

// The names of ColorJitter's parts, as Order lists them.
const (
	JitterBrightness = "brightness"
	JitterContrast   = "contrast"
	JitterSaturation = "saturation"
	JitterHue        = "hue"
)

func init() {
	register[ColorJitter]("color_jitter", "photometric",
		"Brightness, contrast, saturation and hue in a random order, with torchvision's meaning: a number x draws a factor from [max(0, 1−x), 1+x] (hue: a shift from [−x, x]); a range is drawn from as it is.")
}

func (o ColorJitter) plan(r *rand.Rand) []Op {
	for _, j := range []*Jitter{&o.Brightness, &o.Contrast, &o.Saturation, &o.Hue} {
		j.Range = j.drawn(r)
	}
	if o.Order == nil {
		parts := []string{JitterBrightness, JitterContrast, JitterSaturation, JitterHue}
		o.Order = make(Order, 4)
		for i, j := range r.Perm(4) {
			o.Order[i] = parts[j]
		}
	}
	return []Op{o}
}
