package labels

import (
	"bytes"
	"fmt"
	"image/png"

	"github.com/augment-ml/augment/internal/augment"
	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/geom"
)

// Source is what the variants of one source take their labels from: the
// labels (nil for a mask alone) and the semantic mask (nil for none), both
// in the pixels of the source as displayed, W×H, and the options.
type Source struct {
	Labels  *domain.Labels
	Mask    *Mask
	Options domain.LabelOptions
	W, H    int

	maskPNG []byte // the mask as given: a variant without geometry has it as it is
}

// NewSource checks labels and a mask (PNG bytes, nil for none) against the
// decoded source, w×h as displayed: a declared width and height, or a mask,
// of another size is labels_size_mismatch; a mask_fill the mask cannot hold
// is invalid_spec. opt nil means the defaults.
func NewSource(l *domain.Labels, opt *domain.LabelOptions, mask []byte, w, h int) (*Source, error) {
	s := &Source{Labels: l, Options: domain.DefaultLabelOptions(), W: w, H: h}
	if opt != nil {
		s.Options = *opt
	}
	if l != nil && (l.Width != 0 || l.Height != 0) && (l.Width != w || l.Height != h) {
		return nil, domain.Errorf(domain.ELabelsSizeMismatch,
			"The labels say the image is %d×%d, but it is %d×%d as displayed (EXIF orientation applied); labels are in the pixels of the displayed image.",
			l.Width, l.Height, w, h)
	}
	if mask == nil {
		return s, nil
	}
	// NOTE: the header's size first: a mask is decoded only once it is
	// known to be the image's size, so a decompression bomb never is
	if cfg, err := png.DecodeConfig(bytes.NewReader(mask)); err == nil && (cfg.Width != w || cfg.Height != h) {
		return nil, domain.Errorf(domain.ELabelsSizeMismatch,
			"The mask is %d×%d, but the image is %d×%d as displayed (EXIF orientation applied); a mask must have the image's size.", cfg.Width, cfg.Height, w, h)
	}
	m, err := DecodeMask(mask)
	if err != nil {
		return nil, err
	}
	if err := m.Holds(s.Options.MaskFill); err != nil {
		return nil, err
	}
	s.Mask, s.maskPNG = m, mask
	return s, nil
}

// Variant is one variant's labels, in its pixels, and its mask as PNG (nil
// when the source has none).
type Variant struct {
	Labels domain.VariantLabels
	Mask   []byte
	W, H   int // the variant's size
}

// Variant moves the labels and the mask through one variant's ops: what
// the worker records beside each rendered variant, and what a dataset
// writes beside each augmented image.
func (s *Source) Variant(ops augment.Ops) (Variant, error) {
	return s.variant(ops, 0, 0)
}

// Tile is Variant for a preview's tile of w×h: the labels in the variant's
// pixels as Variant's, the mask sampled straight at w×h (nearest
// neighbour, through the same steps and then the variant scaled to the
// tile), never made at the variant's size.
func (s *Source) Tile(ops augment.Ops, w, h int) (Variant, error) {
	return s.variant(ops, w, h)
}

// variant is Variant with the mask at w×h; 0×0 is the variant's size.
func (s *Source) variant(ops augment.Ops, w, h int) (Variant, error) {
	moves, err := MovesOf(ops, s.W, s.H)
	if err != nil {
		return Variant{}, err
	}
	v := Variant{Labels: domain.VariantLabels{Objects: []domain.Object{}, Dropped: []domain.Dropped{}}}
	v.W, v.H = OutputSize(moves, s.W, s.H)
	if s.Labels != nil {
		v.Labels = Apply(s.Labels, moves, s.Options)
	}
	steps := Steps(moves)
	if w > 0 && h > 0 && (w != v.W || h != v.H) {
		steps = append(steps, geom.Step{ToInput: geom.Resize(v.W, v.H, w, h), W: w, H: h})
	}
	switch {
	case s.Mask == nil:
	case len(steps) == 0 && s.maskPNG != nil:
		v.Mask = s.maskPNG
	default:
		if v.Mask, err = s.Mask.WarpPNG(steps, s.Options.MaskFill); err != nil {
			return Variant{}, fmt.Errorf("labels: encode mask: %w", err)
		}
	}
	return v, nil
}
