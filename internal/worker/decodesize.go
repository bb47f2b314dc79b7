package worker

import (
	"math"

	"github.com/augment-ml/augment/internal/augment"
	"github.com/augment-ml/augment/internal/geom"
)

// decodeLeast is the longest side a source of w×h (as displayed) need be
// decoded at for the variants' ops (imaging.DecodeAtLeast): when every
// variant begins by scaling the source down to a set size (a resize to a
// size, a random_resized_crop), as much as the least of them keeps; else 0,
// the whole source. A variant then starts from fewer pixels of the same
// place: its output has the same size and shows the same part, resampled
// from a JPEG shrunk on load (libjpeg's DCT scaling) rather than from the
// whole image.
func decodeLeast(plans []augment.Ops, w, h int) int {
	need := 0.0 // the largest scale a variant's first step takes the source to
	for _, ops := range plans {
		if len(ops) == 0 {
			return 0
		}
		var steps []geom.Step
		switch o := ops[0].(type) {
		case augment.Resize:
			if o.Size == nil {
				return 0 // NOTE: longest: its size would follow the smaller source's rounding
			}
			steps, _ = o.Steps(w, h)
		case augment.RandomResizedCrop:
			steps, _ = o.Steps(w, h)
		default:
			return 0
		}
		if len(steps) == 0 {
			return 0
		}
		cw, ch := w, h // the part of the source the step reads
		if len(steps) == 2 {
			cw, ch = steps[0].W, steps[0].H
		}
		out := steps[len(steps)-1]
		need = max(need, float64(out.W)/float64(cw), float64(out.H)/float64(ch))
	}
	if need == 0 || need >= 1 {
		return 0
	}
	// NOTE: a margin, since a shrunk JPEG's size is rounded down and a crop
	// is placed in whole pixels of the smaller image.
	return int(math.Ceil(need*float64(max(w, h)))) + 16
}
