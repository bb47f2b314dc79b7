package labels_test

import (
	"math"
	"testing"

	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/geom"
	"github.com/augment-ml/augment/internal/labels"
)

// The checks of the marks test, each setting one kind of label against
// what the render drew of it.

// worst holds the largest misses the marks test met, for -v.
var worst struct{ mark, box float64 }

// checkCentroids finds each box that lands whole in the output where its
// corners, moved by the chain's map, say: its drawing centred within a
// third of a pixel of theirs (an image a pixel off misses by a pixel); and
// each shape's mask pixels where its moved outline is: a pixel may differ
// only within the reach of nearest sampling of the edge (0.71 source
// pixels).
func checkCentroids(t *testing.T, fail func(string, ...any), img *rendered, warped *labels.Mask, cov []bool, l *domain.Labels, fwd geom.Mat3) {
	t.Helper()
	nb, np := 0, 0
	for _, src := range l.Objects {
		var class int
		var outline domain.Polygon
		switch {
		case src.Polygon != nil:
			class, outline = classPolygon+np, src.Polygon
			np++
		case src.BBox != nil:
			b := rectOf(*src.BBox)
			class, outline = classBox+nb, domain.Polygon{{{b.X0, b.Y0}, {b.X1, b.Y0}, {b.X1, b.Y1}, {b.X0, b.Y1}}}
			nb++
		default:
			continue
		}
		s := stretch(fwd, sceneW/2, sceneH/2)
		margin := 2 * math.Ceil(1.5*math.Max(1, s))
		moved := make(domain.Polygon, len(outline))
		whole := true
		for i, r := range outline {
			moved[i] = make(domain.Ring, len(r))
			for j, q := range r {
				x, y := fwd.Apply(q[0], q[1])
				moved[i][j] = domain.Point{x, y}
				whole = whole && x >= margin && y >= margin && x <= float64(img.w)-margin && y <= float64(img.h)-margin &&
					cov[int(y)*img.w+int(x)]
			}
		}
		if !whole {
			continue // cut by an edge
		}
		reach := 0.71*s*1.05 + 0.02 // a little more for a perspective's varying scale
		var in, ix, iy float64
		m := int(margin)
		b := bounds(moved)
		off := 0
		for y := max(0, int(b.Y0)-m); y < min(img.h, int(b.Y1)+m); y++ {
			for x := max(0, int(b.X0)-m); x < min(img.w, int(b.X1)+m); x++ {
				X, Y := float64(x)+0.5, float64(y)+0.5
				d := edgeDistance(moved, X, Y)
				isIn := inside(moved, X, Y)
				if (int(warped.Pix[y*img.w+x]) == class) != isIn && d > reach {
					off++
				}
				if src.Polygon == nil && (isIn || d <= margin) {
					R, _, _ := img.at(x, y)
					in, ix, iy = in+float64(R), ix+float64(R)*X, iy+float64(R)*Y
				}
			}
		}
		if off > 0 {
			fail("%s: %d of its mask pixels are more than %.2f px off its moved outline", src.ID, off, reach)
		}
		if src.Polygon == nil {
			ex, ey := centroid(moved)
			di := math.Hypot(ix/in-ex, iy/in-ey)
			worst.box = max(worst.box, di)
			if in == 0 || di > 1.0/3 {
				fail("%s: its drawing is centred at (%.2f, %.2f), its moved corners at (%.2f, %.2f): %.2f px off", src.ID, ix/in, iy/in, ex, ey, di)
			}
		}
	}
}

// centroid is the centroid of the area of p's rings.
func centroid(p domain.Polygon) (float64, float64) {
	var a, cx, cy float64
	for _, r := range p {
		for i := range r {
			q, n := r[i], r[(i+1)%len(r)]
			c := q[0]*n[1] - n[0]*q[1]
			a, cx, cy = a+c, cx+(q[0]+n[0])*c, cy+(q[1]+n[1])*c
		}
	}
	return cx / (3 * a), cy / (3 * a)
}

