package dataset

import (
	"math/rand/v2"
	"testing"

	"github.com/augment-ml/augment/internal/domain"
)

// TestRLEString: pycocotools' compressed counts, by the rules of its
// rleToString (5-bit groups from '0', deltas from the count two before).
func TestRLEString(t *testing.T) {
	for s, counts := range map[string][]int{
		"5":    {5},
		"342":  {3, 4, 2},
		"1238": {1, 2, 3, 10}, // 10 − 2 = 8
		"05:M": {0, 5, 10, 2}, // 2 − 5 = −3 is one group with the sign bit
		"T3":   {100},
	} {
		got, err := decodeRLEString(s)
		if err != nil || jsonOf(got) != jsonOf(counts) {
			t.Errorf("decode %q = %v %v, want %v", s, got, err, counts)
		}
		if enc := encodeRLEString(counts); enc != s {
			t.Errorf("encode %v = %q, want %q", counts, enc, s)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		counts := make([]int, 1+r.IntN(30))
		for i := range counts {
			counts[i] = r.IntN(5000)
		}
		got, err := decodeRLEString(encodeRLEString(counts))
		if err != nil || jsonOf(got) != jsonOf(counts) {
			t.Fatalf("%v came back as %v %v", counts, got, err)
		}
	}
	if _, err := decodeRLEString("T"); err == nil {
		t.Error("a string ending inside a number was accepted")
	}
}

// TestRLEBoundsAndArea against the mask drawn pixel by pixel.
func TestRLEBoundsAndArea(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		h, w := 1+r.IntN(12), 1+r.IntN(12)
		var counts []int
		for left := h * w; left > 0; {
			n := min(left, r.IntN(h*2))
			counts = append(counts, n)
			left -= n
		}
		m := domain.RLE{Size: [2]int{h, w}, Counts: counts}
		x0, y0, x1, y1, area := w, h, -1, -1, 0
		pos := 0
		for i, c := range counts {
			for k := pos; k < pos+c; k++ {
				if i%2 == 1 {
					x, y := k/h, k%h
					x0, y0, x1, y1, area = min(x0, x), min(y0, y), max(x1, x), max(y1, y), area+1
				}
			}
			pos += c
		}
		b, ok := rleBounds(m)
		if area == 0 {
			if ok {
				t.Fatalf("%v: bounds %v of an empty mask", counts, b)
			}
			continue
		}
		if want := (domain.Box{float64(x0), float64(y0), float64(x1 - x0 + 1), float64(y1 - y0 + 1)}); b != want || rleArea(m) != area {
			t.Fatalf("%dx%d %v: bounds %v area %d, want %v %d", h, w, counts, b, rleArea(m), want, area)
		}
	}
}
