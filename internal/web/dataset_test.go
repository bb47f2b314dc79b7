package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/augment-ml/augment/internal/dataset"
	"github.com/augment-ml/augment/internal/dataset/datasettest"
	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/labels"
)

// TestDatasetRoundTrips sends every layout through the service (a real
// PostgreSQL and storage; labelWorker does the worker's part by the labels
// contract) and reads the result back with the dataset reader: it is the
// same format, every variant's objects are the ones its job recorded, the
// sources are byte for byte the same, the splits not augmented are
// untouched, and the manifest and report account for every file.
func TestDatasetRoundTrips(t *testing.T) {
	d := newDatasetService(t)
	for _, fx := range datasettest.All() {
		t.Run(fx.Name, func(t *testing.T) {
			d.t = t
			status, a := d.post(fx.Zip(""), map[string]string{"variants": "2", "seed": "5", "preset": "geometric"})
			if status != http.StatusAccepted {
				t.Fatalf("POST = %d %+v", status, a.Error)
			}
			if a.Format != fx.Format || a.Total != fx.Images || sum(a.Splits) != fx.Images || a.Splits[fx.Splits[0]] == 0 {
				t.Fatalf("202 says %s, total %d, splits %v; want %s, %d images in %v", a.Format, a.Total, a.Splits, fx.Format, fx.Images, fx.Splits)
			}
			b := d.wait(a.ID)
			if b.Counts.Failed != 0 || b.Format != fx.Format {
				t.Fatalf("batch = %+v", b)
			}
			dir := d.result(a.ID)
			out, err := dataset.Read(dataset.Dir(dir), dataset.Options{})
			if err != nil {
				t.Fatalf("the result cannot be read back: %v", err)
			}
			if out.Format != dataset.Format(fx.Format) {
				t.Fatalf("the result reads as %s", out.Format)
			}
			manifest := datasettest.ReadJSONL[dataset.ManifestLine](t, filepath.Join(dir, "manifest.jsonl"))
			jobs := map[string]*domain.Job{}
			for _, j := range d.recorded(a.ID) {
				jobs[j.ID] = j
			}
			variants := 0
			for _, m := range manifest {
				im := out.Image(m.Path)
				if im == nil {
					t.Fatalf("the manifest names %s, which the result lacks", m.Path)
				}
				if m.Index == nil {
					continue
				}
				variants++
				if want := dataset.VariantPath(m.Source, *m.Index, path.Ext(m.Path)[1:]); m.Path != want {
					t.Errorf("variant %d of %s is at %s, not beside its source (%s)", *m.Index, m.Source, m.Path, want)
				}
				v := jobs[m.JobID].Variants[*m.Index]
				if diff := datasettest.SameObjects(v.Labels.Objects, im.Objects, 0.02); diff != "" {
					t.Errorf("%s: the written labels differ from the variant's:\n%s", m.Path, diff)
				}
				if v.Labels.MaskKey != "" {
					checkMask(t, d, v.Labels.MaskKey, filepath.Join(dir, filepath.FromSlash(im.Mask.Path)))
				}
			}
			if variants != 2*len(fx.Augmented) {
				t.Errorf("%d variants, want 2 for each of the %d images of %s", variants, len(fx.Augmented), fx.Splits[0])
			}
			// Every image of the result traces back to its source.
			traced := map[string]bool{}
			for _, m := range manifest {
				traced[m.Path] = m.Source != ""
			}
			for _, im := range out.Images {
				if !traced[im.Path] {
					t.Errorf("%s is in the result, but no manifest line names its source", im.Path)
				}
			}
			// The sources (images and masks) are copied byte for byte, and
			// the other splits' files are the same files.
			for _, p := range fx.Paths() {
				got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
				isImage := strings.HasSuffix(p, ".jpg") || strings.HasSuffix(p, ".png")
				if (isImage || slices.Contains(fx.PassThrough, p)) && (err != nil || !bytes.Equal(got, fx.Files[p])) {
					t.Errorf("%s is not the same file in the result (%v)", p, err)
				}
			}
			checkReport(t, filepath.Join(dir, "report.json"), fx, variants)
		})
	}
}

