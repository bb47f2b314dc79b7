package labels

import (
	"bytes"
	"encoding/json"
	"image/color"
	"image/png"
	"math"
	"strings"

	"github.com/augment-ml/augment/internal/augment"
	"github.com/augment-ml/augment/internal/domain"
)

// ParseOptions reads label_options: a JSON object whose fields left out
// keep their defaults (domain.DefaultLabelOptions). Values out of range are
// invalid_spec errors naming the field.
func ParseOptions(raw []byte) (domain.LabelOptions, error) {
	opt := domain.DefaultLabelOptions()
	var f map[string]json.RawMessage
	if err := json.Unmarshal(raw, &f); err != nil || f == nil {
		return opt, invalid("label_options", "must be a JSON object such as {\"min_visibility\": 0.3}")
	}
	number := func(k string, v json.RawMessage, lo, hi float64) (float64, error) {
		var x float64
		if err := json.Unmarshal(v, &x); err != nil || math.IsNaN(x) || x < lo || x > hi {
			if hi == math.MaxFloat64 {
				return 0, invalid("label_options."+k, "must be a number from %g up, not %s", lo, excerpt(v))
			}
			return 0, invalid("label_options."+k, "must be a number from %g to %g, not %s", lo, hi, excerpt(v))
		}
		return x, nil
	}
	for k, v := range f {
		var err error
		switch k {
		case "min_visibility":
			opt.MinVisibility, err = number(k, v, 0, 1)
		case "min_area":
			opt.MinArea, err = number(k, v, 0, math.MaxFloat64)
		case "min_size":
			opt.MinSize, err = number(k, v, 0, math.MaxFloat64)
		case "mask_fill":
			var x float64
			if x, err = number(k, v, 0, 65535); err == nil && x != math.Trunc(x) {
				err = invalid("label_options.mask_fill", "must be a whole class id, not %s", v)
			}
			opt.MaskFill = int(x)
		case "cutout_hides_keypoints":
			if json.Unmarshal(v, &opt.CutoutHidesKeypoints) != nil {
				err = invalid("label_options.cutout_hides_keypoints", "must be true or false, not %s", excerpt(v))
			}
		default:
			err = invalid("label_options."+k, "is not an option (min_visibility, min_area, min_size, mask_fill, cutout_hides_keypoints)")
		}
		if err != nil {
			return opt, err
		}
	}
	return opt, nil
}

// CheckMask checks an uploaded mask without keeping it: a PNG of one band
// of class ids (8- or 16-bit gray, or palette), whole, of at most maxPixels,
// that can hold mask_fill, and, when w and h are not 0, of that size.
func CheckMask(buf []byte, w, h, maxPixels, fill int) error {
	cfg, err := png.DecodeConfig(bytes.NewReader(buf))
	if err != nil {
		return domain.Errorf(domain.EInvalidSpec, "The mask must be a PNG image of class ids: %v.", err)
	}
	m := &Mask{W: cfg.Width, H: cfg.Height}
	switch cm := cfg.ColorModel.(type) {
	case color.Palette:
		m.Palette = cm
	default:
		switch cm {
		case color.GrayModel:
		case color.Gray16Model:
			m.Pix16 = []uint16{} // says 16 bits
		default:
			return domain.Errorf(domain.EInvalidSpec, "The mask must have one band of class ids (8- or 16-bit gray, or a palette PNG), not colour.")
		}
	}
	if m.W*m.H > maxPixels {
		return domain.Errorf(domain.ETooManyPixels, "The mask is %d×%d pixels; the limit is %d pixels.", m.W, m.H, maxPixels)
	}
	if w != 0 && h != 0 && (m.W != w || m.H != h) {
		return domain.Errorf(domain.EInvalidSpec, "The mask is %d×%d, but the image is %d×%d; a mask must have the image's size (as displayed).", m.W, m.H, w, h)
	}
	if err := m.Holds(fill); err != nil {
		return err
	}
	if _, err := png.Decode(bytes.NewReader(buf)); err != nil {
		return domain.Errorf(domain.EInvalidSpec, "The mask PNG could not be decoded: %v.", err)
	}
	return nil
}

// CheckPipeline refuses a pipeline that can mirror the image when the
// labels have keypoints but no known flip pairs: after a flip the left eye
// would be labelled as the right one. The error names the step.
func CheckPipeline(l *domain.Labels, p *augment.Pipeline) error {
	if l == nil {
		return nil
	}
	if _, known := FlipPairs(l); known {
		return nil
	}
	if steps := p.Mirrors(); len(steps) > 0 {
		return domain.Errorf(domain.EInvalidSpec,
			"%s can mirror the image, but the labels' keypoints have no flip pairs: give labels.flip_pairs (the slots that swap, as [[left, right], …], or [] if none do) or keypoint_names with left_/right_ names.",
			strings.Join(steps, ", "))
	}
	return nil
}
