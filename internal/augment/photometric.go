package augment

import "math/rand/v2"

// plain registers an op without parameters.
func plain(name, group, desc string) {
	register(opDef{Name: name, Group: group, Description: desc, plan: func(*rand.Rand, args) []Op { return []Op{op(name)} }})
}

// drawn registers an op with one range parameter, recorded under arg.
func drawn(name, group, desc string, p Param, arg string) {
	register(opDef{Name: name, Group: group, Description: desc, Params: []Param{p},
		plan: func(r *rand.Rand, a args) []Op { return []Op{op(name, arg, a.num(r, p.Name))} }})
}

func init() {
	drawn("saturation", "photometric", "Blends with the gray image: 0 is gray, 1 unchanged (torchvision).",
		Param{Name: "factor", Kind: KindRange, Default: []float64{0.7, 1.3}, Min: bound(0), Max: bound(10), Description: "1 leaves it unchanged"}, "factor")
	drawn("hue", "photometric", "Turns the hue by shift turns (a rotation of the YIQ chroma plane).",
		Param{Name: "shift", Kind: KindRange, Default: []float64{-0.1, 0.1}, Min: bound(-0.5), Max: bound(0.5), Description: "turns"}, "shift")
	drawn("gamma", "photometric", "Applies a gamma curve; above 1 brightens the mid-tones.",
		Param{Name: "gamma", Kind: KindRange, Default: []float64{0.7, 1.5}, Min: bound(0.05), Max: bound(10), Description: "gamma range"}, "gamma")
	drawn("solarize", "photometric", "Inverts the pixels at or above threshold.",
		Param{Name: "threshold", Kind: KindRange, Default: 128.0, Min: bound(0), Max: bound(255), Description: "0–255"}, "threshold")
	drawn("posterize", "photometric", "Keeps only the top bits of each channel.",
		Param{Name: "bits", Kind: KindInt, Default: []int{2, 6}, Min: bound(1), Max: bound(8), Description: "bits kept, 1–8"}, "bits")
	plain("invert", "photometric", "Inverts every colour channel.")
	plain("equalize", "photometric", "Equalizes the histogram.")
	plain("autocontrast", "photometric", "Stretches each channel to the full range.")
	register(opDef{Name: "channel_shuffle", Group: "photometric", Description: "Reorders the colour channels at random.",
		plan: func(r *rand.Rand, a args) []Op {
			perm := r.Perm(3)
			return []Op{op("channel_shuffle", "order", []float64{float64(perm[0]), float64(perm[1]), float64(perm[2])})}
		}})
	jitter := func(name, desc string, max float64) Param {
		return Param{Name: name, Kind: KindRange, Default: 0.0, Min: bound(0), Max: bound(max), Description: desc}
	}
	register(opDef{Name: "color_jitter", Group: "photometric",
		Description: "Brightness, contrast, saturation and hue in a random order, with torchvision's meaning: a number x draws a factor from [max(0, 1−x), 1+x] (hue: a shift from [−x, x]); a range is drawn from as it is.",
		Params:      []Param{jitter("brightness", "", 10), jitter("contrast", "", 10), jitter("saturation", "", 10), jitter("hue", "turns, at most 0.5", 0.5)},
		plan: func(r *rand.Rand, a args) []Op {
			o := op("color_jitter")
			for _, k := range []string{"brightness", "contrast", "saturation", "hue"} {
				v := a.vals[k]
				if v.lo == v.hi { // a single number x means torchvision's range around no change
					if k == "hue" {
						v = value{lo: -v.hi, hi: v.hi}
					} else {
						v = value{lo: max(0, 1-v.hi), hi: 1 + v.hi}
					}
				}
				o.Args[k] = v.draw(r, KindRange)
			}
			names := []string{"brightness", "contrast", "saturation", "hue"}
			order := make([]string, 4)
			for i, j := range r.Perm(4) {
				order[i] = names[j]
			}
			o.Args["order"] = order
			return []Op{o}
		}})
}
