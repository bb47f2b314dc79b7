package augment

import "math/rand/v2"

// randOps are RandAugment's transformations (Cubuk et al., 2019) as concrete
// ops at magnitude m (0–30); sign is ±1 where the paper draws a direction.
var randOps = []func(m, sign float64) []Op{
	func(m, s float64) []Op { return nil }, // identity
	func(m, s float64) []Op { return []Op{op("autocontrast")} },
	func(m, s float64) []Op { return []Op{op("equalize")} },
	func(m, s float64) []Op {
		return []Op{op("rotate", "angle", round4(s*30*m/30), "fill", "black", "expand", false)}
	},
	func(m, s float64) []Op { return []Op{op("solarize", "threshold", round4(256-256*m/30))} },
	func(m, s float64) []Op { return []Op{op("saturation", "factor", round4(1+s*0.9*m/30))} },
	func(m, s float64) []Op { return []Op{op("posterize", "bits", float64(8-int(4*m/30)))} },
	func(m, s float64) []Op { return []Op{op("contrast", "factor", round4(1+s*0.9*m/30))} },
	func(m, s float64) []Op { return []Op{op("brightness", "factor", round4(1+s*0.9*m/30))} },
	func(m, s float64) []Op { return []Op{op("sharpen", "sigma", 1.0, "amount", round4(0.9*m/30))} },
	func(m, s float64) []Op { return []Op{affineOp(0, 0, round4(s*17*m/30))} },
	func(m, s float64) []Op { return []Op{affineOp(round4(s*0.45*m/30), 0, 0)} },
	func(m, s float64) []Op { return []Op{affineOp(0, round4(s*0.45*m/30), 0)} },
}

func affineOp(tx, ty, shear float64) Op {
	return op("affine", "angle", 0.0, "translate", []float64{tx, ty}, "scale", 1.0, "shear", shear, "fill", "black")
}

func init() {
	register(opDef{Name: "randaugment", Group: "policy",
		Description: "RandAugment: n transformations chosen at random from 13, each at magnitude m (0–30).",
		Params: []Param{
			{Name: "n", Kind: KindInt, Default: 2.0, Min: bound(1), Max: bound(10), Description: "transformations per variant"},
			{Name: "m", Kind: KindRange, Default: 9.0, Min: bound(0), Max: bound(30), Description: "magnitude, 0–30"},
		},
		plan: func(r *rand.Rand, a args) []Op {
			n, m := int(a.num(r, "n")), a.num(r, "m")
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
		}})
}
