package labels_test

import (
	"math"
	"testing"

	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/labels"
)

// TestRotatedBoxIsTheOutlinesBounds: the box of an object with an outline
// (a polygon, an RLE mask) is taken from the moved outline, not from the
// four corners of its moved box, which grow with every turn (DATASETS.md,
// albumentations#746). A diamond turned 45° is a square as wide as its
// side; the corners of its box would make a box √2 times wider.
func TestRotatedBoxIsTheOutlinesBounds(t *testing.T) {
	cx, cy, r := float64(sceneW)/2, float64(sceneH)/2, 60.0
	diamond := domain.Polygon{{{cx, cy - r}, {cx + r, cy}, {cx, cy + r}, {cx - r, cy}}}
	mask := &domain.RLE{Size: [2]int{sceneH, sceneW}}
	// the same diamond as a mask: the pixels whose centre is inside it
	inside := func(x, y int) bool { return math.Abs(float64(x)+0.5-cx)+math.Abs(float64(y)+0.5-cy) < r }
	run, last := 0, false
	for x := range sceneW { // RLE is column-major
		for y := range sceneH {
			if in := inside(x, y); in != last {
				mask.Counts = append(mask.Counts, run)
				run, last = 0, in
			}
			run++
		}
	}
	mask.Counts = append(mask.Counts, run)
	l := &domain.Labels{Width: sceneW, Height: sceneH, Objects: []domain.Object{
		{ID: "poly", Class: "a", Polygon: diamond, BBox: &domain.Box{cx - r, cy - r, 2 * r, 2 * r}},
		{ID: "mask", Class: "a", Mask: mask, BBox: &domain.Box{cx - r, cy - r, 2 * r, 2 * r}},
		{ID: "box", Class: "a", BBox: &domain.Box{cx - r, cy - r, 2 * r, 2 * r}},
	}}
	got := labels.Apply(l, mustMoves(t, plan(t, `[{"op": "rotate", "degrees": 45}]`)), domain.DefaultLabelOptions())
	if len(got.Objects) != 3 {
		t.Fatalf("objects %+v, dropped %+v", got.Objects, got.Dropped)
	}
	side := r * math.Sqrt2
	for _, o := range got.Objects {
		w := o.BBox[2]
		switch o.ID {
		case "poly":
			if math.Abs(w-side) > 0.01 || math.Abs(o.BBox[3]-side) > 0.01 {
				t.Errorf("the turned diamond's box is %v wide and %v high, want %.2f: its outline's bounds", w, o.BBox[3], side)
			}
		case "mask":
			if math.Abs(w-side) > 3 || math.Abs(o.BBox[3]-side) > 3 {
				t.Errorf("the turned diamond mask's box is %v×%v, want about %.1f", w, o.BBox[3], side)
			}
		case "box":
			// a box alone has nothing tighter than its corners
			if math.Abs(w-2*r*math.Sqrt2) > 0.01 {
				t.Errorf("a box alone turned is %v wide, want %.2f", w, 2*r*math.Sqrt2)
			}
		}
	}
}
