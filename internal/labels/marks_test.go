package labels_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/augment-ml/augment/internal/augment"
	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/geom"
	"github.com/augment-ml/augment/internal/imaging"
	"github.com/augment-ml/augment/internal/labels"
)

func TestMain(m *testing.M) {
	imaging.Init(imaging.Config{})
	os.Exit(m.Run())
}

// geometricSteps draw, for every geometric op, a step of it with random
// parameters and fills; TestEveryGeometricOpIsDrawn keeps it complete.
var geometricSteps = map[string]func(r *rand.Rand) map[string]any{
	"hflip": func(*rand.Rand) map[string]any { return map[string]any{"op": "hflip"} },
	"vflip": func(*rand.Rand) map[string]any { return map[string]any{"op": "vflip"} },
	"rot90": func(*rand.Rand) map[string]any { return map[string]any{"op": "rot90"} },
	"rotate": func(r *rand.Rand) map[string]any {
		return map[string]any{"op": "rotate", "degrees": []float64{-180, 180}, "fill": anyFill(r), "expand": r.IntN(2) == 0}
	},
	"affine": func(r *rand.Rand) map[string]any {
		return map[string]any{"op": "affine", "degrees": []float64{-40, 40}, "scale": []float64{0.75, 1.3},
			"shear": []float64{-20, 20}, "translate": []float64{0.15, 0.15}, "fill": anyFill(r)}
	},
	"perspective": func(r *rand.Rand) map[string]any {
		return map[string]any{"op": "perspective", "distortion": []float64{0.1, 0.5}, "fill": anyFill(r)}
	},
	"random_resized_crop": func(r *rand.Rand) map[string]any {
		return map[string]any{"op": "random_resized_crop", "size": anySize(r), "scale": []float64{0.2, 1}}
	},
	"random_crop": func(r *rand.Rand) map[string]any { return map[string]any{"op": "random_crop", "size": anySize(r)} },
	"center_crop": func(r *rand.Rand) map[string]any { return map[string]any{"op": "center_crop", "size": anySize(r)} },
	"zoom":        func(*rand.Rand) map[string]any { return map[string]any{"op": "zoom", "scale": []float64{1, 2}} },
	"resize": func(r *rand.Rand) map[string]any {
		if r.IntN(2) == 0 {
			return map[string]any{"op": "resize", "longest": []int{200, 900}}
		}
		return map[string]any{"op": "resize", "size": anySize(r)}
	},
}

func anyFill(r *rand.Rand) string { return []string{"black", "white", "edge", "mirror"}[r.IntN(4)] }

// anySize is an output size, smaller or larger than the scene (a crop
// larger than its input scales it up first).
func anySize(r *rand.Rand) []int {
	return [][]int{{320, 240}, {200, 300}, {613, 419}, {480, 480}, {700, 500}, {250, 170}}[r.IntN(6)]
}

func TestEveryGeometricOpIsDrawn(t *testing.T) {
	for _, op := range augment.Catalogue() {
		if _, ok := geometricSteps[op.Name]; (op.Group == "geometric") != ok {
			t.Errorf("%s (%s): in the marks test's steps %v; it must be exactly when the op is geometric", op.Name, op.Group, ok)
		}
	}
}