// checkMask sets the warped mask against the render: mask_fill exactly
// where the render shows a fill (which, when black or white, is all it
// shows there); inside a shape, a pixel whose neighbours all have its class
// is drawn in that class's channel, and one that is not is not; a pixel
// drawn clearly in a channel (or clearly not) has a neighbour of a class
// of that channel (or of another). Neighbours, because nearest sampling
// picks one source pixel where the render blends a few.
func checkMask(t *testing.T, fail func(string, ...any), img *rendered, warped *labels.Mask, cov []bool, ghosts bool, scale float64) bool {
	t.Helper()
	// how far an edge blurs: a pixel either way, and the interpolation's
	// reach when the chain enlarges
	r := int(math.Ceil(1.5 * math.Max(1, scale)))
	kind := func(c int) int { // 0 background, 1 box, 2 polygon, 3 mark
		switch {
		case c >= classMark:
			return 3
		case c >= classPolygon:
			return 2
		case c >= classBox:
			return 1
		}
		return 0
	}
	bad := 0
	for y := range img.h {
		for x := range img.w {
			i := y*img.w + x
			c := int(warped.Pix[i])
			R, G, B := img.at(x, y)
			if !cov[i] {
				if c != 0 {
					fail("pixel (%d, %d) is a fill, but the mask has class %d there, not mask_fill", x, y, c)
					return false
				}
				if !ghosts && all(img.w, img.h, x, y, r+1, func(j int) bool { return !cov[j] }) && B > 5 && (R < 250 || G < 250 || B < 250) {
					fail("pixel (%d, %d) is a black or white fill, but shows %d,%d,%d", x, y, R, G, B)
					return false
				}
				continue
			}
			if c == 0 {
				fail("pixel (%d, %d) comes from the source, but the mask has mask_fill there", x, y)
				return false
			}
			if x < r || y < r || x >= img.w-r || y >= img.h-r {
				continue // the edge of the output may blend in what lies beyond it
			}
			k := kind(c)
			uniform := all(img.w, img.h, x, y, r, func(j int) bool { return cov[j] && int(warped.Pix[j]) == c })
			has := func(want func(int) bool) bool {
				return !all(img.w, img.h, x, y, r, func(j int) bool { return !want(kind(int(warped.Pix[j]))) })
			}
			is := func(n int) func(int) bool { return func(k int) bool { return k == n } }
			isnt := func(n int) func(int) bool { return func(k int) bool { return k != n } }
			ok := true
			if uniform {
				ok = (k == 1) == (R >= 200) && (k != 1) == (R <= 55) &&
					(k == 2) == (G >= 200) && (k != 2) == (G <= 55) &&
					(k == 3) == (B >= 200) && (k != 3) == (B <= 115)
			}
			ok = ok && (R < 215 || has(is(1))) && (R > 40 || has(isnt(1))) &&
				(G < 215 || has(is(2))) && (G > 40 || has(isnt(2))) &&
				(B < 230 || R > 40 || G > 40 || has(is(3))) && (B > 105 || has(isnt(3)))
			if !ok {
				if bad == 0 {
					t.Logf("first disagreement at (%d, %d): class %d, pixel %d,%d,%d", x, y, c, R, G, B)
				}
				bad++
			}
		}
	}
	if bad > 0 {
		fail("the mask disagrees with the image at %d pixels", bad)
	}
	return bad == 0
}

// all reports whether ok holds for every pixel within r of (x, y) (in a
// square) that lies in the w×h image.
func all(w, h, x, y, r int, ok func(int) bool) bool {
	for Y := max(0, y-r); Y <= min(h-1, y+r); Y++ {
		for X := max(0, x-r); X <= min(w-1, x+r); X++ {
			if !ok(Y*w + X) {
				return false
			}
		}
	}
	return true
}

