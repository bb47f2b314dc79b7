package dataset

import (
	"bytes"
	"image"
	"image/color"
	"image/png"

	"github.com/augment-ml/augment/internal/labels"
)

// Masks move through variants as labels.Mask: one band of class ids, a
// palette PNG's palette kept. Gray and palette masks are that already and
// travel as their own bytes; a colour-coded mask (dataset_meta.json's
// segmentation_colors) is read into ids before it travels and written back
// in its colours after.

// ColourMaskIDs reads the colour-coded mask at p as class ids through the
// dataset's colours. A colour that no class has is an invalid_spec error
// naming the file and the pixel: mapping it to any class would corrupt it.
func ColourMaskIDs(p string, buf []byte, colors [][3]uint8) (*labels.Mask, error) {
	if len(colors) == 0 {
		return nil, labelError(p, 0, "a colour mask needs the class colours of dataset_meta.json (segmentation_colors), and the dataset has none")
	}
	img, err := png.Decode(bytes.NewReader(buf))
	if err != nil {
		return nil, labelError(p, 0, "a mask must be a PNG of class ids: %v", err)
	}
	ids := make(map[[3]uint8]uint16, len(colors))
	for i := len(colors) - 1; i >= 0; i-- { // the first class of a colour listed twice wins
		ids[colors[i]] = uint16(i)
	}
	b := img.Bounds()
	depth := 8
	if len(colors) > 256 {
		depth = 16
	}
	m := labels.NewMask(b.Dx(), b.Dy(), depth)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			id, ok := ids[[3]uint8{c.R, c.G, c.B}]
			if !ok {
				return nil, labelError(p, 0, "the pixel at (%d, %d) has the colour (%d, %d, %d), which dataset_meta.json gives no class",
					x-b.Min.X, y-b.Min.Y, c.R, c.G, c.B)
			}
			if i := (y-b.Min.Y)*m.W + x - b.Min.X; depth == 16 {
				m.Pix16[i] = id
			} else {
				m.Pix[i] = uint8(id)
			}
		}
	}
	return m, nil
}

// ColourMaskPNG writes class ids back as the colours they stand for, an
// RGB PNG like the dataset's own. An id past the colours is written black.
func ColourMaskPNG(m *labels.Mask, colors [][3]uint8) ([]byte, error) {
	img := image.NewNRGBA(image.Rect(0, 0, m.W, m.H))
	for i := range m.W * m.H {
		var c [3]uint8
		if id := m.At(i); id < len(colors) {
			c = colors[id]
		}
		copy(img.Pix[4*i:], []uint8{c[0], c[1], c[2], 255})
	}
	var buf bytes.Buffer
	err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img)
	return buf.Bytes(), err
}
