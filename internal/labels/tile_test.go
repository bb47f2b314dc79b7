package labels_test

import (
	"bytes"
	"encoding/json"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/augment-ml/augment/internal/labels"
)

// A preview's tile has its variant's mask at the tile's size: at the
// variant's own size it is the variant's mask, byte for byte; smaller, each
// of its pixels is the class the variant's mask holds there (nearest
// neighbour), but for pixels on a class edge, and no class is invented.
func TestTileMaskIsTheVariantsMaskScaled(t *testing.T) {
	l := sceneLabels()
	m := sceneMask(t, l)
	buf, err := m.PNG()
	if err != nil {
		t.Fatal(err)
	}
	src, err := labels.NewSource(l, nil, buf, m.W, m.H)
	if err != nil {
		t.Fatal(err)
	}
	names := slices.Sorted(maps.Keys(geometricSteps))
	classes := m.Values()
	r := rand.New(rand.NewPCG(3, 5))
	for trial := range 60 {
		var steps []map[string]any
		for range 1 + r.IntN(3) {
			steps = append(steps, geometricSteps[names[r.IntN(len(names))]](r))
		}
		raw, _ := json.Marshal(steps)
		ops := pipelineOf(t, steps).Plan(int64(trial), "", 0)
		v, err := src.Variant(ops)
		if err != nil {
			t.Fatal(err)
		}
		same, err := src.Tile(ops, v.W, v.H)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(same.Mask, v.Mask) {
			t.Fatalf("trial %d %s: the tile at the variant's size has another mask", trial, raw)
		}
		tw, th := max(1, v.W*(20+r.IntN(60))/100), max(1, v.H*(20+r.IntN(60))/100)
		tile, err := src.Tile(ops, tw, th)
		if err != nil {
			t.Fatal(err)
		}
		if !jsonEqual(t, tile.Labels, v.Labels) || tile.W != v.W || tile.H != v.H {
			t.Fatalf("trial %d: the tile's labels are not the variant's", trial)
		}
		full, err := labels.DecodeMask(v.Mask)
		if err != nil {
			t.Fatal(err)
		}
		small, err := labels.DecodeMask(tile.Mask)
		if err != nil {
			t.Fatal(err)
		}
		if small.W != tw || small.H != th {
			t.Fatalf("trial %d: the tile's mask is %d×%d, the tile %d×%d", trial, small.W, small.H, tw, th)
		}
		agree := 0
		for y := range th {
			for x := range tw {
				c := small.At(y*tw + x)
				if !classes[uint16(c)] && c != 0 {
					t.Fatalf("trial %d: class %d appeared", trial, c)
				}
				fx, fy := (2*x+1)*v.W/(2*tw), (2*y+1)*v.H/(2*th)
				if c == full.At(fy*v.W+fx) {
					agree++
				}
			}
		}
		if share := float64(agree) / float64(tw*th); share < 0.97 {
			t.Errorf("trial %d %s: %.3f of the tile's mask agrees with the variant's", trial, raw, share)
		}
	}
}

func jsonEqual(t *testing.T, a, b any) bool {
	t.Helper()
	x, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	y, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Equal(x, y)
}
