package dataset

import (
	"math"

	"github.com/augment-ml/augment/internal/domain"
)

// boxOf is the box an object occupies: the bounds of its outline when it has
// one (a polygon, then a mask), else its box, else the bounds of its
// labelled keypoints.
func boxOf(o domain.Object) (domain.Box, bool) {
	if b, ok := polygonBounds(o.Polygon); ok {
		return b, true
	}
	if o.Mask != nil {
		if b, ok := rleBounds(*o.Mask); ok {
			return b, true
		}
	}
	if o.BBox != nil {
		return *o.BBox, true
	}
	var pts []domain.Point
	for _, k := range o.Keypoints {
		if k[2] > 0 {
			pts = append(pts, domain.Point{k[0], k[1]})
		}
	}
	return polygonBounds(domain.Polygon{pts})
}

func polygonBounds(p domain.Polygon) (domain.Box, bool) {
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, r := range p {
		for _, q := range r {
			x0, y0, x1, y1 = math.Min(x0, q[0]), math.Min(y0, q[1]), math.Max(x1, q[0]), math.Max(y1, q[1])
		}
	}
	if x0 > x1 {
		return domain.Box{}, false
	}
	return domain.Box{x0, y0, x1 - x0, y1 - y0}, true
}

// polygonArea is the area of the rings (shoelace), each counted positive.
func polygonArea(p domain.Polygon) float64 {
	total := 0.0
	for _, r := range p {
		a := 0.0
		for i := range r {
			j := (i + 1) % len(r)
			a += r[i][0]*r[j][1] - r[j][0]*r[i][1]
		}
		total += math.Abs(a) / 2
	}
	return total
}

// areaOf is an object's area: its mask's, its outline's, else its box's.
func areaOf(o domain.Object) float64 {
	switch {
	case o.Mask != nil:
		return float64(rleArea(*o.Mask))
	case len(o.Polygon) > 0:
		return polygonArea(o.Polygon)
	case o.BBox != nil:
		return o.BBox[2] * o.BBox[3]
	}
	return 0
}

// clipBox keeps the part of b inside a W×H image.
func clipBox(b domain.Box, W, H float64) domain.Box {
	x0, y0 := clamp(b[0], 0, W), clamp(b[1], 0, H)
	x1, y1 := clamp(b[0]+b[2], 0, W), clamp(b[1]+b[3], 0, H)
	return domain.Box{x0, y0, math.Max(0, x1-x0), math.Max(0, y1-y0)}
}

func clamp(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }
