package augment

import "math/rand/v2"

func init() {
	register(opDef{Name: "sharpen", Group: "blur, noise, quality", Description: "Unsharp mask: adds amount × (image − blurred image).",
		Params: []Param{
			{Name: "sigma", Kind: KindRange, Default: []float64{0.5, 1.5}, Min: bound(0.1), Max: bound(20), Description: "blur sigma, pixels"},
			{Name: "amount", Kind: KindRange, Default: []float64{0.5, 1.5}, Min: bound(0), Max: bound(10), Description: "strength"},
		},
		plan: func(r *rand.Rand, a args) []Op {
			return []Op{op("sharpen", "sigma", a.num(r, "sigma"), "amount", a.num(r, "amount"))}
		}})
	register(opDef{Name: "gaussian_noise", Group: "blur, noise, quality", Description: "Adds Gaussian noise, a different field per channel.",
		Params: []Param{{Name: "std", Kind: KindRange, Default: []float64{0.01, 0.05}, Min: bound(0), Max: bound(1), Description: "standard deviation as a fraction of 255"}},
		plan: func(r *rand.Rand, a args) []Op {
			return []Op{op("gaussian_noise", "std", a.num(r, "std"), "seed", float64(r.Uint32()>>1))}
		}})
	drawn("jpeg_compression", "blur, noise, quality", "Encodes as JPEG and decodes again, mid-pipeline.",
		Param{Name: "quality", Kind: KindInt, Default: []int{30, 90}, Min: bound(1), Max: bound(100), Description: "JPEG quality"}, "quality")
	drawn("downscale", "blur, noise, quality", "Scales down, then back up to the size it had.",
		Param{Name: "scale", Kind: KindRange, Default: []float64{0.25, 0.75}, Min: bound(0.05), Max: bound(1), Description: "scale range"}, "scale")
	register(opDef{Name: "cutout", Group: "occlusion", Description: "Fills square holes at random places.",
		Params: []Param{
			{Name: "holes", Kind: KindInt, Default: []int{1, 3}, Min: bound(1), Max: bound(32), Description: "number of holes"},
			{Name: "size", Kind: KindRange, Default: []float64{0.1, 0.3}, Min: bound(0.01), Max: bound(1), Description: "side as a fraction of the shorter side"},
			{Name: "fill", Kind: KindEnum, Default: "black", Enum: []string{"black", "white", "gray"}, Description: "colour of the holes"},
		},
		plan: func(r *rand.Rand, a args) []Op {
			n := int(a.num(r, "holes"))
			boxes := make([][]float64, n)
			for i := range boxes {
				boxes[i] = []float64{round4(r.Float64()), round4(r.Float64()), a.num(r, "size")}
			}
			return []Op{op("cutout", "boxes", boxes, "fill", a.str("fill"))}
		}})
}