// checkDrawn sets a labelled object against what the render draws of it in
// its channel (the pixels near its mask class, so that no other shape's
// count): its box is the bounds of the drawing (nothing drawn past it, by
// more than the drawing's own rounding, and IoU 0.9 or more where the shape
// is large enough to measure); a polygon's pixels and its drawing's overlap
// by IoU 0.85 or more.
func checkDrawn(t *testing.T, fail func(string, ...any), img *rendered, cov []bool, warped *labels.Mask, class int, o domain.Object, channel func(R, G int) int, scale float64) {
	t.Helper()
	lb := rectOf(*o.BBox)
	r := int(math.Ceil(1.5 * math.Max(1, scale)))
	drawn := geom.Rect{X0: math.Inf(1), Y0: math.Inf(1), X1: math.Inf(-1), Y1: math.Inf(-1)}
	inter, union := 0, 0
	for y := max(0, int(lb.Y0)-r); y < min(img.h, int(lb.Y1)+r+1); y++ {
		for x := max(0, int(lb.X0)-r); x < min(img.w, int(lb.X1)+r+1); x++ {
			if !cov[y*img.w+x] {
				continue
			}
			R, G, _ := img.at(x, y)
			on := channel(R, G) >= 128 && !all(img.w, img.h, x, y, r, func(j int) bool { return int(warped.Pix[j]) != class })
			if on {
				drawn = geom.Rect{X0: min(drawn.X0, float64(x)), Y0: min(drawn.Y0, float64(y)), X1: max(drawn.X1, float64(x+1)), Y1: max(drawn.Y1, float64(y+1))}
			}
			if o.Polygon != nil {
				in := inside(o.Polygon, float64(x)+0.5, float64(y)+0.5)
				if in && on {
					inter++
				}
				if in || on {
					union++
				}
			}
		}
	}
	w, h := lb.X1-lb.X0, lb.Y1-lb.Y0
	if w < 12 || h < 12 || w*h < 400 {
		return // too little left to measure by pixels
	}
	if drawn.X0 > drawn.X1 {
		fail("%s: labelled at %v, but nothing of it is drawn there", o.ID, *o.BBox)
		return
	}
	// a drawn pixel reaches the next pixel edge; the scene's own pixels
	// reach half a source pixel past its outline
	slack := 0.6 + 0.6*scale
	if drawn.X0 < lb.X0-slack || drawn.Y0 < lb.Y0-slack || drawn.X1 > lb.X1+slack || drawn.Y1 > lb.Y1+slack {
		fail("%s: drawn over %v, past its box %v", o.ID, drawn, lb)
	}
	if big := 20 * math.Max(1, scale); w >= big && h >= big {
		if v := iou(drawn, lb); v < 0.9 {
			fail("%s: box %v against the drawing's bounds %v: IoU %.3f < 0.9", o.ID, lb, drawn, v)
		}
		if o.Polygon != nil && union > 0 && float64(inter)/float64(union) < 0.85 {
			fail("%s: the polygon and its drawing overlap by IoU %.3f < 0.85", o.ID, float64(inter)/float64(union))
		}
	}
}

