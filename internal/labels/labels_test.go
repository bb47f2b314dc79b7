package labels

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/geom"
)

func TestParseNamesTheObjectAndField(t *testing.T) {
	many := `{"objects": [` + strings.Repeat(`{"bbox": [0, 0, 1, 1]},`, MaxObjects) + `{"bbox": [0, 0, 1, 1]}]}`
	for _, tc := range []struct{ name, json, says string }{
		{"not an object", `[1, 2]`, "labels must be an object"},
		{"unknown top field", `{"objects": [], "boxes": []}`, "labels must be an object"},
		{"infinite", `{"objects": [{"bbox": [0, 0, 1, 1]}, {"bbox": [0, 1e999, 1, 1]}]}`, "labels.objects[1].bbox[1] 1e999 is not a finite number"},
		{"wrong type", `{"objects": [{"bbox": "big"}]}`, "labels.objects[0].bbox must be a list of 4 numbers"},
		{"short bbox", `{"objects": [{"bbox": [1, 2, 3]}]}`, "labels.objects[0].bbox must be a list of 4 numbers"},
		{"two-point polygon", `{"objects": [{"polygon": [[0, 0], [5, 5]]}]}`, "labels.objects[0].polygon has 2 points"},
		{"two-point ring", `{"objects": [{"polygon": [[[0, 0], [5, 5], [5, 0]], [[1, 1], [2, 2]]]}]}`, "labels.objects[0].polygon[1] has 2 points"},
		{"point not a pair", `{"objects": [{"polygon": [[0, 0], [5], [5, 0]]}]}`, "labels.objects[0].polygon[1] must be a list of 2 numbers"},
		{"class a list", `{"objects": [{"class": ["a"]}]}`, "labels.objects[0].class must be a string"},
		{"unknown field", `{"objects": [{"box": [0, 0, 1, 1]}]}`, "labels.objects[0].box is not a field"},
		{"visibility 3", `{"objects": [{"keypoints": [[1, 2, 3]]}]}`, "labels.objects[0].keypoints[0] has visibility 3"},
		{"slots differ", `{"objects": [{"class": "p", "keypoints": [[1, 2, 2]]}, {"class": "q", "keypoints": [[1, 2, 2], [3, 4, 2]]}, {"class": "p", "keypoints": [[1, 2, 2], [3, 4, 2]]}]}`,
			"labels.objects[2].keypoints has 2 slots, but objects[0] of the same class \"p\" has 1"},
		{"pair out of range", `{"objects": [{"keypoints": [[1, 2, 2], [3, 4, 2]]}], "flip_pairs": [[0, 2]]}`, "labels.flip_pairs[0] names slot 2"},
		{"names count", `{"objects": [{"keypoints": [[1, 2, 2]]}], "keypoint_names": ["a", "b"]}`, "labels.keypoint_names names 2 slots"},
		{"rle runs", `{"objects": [{"mask": {"size": [2, 2], "counts": [1, 2]}}]}`, "labels.objects[0].mask.counts covers 3 pixels"},
		{"too many", many, "holds 10001 objects"},
		{"bad width", `{"width": -3, "objects": []}`, "labels.width must be a whole number"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.json))
			if domain.ErrorCode(err) != domain.EInvalidSpec || !strings.Contains(domain.ErrorMessage(err), tc.says) {
				t.Fatalf("Parse = %v; want invalid_spec saying %q", err, tc.says)
			}
		})
	}
}