// TestMarksLandWhereLabelsSay renders random chains of every geometric op
// through the real renderer on a drawing of the scene's labels, and sets
// what the render shows against what the labels say: each keypoint's mark
// is found where its label is (to half a pixel: a W−1−x slip is a whole
// one), in the slot the mirrorings say; every pixel drawn clearly as a
// polygon lies in a labelled polygon and none clearly outside does; each
// box matches the bounds of what is drawn of it; the mask holds each shape's
// class exactly where the image shows it and mask_fill exactly where the
// image shows a fill; a fill shows no label.
func TestMarksLandWhereLabelsSay(t *testing.T) {
	l := sceneLabels()
	mask := sceneMask(t, l)
	im, err := imaging.Decode(sceneImage(t, mask), 50_000_000)
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	opt := domain.LabelOptions{CutoutHidesKeypoints: true} // keep whatever stays in view
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range geometricSteps {
			if !yield(k) {
				return
			}
		}
	})
	r := rand.New(rand.NewPCG(11, 7))
	for trial := range 150 {
		var steps []map[string]any
		var which []string
		for range 1 + r.IntN(3) {
			n := names[r.IntN(len(names))]
			if trial < len(names) { // every op alone first
				n = names[trial]
			}
			steps = append(steps, geometricSteps[n](r))
			which = append(which, n)
			if trial < len(names) {
				break
			}
		}
		raw, _ := json.Marshal(steps)
		p, err := augment.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		ops := p.Plan(int64(trial), "", 0)
		rec, _ := json.Marshal(ops)
		t.Run(fmt.Sprintf("%03d-%s", trial, strings.Join(which, "+")), func(t *testing.T) {
			checkMarks(t, im, ops, l, mask, opt, string(rec))
		})
	}
	t.Logf("largest misses: marks %.3f px, boxes' centres %.3f px", worst.mark, worst.box)
}

// rendered is a render read back.
type rendered struct {
	w, h int
	pix  []uint8 // RGB
}

func (r *rendered) at(x, y int) (int, int, int) {
	p := r.pix[3*(y*r.w+x):]
	return int(p[0]), int(p[1]), int(p[2])
}

// markWeight is how much of a keypoint's mark a pixel shows: blue above
// the background, less what a blend with a white fill would explain.
func (r *rendered) markWeight(x, y int) float64 {
	R, G, B := r.at(x, y)
	return math.Max(0, float64(B-background)-float64(max(R, G))*float64(255-background)/255)
}

func render(t *testing.T, im *imaging.Image, ops augment.Ops) *rendered {
	t.Helper()
	res, err := im.Render(context.Background(), ops, imaging.Output{Format: "png"})
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(res.Bytes))
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	out := &rendered{w: b.Dx(), h: b.Dy(), pix: make([]uint8, 3*b.Dx()*b.Dy())}
	for y := range out.h {
		for x := range out.w {
			c, g, bl, _ := img.At(x, y).RGBA()
			copy(out.pix[3*(y*out.w+x):], []uint8{uint8(c >> 8), uint8(g >> 8), uint8(bl >> 8)})
		}
	}
	return out
}

