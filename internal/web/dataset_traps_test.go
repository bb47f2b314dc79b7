package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/augment-ml/augment/internal/dataset"
	"github.com/augment-ml/augment/internal/dataset/datasettest"
	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/labels"
)

// formats is the folder of datasets other tools wrote (../shared/formats).
const formats = "../../../shared/formats/"

// TestDatasetSamples sends the datasets other tools wrote (datumaro's test
// assets in ../shared/formats: COCO, Roboflow's COCO and YOLO, Ultralytics'
// YOLO, VOC, masks) through the service with every split augmented: the
// result reads back in the same format, each variant's written labels are
// the objects its job recorded, and each source comes back byte for byte.
func TestDatasetSamples(t *testing.T) {
	d := newDatasetService(t)
	for _, tc := range datasettest.Samples {
		t.Run(tc.Dir, func(t *testing.T) {
			d.t = t
			dir := filepath.Join(formats, tc.Dir)
			// The keypoints sample names no left/right: a pipeline that cannot mirror.
			status, a := d.post(zipOf(t, dir), map[string]string{"variants": "2", "seed": "3", "augment_splits": tc.Splits,
				"pipeline": `[{"op": "rotate", "degrees": 5}]`})
			if status != http.StatusAccepted || a.Format != tc.Format {
				t.Fatalf("POST = %d %s %+v", status, a.Format, a.Error)
			}
			if b := d.wait(a.ID); b.Counts.Failed != 0 {
				t.Fatalf("batch = %+v", b)
			}
			out := d.result(a.ID)
			ds, err := dataset.Read(dataset.Dir(out), dataset.Options{})
			if err != nil || string(ds.Format) != tc.Format {
				t.Fatalf("the result reads as %v: %v", ds, err)
			}
			jobs := map[string]*domain.Job{}
			for _, j := range d.recorded(a.ID) {
				jobs[j.ID] = j
			}
			variants := 0
			for _, m := range datasettest.ReadJSONL[dataset.ManifestLine](t, filepath.Join(out, "manifest.jsonl")) {
				im := ds.Image(m.Path)
				if im == nil {
					t.Fatalf("the manifest names %s, which the result lacks", m.Path)
				}
				if m.Index == nil {
					src, _ := os.ReadFile(filepath.Join(dir, filepath.FromSlash(m.Source)))
					if got, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(m.Path))); err != nil || !bytes.Equal(got, src) {
						t.Errorf("the source %s is not the same file in the result (%v)", m.Source, err)
					}
					continue
				}
				variants++
				v := jobs[m.JobID].Variants[*m.Index]
				if diff := datasettest.SameObjects(v.Labels.Objects, im.Objects, 0.02); diff != "" {
					t.Errorf("%s: the written labels differ from the variant's:\n%s", m.Path, diff)
				}
				// COCO's width/height and VOC's <size> are the variant's own.
				if (tc.Format == "coco" || tc.Format == "voc") && (im.DeclaredWidth != v.Width || im.DeclaredHeight != v.Height) {
					t.Errorf("%s is %d×%d; its labels say %d×%d", m.Path, v.Width, v.Height, im.DeclaredWidth, im.DeclaredHeight)
				}
				if v.Labels.MaskKey != "" {
					checkColourMask(t, d, v.Labels.MaskKey, filepath.Join(out, filepath.FromSlash(im.Mask.Path)), ds)
				}
			}
			if variants == 0 || variants != 2*a.Total {
				t.Errorf("%d variants of %d images, want 2 each", variants, a.Total)
			}
		})
	}
}

// checkColourMask compares a written mask with the one the worker stored,
// reading a colour-coded mask through the dataset's colours.
func checkColourMask(t *testing.T, d *datasetService, key, written string, ds *dataset.Dataset) {
	t.Helper()
	if ds.Masks == nil || len(ds.Masks.Colors) == 0 {
		checkMask(t, d, key, written)
		return
	}
	want, err1 := os.ReadFile(filepath.Join(d.storage, filepath.FromSlash(key)))
	got, err2 := os.ReadFile(written)
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}
	a, err1 := labels.DecodeMask(want)
	b, err2 := dataset.ColourMaskIDs(written, got, ds.Masks.Colors)
	if err1 != nil || err2 != nil || a.W != b.W || a.H != b.H || !bytes.Equal(a.Pix, b.Pix) {
		t.Errorf("the mask %s differs from the variant's (%v, %v)", written, err1, err2)
	}
}

