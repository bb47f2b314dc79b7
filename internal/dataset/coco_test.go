package dataset

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/augment-ml/augment/internal/dataset/datasettest"
	"github.com/augment-ml/augment/internal/domain"
)

// cocoFixture: non-contiguous ids that do not start at 1, a multi-part
// polygon with float vertices, a compressed and an uncompressed RLE,
// keypoints with named slots, unknown keys at every level, a wrong area,
// and an annotation id used twice.
func cocoFixture(t testing.TB) (string, string) {
	fx := datasettest.COCO()
	return tree(t, map[string][]byte{
		"annotations/instances_train.json": fx.Files["annotations/instances_train.json"],
		"images/train/x.jpg":               fx.Files["images/train/x.jpg"],
		"images/train/y.jpg":               fx.Files["images/train/y.jpg"],
		"images/train/unnamed.jpg":         jpegOf(t, 8, 8),
	}), datasettest.COCOCompressedRLE
}

func TestCOCORoundTrip(t *testing.T) {
	dir, compressed := cocoFixture(t)
	ds := readDS(t, Dir(dir), "")
	if ds.Format != COCO || strings.Join(ds.Classes, ",") != "bottle,person,ñandú" || strings.Join(ds.KeypointNames, ",") != "left_eye,right_eye,nose" {
		t.Fatalf("read %s classes %v keypoints %v", ds.Format, ds.Classes, ds.KeypointNames)
	}
	x := ds.Image("images/train/x.jpg")
	if x == nil || x.COCO.ID != 100 || x.Split != "train" || len(x.Objects) != 2 {
		t.Fatalf("x.jpg: %s", jsonOf(x))
	}
	poly := x.Objects[0].Polygon
	if len(poly) != 2 || poly[0][0] != (domain.Point{1.5, 1.25}) {
		t.Errorf("the multi-part polygon with float vertices: %v", poly)
	}
	if m := x.Objects[1].Mask; m == nil || jsonOf(m.Counts) != "[13,3,13,3,224]" {
		t.Errorf("the compressed RLE: %s", jsonOf(m))
	}
	if warningCodes(ds)[WMissingLabels] != 1 {
		t.Errorf("an image no file names gives no warning: %+v", ds.Warnings)
	}
	out := write(t, ds, dir, COCO)
	again := readDS(t, Dir(out), "")
	for _, im := range ds.Images {
		if im.Path == "images/train/unnamed.jpg" {
			continue // written into the file of its split, with no objects
		}
		// bbox is written anew from each outline: the fixture's were wrong.
		want := recomputed(im)
		if d := sameObjects(want, again.Image(im.Path).Objects, 0, false); d != "" {
			t.Errorf("%s after a round trip:\n%s", im.Path, d)
		}
	}
	raw := readJSON(t, filepath.Join(out, "annotations/instances_train.json"))
	// Unknown keys at every level are kept, ids are kept where free.
	if raw["my_tool"] == nil || raw["licenses"] == nil || !strings.Contains(jsonOf(raw["info"]), "fixture") {
		t.Errorf("top-level keys lost: %v", keys(raw))
	}
	cats := jsonOf(raw["categories"])
	if !strings.Contains(cats, `"id":7`) || !strings.Contains(cats, `"skeleton"`) || !strings.Contains(cats, `"supercategory":"animal"`) || !strings.Contains(cats, "ñandú") {
		t.Errorf("categories = %s", cats)
	}
	imgs := byFileName(raw["images"])
	if got := imgs["x.jpg"]; got["id"] != 100.0 || got["coco_url"] != "http://example/x.jpg" || got["license"] != 2.0 || got["file_name"] != "x.jpg" {
		t.Errorf("image record = %v", got)
	}
	ids := map[float64]bool{}
	for _, a := range raw["annotations"].([]any) {
		a := a.(map[string]any)
		if ids[a["id"].(float64)] {
			t.Errorf("annotation id %v written twice", a["id"])
		}
		ids[a["id"].(float64)] = true
		switch a["category_id"] {
		case 3.0: // the polygon: area is the two rings', bbox their bounds
			if a["area"] != 4.0*3.5/2+3.5*4 || jsonOf(a["bbox"]) != "[1.5,1.25,10.5,10.75]" || a["score"] != 0.93 || a["iscrowd"] != 0.0 {
				t.Errorf("polygon annotation = %v", a)
			}
		case 12.0:
			seg := a["segmentation"].(map[string]any)
			if a["image_id"] == 100.0 && (seg["counts"] != compressed || a["area"] != 6.0 || jsonOf(a["bbox"]) != "[0,13,2,3]") {
				t.Errorf("compressed RLE annotation = %v", a)
			}
			if a["image_id"] == 205.0 && (jsonOf(seg["counts"]) != "[50,3,3019]" || a["area"] != 3.0 || a["iscrowd"] != 1.0) {
				t.Errorf("uncompressed RLE annotation = %v", a)
			}
		case 7.0:
			if a["num_keypoints"] != 2.0 || jsonOf(a["attributes"]) != `{"occluded":false}` {
				t.Errorf("keypoint annotation = %v", a)
			}
		}
	}
	if !ids[9] || !ids[41] || len(ids) != 4 {
		t.Errorf("annotation ids = %v, want 9, 40, 41 kept and a fresh one for the second 40", ids)
	}
}

