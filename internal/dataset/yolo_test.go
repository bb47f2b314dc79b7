package dataset

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/augment-ml/augment/internal/domain"
)

// roboflowYOLO is a Roboflow export: train/images + train/labels, a
// data.yaml whose val path names ../valid/images, names as a map with UTF-8.
func roboflowYOLO(t testing.TB) string {
	return tree(t, map[string][]byte{
		"data.yaml":             []byte("train: ../train/images\nval: ../valid/images\n\nnc: 3\nnames: {0: 'bouteille ü', 1: '猫', 2: person}\n"),
		"train/images/a.jpg":    jpegOf(t, 64, 48),
		"train/labels/a.txt":    []byte("0 0.5 0.5 0.25 0.5\n1 0.1 0.1 0.2 0.2\n"),
		"train/images/neg.jpg":  jpegOf(t, 32, 32),
		"train/labels/neg.txt":  nil,
		"train/images/bare.jpg": jpegOf(t, 32, 32),
		"valid/images/b.jpg":    jpegOf(t, 100, 50),
		"valid/labels/b.txt":    []byte("2 0.1 0.1 0.5 0.1 0.3 0.6\n0 0.5 0.5 1 1\n"),
		"README.roboflow.txt":   []byte("exported"),
	})
}

func TestYOLORoboflowRoundTrip(t *testing.T) {
	dir := roboflowYOLO(t)
	ds := readDS(t, Dir(dir), "")
	if ds.Format != YOLO || strings.Join(ds.Splits, ",") != "train,valid" || strings.Join(ds.Classes, ",") != "bouteille ü,猫,person" {
		t.Fatalf("read %s, splits %v, classes %q", ds.Format, ds.Splits, ds.Classes)
	}
	a := ds.Image("train/images/a.jpg")
	if a == nil || sameObjects(a.Objects, []domain.Object{
		{ID: "0", Class: "bouteille ü", BBox: box(24, 12, 16, 24)},
		{ID: "1", Class: "猫", BBox: box(0, 0, 12.8, 9.6)},
	}, 1e-9, true) != "" {
		t.Fatalf("a.jpg: %s", jsonOf(a))
	}
	b := ds.Image("valid/images/b.jpg")
	// A box over the whole image is [0, 0, W, H]: pixel edges, not centres.
	if len(b.Objects) != 2 || !nearBox(b.Objects[1].BBox, box(0, 0, 100, 50), 1e-9) || !nearPolygon(b.Objects[0].Polygon, domain.Polygon{{{10, 5}, {50, 5}, {30, 30}}}, 1e-9) ||
		!nearBox(b.Objects[0].BBox, box(10, 5, 40, 25), 1e-9) {
		t.Fatalf("b.jpg segment: %s", jsonOf(b.Objects))
	}
	if w := warningCodes(ds); w[WMissingLabels] != 1 || w[WSplitPath] != 0 || len(ds.Warnings) != 1 {
		t.Errorf("warnings = %+v", ds.Warnings)
	}
	out := write(t, ds, dir, YOLO)
	again := readDS(t, Dir(out), "")
	for _, im := range ds.Images {
		if d := sameObjects(im.Objects, again.Image(im.Path).Objects, 1e-4, true); d != "" {
			t.Errorf("%s after a round trip:\n%s", im.Path, d)
		}
	}
	if got, _ := os.ReadFile(filepath.Join(out, "data.yaml")); string(got) != "train: ../train/images\nval: ../valid/images\n\nnc: 3\nnames: {0: 'bouteille ü', 1: '猫', 2: person}\n" {
		t.Errorf("data.yaml not kept: %q", got)
	}
	for _, neg := range []string{"train/labels/neg.txt", "train/labels/bare.txt"} {
		if b, err := os.ReadFile(filepath.Join(out, neg)); err != nil || len(b) != 0 {
			t.Errorf("the negative %s: %q %v, want an empty file", neg, b, err)
		}
	}
}

