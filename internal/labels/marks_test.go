package labels_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/augment-ml/augment/internal/augment"
	"github.com/augment-ml/augment/internal/domain"
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
	names := slices.Sorted(maps.Keys(geometricSteps))
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
		ops := pipelineOf(t, steps).Plan(int64(trial), "", 0)
		rec, _ := json.Marshal(ops)
		t.Run(fmt.Sprintf("%03d-%s", trial, strings.Join(which, "+")), func(t *testing.T) {
			checkMarks(t, im, ops, l, mask, opt, string(rec))
		})
	}
	t.Logf("largest misses: marks %.3f px, boxes' centres %.3f px", worst.mark, worst.box)
}

// pipelineOf parses a pipeline of steps as a request gives them.
func pipelineOf(t testing.TB, steps []map[string]any) *augment.Pipeline {
	t.Helper()
	raw, _ := json.Marshal(steps)
	p, err := augment.Parse(raw)
	if err != nil {
		t.Fatalf("pipeline %s: %v", raw, err)
	}
	return p
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