// TestDatasetNameClashes: two images of one folder that differ only in
// their extension share a label file in YOLO and VOC (and a mask), so a
// dataset that has them is refused naming both; an export into such a
// format names the second <stem>_<ext>, so each keeps labels of its own.
// An image that two COCO records name is refused naming both.
func TestDatasetNameClashes(t *testing.T) {
	d := newDatasetService(t)
	yolo := datasettest.RoboflowYOLO()
	yolo.Files["train/images/a.png"] = datasettest.PNG(64, 48)
	voc := datasettest.VOC()
	voc.Files["JPEGImages/a.png"] = datasettest.PNG(64, 48)
	masks := datasettest.Masks()
	masks.Files["train/images/m1.png"] = datasettest.PNG(48, 32)
	twoSplits := datasettest.COCO()
	twoSplits.Files["annotations/instances_val.json"] = []byte(`{"categories": [{"id": 3, "name": "bottle"}],
 "images": [{"id": 7, "file_name": "z.jpg"}, {"id": 8, "file_name": "../train/y.jpg"}], "annotations": []}`)
	twice := datasettest.COCO()
	twice.Files["annotations/instances_val.json"] = []byte(`{"categories": [{"id": 3, "name": "bottle"}],
 "images": [{"id": 7, "file_name": "z.jpg"}, {"id": 9, "file_name": "z.jpg"}], "annotations": []}`)
	for _, tc := range []struct {
		name string
		fx   datasettest.Fixture
		says []string
	}{
		{"yolo", yolo, []string{"train/images/a.jpg and train/images/a.png", "train/labels/a.txt", "Rename one"}},
		{"voc", voc, []string{"JPEGImages/a.jpg and JPEGImages/a.png", "Annotations/a.xml"}},
		{"masks", masks, []string{"train/images/m1.jpg and train/images/m1.png", "train/masks/m1.png"}},
		{"coco, two splits", twoSplits, []string{"images/train/y.jpg", "annotations/instances_train.json (image id 205)",
			"annotations/instances_val.json (image id 8)", "leak"}},
		{"coco, one file", twice, []string{"annotations/instances_val.json names the image images/val/z.jpg twice (image ids 7 and 9)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d.t = t
			before := d.stored()
			status, a := d.post(tc.fx.Zip(""), map[string]string{"variants": "1"})
			if status != http.StatusUnprocessableEntity || a.Error == nil {
				t.Fatalf("POST = %d %+v", status, a.Error)
			}
			for _, s := range tc.says {
				if !strings.Contains(a.Error.Message, s) {
					t.Errorf("the refusal %q does not say %s", a.Error.Message, s)
				}
			}
			if d.stored() != before {
				t.Errorf("a refused dataset left files in storage")
			}
		})
	}
	t.Run("export", func(t *testing.T) {
		d.t = t
		// COCO's file_name says which image is which: a.jpg and a.png are
		// two images, which YOLO and VOC must keep apart.
		fx := datasettest.Fixture{Files: map[string][]byte{
			"annotations/instances_train.json": []byte(`{"categories": [{"id": 1, "name": "cat"}, {"id": 2, "name": "dog"}],
 "images": [{"id": 1, "file_name": "a.jpg"}, {"id": 2, "file_name": "a.png"}],
 "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [4, 4, 20, 10]},
                 {"id": 2, "image_id": 2, "category_id": 2, "bbox": [30, 20, 8, 8]}, {"id": 3, "image_id": 2, "category_id": 2, "bbox": [0, 0, 5, 5]}]}`),
			"images/train/a.jpg": datasettest.JPEG(64, 48),
			"images/train/a.png": datasettest.PNG(64, 48),
		}}
		for _, export := range []string{"yolo", "voc"} {
			status, a := d.post(fx.Zip(""), map[string]string{"variants": "2", "export": export, "output_format": "jpeg"})
			if status != http.StatusAccepted {
				t.Fatalf("POST = %d %+v", status, a.Error)
			}
			d.wait(a.ID)
			out := d.result(a.ID)
			ds, err := dataset.Read(dataset.Dir(out), dataset.Options{})
			if err != nil {
				t.Fatalf("the %s export cannot be read back: %v (%v)", export, err, listFiles(t, out))
			}
			manifest := datasettest.ReadJSONL[dataset.ManifestLine](t, filepath.Join(out, "manifest.jsonl"))
			var paths []string
			for _, m := range manifest {
				paths = append(paths, m.Path)
				im := ds.Image(m.Path)
				if im == nil {
					t.Fatalf("%s: the manifest names %s, which the result lacks", export, m.Path)
				}
				if diff := datasettest.SameObjects(m.Labels.Objects, im.Objects, 0.02); diff != "" {
					t.Errorf("%s %s (from %s) has labels not its own:\n%s", export, m.Path, m.Source, diff)
				}
			}
			// Six images, each with its own name without the extension.
			stems := map[string]bool{}
			for _, p := range paths {
				stems[strings.TrimSuffix(p, filepath.Ext(p))] = true
			}
			if len(paths) != 6 || len(stems) != 6 || !slices.Contains(paths, "images/train/a_png.png") && !slices.Contains(paths, "JPEGImages/a_png.png") {
				t.Errorf("%s: the images are at %v", export, paths)
			}
		}
	})
}