// TestYOLOUltralyticsPose reads images/train + labels/train with
// kpt_shape [3, 3] and flip_idx, and [2, 2] (no visibility).
func TestYOLOUltralyticsPose(t *testing.T) {
	for _, tc := range []struct {
		name, yaml, line string
		want             []domain.Keypoint
	}{
		{"xyv", "kpt_shape: [3, 3]\nflip_idx: [1, 0, 2]\n", "0 0.5 0.5 0.5 0.5 0.25 0.5 2 0.75 0.5 1 0 0 0\n",
			[]domain.Keypoint{{25, 20, 2}, {75, 20, 1}, {0, 0, 0}}},
		{"xy", "kpt_shape: [2, 2]\nflip_idx: [1, 0]\n", "0 0.5 0.5 0.5 0.5 0.25 0.5 0 0\n",
			[]domain.Keypoint{{25, 20, 2}, {0, 0, 0}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := tree(t, map[string][]byte{
				"data.yaml":             []byte("path: .\ntrain: images/train\nval: images/val\nnames: [person]\n" + tc.yaml),
				"images/train/p.jpg":    jpegOf(t, 100, 40),
				"labels/train/p.txt":    []byte(tc.line),
				"images/val/q.jpg":      jpegOf(t, 100, 40),
				"labels/val/q.txt":      []byte(tc.line),
				"labels/val/orphan.txt": []byte(tc.line),
			})
			ds := readDS(t, Dir(dir), "")
			p := ds.Image("images/train/p.jpg")
			if ds.Format != YOLO || p == nil || len(p.Objects) != 1 || !nearKeypoints(p.Objects[0].Keypoints, tc.want, 1e-9) ||
				!nearBox(p.Objects[0].BBox, box(25, 10, 50, 20), 1e-9) {
				t.Fatalf("read: %s %s", ds.Format, jsonOf(p))
			}
			if jsonOf(ds.FlipPairs) != "[[0,1]]" {
				t.Errorf("flip pairs = %v, want [[0 1]] from flip_idx", ds.FlipPairs)
			}
			if warningCodes(ds)[WMissingImage] != 1 {
				t.Errorf("a label file with no image gives no warning: %+v", ds.Warnings)
			}
			out := write(t, ds, dir, YOLO)
			again := readDS(t, Dir(out), "")
			if d := sameObjects(p.Objects, again.Image(p.Path).Objects, 1e-4, true); d != "" {
				t.Errorf("round trip:\n%s", d)
			}
			line, _ := os.ReadFile(filepath.Join(out, "labels/train/p.txt"))
			if n := len(strings.Fields(string(line))); n != len(strings.Fields(tc.line)) {
				t.Errorf("wrote %q: %d numbers, the source line has %d", line, n, len(strings.Fields(tc.line)))
			}
		})
	}
}

