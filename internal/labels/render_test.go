package labels_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"image"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/augment-ml/augment/internal/augment"
	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/imaging"
	"github.com/augment-ml/augment/internal/labels"
)

// corpus reads a test photo from the repository's testdata.
func corpus(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../../testdata/corpus/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// anyStep is a step of any op of the registry, geometric ones drawn as the
// marks test draws them, the others with their defaults.
func anyStep(r *rand.Rand, name string) map[string]any {
	if f, ok := geometricSteps[name]; ok {
		return f(r)
	}
	return map[string]any{"op": name, "p": 0.7}
}

// TestMovesFollowTheRenderedSize: for random pipelines of every op of the
// registry (colour, blur, noise, quality, cutout and randaugment among the
// geometric ones) on real photos, the moves end at the size of the image
// the renderer makes.
func TestMovesFollowTheRenderedSize(t *testing.T) {
	var names []string
	for _, op := range augment.Catalogue() {
		if op.Group != "composition" {
			names = append(names, op.Name)
		}
	}
	r := rand.New(rand.NewPCG(3, 5))
	for _, photo := range []string{"rocket.jpg", "exif-orientation-6.jpg", "logo-alpha.png"} {
		im, err := imaging.Decode(corpus(t, photo), 50_000_000)
		if err != nil {
			t.Fatal(err)
		}
		info := im.Info()
		for trial := range 12 {
			steps := make([]map[string]any, 0, 8)
			for _, i := range r.Perm(len(names))[:8] {
				steps = append(steps, anyStep(r, names[i]))
			}
			ops := pipelineOf(t, steps).Plan(int64(trial), photo, trial)
			res, err := im.Render(context.Background(), ops, imaging.Output{Format: "png"})
			if err != nil {
				t.Fatal(err)
			}
			moves, err := labels.MovesOf(ops, info.Width, info.Height)
			if err != nil {
				t.Fatal(err)
			}
			if w, h := labels.OutputSize(moves, info.Width, info.Height); w != res.Width || h != res.Height {
				rec, _ := json.Marshal(ops)
				t.Errorf("%s %s: the moves end at %d×%d, the render is %d×%d", photo, rec, w, h, res.Width, res.Height)
			}
		}
		im.Close()
	}
}

// plan is the ops of a pipeline whose every value is fixed.
func plan(t *testing.T, pipeline string) augment.Ops {
	t.Helper()
	ops, err := augment.ParseOps([]byte(pipeline))
	if err != nil {
		t.Fatal(err)
	}
	return ops
}

// TestIdentitiesForLabelsAsForPixels: hflip twice and rot90 four times
// give back the pixels and the labels; rotate by 90 (expanded) gives the
// pixels and the labels of rot90.
func TestIdentitiesForLabelsAsForPixels(t *testing.T) {
	l := sceneLabels()
	src := sceneImage(t, sceneMask(t, l))
	im, err := imaging.Decode(src, 50_000_000)
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	opt := domain.DefaultLabelOptions()
	same := func(a, b string) {
		t.Helper()
		ra, rb := render(t, im, plan(t, a)), render(t, im, plan(t, b))
		if ra.w != rb.w || ra.h != rb.h || !bytes.Equal(ra.pix, rb.pix) {
			t.Errorf("%s and %s render different pixels", a, b)
		}
		la := labelsOf(t, l, plan(t, a), opt)
		lb := labelsOf(t, l, plan(t, b), opt)
		if d := cmp.Diff(la, lb, cmpopts.EquateApprox(0, 1e-9)); d != "" {
			t.Errorf("%s and %s give different labels:\n%s", a, b, d)
		}
	}
	same(`[{"op": "hflip"}, {"op": "hflip"}]`, `[]`)
	same(`[{"op": "rot90", "k": 1}, {"op": "rot90", "k": 1}, {"op": "rot90", "k": 1}, {"op": "rot90", "k": 1}]`, `[]`)
	same(`[{"op": "rotate", "degrees": 90, "expand": true}]`, `[{"op": "rot90", "k": 1}]`)
	same(`[{"op": "hflip"}, {"op": "vflip"}]`, `[{"op": "rot90", "k": 2}]`)
	// and the labels with no op are the labels as given, boxes of polygons
	// being their outline's bounds
	if got := labelsOf(t, l, nil, opt); len(got.Objects) != len(l.Objects) || *got.Objects[0].BBox != *l.Objects[0].BBox {
		t.Errorf("no ops: %+v", got)
	}
}

func labelsOf(t *testing.T, l *domain.Labels, ops augment.Ops, opt domain.LabelOptions) domain.VariantLabels {
	t.Helper()
	moves, err := labels.MovesOf(ops, sceneW, sceneH)
	if err != nil {
		t.Fatal(err)
	}
	return labels.Apply(l, moves, opt)
}

// TestCutoutHidesKeypoints: cutout marks hidden (v 1) exactly the
// keypoints whose marks its holes paint over, and leaves boxes, polygons
// and the mask as they were; with cutout_hides_keypoints off it hides none.
func TestCutoutHidesKeypoints(t *testing.T) {
	l := sceneLabels()
	mask := sceneMask(t, l)
	im, err := imaging.Decode(sceneImage(t, mask), 50_000_000)
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	// holes over the left eye of k0 and the nose of k1, and one over nothing
	ops := plan(t, `[{"op": "cutout", "fill": "white", "boxes": [[0.4223, 0.49, 0.05], [0.0338, 0.9799, 0.05], [0.9, 0.05, 0.05]]}]`)
	img := render(t, im, ops)
	opt := domain.DefaultLabelOptions()
	got := labelsOf(t, l, ops, opt)
	hidden := 0
	for _, o := range got.Objects {
		src := l.Objects[slices.IndexFunc(l.Objects, func(s domain.Object) bool { return s.ID == o.ID })]
		if src.BBox != nil && *o.BBox != *src.BBox {
			t.Errorf("%s: cutout moved its box to %v", o.ID, *o.BBox)
		}
		for i, k := range o.Keypoints {
			mass := 0.0
			for y := int(k[1]) - 4; y <= int(k[1])+4; y++ {
				for x := int(k[0]) - 4; x <= int(k[0])+4; x++ {
					mass += img.markWeight(x, y)
				}
			}
			painted := mass < 100
			if painted != (k[2] == 1) {
				t.Errorf("%s slot %d: v %g, but its mark is painted over: %v", o.ID, i, k[2], painted)
			}
			if k[2] == 1 {
				hidden++
			}
		}
	}
	if hidden != 2 {
		t.Errorf("%d keypoints hidden, want 2", hidden)
	}
	if w := mask.Warp(labels.Steps(mustMoves(t, ops)), 0); !slices.Equal(w.Pix, mask.Pix) {
		t.Error("cutout changed the mask")
	}
	opt.CutoutHidesKeypoints = false
	for _, o := range labelsOf(t, l, ops, opt).Objects {
		for i, k := range o.Keypoints {
			if k[2] != 2 {
				t.Errorf("cutout_hides_keypoints off: %s slot %d has v %g", o.ID, i, k[2])
			}
		}
	}
}

func mustMoves(t *testing.T, ops augment.Ops) []labels.Move {
	t.Helper()
	moves, err := labels.MovesOf(ops, sceneW, sceneH)
	if err != nil {
		t.Fatal(err)
	}
	return moves
}

// TestMasksInventNoClass: after random pipelines of every op, a mask holds
// only classes it held, and mask_fill.
func TestMasksInventNoClass(t *testing.T) {
	l := sceneLabels()
	mask := sceneMask(t, l)
	in := mask.Values()
	var names []string
	for _, op := range augment.Catalogue() {
		if op.Group != "composition" {
			names = append(names, op.Name)
		}
	}
	r := rand.New(rand.NewPCG(8, 1))
	for trial := range 40 {
		var steps []map[string]any
		for _, i := range r.Perm(len(names))[:6] {
			steps = append(steps, anyStep(r, names[i]))
		}
		raw, _ := json.Marshal(steps)
		fill := 200 + trial
		ops := pipelineOf(t, steps).Plan(int64(trial), "", 0)
		for v := range mask.Warp(labels.Steps(mustMoves(t, ops)), fill).Values() {
			if !in[v] && int(v) != fill {
				t.Fatalf("%s: class %d appears", raw, v)
			}
		}
	}
}

// TestClippedPolygonHasTheAreaOfItsMaskPixels: a polygon cut by a crop
// keeps the area its mask pixels cover, to within half a pixel along its
// outline.
func TestClippedPolygonHasTheAreaOfItsMaskPixels(t *testing.T) {
	l := sceneLabels()
	mask := sceneMask(t, l)
	ops := plan(t, `[{"op": "random_crop", "size": [180, 120], "x": 0.33, "y": 0}]`) // crosses p0
	moves := mustMoves(t, ops)
	got := labels.Apply(l, moves, domain.LabelOptions{})
	warped := mask.Warp(labels.Steps(moves), 0)
	i := slices.IndexFunc(got.Objects, func(o domain.Object) bool { return o.ID == "p0" })
	if i < 0 {
		t.Fatalf("p0 dropped: %+v", got.Dropped)
	}
	p := got.Objects[i].Polygon
	a, perimeter := 0.0, 0.0
	for _, r := range p {
		for j := range r {
			q, n := r[j], r[(j+1)%len(r)]
			a += q[0]*n[1] - n[0]*q[1]
			perimeter += math.Hypot(n[0]-q[0], n[1]-q[1])
		}
	}
	a = math.Abs(a) / 2
	count := 0
	for _, v := range warped.Pix {
		if v == classPolygon {
			count++
		}
	}
	full := 0.5 * math.Abs((330-200)*(160-40)-(240-200)*(60-40))
	if a >= full-1 || math.Abs(a-float64(count)) > perimeter/2 {
		t.Errorf("clipped area %.1f (of %.0f), mask pixels %d, perimeter %.0f", a, full, count, perimeter)
	}
}

// TestKeypointTurnedOutKeepsItsSlot: a keypoint a rotation takes out of
// the image becomes [0, 0, 0], in its slot; the others stay where the
// rotation puts them.
func TestKeypointTurnedOutKeepsItsSlot(t *testing.T) {
	l := &domain.Labels{Objects: []domain.Object{{ID: "p", Keypoints: []domain.Keypoint{{10, 10, 2}, {306.5, 209.5, 2}, {600, 400, 1}}}}}
	got := labels.Apply(l, mustMoves(t, plan(t, `[{"op": "rotate", "degrees": 45}]`)), domain.DefaultLabelOptions())
	k := got.Objects[0].Keypoints
	if len(k) != 3 || k[0] != (domain.Keypoint{}) || k[2] != (domain.Keypoint{}) {
		t.Fatalf("keypoints %v: want the corner points [0, 0, 0] in their slots", k)
	}
	if math.Abs(k[1][0]-306.5) > 1e-9 || math.Abs(k[1][1]-209.5) > 1e-9 || k[1][2] != 2 {
		t.Errorf("the centre moved to %v", k[1])
	}
}

// TestMarksOnAnEXIFRotatedSource: on a JPEG stored 1200×1600 with EXIF
// orientation 6 (exif-orientation-6.jpg's header), labels are in the
// displayed 1600×1200 image: marks drawn in the stored pixels are found
// where labels in displayed pixels say, as decoded and after ops.
func TestMarksOnAnEXIFRotatedSource(t *testing.T) {
	const sw, sh = 1200, 1600
	stored := image.NewGray(image.Rect(0, 0, sw, sh))
	var kps []domain.Keypoint
	for _, p := range [][2]float64{{100.5, 200.5}, {900, 300}, {600.5, 1400.5}, {250, 1000}} {
		for y := int(p[1]) - 6; y <= int(p[1])+6; y++ {
			for x := int(p[0]) - 6; x <= int(p[0])+6; x++ {
				if math.Hypot(float64(x)+0.5-p[0], float64(y)+0.5-p[1]) <= 5 {
					stored.Pix[y*sw+x] = 255
				}
			}
		}
		// orientation 6 shows the stored image turned a quarter clockwise
		kps = append(kps, domain.Keypoint{sh - p[1], p[0], 2})
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, stored, &jpeg.Options{Quality: 100}); err != nil {
		t.Fatal(err)
	}
	src := withEXIF(t, buf.Bytes(), corpus(t, "exif-orientation-6.jpg"))
	im, err := imaging.Decode(src, 50_000_000)
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	if info := im.Info(); info.Width != sh || info.Height != sw || info.Orientation != 6 {
		t.Fatalf("decoded %d×%d, orientation %d; want 1600×1200, 6", info.Width, info.Height, info.Orientation)
	}
	l := &domain.Labels{Width: sh, Height: sw, Objects: []domain.Object{{ID: "m", Keypoints: kps}}}
	for _, pipeline := range []string{`[]`, `[{"op": "hflip"}]`, `[{"op": "rotate", "degrees": 17.5}, {"op": "center_crop", "size": [1400, 1100]}]`, `[{"op": "resize", "longest": 700}]`} {
		ops := plan(t, pipeline)
		img := render(t, im, ops)
		moves, err := labels.MovesOf(ops, sh, sw)
		if err != nil {
			t.Fatal(err)
		}
		found := 0
		for i, k := range labels.Apply(l, moves, domain.DefaultLabelOptions()).Objects[0].Keypoints {
			if k[2] == 0 {
				continue // out of the image
			}
			found++
			var mass, mx, my float64
			for y := int(k[1]) - 12; y <= int(k[1])+12; y++ {
				for x := int(k[0]) - 12; x <= int(k[0])+12; x++ {
					if x < 0 || y < 0 || x >= img.w || y >= img.h {
						continue
					}
					R, _, _ := img.at(x, y)
					if w := float64(max(0, R-20)); w > 0 {
						mass, mx, my = mass+w, mx+w*(float64(x)+0.5), my+w*(float64(y)+0.5)
					}
				}
			}
			if mass == 0 || math.Hypot(mx/mass-k[0], my/mass-k[1]) > 0.5 {
				t.Errorf("%s: mark %d labelled at (%.2f, %.2f) is drawn at (%.2f, %.2f)", pipeline, i, k[0], k[1], mx/mass, my/mass)
			}
		}
		if found < 3 {
			t.Errorf("%s: %d marks in view", pipeline, found)
		}
	}
}

// withEXIF puts the EXIF segment (APP1) of from into the JPEG jpg, after
// its start marker.
func withEXIF(t *testing.T, jpg, from []byte) []byte {
	t.Helper()
	for i := 2; i+4 <= len(from); {
		n := int(binary.BigEndian.Uint16(from[i+2:]))
		if from[i+1] == 0xE1 && string(from[i+4:i+10]) == "Exif\x00\x00" {
			return slices.Concat(jpg[:2], from[i:i+2+n], jpg[2:])
		}
		i += 2 + n
	}
	t.Fatal(fmt.Errorf("no EXIF segment"))
	return nil
}