func TestParseReadsEveryShape(t *testing.T) {
	l, err := Parse([]byte(`{"width": 640, "height": 480, "keypoint_names": ["left_eye", "right_eye", "nose"],
		"objects": [{"id": 17, "class": "bouteille ✓", "bbox": [1.5, 2, 30, 40], "attributes": {"occluded": true}},
		{"polygon": [[0, 0], [10, 0], [10, 10]]},
		{"polygon": [[[0, 0], [10, 0], [10, 10]], [[20, 20], [30, 20], [30, 30]]]},
		{"keypoints": [[1, 2, 2], [3, 4, 1], [0, 0, 0]]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	want := &domain.Labels{Width: 640, Height: 480, KeypointNames: []string{"left_eye", "right_eye", "nose"},
		Objects: []domain.Object{
			{ID: "17", Class: "bouteille ✓", BBox: &domain.Box{1.5, 2, 30, 40}, Attributes: []byte(`{"occluded": true}`)},
			{ID: "1", Polygon: domain.Polygon{{{0, 0}, {10, 0}, {10, 10}}}},
			{ID: "2", Polygon: domain.Polygon{{{0, 0}, {10, 0}, {10, 10}}, {{20, 20}, {30, 20}, {30, 30}}}},
			{ID: "3", Keypoints: []domain.Keypoint{{1, 2, 2}, {3, 4, 1}, {0, 0, 0}}},
		}}
	if d := cmp.Diff(want, l); d != "" {
		t.Fatal(d)
	}
	if pairs, ok := FlipPairs(l); !ok || !cmp.Equal(pairs, [][2]int{{0, 1}}) {
		t.Errorf("pairs from names = %v, %v", pairs, ok)
	}
}

const W, H = 640, 480

// steps builds the moves of a chain of maps, starting from a W×H image.
func flipStep(horizontal bool, w, h int) Move {
	return Move{Step: &geom.Step{ToInput: geom.Flip(horizontal, w, h), W: w, H: h}}
}

func turnStep(k, w, h int) (Move, int, int) {
	m, ow, oh := geom.QuarterTurns(k, w, h)
	return Move{Step: &geom.Step{ToInput: m, W: ow, H: oh}}, ow, oh
}

func cropStep(x, y float64, w, h int) Move {
	return Move{Step: &geom.Step{ToInput: geom.Crop(x, y), W: w, H: h}}
}

func sample() *domain.Labels {
	return &domain.Labels{
		KeypointNames: []string{"left_eye", "right_eye", "nose"},
		Objects: []domain.Object{
			{ID: "box", Class: "a", BBox: &domain.Box{600, 10, 40, 20}},
			{ID: "poly", Class: "b", BBox: &domain.Box{100, 100, 100, 50}, Polygon: domain.Polygon{{{100, 100}, {200, 100}, {150, 150}}}},
			{ID: "face", Class: "c", Keypoints: []domain.Keypoint{{300, 200, 2}, {340, 200, 2}, {320, 230, 1}}},
		},
	}
}

var approx = cmpopts.EquateApprox(0, 1e-6)

func TestExactIdentities(t *testing.T) {
	l, opt := sample(), domain.DefaultLabelOptions()
	orig := Apply(l, nil, opt)
	if len(orig.Objects) != 3 || len(orig.Dropped) != 0 {
		t.Fatalf("no moves: %+v", orig)
	}
	if got := Apply(l, []Move{flipStep(true, W, H), flipStep(true, W, H)}, opt); !cmp.Equal(got, orig, approx) {
		t.Errorf("hflip twice:\n%s", cmp.Diff(orig, got, approx))
	}
	var turns []Move
	w, h := W, H
	for range 4 {
		var m Move
		m, w, h = turnStep(1, w, h)
		turns = append(turns, m)
	}
	if got := Apply(l, turns, opt); !cmp.Equal(got, orig, approx) {
		t.Errorf("rot90 four times:\n%s", cmp.Diff(orig, got, approx))
	}
	r, err := geom.AboutCentre(geom.Linear(90, 1, 0), 0, 0, W, H, H, W)
	if err != nil {
		t.Fatal(err)
	}
	turn, _, _ := turnStep(1, W, H)
	a := Apply(l, []Move{{Step: &geom.Step{ToInput: r, W: H, H: W}}}, opt)
	if b := Apply(l, []Move{turn}, opt); !cmp.Equal(a, b, approx) {
		t.Errorf("rotate 90 differs from rot90:\n%s", cmp.Diff(b, a, approx))
	}
}

func TestFlipMovesBoxesToTheMirroredPlace(t *testing.T) {
	got := Apply(sample(), []Move{flipStep(true, W, H)}, domain.DefaultLabelOptions())
	// A box touching the right edge touches the left edge: x → W − x, not W − 1 − x.
	if b := *got.Objects[0].BBox; b != (domain.Box{0, 10, 40, 20}) {
		t.Errorf("box after hflip = %v, want [0 10 40 20]", b)
	}
	if b := *got.Objects[1].BBox; b != (domain.Box{440, 100, 100, 50}) {
		t.Errorf("polygon's box after hflip = %v", b)
	}
	// The left eye is where the right eye was, mirrored.
	want := []domain.Keypoint{{300, 200, 2}, {340, 200, 2}, {320, 230, 1}}
	if k := got.Objects[2].Keypoints; !cmp.Equal(k, want) {
		t.Errorf("keypoints after hflip = %v, want %v", k, want)
	}
	// A half turn is no mirror: nothing swaps.
	half, _, _ := turnStep(2, W, H)
	got = Apply(sample(), []Move{half}, domain.DefaultLabelOptions())
	if k := got.Objects[2].Keypoints; !cmp.Equal(k, []domain.Keypoint{{340, 280, 2}, {300, 280, 2}, {320, 250, 1}}) {
		t.Errorf("keypoints after a half turn = %v", k)
	}
	// hflip then vflip is a half turn too.
	got2 := Apply(sample(), []Move{flipStep(true, W, H), flipStep(false, W, H)}, domain.DefaultLabelOptions())
	if !cmp.Equal(got, got2, approx) {
		t.Errorf("hflip∘vflip differs from a half turn:\n%s", cmp.Diff(got, got2, approx))
	}
}

func TestClippingAndFiltering(t *testing.T) {
	opt := domain.DefaultLabelOptions()
	// Crop the left half: the right-edge box is gone, with its reason.
	got := Apply(sample(), []Move{cropStep(0, 0, 320, H)}, opt)
	if len(got.Dropped) != 1 || got.Dropped[0].ID != "box" || got.Dropped[0].Reason != "outside the image" {
		t.Errorf("dropped = %+v", got.Dropped)
	}
	// A crop through the triangle: the polygon is clipped as a polygon, its
	// area is the part of the triangle left of x = 150, and its box follows it.
	got = Apply(sample(), []Move{cropStep(0, 0, 150, H)}, opt)
	poly := got.Objects[0]
	if poly.ID != "poly" {
		t.Fatalf("objects = %+v", got.Objects)
	}
	if a := area(poly.Polygon); math.Abs(a-1250) > 1e-6 {
		t.Errorf("clipped triangle area = %g, want 1250", a)
	}
	if *poly.BBox != (domain.Box{100, 100, 50, 50}) {
		t.Errorf("clipped box = %v", *poly.BBox)
	}
	// min_visibility at its boundary: half of a box is visible.
	l := &domain.Labels{Objects: []domain.Object{{ID: "half", BBox: &domain.Box{300, 0, 40, 10}}}}
	for _, tc := range []struct {
		min  float64
		kept bool
	}{{0.5, true}, {0.5000001, false}} {
		opt.MinVisibility = tc.min
		got := Apply(l, []Move{cropStep(0, 0, 320, H)}, opt)
		if kept := len(got.Objects) == 1; kept != tc.kept {
			t.Errorf("min_visibility %g: kept %v, dropped %+v", tc.min, kept, got.Dropped)
		}
	}
	opt = domain.DefaultLabelOptions()
	opt.MinArea, opt.MinSize = 100, 1
	l = &domain.Labels{Objects: []domain.Object{{ID: "small", BBox: &domain.Box{10, 10, 5, 5}}, {ID: "thin", BBox: &domain.Box{10, 10, 500, 0.5}}, {ID: "flat", BBox: &domain.Box{10, 10, 0, 5}}}}
	got = Apply(l, nil, opt)
	want := []domain.Dropped{{ID: "small", Reason: "area 25 px² < 100"}, {ID: "thin", Reason: "height 0.5 px < 1"}, {ID: "flat", Reason: "zero area"}}
	if !cmp.Equal(got.Dropped, want) {
		t.Errorf("dropped = %+v, want %+v", got.Dropped, want)
	}
}

func TestKeypointsKeepTheirSlots(t *testing.T) {
	opt := domain.DefaultLabelOptions()
	// Crop away the nose: its slot stays, as [0, 0, 0].
	got := Apply(sample(), []Move{cropStep(250, 150, 100, 60)}, opt)
	kps := got.Objects[len(got.Objects)-1].Keypoints
	want := []domain.Keypoint{{50, 50, 2}, {90, 50, 2}, {0, 0, 0}}
	if !cmp.Equal(kps, want) {
		t.Errorf("keypoints = %v, want %v", kps, want)
	}
	// A cutout over the left eye hides it; an off switch leaves it.
	holes := Move{Holes: []geom.Rect{{X0: 290, Y0: 190, X1: 310, Y1: 210}}}
	got = Apply(sample(), []Move{holes}, opt)
	if k := got.Objects[2].Keypoints[0]; k[2] != 1 {
		t.Errorf("left eye under a hole has v %g, want 1", k[2])
	}
	if k := got.Objects[2].Keypoints[1]; k[2] != 2 {
		t.Errorf("right eye outside the hole has v %g, want 2", k[2])
	}
	opt.CutoutHidesKeypoints = false
	got = Apply(sample(), []Move{holes}, opt)
	if k := got.Objects[2].Keypoints[0]; k[2] != 2 {
		t.Errorf("with cutout_hides_keypoints off, v is %g", k[2])
	}
}

func TestFlipPairsFromNames(t *testing.T) {
	for _, tc := range []struct {
		names []string
		pairs [][2]int
	}{
		{[]string{"nose", "left_eye", "right_eye", "l_ear", "r_ear"}, [][2]int{{1, 2}, {3, 4}}},
		{[]string{"head", "tail"}, nil},
	} {
		l := &domain.Labels{KeypointNames: tc.names, Objects: []domain.Object{{Keypoints: make([]domain.Keypoint, len(tc.names))}}}
		pairs, ok := FlipPairs(l)
		if !ok || !cmp.Equal(pairs, tc.pairs) {
			t.Errorf("%v: pairs %v, %v; want %v", tc.names, pairs, ok, tc.pairs)
		}
	}
	l := &domain.Labels{Objects: []domain.Object{{Keypoints: []domain.Keypoint{{1, 1, 2}}}}}
	if _, ok := FlipPairs(l); ok {
		t.Error("keypoints without names or pairs have known pairs")
	}
	l.FlipPairs = [][2]int{}
	if _, ok := FlipPairs(l); !ok {
		t.Error(`"flip_pairs": [] does not say that none swap`)
	}
}

func area(p domain.Polygon) float64 {
	a := 0.0
	for _, r := range p {
		s := 0.0
		for i := range r {
			j := (i + 1) % len(r)
			s += r[i][0]*r[j][1] - r[j][0]*r[i][1]
		}
		a += math.Abs(s) / 2
	}
	return a
}

func ExampleApply() {
	l := &domain.Labels{Objects: []domain.Object{{ID: "7", Class: "cat", BBox: &domain.Box{10, 20, 30, 40}}}}
	out := Apply(l, []Move{flipStep(true, 100, 100)}, domain.DefaultLabelOptions())
	fmt.Println(*out.Objects[0].BBox)
	// Output: [60 20 30 40]
}

func TestInstanceMasksMoveLikeTheirPixels(t *testing.T) {
	// A 4×2 block at x 2–5, y 1–2 of a 10×6 image.
	m := NewMask(10, 6, 8)
	for y := 1; y < 3; y++ {
		for x := 2; x < 6; x++ {
			m.Pix[y*10+x] = 1
		}
	}
	r, n := rleOf(m)
	if n != 8 || !equalPix(maskOf(r), m) {
		t.Fatalf("RLE round trip: %d pixels, %+v", n, r)
	}
	l := &domain.Labels{Objects: []domain.Object{{ID: "crowd", BBox: &domain.Box{2, 1, 4, 2}, Mask: r}}}
	opt := domain.DefaultLabelOptions()
	opt.MinArea = 1
	got := Apply(l, []Move{flipStep(true, 10, 6)}, opt)
	if b := *got.Objects[0].BBox; b != (domain.Box{4, 1, 4, 2}) {
		t.Errorf("mirrored mask's box = %v, want [4 1 4 2]", b)
	}
	// Crop x 0–4: half of the block stays.
	got = Apply(l, []Move{cropStep(0, 0, 4, 6)}, opt)
	if len(got.Objects) != 1 || *got.Objects[0].BBox != (domain.Box{2, 1, 2, 2}) {
		t.Fatalf("cropped: %+v", got)
	}
	opt.MinVisibility = 0.6
	if got = Apply(l, []Move{cropStep(0, 0, 4, 6)}, opt); len(got.Dropped) != 1 || got.Dropped[0].Reason != "visibility 0.5 < 0.6" {
		t.Errorf("dropped %+v", got.Dropped)
	}
}
