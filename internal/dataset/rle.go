package dataset

import (
	"fmt"

	"github.com/augment-ml/augment/internal/domain"
)

// decodeRLEString reads the compressed counts of pycocotools (rleToString):
// each count is a little-endian run of 5-bit groups in characters from 48,
// with bit 6 set on every group but the last, and counts after the second
// stored as the difference from the count two before.
func decodeRLEString(s string) ([]int, error) {
	var counts []int
	for i := 0; i < len(s); {
		x, k, more := 0, 0, true
		for more {
			if i >= len(s) {
				return nil, fmt.Errorf("the RLE counts string ends inside a number")
			}
			c := int(s[i]) - 48
			if c < 0 || c > 63 {
				return nil, fmt.Errorf("the RLE counts string has the character %q", s[i])
			}
			x |= (c & 0x1f) << (5 * k)
			more = c&0x20 != 0
			i++
			k++
			if !more && c&0x10 != 0 {
				x |= -1 << (5 * k)
			}
		}
		if len(counts) > 2 {
			x += counts[len(counts)-2]
		}
		counts = append(counts, x)
	}
	return counts, nil
}

// encodeRLEString writes counts as pycocotools' compressed string.
func encodeRLEString(counts []int) string {
	var b []byte
	for i, c := range counts {
		x := c
		if i > 2 {
			x -= counts[i-2]
		}
		for more := true; more; {
			ch := x & 0x1f
			x >>= 5
			if ch&0x10 != 0 {
				more = x != -1
			} else {
				more = x != 0
			}
			if more {
				ch |= 0x20
			}
			b = append(b, byte(ch+48))
		}
	}
	return string(b)
}

// checkRLE says whether the counts fill the mask exactly.
func checkRLE(r domain.RLE) error {
	total := 0
	for _, c := range r.Counts {
		if c < 0 {
			return fmt.Errorf("the RLE has a negative count")
		}
		total += c
	}
	if h, w := r.Size[0], r.Size[1]; h <= 0 || w <= 0 || total != h*w {
		return fmt.Errorf("the RLE counts add up to %d, not height×width = %d×%d", total, r.Size[0], r.Size[1])
	}
	return nil
}

// rleArea is the number of pixels set.
func rleArea(r domain.RLE) int {
	a := 0
	for i := 1; i < len(r.Counts); i += 2 {
		a += r.Counts[i]
	}
	return a
}

// rleBounds is the box of the pixels set (column-major runs).
func rleBounds(r domain.RLE) (domain.Box, bool) {
	h := r.Size[0]
	if h <= 0 {
		return domain.Box{}, false
	}
	x0, y0, x1, y1 := -1, -1, -1, -1
	pos := 0
	for i, c := range r.Counts {
		if i%2 == 1 && c > 0 {
			first, last := pos, pos+c-1
			cx0, cx1 := first/h, last/h
			ry0, ry1 := first%h, last%h
			if cx1 > cx0 { // a run into the next column reaches its top and the bottom of the one before
				ry0, ry1 = 0, h-1
			}
			if x0 < 0 || cx0 < x0 {
				x0 = cx0
			}
			if cx1 > x1 {
				x1 = cx1
			}
			if y0 < 0 || ry0 < y0 {
				y0 = ry0
			}
			if ry1 > y1 {
				y1 = ry1
			}
		}
		pos += c
	}
	if x0 < 0 {
		return domain.Box{}, false
	}
	return domain.Box{float64(x0), float64(y0), float64(x1 - x0 + 1), float64(y1 - y0 + 1)}, true
}