// TestCOCOVariantIDs: a variant gets fresh image and annotation ids, its
// file_name beside its source's, and bbox and area from its own objects.
func TestCOCOVariantIDs(t *testing.T) {
	dir, _ := cocoFixture(t)
	ds := readDS(t, Dir(dir), "")
	out := t.TempDir()
	w, _ := NewWriter(DirOutput(out), ds, COCO)
	src := ds.Image("images/train/y.jpg")
	v := *src
	v.Of, v.Path, v.Width, v.Height = src.Path, VariantPath(src.Path, 1, "jpg"), 48, 64
	v.Objects = []domain.Object{{ID: "41", Class: "person", BBox: box(1, 2, 3, 4), Keypoints: []domain.Keypoint{{2, 3, 2}, {0, 0, 0}, {0, 0, 0}}}}
	for _, im := range []*Image{&v, src} {
		if _, err := w.Add(im); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	raw := readJSON(t, filepath.Join(out, "annotations/instances_train.json"))
	imgs := raw["images"].([]any)
	variant, source := imgs[0].(map[string]any), imgs[1].(map[string]any)
	if variant["file_name"] != "y_aug01.jpg" || variant["id"] == 205.0 || variant["width"] != 48.0 || source["id"] != 205.0 {
		t.Errorf("images = %v", imgs)
	}
	anns := raw["annotations"].([]any)
	first := anns[0].(map[string]any)
	if first["id"] == 41.0 || first["id"] == 40.0 || first["id"] == 9.0 || jsonOf(first["bbox"]) != "[1,2,3,4]" || first["area"] != 12.0 || first["num_keypoints"] != 1.0 {
		t.Errorf("the variant's annotation = %v", first)
	}
}

func TestCOCOBadFiles(t *testing.T) {
	for name, tc := range map[string]struct{ body, says string }{
		"syntax":      {"{\n  \"images\": [\n    {\"id\": 1, \"file_name\": \"a.jpg\",}\n  ]\n}", "line 3"},
		"type":        {"{\n\"images\": [{\"id\": \"one\", \"file_name\": \"a.jpg\"}]}", "id"},
		"truncated":   {`{"images": [{"id": 1, "file_name": "a.jpg"}`, "ends too early"},
		"polygon":     {`{"categories": [{"id": 1, "name": "a"}], "images": [], "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "segmentation": [[1, 2, 3, 4]]}]}`, "3 or more"},
		"rle":         {`{"categories": [{"id": 1, "name": "a"}], "images": [], "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "segmentation": {"size": [2, 2], "counts": [1, 1]}}]}`, "add up"},
		"no category": {`{"categories": [{"id": 1, "name": "a"}], "images": [], "annotations": [{"id": 1, "image_id": 1, "category_id": 5}]}`, "category 5"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Read(Dir(tree(t, map[string][]byte{"annotations.json": []byte(tc.body), "a.jpg": jpegOf(t, 4, 4)})), Options{})
			if err == nil || domain.ErrorCode(err) != domain.EInvalidSpec || !strings.Contains(domain.ErrorMessage(err), "annotations.json") ||
				!strings.Contains(domain.ErrorMessage(err), tc.says) {
				t.Fatalf("err = %v, want invalid_spec naming annotations.json and %q", err, tc.says)
			}
		})
	}
}

// recomputed is an image's objects with their boxes taken from their outlines.
func recomputed(im *Image) []domain.Object {
	out := make([]domain.Object, len(im.Objects))
	for i, o := range im.Objects {
		b, _ := boxOf(o)
		b = clipBox(b, float64(im.Width), float64(im.Height))
		o.BBox = &b
		out[i] = o
	}
	return out
}

func byFileName(v any) map[string]map[string]any {
	m := map[string]map[string]any{}
	for _, x := range v.([]any) {
		rec := x.(map[string]any)
		m[rec["file_name"].(string)] = rec
	}
	return m
}

func readJSON(t testing.TB, p string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	return m
}

func keys(m map[string]any) []string {
	var k []string
	for key := range m {
		k = append(k, key)
	}
	return k
}
