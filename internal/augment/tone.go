package augment

import "math/rand/v2"

// The tone ops map each channel value through a curve.

// Gamma applies out = in^(1/Gamma) (in 0–1): above 1 brightens the mid-tones.
type Gamma struct {
	Gamma Range `param:"gamma" default:"[0.7, 1.5]" min:"0.05" max:"10" help:"gamma range"`
}

// Solarize inverts the channel values at or above Threshold.
type Solarize struct {
	Threshold Range `param:"threshold" default:"128" min:"0" max:"255" help:"0–255"`
}

// Posterize keeps the top Bits bits of each channel.
type Posterize struct {
	Bits IntRange `param:"bits" default:"[2, 6]" min:"1" max:"8" help:"bits kept, 1–8"`
}

// Invert inverts every colour channel.
type Invert struct{}

// Equalize equalizes the histogram.
type Equalize struct{}

// Autocontrast stretches each channel's range to 0–255.
type Autocontrast struct{}

func init() {
	register[Gamma]("gamma", "photometric", "Applies a gamma curve; above 1 brightens the mid-tones.")
	register[Solarize]("solarize", "photometric", "Inverts the pixels at or above threshold.")
	register[Posterize]("posterize", "photometric", "Keeps only the top bits of each channel.")
	register[Invert]("invert", "photometric", "Inverts every colour channel.")
	register[Equalize]("equalize", "photometric", "Equalizes the histogram.")
	register[Autocontrast]("autocontrast", "photometric", "Stretches each channel to the full range.")
}

func (o Gamma) plan(r *rand.Rand) []Op {
	o.Gamma = o.Gamma.drawn(r)
	return []Op{o}
}

func (o Solarize) plan(r *rand.Rand) []Op {
	o.Threshold = o.Threshold.drawn(r)
	return []Op{o}
}

func (o Posterize) plan(r *rand.Rand) []Op {
	o.Bits = o.Bits.drawn(r)
	return []Op{o}
}

func (o Invert) plan(*rand.Rand) []Op       { return []Op{o} }
func (o Equalize) plan(*rand.Rand) []Op     { return []Op{o} }
func (o Autocontrast) plan(*rand.Rand) []Op { return []Op{o} }