func checkMarks(t *testing.T, im *imaging.Image, ops augment.Ops, l *domain.Labels, mask *labels.Mask, opt domain.LabelOptions, rec string) {
	img := render(t, im, ops)
	moves, err := labels.MovesOf(ops, sceneW, sceneH)
	if err != nil {
		t.Fatal(err)
	}
	if w, h := labels.OutputSize(moves, sceneW, sceneH); w != img.w || h != img.h {
		t.Fatalf("%s: the moves end at %d×%d, the render is %d×%d", rec, w, h, img.w, img.h)
	}
	steps := labels.Steps(moves)
	got := labels.Apply(l, moves, opt)
	warped := mask.Warp(steps, 0)
	cov := covered(steps, sceneW, sceneH)
	fwd := forward(t, steps)
	ghosts := false // an edge or mirror fill may copy shapes out of the image
	for _, op := range ops {
		if g, ok := op.(augment.Geometric); ok && (g.Outside() == augment.FillEdge || g.Outside() == augment.FillMirror) {
			_, zoom := op.(augment.Zoom)
			ghosts = ghosts || !zoom // zoom reads inside, but for half a pixel of bilinear taps
		}
	}
	fail := func(format string, a ...any) {
		t.Helper()
		t.Errorf("%s: "+format, append([]any{rec}, a...)...)
	}
	if !checkMask(t, fail, img, warped, cov, ghosts, stretch(fwd, sceneW/2, sceneH/2)) {
		return
	}
	// Shapes.
	jac := func(x, y float64) float64 { // the map's local scale, output px per source px
		return math.Sqrt(math.Abs(fwd.Jacobian(x, y)))
	}
	classPixels := func(class int) (n int, in func(func(x, y float64) bool) int) {
		for _, v := range warped.Pix {
			if int(v) == class {
				n++
			}
		}
		return n, func(ok func(x, y float64) bool) int {
			miss := 0
			for i, v := range warped.Pix {
				if int(v) == class && !ok(float64(i%warped.W)+0.5, float64(i/warped.W)+0.5) {
					miss++
				}
			}
			return miss
		}
	}
	kept := map[string]domain.Object{}
	for _, o := range got.Objects {
		kept[o.ID] = o
	}
	for _, d := range got.Dropped {
		if d.Reason != "outside the image" {
			fail("%s dropped: %s", d.ID, d.Reason)
		}
	}
	nb, np := 0, 0
	var polys []domain.Polygon
	for _, src := range l.Objects {
		o, ok := kept[src.ID]
		switch {
		case src.Polygon != nil:
			class := classPolygon + np
			np++
			n, miss := classPixels(class)
			if !ok {
				if n > 0 {
					fail("%s is dropped as outside, but the mask shows %d pixels of it", src.ID, n)
				}
				continue
			}
			polys = append(polys, o.Polygon)
			b := bounds(src.Polygon)
			s := jac((b.X0+b.X1)/2, (b.Y0+b.Y1)/2)
			// nearest sampling reads the pixel whose centre is within half a
			// diagonal of the point
			if m := miss(func(x, y float64) bool {
				return inside(o.Polygon, x, y) || edgeDistance(o.Polygon, x, y) < 0.75*s*1.3+0.01
			}); m > 0 {
				fail("%s: %d of its mask pixels lie outside its polygon", src.ID, m)
			}
			checkDrawn(t, fail, img, cov, warped, class, o, func(R, G int) int { return G }, stretch(fwd, (b.X0+b.X1)/2, (b.Y0+b.Y1)/2))
		case src.BBox != nil:
			class := classBox + nb
			nb++
			n, miss := classPixels(class)
			if !ok {
				if n > 0 {
					fail("%s is dropped as outside, but the mask shows %d pixels of it", src.ID, n)
				}
				continue
			}
			lb := rectOf(*o.BBox)
			if m := miss(func(x, y float64) bool { return x > lb.X0-1e-6 && x < lb.X1+1e-6 && y > lb.Y0-1e-6 && y < lb.Y1+1e-6 }); m > 0 {
				fail("%s: %d of its mask pixels lie outside its box %v", src.ID, m, *o.BBox)
			}
			sb := rectOf(*src.BBox)
			checkDrawn(t, fail, img, cov, warped, class, o, func(R, G int) int { return R }, stretch(fwd, (sb.X0+sb.X1)/2, (sb.Y0+sb.Y1)/2))
		}
	}
	// Pixels drawn clearly as polygons lie in labelled polygons, and pixels
	// clearly not drawn do not lie deep inside one.
	for y := range img.h {
		for x := range img.w {
			if !cov[y*img.w+x] {
				continue
			}
			_, G, _ := img.at(x, y)
			X, Y := float64(x)+0.5, float64(y)+0.5
			if G < 200 && G > 55 {
				continue
			}
			tol := 0.5*jac(X, Y) + 0.6
			for _, p := range polys {
				in, near := inside(p, X, Y), edgeDistance(p, X, Y) < tol
				if G >= 200 && (in || near) {
					G = -1 // explained
					break
				}
				if G <= 55 && in && !near {
					fail("pixel (%d, %d) is deep inside a labelled polygon but not drawn (green %d)", x, y, G)
					return
				}
			}
			if G >= 200 {
				fail("pixel (%d, %d) is drawn as a polygon (green %d) outside every labelled one", x, y, G)
				return
			}
		}
	}
	checkCentroids(t, fail, img, warped, cov, l, fwd)
	checkKeypoints(t, fail, img, cov, l, got, fwd, ghosts)
}

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
