package imaging

import (
	"bytes"
	"context"
	"fmt"
	"image/jpeg"
	"testing"

	"github.com/augment-ml/augment/internal/domain"
)

// TestJPEGChroma: a JPEG variant keeps its colour at the resolution asked
// for (its frame header's sampling factors say so), with no chroma given by
// libvips' rule (full from quality 90), and half the colour makes a
// smaller file of the same picture.
func TestJPEGChroma(t *testing.T) {
	im := decode(t, "cardinal.jpg")
	size := map[string]int{}
	for _, tc := range []struct {
		chroma  string
		quality int
		want    string
	}{
		{domain.ChromaHalf, 90, "4:2:0"}, {domain.ChromaHalf, 60, "4:2:0"},
		{domain.ChromaFull, 90, "4:4:4"}, {domain.ChromaFull, 60, "4:4:4"},
		{"", 90, "4:4:4"}, {"", 89, "4:2:0"},
	} {
		res, err := im.Render(context.Background(), nil, Output{Format: "jpeg", Quality: tc.quality, Chroma: tc.chroma})
		if err != nil {
			t.Fatal(err)
		}
		if got := sampling(t, res.Bytes); got != tc.want {
			t.Errorf("chroma %q at quality %d: %s, want %s", tc.chroma, tc.quality, got, tc.want)
		}
		if _, err := jpeg.Decode(bytes.NewReader(res.Bytes)); err != nil {
			t.Errorf("chroma %q: Go cannot read it: %v", tc.chroma, err)
		}
		size[fmt.Sprint(tc.chroma, tc.quality)] = len(res.Bytes)
	}
	if half, full := size[domain.ChromaHalf+"90"], size[domain.ChromaFull+"90"]; half >= full {
		t.Errorf("at quality 90 half the colour takes %d bytes, full %d", half, full)
	}
}

// sampling reads a JPEG's frame header: "4:2:0" when the first component
// is sampled twice as finely as the others both ways, "4:4:4" when all
// are alike.
func sampling(t *testing.T, b []byte) string {
	t.Helper()
	for i := 2; i+4 < len(b); {
		if b[i] != 0xFF {
			t.Fatalf("no marker at %d", i)
		}
		marker, n := b[i+1], int(b[i+2])<<8|int(b[i+3])
		if marker == 0xC0 || marker == 0xC1 || marker == 0xC2 {
			comps := b[i+9]
			if comps != 3 {
				t.Fatalf("%d components", comps)
			}
			y, cb, cr := b[i+11], b[i+14], b[i+17]
			switch {
			case y == 0x22 && cb == 0x11 && cr == 0x11:
				return "4:2:0"
			case y == cb && cb == cr:
				return "4:4:4"
			}
			return fmt.Sprintf("%x/%x/%x", y, cb, cr)
		}
		i += 2 + n
	}
	t.Fatal("no frame header")
	return ""
}