// TestDatasetRefusals: a label file that cannot be read, a split that is
// not there and a lossy export are 422s that name the problem, and nothing
// is queued or stored.
func TestDatasetRefusals(t *testing.T) {
	d := newDatasetService(t)
	bad := datasettest.RoboflowYOLO()
	bad.Files["train/labels/a.txt"] = []byte("0 0.5 0.5 0.25 0.5\n1 0.1 zero 0.2 0.2\n")
	badCOCO := datasettest.COCO()
	badCOCO.Files["annotations/instances_val.json"] = []byte("{\"images\": [\n {\"id\": 1, \"file_name\": \"z.jpg\"},\n {\"file_name\": \"w.jpg\"}\n]}")
	noPairs := datasettest.UltralyticsPose()
	noPairs.Files["data.yaml"] = []byte("path: .\ntrain: images/train\nval: images/val\nkpt_shape: [3, 3]\nnames:\n  0: person\n")
	badVOC := datasettest.VOC()
	badVOC.Files["Annotations/b.xml"] = []byte("<annotation>\n<object><name>boat</name>\n<bndbox><xmin>2</xmin>\n</object></annotation>")
	for _, tc := range []struct {
		name   string
		fx     datasettest.Fixture
		fields map[string]string
		says   []string
	}{
		{"yolo line", bad, nil, []string{"train/labels/a.txt line 2", `"zero"`}},
		{"coco record", badCOCO, nil, []string{"annotations/instances_val.json line 3", "images[1]", "id is missing"}},
		{"voc xml", badVOC, nil, []string{"Annotations/b.xml line 4"}},
		{"unknown split", datasettest.VOC(), map[string]string{"augment_splits": "train,tset"}, []string{`"tset"`, "train, val"}},
		{"keypoints without pairs", noPairs, map[string]string{"preset": "geometric"}, []string{"step 1 (hflip)", "can mirror the images", "flip_idx"}},
		{"lossy export", datasettest.COCO(), map[string]string{"export": "voc"}, []string{"polygons (1)", "keypoints (1)", "allow_lossy"}},
		{"nothing to write", datasettest.VOC(), map[string]string{"variants": "0", "include_originals": "false"}, []string{"include_originals"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d.t = t
			before := d.stored()
			status, a := d.post(tc.fx.Zip("my-dataset/"), tc.fields)
			if status != http.StatusUnprocessableEntity || a.Error == nil || a.Error.Code != domain.EInvalidSpec {
				t.Fatalf("POST = %d %+v", status, a.Error)
			}
			for _, s := range tc.says {
				if !strings.Contains(a.Error.Message, s) {
					t.Errorf("the refusal %q does not say %s", a.Error.Message, s)
				}
			}
			if n := d.stored(); n != before {
				t.Errorf("%d files stored by a refused batch", n-before)
			}
		})
	}
	bs, err := d.db.Batches(t.Context(), 10, "")
	if err != nil || len(bs) != 0 {
		t.Errorf("refused batches were recorded: %d, %v", len(bs), err)
	}
}

