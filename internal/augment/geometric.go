package augment

import "math/rand/v2"

func init() {
	register(opDef{Name: "affine", Group: "geometric",
		Description: "Rotates, scales, shears and translates about the centre, keeping the size.",
		Params: []Param{
			{Name: "degrees", Kind: KindRange, Default: []float64{-15, 15}, Min: bound(-180), Max: bound(180), Description: "rotation range"},
			{Name: "translate", Kind: KindPair, Default: []float64{0.1, 0.1}, Min: bound(0), Max: bound(1), Description: "largest shift [fx, fy] as fractions of width and height"},
			{Name: "scale", Kind: KindRange, Default: []float64{0.9, 1.1}, Min: bound(0.1), Max: bound(10), Description: "scale range"},
			{Name: "shear", Kind: KindRange, Default: []float64{-10, 10}, Min: bound(-60), Max: bound(60), Description: "horizontal shear range, degrees"},
			fill,
		},
		plan: func(r *rand.Rand, a args) []Op {
			t := a.vals["translate"]
			tx, ty := round4((r.Float64()*2-1)*t.lo), round4((r.Float64()*2-1)*t.hi)
			return []Op{op("affine", "angle", a.num(r, "degrees"), "translate", []float64{tx, ty},
				"scale", a.num(r, "scale"), "shear", a.num(r, "shear"), "fill", a.str("fill"))}
		}})
	register(opDef{Name: "perspective", Group: "geometric",
		Description: "Moves the four corners inwards at random, as torchvision's RandomPerspective.",
		Params: []Param{
			{Name: "distortion", Kind: KindRange, Default: []float64{0, 0.3}, Min: bound(0), Max: bound(1), Description: "distortion scale range"},
			fill,
		},
		plan: func(r *rand.Rand, a args) []Op {
			d := a.num(r, "distortion") / 2
			in := func() float64 { return round4(r.Float64() * d) }
			pts := [][]float64{{in(), in()}, {-in(), in()}, {-in(), -in()}, {in(), -in()}}
			return []Op{op("perspective", "points", pts, "fill", a.str("fill"))}
		}})
	register(opDef{Name: "random_crop", Group: "geometric", Description: "Crops size at a random place (a smaller source is scaled up to cover it first).",
		Params: []Param{{Name: "size", Kind: KindSize, Required: true, Description: "[width, height]"}},
		plan: func(r *rand.Rand, a args) []Op {
			return []Op{op("random_crop", "size", a.size("size"), "x", round4(r.Float64()), "y", round4(r.Float64()))}
		}})
	register(opDef{Name: "center_crop", Group: "geometric", Description: "Crops size from the centre (a smaller source is scaled up to cover it first).",
		Params: []Param{{Name: "size", Kind: KindSize, Required: true, Description: "[width, height]"}},
		plan:   func(r *rand.Rand, a args) []Op { return []Op{op("center_crop", "size", a.size("size"))} }})
}
