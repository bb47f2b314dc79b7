package labels

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"math"

	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/geom"
)

// Mask is a semantic mask: one band of class ids, 8- or 16-bit, with the
// palette of a palette PNG when it had one.
type Mask struct {
	W, H    int
	Pix     []uint16 // class ids, row by row
	Depth   int      // 8 or 16 bits
	Palette color.Palette
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
	m := &Mask{W: b.Dx(), H: b.Dy(), Pix: make([]uint16, b.Dx()*b.Dy()), Depth: 8}
	switch im := img.(type) {
	case *image.Gray:
		for y := range m.H {
			row := im.Pix[y*im.Stride : y*im.Stride+m.W]
			for x, v := range row {
				m.Pix[y*m.W+x] = uint16(v)
			}
		}
	case *image.Gray16:
		m.Depth = 16
		for y := range m.H {
			row := im.Pix[y*im.Stride : y*im.Stride+2*m.W]
			for x := range m.W {
				m.Pix[y*m.W+x] = uint16(row[2*x])<<8 | uint16(row[2*x+1])
			}
		}
	case *image.Paletted:
		m.Palette = im.Palette
		for y := range m.H {
			row := im.Pix[y*im.Stride : y*im.Stride+m.W]
			for x, v := range row {
				m.Pix[y*m.W+x] = uint16(v)
			}
		}
	default:
		return nil, domain.Errorf(domain.EInvalidSpec, "The mask must have one band of class ids (8- or 16-bit gray, or a palette PNG).")
	}
	return m, nil
}

// Warp samples the mask through a variant's geometric steps, nearest
// neighbour only, so no class value appears that was not there: each output
// pixel centre goes back through every step, and wherever it leaves an
// image on the way it takes fill (fills copy pixels, never labels).
func (m *Mask) Warp(steps []geom.Step, fill int) *Mask {
	if len(steps) == 0 {
		return m
	}
	last := steps[len(steps)-1]
	out := &Mask{W: last.W, H: last.H, Pix: make([]uint16, last.W*last.H), Depth: m.Depth, Palette: m.Palette}
	// Going back from the output, stage i maps an output point into the
	// image that step n−1−i reads, through everything after it.
	stages := make([]stage, len(steps))
	to := geom.Identity
	for i := range steps {
		k := len(steps) - 1 - i
		to = steps[k].ToInput.Mul(to)
		w, h := m.W, m.H
		if k > 0 {
			w, h = steps[k-1].W, steps[k-1].H
		}
		stages[i] = stage{to, float64(w), float64(h)}
	}
	src := to // output → source
	f := uint16(fill)
	for y := range out.H {
		row := out.Pix[y*out.W : (y+1)*out.W]
		Y := float64(y) + 0.5
		a, b := inside(stages, Y, out.W)
		for x := range a {
			row[x] = f
		}
		for x := b; x < out.W; x++ {
			row[x] = f
		}
		if !src.Affine() || src[8] != 1 {
			for x := a; x < b; x++ {
				u, v := src.Apply(float64(x)+0.5, Y)
				row[x] = m.Pix[min(int(v), m.H-1)*m.W+min(int(u), m.W-1)]
			}
			continue
		}
		u0, v0 := src[1]*Y+src[2], src[4]*Y+src[5]
		for x := a; x < b; x++ {
			X := float64(x) + 0.5
			u, v := int(u0+src[0]*X), int(v0+src[3]*X)
			row[x] = m.Pix[min(v, m.H-1)*m.W+min(u, m.W-1)]
		}
	}
	return out
}

// stage is a map from the output into an image of size w×h.
type stage struct {
	m    geom.Mat3
	w, h float64
}

// in reports whether the centre of output pixel (x, y) lies inside every
// stage's image.
func in(stages []stage, x int, Y float64) bool {
	X := float64(x) + 0.5
	for _, s := range stages {
		if !s.m.Ahead(X, Y) {
			return false
		}
		u, v := s.m.Apply(X, Y)
		if !(u >= 0 && v >= 0 && u < s.w && v < s.h) {
			return false
		}
	}
	return true
}

// inside returns the pixels [a, b) of output row Y whose centres lie inside
// every stage's image. Along a row each condition (u ≥ 0, u < w, …, and
// the point ahead of a projective map's horizon) is linear in x once
// multiplied by the positive denominator, so the pixels form one run; its
// ends are then settled by the exact test.
func inside(stages []stage, Y float64, n int) (int, int) {
	lo, hi := 0.0, float64(n) // the run of centres X = x + 0.5
	for _, s := range stages {
		m := s.m
		// numerators and denominator along the row: c0 + c1·X
		nu := [2]float64{m[1]*Y + m[2], m[0]}
		nv := [2]float64{m[4]*Y + m[5], m[3]}
		q := [2]float64{m[7]*Y + m[8], m[6]}
		for _, c := range [][2]float64{q, nu, {s.w*q[0] - nu[0], s.w*q[1] - nu[1]}, nv, {s.h*q[0] - nv[0], s.h*q[1] - nv[1]}} {
			switch { // c0 + c1·X ≥ 0
			case c[1] > 0:
				lo = max(lo, -c[0]/c[1])
			case c[1] < 0:
				hi = min(hi, -c[0]/c[1])
			case c[0] < 0:
				return 0, 0
			}
		}
	}
	if !(hi > lo) {
		return 0, 0
	}
	a, b := max(0, int(math.Ceil(lo-0.5))), min(n, int(math.Floor(hi-0.5))+1)
	for a < b && !in(stages, a, Y) {
		a++
	}
	for a > 0 && in(stages, a-1, Y) {
		a--
	}
	for b > a && !in(stages, b-1, Y) {
		b--
	}
	for b < n && b > a && in(stages, b, Y) {
		b++
	}
	return a, b
}