// TestDatasetInstanceMasks: a VOC tree with SegmentationObject/ instance
// masks (the sample VOC tree) is augmented; the 202, the batch and
// report.json say the variants get no instance mask, and the sources keep
// theirs; ImageSets/Segmentation lists the variants, whose class masks are
// written.
func TestDatasetInstanceMasks(t *testing.T) {
	d := newDatasetService(t)
	dir := filepath.Join(formats, "voc_dataset/voc_dataset1")
	status, a := d.post(zipOf(t, dir), map[string]string{"variants": "1", "pipeline": `[{"op": "hflip"}]`})
	if status != http.StatusAccepted {
		t.Fatalf("POST = %d %+v", status, a.Error)
	}
	said := func(ws []struct{ Code, Path string }) bool {
		return slices.ContainsFunc(ws, func(w struct{ Code, Path string }) bool {
			return w.Code == dataset.WInstanceMasks && w.Path == "SegmentationObject/2007_000001.png"
		})
	}
	if !said(a.Warnings) {
		t.Errorf("the 202 does not say the instance masks stay behind: %+v", a.Warnings)
	}
	if b := d.wait(a.ID); !said(b.Warnings) {
		t.Errorf("the batch does not say the instance masks stay behind: %+v", b.Warnings)
	}
	out := d.result(a.ID)
	src, _ := os.ReadFile(filepath.Join(dir, "SegmentationObject/2007_000001.png"))
	if got, err := os.ReadFile(filepath.Join(out, "SegmentationObject/2007_000001.png")); err != nil || !bytes.Equal(got, src) {
		t.Errorf("the source's instance mask is not copied: %v", err)
	}
	var r dataset.Report
	b, _ := os.ReadFile(filepath.Join(out, "report.json"))
	if err := json.Unmarshal(b, &r); err != nil || !slices.ContainsFunc(r.Warnings, func(w dataset.Warning) bool {
		return w.Code == dataset.WInstanceMasks && strings.Contains(w.Message, "variants get none")
	}) {
		t.Errorf("report.json does not say it: %v %s", err, b)
	}
	// The variant has its class mask, and ImageSets/Segmentation lists it
	// after its source (the test split, not augmented, as it was).
	if _, err := os.Stat(filepath.Join(out, "SegmentationClass/2007_000001_aug00.png")); err != nil {
		t.Errorf("the variant's class mask: %v (%v)", err, listFiles(t, out))
	}
	lists := func(out string) string {
		train, err1 := os.ReadFile(filepath.Join(out, "ImageSets/Segmentation/train.txt"))
		test, err2 := os.ReadFile(filepath.Join(out, "ImageSets/Segmentation/test.txt"))
		if err := errors.Join(err1, err2); err != nil {
			t.Fatal(err)
		}
		return string(train) + "|" + string(test)
	}
	if got := lists(out); got != "2007_000001\n2007_000001_aug00\n|2007_000002\n" {
		t.Errorf("ImageSets/Segmentation: %q", got)
	}
	// Without the originals, the list names what the result has.
	status, a = d.post(zipOf(t, dir), map[string]string{"variants": "1", "include_originals": "false", "pipeline": `[{"op": "hflip"}]`})
	if status != http.StatusAccepted {
		t.Fatalf("POST = %d %+v", status, a.Error)
	}
	d.wait(a.ID)
	if got := lists(d.result(a.ID)); got != "2007_000001_aug00\n|2007_000002\n" {
		t.Errorf("ImageSets/Segmentation without the originals: %q", got)
	}
}

func zipOf(t *testing.T, dir string) []byte {
	t.Helper()
	b, err := datasettest.ZipDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
