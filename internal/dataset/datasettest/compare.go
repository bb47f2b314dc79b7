package datasettest

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"

	"github.com/augment-ml/augment/internal/domain"
)

// SameObjects says how two lists of objects differ, "" when they agree to
// tol pixels, in any order.
func SameObjects(want, got []domain.Object, tol float64) string {
	if len(want) != len(got) {
		return fmt.Sprintf("%d objects, want %d:\n%s\n  !=\n%s", len(got), len(want), js(got), js(want))
	}
	order := func(o []domain.Object) []domain.Object {
		o = append([]domain.Object(nil), o...)
		sort.SliceStable(o, func(i, j int) bool { return key(o[i]) < key(o[j]) })
		return o
	}
	want, got = order(want), order(got)
	for i := range want {
		if d := sameObject(want[i], got[i], tol); d != "" {
			return d + ":\n" + js(got[i]) + "\n  want\n" + js(want[i])
		}
	}
	return ""
}

func key(o domain.Object) string {
	b := domain.Box{}
	if o.BBox != nil {
		b = *o.BBox
	}
	return fmt.Sprintf("%s %08.2f %08.2f", o.Class, b[0], b[1])
}

func sameObject(w, g domain.Object, tol float64) string {
	near := func(a, b float64) bool { return math.Abs(a-b) <= tol }
	switch {
	case w.Class != g.Class:
		return "class"
	case (w.BBox == nil) != (g.BBox == nil):
		return "box"
	case len(w.Polygon) != len(g.Polygon):
		return "rings"
	case len(w.Keypoints) != len(g.Keypoints):
		return "keypoint slots"
	case js(w.Mask) != js(g.Mask):
		return "mask"
	case js(w.Attributes) != js(g.Attributes) && len(g.Attributes) > 0:
		return "attributes"
	}
	if w.BBox != nil {
		for k := range 4 {
			if !near(w.BBox[k], g.BBox[k]) {
				return "box"
			}
		}
	}
	for r := range w.Polygon {
		if len(w.Polygon[r]) != len(g.Polygon[r]) {
			return "polygon points"
		}
		for i := range w.Polygon[r] {
			if !near(w.Polygon[r][i][0], g.Polygon[r][i][0]) || !near(w.Polygon[r][i][1], g.Polygon[r][i][1]) {
				return "polygon"
			}
		}
	}
	for i := range w.Keypoints {
		for k := range 3 {
			if !near(w.Keypoints[i][k], g.Keypoints[i][k]) {
				return "keypoints"
			}
		}
	}
	return ""
}

func js(v any) string { b, _ := json.Marshal(v); return string(b) }
