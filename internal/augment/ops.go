package augment

import "math/rand/v2"

var fill = Param{Name: "fill", Kind: KindEnum, Default: "black", Enum: []string{"black", "white", "edge", "mirror"},
	Description: "what fills the corners the image leaves"}

func init() {
	register(opDef{Name: "identity", Group: "composition", Description: "Leaves the image as it is (a choice of nothing in one_of).",
		plan: func(*rand.Rand, args) []Op { return nil }})
	register(opDef{Name: "hflip", Group: "geometric", Description: "Mirrors left and right.",
		plan: func(*rand.Rand, args) []Op { return []Op{op("hflip")} }})
	register(opDef{Name: "vflip", Group: "geometric", Description: "Mirrors top and bottom.",
		plan: func(*rand.Rand, args) []Op { return []Op{op("vflip")} }})
	register(opDef{Name: "rot90", Group: "geometric", Description: "Turns by k quarter turns counter-clockwise.",
		Params: []Param{{Name: "k", Kind: KindInt, Default: []int{1, 3}, Min: bound(0), Max: bound(3), Description: "quarter turns"}},
		plan: func(r *rand.Rand, a args) []Op {
			if k := a.num(r, "k"); k != 0 {
				return []Op{op("rot90", "k", k)}
			}
			return nil
		}})
	register(opDef{Name: "rotate", Group: "geometric", Description: "Rotates by an angle in degrees, counter-clockwise.",
		Params: []Param{
			{Name: "degrees", Kind: KindRange, Default: []float64{-30, 30}, Min: bound(-360), Max: bound(360), Description: "angle range"},
			fill,
			{Name: "expand", Kind: KindBool, Default: false, Description: "grow the canvas to hold the whole rotated image"},
		},
		plan: func(r *rand.Rand, a args) []Op {
			return []Op{op("rotate", "angle", a.num(r, "degrees"), "fill", a.str("fill"), "expand", a.bool("expand"))}
		}})
	register(opDef{Name: "random_resized_crop", Group: "geometric",
		Description: "Crops a random area of the given scale and aspect ratio and resizes it to size.",
		Params: []Param{
			{Name: "size", Kind: KindSize, Required: true, Description: "output [width, height]"},
			{Name: "scale", Kind: KindRange, Default: []float64{0.08, 1}, Min: bound(0.01), Max: bound(1), Description: "area fraction range"},
			{Name: "ratio", Kind: KindRange, Default: []float64{0.75, 1.3333}, Min: bound(0.1), Max: bound(10), Description: "aspect ratio (w/h) range"},
		},
		plan: func(r *rand.Rand, a args) []Op {
			return []Op{op("random_resized_crop", "size", a.size("size"), "scale", a.num(r, "scale"),
				"ratio", a.num(r, "ratio"), "x", round4(r.Float64()), "y", round4(r.Float64()))}
		}})
	register(opDef{Name: "resize", Group: "geometric", Description: "Resizes to size, or so the longest side is longest pixels.",
		Params: []Param{
			{Name: "size", Kind: KindSize, Description: "[width, height]"},
			{Name: "longest", Kind: KindInt, Min: bound(1), Max: bound(maxSide), Description: "length of the longest side"},
		},
		plan: func(r *rand.Rand, a args) []Op {
			if a.has("size") {
				return []Op{op("resize", "size", a.size("size"))}
			}
			return []Op{op("resize", "longest", a.num(r, "longest"))}
		}})
	register(opDef{Name: "zoom", Group: "geometric", Description: "Crops the centre 1/scale and scales it back to the original size.",
		Params: []Param{{Name: "scale", Kind: KindRange, Default: []float64{1, 1.5}, Min: bound(1), Max: bound(10), Description: "zoom factor range"}},
		plan:   func(r *rand.Rand, a args) []Op { return []Op{op("zoom", "scale", a.num(r, "scale"))} }})
	for _, name := range []string{"brightness", "contrast"} {
		desc := map[string]string{"brightness": "Multiplies every channel by factor.", "contrast": "Scales the distance from the mean luminance by factor."}[name]
		register(opDef{Name: name, Group: "photometric", Description: desc,
			Params: []Param{{Name: "factor", Kind: KindRange, Default: []float64{0.8, 1.2}, Min: bound(0), Max: bound(10), Description: "1 leaves it unchanged"}},
			plan:   func(r *rand.Rand, a args) []Op { return []Op{op(name, "factor", a.num(r, "factor"))} }})
	}
	register(opDef{Name: "grayscale", Group: "photometric", Description: "Turns the image gray (three equal channels).",
		plan: func(*rand.Rand, args) []Op { return []Op{op("grayscale")} }})
	register(opDef{Name: "gaussian_blur", Group: "blur, noise, quality", Description: "Blurs with a Gaussian of the given sigma.",
		Params: []Param{{Name: "sigma", Kind: KindRange, Default: []float64{0.5, 2}, Min: bound(0.1), Max: bound(50), Description: "sigma range, pixels"}},
		plan:   func(r *rand.Rand, a args) []Op { return []Op{op("gaussian_blur", "sigma", a.num(r, "sigma"))} }})
}