// TestDatasetOptions: the baseline (no variants) is the dataset as sent,
// done at once; augment_splits names the splits augmented; an export
// writes another format and says what it lost; a wrapping folder is
// dropped and a README kept.
func TestDatasetOptions(t *testing.T) {
	d := newDatasetService(t)
	t.Run("baseline", func(t *testing.T) {
		d.t = t
		fx := datasettest.RoboflowYOLO()
		status, a := d.post(fx.Zip("export/"), map[string]string{"variants": "0"})
		if status != http.StatusAccepted || a.Status != "done" || a.Counts.Done != fx.Images {
			t.Fatalf("POST = %d %+v", status, a)
		}
		dir := d.result(a.ID)
		for _, p := range fx.Paths() {
			got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
			if err != nil || !bytes.Equal(got, fx.Files[p]) && p != "train/labels/bare.txt" {
				t.Errorf("%s differs in the baseline (%v)", p, err)
			}
		}
		if b, err := os.ReadFile(filepath.Join(dir, "train/labels/bare.txt")); err != nil || len(b) != 0 {
			t.Errorf("the negative without a label file gets an empty one: %q %v", b, err)
		}
	})
	t.Run("augment_splits", func(t *testing.T) {
		d.t = t
		fx := datasettest.ImageFolder()
		status, a := d.post(fx.Zip(""), map[string]string{"variants": "1", "augment_splits": `["val"]`, "include_originals": "false"})
		if status != http.StatusAccepted {
			t.Fatalf("POST = %d %+v", status, a.Error)
		}
		d.wait(a.ID)
		dir := d.result(a.ID)
		files := listFiles(t, dir)
		want := "failures.jsonl manifest.jsonl report.json train/chat/1.jpg train/chat/2.jpg train/chien/3.jpg " +
			"val/chat/4_aug00.jpg val/chien/5_aug00.png"
		if strings.Join(files, " ") != want {
			t.Errorf("files = %v\nwant %s", files, want)
		}
	})
	t.Run("export", func(t *testing.T) {
		d.t = t
		status, a := d.post(datasettest.VOC().Zip(""), map[string]string{"variants": "1", "export": "coco", "allow_lossy": "true"})
		if status != http.StatusAccepted {
			t.Fatalf("POST = %d %+v", status, a.Error)
		}
		d.wait(a.ID)
		dir := d.result(a.ID)
		out, err := dataset.Read(dataset.Dir(dir), dataset.Options{})
		if err != nil || out.Format != dataset.COCO || out.Image("images/train/a_aug00.jpg") == nil || out.Image("images/val/b.jpg") == nil {
			t.Fatalf("exported as %v, %v: %v", out.Format, err, listFiles(t, dir))
		}
		var r dataset.Report
		b, _ := os.ReadFile(filepath.Join(dir, "report.json"))
		if err := json.Unmarshal(b, &r); err != nil || r.Export != dataset.COCO || len(r.Losses) != 1 || !strings.Contains(r.Losses[0].What, "VOC") {
			t.Errorf("report: export %s, losses %+v (%v)", r.Export, r.Losses, err)
		}
	})
	t.Run("lossy allowed", func(t *testing.T) {
		d.t = t
		status, a := d.post(datasettest.COCO().Zip(""), map[string]string{"variants": "1", "export": "yolo", "allow_lossy": "true"})
		if status != http.StatusAccepted {
			t.Fatalf("POST = %d %+v", status, a.Error)
		}
		d.wait(a.ID)
		dir := d.result(a.ID)
		var r dataset.Report
		b, _ := os.ReadFile(filepath.Join(dir, "report.json"))
		if err := json.Unmarshal(b, &r); err != nil || len(r.Losses) == 0 {
			t.Errorf("report losses %+v (%v)", r.Losses, err)
		}
		if _, err := dataset.Read(dataset.Dir(dir), dataset.Options{}); err != nil {
			t.Errorf("the export cannot be read back: %v", err)
		}
	})
	t.Run("label_options", func(t *testing.T) {
		d.t = t
		status, a := d.post(datasettest.VOC().Zip(""), map[string]string{"variants": "1", "label_options": `{"min_visibility": 0.9, "mask_fill": 3}`})
		if status != http.StatusAccepted {
			t.Fatalf("POST = %d %+v", status, a.Error)
		}
		for _, j := range d.recorded(a.ID) {
			if lo := j.Spec.LabelOptions; lo == nil || lo.MinVisibility != 0.9 || lo.MaskFill != 3 || lo.MinArea != 4 {
				t.Errorf("job %s has the label options %+v", j.Source.Name, lo)
			}
		}
		d.wait(a.ID)
		status, a = d.post(datasettest.VOC().Zip(""), map[string]string{"label_options": `{"min_visibility": 2}`})
		if status != http.StatusUnprocessableEntity || !strings.Contains(a.Error.Message, "min_visibility") {
			t.Errorf("bad label options: %d %+v", status, a.Error)
		}
	})
	t.Run("plain images", func(t *testing.T) {
		d.t = t
		fx := datasettest.Fixture{Files: map[string][]byte{"photos/a.jpg": datasettest.JPEG(20, 10), "b.png": datasettest.PNG(10, 10), "notes.txt": []byte("hi")}}
		// A batch's format once named the variants' image format: it still does.
		status, a := d.post(fx.Zip(""), map[string]string{"variants": "1", "format": "png"})
		if status != http.StatusAccepted || a.Format != "images" || len(a.Skipped) != 1 || a.Skipped[0].Name != "notes.txt" ||
			a.Spec.Output.Format != "png" {
			t.Fatalf("POST = %d %+v", status, a)
		}
		d.wait(a.ID)
		files := listFiles(t, d.result(a.ID))
		if strings.Join(files, " ") != "b/0.png failures.jsonl manifest.jsonl photos/a/0.jpg" {
			t.Errorf("a batch of images is laid out as before: %v", files)
		}
	})
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func checkReport(t *testing.T, p string, fx datasettest.Fixture, variants int) {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var r dataset.Report
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	before, after := sum(r.Before.Images), sum(r.After.Images)
	if string(r.Format) != fx.Format || before != fx.Images || after != fx.Images+variants || len(r.Sources) != fx.Images ||
		r.Versions.Libvips != "8.99.0-test" || r.Versions.Augment == "" || r.Seed != 5 || len(r.Pipeline) == 0 {
		t.Errorf("report: %s", b)
	}
	for _, s := range r.Sources {
		if len(s.SHA256) != 64 {
			t.Errorf("source %s has the hash %q", s.Path, s.SHA256)
		}
	}
}

// checkMask compares a written mask with the one the worker stored: the
// same class ids (a palette PNG keeps its palette: both decode alike).
func checkMask(t *testing.T, d *datasetService, key, written string) {
	want, err := os.ReadFile(filepath.Join(d.storage, filepath.FromSlash(key)))
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(written)
	if err != nil {
		t.Fatalf("the variant's mask is not written: %v", err)
	}
	a, err1 := labels.DecodeMask(want)
	b, err2 := labels.DecodeMask(got)
	if err1 != nil || err2 != nil || a.W != b.W || a.H != b.H || !bytes.Equal(a.Pix, b.Pix) || !slices.Equal(a.Pix16, b.Pix16) || len(b.Palette) == 0 {
		t.Errorf("the mask %s differs from the variant's (%v, %v)", written, err1, err2)
	}
}

func listFiles(t *testing.T, dir string) []string {
	var files []string
	_ = filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			rel, _ := filepath.Rel(dir, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(files)
	return files
}
