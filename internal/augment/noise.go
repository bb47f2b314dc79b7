package augment

import "math/rand/v2"

// GaussianNoise adds noise of standard deviation Std (a fraction of 255) to
// each colour channel, a different field per channel, from Seed.
type GaussianNoise struct {
	Std  Range     `param:"std" default:"[0.01, 0.05]" min:"0" max:"1" help:"standard deviation as a fraction of 255"`
	Seed *IntRange `param:"seed" min:"0" max:"2147483647" help:"the noise field (drawn when absent)"`
}

func init() {
	register[GaussianNoise]("gaussian_noise", "blur, noise, quality", "Adds Gaussian noise, a different field per channel.")
}

func (o GaussianNoise) plan(r *rand.Rand) []Op {
	o.Std = o.Std.drawn(r)
	seed := IntRange{}
	if o.Seed != nil {
		seed = o.Seed.drawn(r)
	} else {
		seed.Lo = int(r.Uint32() >> 1)
		seed.Hi = seed.Lo
	}
	o.Seed = &seed
	return []Op{o}
}
