package augment

import "math/rand/v2"

// RandAugment applies N transformations chosen at random from 13, each at
// magnitude M (0–30), as in the paper (Cubuk et al., 2019). It plans into
// the concrete ops of the transformations chosen.
type RandAugment struct {
	N IntRange `param:"n" default:"2" min:"1" max:"10" help:"transformations per variant"`
	M Range    `param:"m" default:"9" min:"0" max:"30" help:"magnitude, 0–30"`
}

func init() {
	register[RandAugment]("randaugment", "policy",
		"RandAugment: n transformations chosen at random from 13, each at magnitude m (0–30).")
}

// randOps are RandAugment's transformations as concrete ops at magnitude m;
// sign is ±1 where the paper draws a direction.
var randOps = []func(m, sign float64) []Op{
	func(m, s float64) []Op { return nil }, // identity
	func(m, s float64) []Op { return []Op{Autocontrast{}} },
	func(m, s float64) []Op { return []Op{Equalize{}} },
	func(m, s float64) []Op { return []Op{Rotate{Degrees: Fixed(round4(s * 30 * m / 30)), Fill: FillBlack}} },
	func(m, s float64) []Op { return []Op{Solarize{Threshold: Fixed(round4(256 - 256*m/30))}} },
	func(m, s float64) []Op { return []Op{Saturation{Factor: Fixed(round4(1 + s*0.9*m/30))}} },
	func(m, s float64) []Op { return []Op{Posterize{Bits: IntRange{8 - int(4*m/30), 8 - int(4*m/30)}}} },
	func(m, s float64) []Op { return []Op{Contrast{Factor: Fixed(round4(1 + s*0.9*m/30))}} },
	func(m, s float64) []Op { return []Op{Brightness{Factor: Fixed(round4(1 + s*0.9*m/30))}} },
	func(m, s float64) []Op { return []Op{Sharpen{Sigma: Fixed(1), Amount: Fixed(round4(0.9 * m / 30))}} },
	func(m, s float64) []Op { return []Op{shifted(0, 0, round4(s*17*m/30))} },
	func(m, s float64) []Op { return []Op{shifted(round4(s*0.45*m/30), 0, 0)} },
	func(m, s float64) []Op { return []Op{shifted(0, round4(s*0.45*m/30), 0)} },
}

// shifted is RandAugment's shear and translations: an affine map.
func shifted(tx, ty, shear float64) Affine {
	return Affine{Degrees: Fixed(0), Scale: Fixed(1), Shear: Fixed(shear), Offset: &Pair{tx, ty}, Fill: FillBlack}
}

func (o RandAugment) plan(r *rand.Rand) []Op {
	n, m := o.N.drawn(r).Value(), o.M.drawn(r).Value()
	var out []Op
	for range n {
		f := randOps[r.IntN(len(randOps))]
		sign := 1.0
		if r.IntN(2) == 0 {
			sign = -1
		}
		out = append(out, f(m, sign)...)
	}
	return out
}
