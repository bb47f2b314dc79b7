package labels

import (
	"bytes"
	"image"
	"image/color"
	"image/png"

	"github.com/augment-ml/augment/internal/domain"
)

// Mask is a semantic mask: one band of class ids, 8-bit (in Pix) or 16-bit
// (in Pix16), with the palette of a palette PNG when it had one. Class ids
// are kept at their own width: an 8-bit mask, the common one, is warped and
// encoded a byte a pixel.
type Mask struct {
	W, H    int
	Pix     []uint8  // the class ids of an 8-bit mask, row by row
	Pix16   []uint16 // those of a 16-bit mask, row by row; Pix is then nil
	Palette color.Palette
}

// NewMask returns a w×h mask of class 0, of depth 8 or 16 bits.
func NewMask(w, h, depth int) *Mask {
	if depth == 16 {
		return &Mask{W: w, H: h, Pix16: make([]uint16, w*h)}
	}
	return &Mask{W: w, H: h, Pix: make([]uint8, w*h)}
}

// Depth is 8 or 16, the bits of a class id.
func (m *Mask) Depth() int {
	if m.Pix16 != nil {
		return 16
	}
	return 8
}

// At is the class of pixel i (y·W + x).
func (m *Mask) At(i int) int {
	if m.Pix16 != nil {
		return int(m.Pix16[i])
	}
	return int(m.Pix[i])
}

// DecodeMask reads a PNG mask: 8- or 16-bit gray or a palette image, whose
// values (palette indices) are class ids.
func DecodeMask(buf []byte) (*Mask, error) {
	cfg, err := png.DecodeConfig(bytes.NewReader(buf))
	if err != nil {
		return nil, domain.Errorf(domain.EInvalidSpec, "The mask must be a PNG image: %v.", err)
	}
	switch cfg.ColorModel {
	case color.GrayModel, color.Gray16Model:
	default:
		if _, ok := cfg.ColorModel.(color.Palette); !ok {
			return nil, domain.Errorf(domain.EInvalidSpec, "The mask must have one band of class ids (8- or 16-bit gray, or a palette PNG), not colour.")
		}
	}
	img, err := png.Decode(bytes.NewReader(buf))
	if err != nil {
		return nil, domain.Errorf(domain.EInvalidSpec, "The mask PNG could not be decoded: %v.", err)
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	switch im := img.(type) {
	case *image.Gray:
		return &Mask{W: w, H: h, Pix: packed(im.Pix, im.Stride, w, h)}, nil
	case *image.Paletted:
		return &Mask{W: w, H: h, Pix: packed(im.Pix, im.Stride, w, h), Palette: im.Palette}, nil
	case *image.Gray16:
		m := NewMask(w, h, 16)
		for y := range h {
			row := im.Pix[y*im.Stride : y*im.Stride+2*w]
			for x := range w {
				m.Pix16[y*w+x] = uint16(row[2*x])<<8 | uint16(row[2*x+1])
			}
		}
		return m, nil
	}
	return nil, domain.Errorf(domain.EInvalidSpec, "The mask must have one band of class ids (8- or 16-bit gray, or a palette PNG).")
}

// packed is the rows of an image's pixels without the padding a stride may
// leave (none, for a decoded PNG: then the pixels themselves).
func packed(pix []uint8, stride, w, h int) []uint8 {
	if stride == w {
		return pix[:w*h]
	}
	out := make([]uint8, w*h)
	for y := range h {
		copy(out[y*w:(y+1)*w], pix[y*stride:])
	}
	return out
}

// Values returns the set of class ids the mask holds.
func (m *Mask) Values() map[uint16]bool {
	seen := map[uint16]bool{}
	for _, v := range m.Pix16 {
		seen[v] = true
	}
	for _, v := range m.Pix {
		seen[uint16(v)] = true
	}
	return seen
}

// Image returns the mask as a Go image of its kind: Gray, Gray16 or
// Paletted (the 8-bit ones share its pixels).
func (m *Mask) Image() image.Image {
	r := image.Rect(0, 0, m.W, m.H)
	switch {
	case m.Pix16 != nil:
		im := image.NewGray16(r)
		for i, v := range m.Pix16 {
			im.Pix[2*i], im.Pix[2*i+1] = uint8(v>>8), uint8(v)
		}
		return im
	case m.Palette != nil:
		return &image.Paletted{Pix: m.Pix, Stride: m.W, Rect: r, Palette: m.Palette}
	}
	return &image.Gray{Pix: m.Pix, Stride: m.W, Rect: r}
}

// Holds reports, as an invalid_spec error, a class id the mask cannot hold:
// over 255 in an 8-bit mask, past the palette of a palette one.
func (m *Mask) Holds(class int) error {
	switch {
	case m.Palette != nil && class >= len(m.Palette):
		return domain.Errorf(domain.EInvalidSpec, "label_options.mask_fill %d is not a class of the mask: its palette has %d entries (0 to %d).", class, len(m.Palette), len(m.Palette)-1)
	case m.Pix16 == nil && class > 255:
		return domain.Errorf(domain.EInvalidSpec, "label_options.mask_fill %d does not fit the 8-bit mask (0 to 255).", class)
	case class < 0 || class > 65535:
		return domain.Errorf(domain.EInvalidSpec, "label_options.mask_fill must be a class id from 0 to 65535, not %d.", class)
	}
	return nil
}

// ForView is the mask with at most 8 bits a class, for browsers, which read
// a 16-bit PNG at 8 bits: a 16-bit class c becomes 1 + (c−1) mod 255 (0
// stays 0), so that classes stay apart and none becomes the background. An
// 8-bit mask is itself.
func (m *Mask) ForView() *Mask {
	if m.Pix16 == nil {
		return m
	}
	out := NewMask(m.W, m.H, 8)
	for i, c := range m.Pix16 {
		if c != 0 {
			out.Pix[i] = uint8(1 + (int(c)-1)%255)
		}
	}
	return out
}