// TestYOLOWritesClampedSixDigits: a box that leaves the image is clipped,
// then normalised and clamped to [0, 1]; values keep 6 significant digits.
func TestYOLOWritesClampedSixDigits(t *testing.T) {
	ds := &Dataset{Format: COCO, Classes: []string{"a", "猫 ü"}, Images: []*Image{{
		Path: "x.jpg", Width: 641, Height: 479, Split: "train",
		Objects: []domain.Object{
			{ID: "1", Class: "a", BBox: box(-10, 5, 30, 10)},           // leaves on the left
			{ID: "2", Class: "a", BBox: box(600, 470, 100, 100)},       // leaves bottom right
			{ID: "3", Class: "a", BBox: box(1.0/3, 2.0/7, 100.1, 3.3)}, // long decimals
		},
	}}}
	out := t.TempDir()
	w, _ := NewWriter(DirOutput(out), ds, YOLO)
	if _, err := w.Add(ds.Images[0]); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(out, "labels/train/x.txt"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	want := [][4]float64{
		{10.0 / 641, 10.0 / 479, 20.0 / 641, 10.0 / 479},
		{(600 + 41.0/2) / 641, (470 + 9.0/2) / 479, 41.0 / 641, 9.0 / 479},
		{(1.0/3 + 100.1/2) / 641, (2.0/7 + 3.3/2) / 479, 100.1 / 641, 3.3 / 479},
	}
	for i, l := range lines {
		f := strings.Fields(l)
		for k := range 4 {
			v, err := strconv.ParseFloat(f[k+1], 64)
			if err != nil || v < 0 || v > 1 || strings.ContainsAny(f[k+1], "eE") {
				t.Fatalf("line %d: %q is not a plain number in [0, 1]", i+1, f[k+1])
			}
			if rel := (v - want[i][k]) / want[i][k]; rel > 1e-6 || rel < -1e-6 {
				t.Errorf("line %d value %d = %s, want %.9f (6 significant digits)", i+1, k, f[k+1], want[i][k])
			}
		}
	}
	if data, _ := os.ReadFile(filepath.Join(out, "data.yaml")); !strings.Contains(string(data), `names: ["a", "猫 ü"]`) || !strings.Contains(string(data), "train: images/train") {
		t.Errorf("data.yaml = %s", data)
	}
}

// TestYOLOOneNamesOrder: the class ids of every split index one names list,
// written in the order read (supervision#267).
func TestYOLOOneNamesOrder(t *testing.T) {
	dir := tree(t, map[string][]byte{
		"data.yaml":          []byte("names: [zebra, apple, mango]\n"),
		"images/train/a.jpg": jpegOf(t, 10, 10),
		"labels/train/a.txt": []byte("2 0.5 0.5 0.2 0.2\n"),
		"images/val/b.jpg":   jpegOf(t, 10, 10),
		"labels/val/b.txt":   []byte("0 0.5 0.5 0.2 0.2\n"),
		"images/test/c.jpg":  jpegOf(t, 10, 10),
		"labels/test/c.txt":  []byte("1 0.5 0.5 0.2 0.2\n"),
	})
	ds := readDS(t, Dir(dir), "")
	for p, class := range map[string]string{"images/train/a.jpg": "mango", "images/val/b.jpg": "zebra", "images/test/c.jpg": "apple"} {
		if got := ds.Image(p).Objects[0].Class; got != class {
			t.Errorf("%s: class %q, want %q", p, got, class)
		}
	}
	// Converted to COCO and back, the ids still index the same names.
	coco := write(t, ds, dir, COCO)
	back := readDS(t, Dir(write(t, readDS(t, Dir(coco), ""), coco, YOLO)), "")
	if strings.Join(back.Classes, ",") != "zebra,apple,mango" {
		t.Errorf("names after YOLO → COCO → YOLO: %v", back.Classes)
	}
	for _, im := range back.Images {
		if want := ds.Image(im.Path).Objects[0].Class; im.Objects[0].Class != want {
			t.Errorf("%s: %s, want %s", im.Path, im.Objects[0].Class, want)
		}
	}
}

func TestYOLOBadLines(t *testing.T) {
	for name, tc := range map[string]struct{ file, body, says string }{
		"word":       {"labels/train/a.txt", "0 0.5 0.5 0.2 0.2\n\n0 0.5 abc 0.2 0.2\n", "labels/train/a.txt line 3"},
		"short":      {"labels/train/a.txt", "0 0.5 0.5 0.2\n", "line 1"},
		"class":      {"labels/train/a.txt", "x 0.5 0.5 0.2 0.2\n", "line 1"},
		"past names": {"labels/train/a.txt", "0 0.5 0.5 0.2 0.2\n7 0.5 0.5 0.2 0.2\n", "line 2: the class 7"},
		"nan":        {"labels/train/a.txt", "0 NaN 0.5 0.2 0.2\n", "line 1"},
		"yaml":       {"data.yaml", "names: [a, b\nnc: 2\n", "data.yaml"},
		"yaml names": {"data.yaml", "names: 3\n", "data.yaml"},
		"kpt_shape":  {"data.yaml", "names: [a]\nkpt_shape: [3]\n", "kpt_shape"},
	} {
		t.Run(name, func(t *testing.T) {
			files := map[string][]byte{"data.yaml": []byte("names: [a, b]\n"), "images/train/a.jpg": jpegOf(t, 8, 8), "labels/train/a.txt": nil}
			files[tc.file] = []byte(tc.body)
			_, err := Read(Dir(tree(t, files)), Options{})
			if err == nil || domain.ErrorCode(err) != domain.EInvalidSpec || !strings.Contains(domain.ErrorMessage(err), tc.says) {
				t.Fatalf("err = %v, want invalid_spec saying %q", err, tc.says)
			}
		})
	}
}
