package dataset

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/augment-ml/augment/internal/domain"
)

// TestConversionsReportLosses: each conversion lists what it cannot carry,
// is refused unless allow_lossy, and what it can carry survives.
func TestConversionsReportLosses(t *testing.T) {
	cocoDir, _ := cocoFixture(t)
	coco := readDS(t, Dir(cocoDir), "")
	vocDir := vocFixture(t)
	voc := readDS(t, Dir(vocDir), "")
	for _, tc := range []struct {
		name string
		ds   *Dataset
		to   Format
		lost []string
	}{
		{"coco to voc", coco, VOC, []string{"polygons (1)", "RLE masks (2)", "keypoints (1)", "attributes (1)"}},
		{"coco to yolo", coco, YOLO, []string{"polygons (1)", "RLE masks (2)", "attributes (1)"}}, // keypoints make it a pose dataset
		{"voc to coco", voc, COCO, []string{"VOC difficult, truncated, pose and parts (3)"}},
		{"voc to yolo", voc, YOLO, []string{"VOC difficult, truncated, pose and parts (3)"}},
		{"coco to coco", coco, COCO, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			losses, err := CheckExport(tc.ds, tc.to, false)
			var got []string
			for _, l := range losses {
				got = append(got, l.What+" ("+strconv.Itoa(l.Count)+")")
			}
			if strings.Join(got, "; ") != strings.Join(tc.lost, "; ") {
				t.Errorf("losses = %v, want %v", got, tc.lost)
			}
			if len(tc.lost) == 0 {
				if err != nil {
					t.Errorf("a lossless export refused: %v", err)
				}
				return
			}
			if err == nil || domain.ErrorCode(err) != domain.EInvalidSpec || !strings.Contains(domain.ErrorMessage(err), "allow_lossy") ||
				!strings.Contains(domain.ErrorMessage(err), tc.lost[0]) {
				t.Errorf("err = %v, want a refusal naming %s", err, tc.lost[0])
			}
			if _, err := CheckExport(tc.ds, tc.to, true); err != nil {
				t.Errorf("refused with allow_lossy: %v", err)
			}
		})
	}
}

// TestConversionsKeepBoxes: boxes survive every export, in every
// direction, to float precision (VOC to two decimals).
func TestConversionsKeepBoxes(t *testing.T) {
	vocDir := vocFixture(t)
	voc := readDS(t, Dir(vocDir), "")
	for _, path := range [][]Format{{COCO, VOC}, {YOLO, VOC}, {COCO, YOLO, COCO, VOC}} {
		ds, dir := voc, vocDir
		for _, f := range path {
			dir = write(t, ds, dir, f)
			ds = readDS(t, Dir(dir), "")
			if ds.Format != f {
				t.Fatalf("%v: wrote %s, read back %s", path, f, ds.Format)
			}
		}
		for _, im := range voc.Images {
			back := byBase(ds)[strings.TrimPrefix(im.Path, "JPEGImages/")]
			if back == nil {
				t.Fatalf("%v: %s is gone", path, im.Path)
			}
			if d := sameObjects(im.Objects, back.Objects, 1e-4, false); d != "" {
				t.Errorf("%v: %s:\n%s", path, im.Path, d)
			}
			if back.Split != im.Split {
				t.Errorf("%v: %s is in %q, was in %q", path, im.Path, back.Split, im.Split)
			}
		}
	}
}

// TestConversionKeepsPolygonsAndKeypoints: COCO polygons become YOLO
// segments, and COCO keypoints YOLO pose lines (with flip_idx from the
// left_/right_ names), and come back.
func TestConversionKeepsPolygonsAndKeypoints(t *testing.T) {
	ds := &Dataset{Format: COCO, Classes: []string{"person"}, KeypointNames: []string{"left_eye", "right_eye"}, Images: []*Image{{
		Path: "images/train/p.jpg", Split: "train", Width: 40, Height: 20,
		Objects: []domain.Object{{ID: "1", Class: "person", BBox: box(10, 2, 20, 10),
			Keypoints: []domain.Keypoint{{12, 4, 2}, {28, 4, 1}}}},
	}}}
	seg := &Dataset{Format: COCO, Classes: []string{"person"}, Images: []*Image{{
		Path: "images/train/s.jpg", Split: "train", Width: 40, Height: 20,
		Objects: []domain.Object{{ID: "1", Class: "person", Polygon: domain.Polygon{{{1, 1}, {30.5, 1}, {15, 19}}}}},
	}}}
	dir := tree(t, map[string][]byte{"images/train/p.jpg": jpegOf(t, 40, 20), "images/train/s.jpg": jpegOf(t, 40, 20)})
	yolo := readDS(t, Dir(write(t, ds, dir, YOLO)), "")
	p := yolo.Image("images/train/p.jpg")
	if yolo.KeypointDims != 3 || jsonOf(yolo.FlipPairs) != "[[0,1]]" || len(p.Objects) != 1 || !nearKeypoints(p.Objects[0].Keypoints, ds.Images[0].Objects[0].Keypoints, 1e-4) {
		t.Errorf("pose: dims %d pairs %v %s", yolo.KeypointDims, yolo.FlipPairs, jsonOf(p))
	}
	s := readDS(t, Dir(write(t, seg, dir, YOLO)), "").Image("images/train/s.jpg")
	if len(s.Objects) != 1 || !nearPolygon(s.Objects[0].Polygon, seg.Images[0].Objects[0].Polygon, 1e-4) {
		t.Errorf("segment: %s", jsonOf(s))
	}
}

// TestClassNamesStayUTF8: a class named ñandú is written as ñandú in every
// format's own files (data.yaml, a VOC .xml, a COCO category), never
// escaped or rewritten to ASCII.
func TestClassNamesStayUTF8(t *testing.T) {
	dir, _ := cocoFixture(t)
	ds := readDS(t, Dir(dir), "")
	for format, file := range map[Format]string{YOLO: "data.yaml", VOC: "Annotations/x.xml", COCO: "annotations/instances_train.json"} {
		out := write(t, ds, dir, format)
		b, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(file)))
		if err != nil || !strings.Contains(string(b), "ñandú") {
			t.Errorf("%s: %s does not say ñandú (%v):\n%s", format, file, err, b)
		}
		again := readDS(t, Dir(out), "")
		if !slices.Contains(again.Classes, "ñandú") {
			t.Errorf("%s: read back, the classes are %q", format, again.Classes)
		}
	}
}
