package labels

import (
	"github.com/augment-ml/augment/internal/domain"
)

// maskOf unpacks an RLE (COCO: column-major runs, 0s first) into a mask of
// 0s and 1s.
func maskOf(r *domain.RLE) *Mask {
	h, w := r.Size[0], r.Size[1]
	m := NewMask(w, h, 8)
	i, on := 0, uint8(0)
	for _, n := range r.Counts {
		for ; n > 0 && i < w*h; n, i = n-1, i+1 {
			m.Pix[(i%h)*w+i/h] = on
		}
		on ^= 1
	}
	return m
}

// rleOf packs a mask's non-zero pixels as an RLE, and counts them.
func rleOf(m *Mask) (*domain.RLE, int) {
	r := &domain.RLE{Size: [2]int{m.H, m.W}, Counts: []int{}}
	run, on, count := 0, false, 0
	for x := range m.W {
		for y := range m.H {
			if v := m.Pix[y*m.W+x] != 0; v != on {
				r.Counts = append(r.Counts, run)
				run, on = 0, v
			}
			run++
			if on {
				count++
			}
		}
	}
	r.Counts = append(r.Counts, run)
	return r, count
}

// bounds is the rectangle of the mask's non-zero pixels.
func (m *Mask) bounds() (x0, y0, x1, y1 int) {
	x0, y0, x1, y1 = m.W, m.H, 0, 0
	for y := range m.H {
		for x, v := range m.Pix[y*m.W : (y+1)*m.W] {
			if v != 0 {
				x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x+1), max(y1, y+1)
			}
		}
	}
	return x0, y0, x1, y1
}