// checkKeypoints finds each visible keypoint's mark where its label is, in
// the slot the mirrorings say, and, when no fill can copy marks, no mark
// where no label is.
func checkKeypoints(t *testing.T, fail func(string, ...any), img *rendered, cov []bool, l *domain.Labels, got domain.VariantLabels, fwd geom.Mat3, ghosts bool) {
	t.Helper()
	pairs, _ := labels.FlipPairs(l)
	mirrored := fwd.Jacobian(sceneW/2, sceneH/2) < 0
	markMass := 0.0 // of a mark in the source: its pixels × its blue above the background
	for y := -4; y <= 4; y++ {
		for x := -4; x <= 4; x++ {
			if math.Hypot(float64(x), float64(y)) <= markRadius {
				markMass += 255 - background
			}
		}
	}
	explained := make([]bool, img.w*img.h)
	kept := map[string]domain.Object{}
	for _, o := range got.Objects {
		kept[o.ID] = o
	}
	for _, src := range l.Objects {
		o, ok := kept[src.ID]
		if len(src.Keypoints) == 0 || !ok {
			continue
		}
		if len(o.Keypoints) != len(src.Keypoints) {
			fail("%s has %d keypoint slots, not %d", src.ID, len(o.Keypoints), len(src.Keypoints))
			continue
		}
		for i, k := range o.Keypoints {
			from := i // the source slot whose point this slot holds
			if mirrored {
				for _, p := range pairs {
					if p[0] == i {
						from = p[1]
					} else if p[1] == i {
						from = p[0]
					}
				}
			}
			sk := src.Keypoints[from]
			ex, ey := fwd.Apply(sk[0], sk[1])
			in := ex >= 0 && ey >= 0 && ex <= float64(img.w) && ey <= float64(img.h)
			if k[2] == 0 {
				if in && cov[min(int(ey), img.h-1)*img.w+min(int(ex), img.w-1)] {
					fail("%s slot %d is [0, 0, 0], but its point %v lands in the image at (%.2f, %.2f)", src.ID, i, sk, ex, ey)
				}
				continue
			}
			if math.Abs(k[0]-ex) > 1e-3 || math.Abs(k[1]-ey) > 1e-3 {
				fail("%s slot %d is at (%g, %g); the point of source slot %d lands at (%.3f, %.3f)", src.ID, i, k[0], k[1], from, ex, ey)
				continue
			}
			s := math.Sqrt(math.Abs(fwd.Jacobian(sk[0], sk[1])))
			R := int(math.Ceil(markRadius*s*1.6 + 2))
			x0, y0, x1, y1 := int(k[0])-R, int(k[1])-R, int(k[0])+R, int(k[1])+R
			whole := x0 >= 0 && y0 >= 0 && x1 < img.w && y1 < img.h
			var mass, mx, my float64
			for y := max(0, y0); y <= min(img.h-1, y1); y++ {
				for x := max(0, x0); x <= min(img.w-1, x1); x++ {
					explained[y*img.w+x] = true
					whole = whole && cov[y*img.w+x]
					if w := img.markWeight(x, y); w > 0 {
						mass, mx, my = mass+w, mx+w*(float64(x)+0.5), my+w*(float64(y)+0.5)
					}
				}
			}
			if !whole {
				continue // a mark cut by the edge has its centroid moved
			}
			want := markMass * s * s
			if mass < 0.5*want || mass > 1.5*want {
				fail("%s slot %d at (%.2f, %.2f): the mark there weighs %.0f, a mark %.0f", src.ID, i, k[0], k[1], mass, want)
				continue
			}
			d := math.Hypot(mx/mass-k[0], my/mass-k[1])
			worst.mark = max(worst.mark, d)
			if d > 0.3 {
				fail("%s slot %d: labelled at (%.2f, %.2f), its mark is drawn at (%.2f, %.2f), %.2f px away", src.ID, i, k[0], k[1], mx/mass, my/mass, d)
			}
		}
	}
	if ghosts {
		return
	}
	// No mark where no label is: a mark whose centre is outside shows less
	// than half of itself.
	seen := make([]bool, img.w*img.h)
	for i := range seen {
		if seen[i] || explained[i] || img.markWeight(i%img.w, i/img.w) < 10 {
			continue
		}
		mass, stack := 0.0, []int{i}
		seen[i] = true
		for len(stack) > 0 {
			j := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			mass += img.markWeight(j%img.w, j/img.w)
			for _, n := range []int{j - 1, j + 1, j - img.w, j + img.w} {
				if n >= 0 && n < len(seen) && !seen[n] && !explained[n] && img.markWeight(n%img.w, n/img.w) >= 10 &&
					(n%img.w == j%img.w || n/img.w == j/img.w) {
					seen[n] = true
					stack = append(stack, n)
				}
			}
		}
		s := math.Sqrt(math.Abs(fwd.Jacobian(sceneW/2, sceneH/2)))
		if mass > 0.6*markMass*s*s {
			fail("a mark is drawn near (%d, %d) where no keypoint is labelled", i%img.w, i/img.w)
		}
	}
}