// Values returns the set of class ids the mask holds.
func (m *Mask) Values() map[uint16]bool {
	seen := map[uint16]bool{}
	for _, v := range m.Pix {
		seen[v] = true
	}
	return seen
}

// Image returns the mask as a Go image of its kind: Gray, Gray16 or
// Paletted.
func (m *Mask) Image() image.Image {
	r := image.Rect(0, 0, m.W, m.H)
	switch {
	case m.Palette != nil:
		im := image.NewPaletted(r, m.Palette)
		for i, v := range m.Pix {
			im.Pix[i] = uint8(v)
		}
		return im
	case m.Depth == 16:
		im := image.NewGray16(r)
		for i, v := range m.Pix {
			im.Pix[2*i], im.Pix[2*i+1] = uint8(v>>8), uint8(v)
		}
		return im
	}
	im := image.NewGray(r)
	for i, v := range m.Pix {
		im.Pix[i] = uint8(v)
	}
	return im
}

// PNG encodes the mask as a PNG of its kind: gray 8- or 16-bit, or with its
// palette. Masks are never JPEG: a lossy codec invents class values.
func (m *Mask) PNG() ([]byte, error) {
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	var buf bytes.Buffer
	if m.Palette != nil || m.Depth == 16 {
		err := enc.Encode(&buf, m.Image())
		return buf.Bytes(), err
	}
	// NOTE: Go's encoder tries every row filter on gray images and none on
	// palette ones, three times faster; an 8-bit palette image and an 8-bit
	// gray one store their pixels alike, so encode it as the former and
	// relabel the header.
	gray := m.Image().(*image.Gray)
	if err := enc.Encode(&buf, &image.Paletted{Pix: gray.Pix, Stride: gray.Stride, Rect: gray.Rect, Palette: grays}); err != nil {
		return nil, err
	}
	return paletteToGray(buf.Bytes())
}

// grays is a palette whose index is its gray level.
var grays = func() color.Palette {
	p := make(color.Palette, 256)
	for i := range p {
		p[i] = color.Gray{Y: uint8(i)}
	}
	return p
}()

// paletteToGray turns an 8-bit palette PNG into an 8-bit gray one with the
// same pixel bytes: colour type 3 becomes 0 and the PLTE chunk goes.
func paletteToGray(b []byte) ([]byte, error) {
	const sig = 8
	if len(b) < sig+25 || string(b[sig+4:sig+8]) != "IHDR" || b[sig+8+8] != 8 || b[sig+8+9] != 3 {
		return nil, fmt.Errorf("labels: not an 8-bit palette PNG")
	}
	out := make([]byte, 0, len(b))
	for i := sig; i+12 <= len(b); {
		n := int(binary.BigEndian.Uint32(b[i:]))
		end := i + 12 + n
		if end > len(b) {
			return nil, fmt.Errorf("labels: truncated PNG chunk")
		}
		switch string(b[i+4 : i+8]) {
		case "PLTE", "tRNS":
		case "IHDR":
			chunk := append([]byte{}, b[i:end]...)
			chunk[8+9] = 0 // colour type: gray
			binary.BigEndian.PutUint32(chunk[8+n:], crc32.ChecksumIEEE(chunk[4:8+n]))
			out = append(out, chunk...)
		default:
			out = append(out, b[i:end]...)
		}
		i = end
	}
	return append(b[:sig:sig], out...), nil
}

// Holds reports, as an invalid_spec error, a class id the mask cannot hold:
// over 255 in an 8-bit mask, past the palette of a palette one.
func (m *Mask) Holds(class int) error {
	switch {
	case m.Palette != nil && class >= len(m.Palette):
		return domain.Errorf(domain.EInvalidSpec, "label_options.mask_fill %d is not a class of the mask: its palette has %d entries (0 to %d).", class, len(m.Palette), len(m.Palette)-1)
	case m.Depth == 8 && class > 255:
		return domain.Errorf(domain.EInvalidSpec, "label_options.mask_fill %d does not fit the 8-bit mask (0 to 255).", class)
	case class < 0 || class > 65535:
		return domain.Errorf(domain.EInvalidSpec, "label_options.mask_fill must be a class id from 0 to 65535, not %d.", class)
	}
	return nil
}
