package e2e

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/augment-ml/augment/internal/dataset"
	"github.com/augment-ml/augment/internal/dataset/datasettest"
)

// TestDatasetSamplesThroughTheStack sends the datasets other tools wrote
// (../shared/formats: datumaro's COCO, Roboflow's COCO and YOLO,
// Ultralytics' YOLO, a VOC tree with colour masks, masks with
// dataset_meta.json) through the api and the real worker, every split
// augmented: the result reads back in its format, each variant with the
// objects its job's JSON gives, its size in its labels, its mask of its
// size; the sources byte for byte.
func TestDatasetSamplesThroughTheStack(t *testing.T) {
	s := startStack(t)
	for _, tc := range datasettest.Samples {
		t.Run(tc.Dir, func(t *testing.T) {
			dir := filepath.Join("../../shared/formats", tc.Dir)
			ct, body := multipartBody(t, "archive", "sample.zip", zipOf(t, dir), map[string]string{
				"variants": "2", "seed": "8", "augment_splits": tc.Splits,
				"pipeline": `[{"op": "rotate", "degrees": [-20, 20]}, {"op": "resize", "size": [40, 24]}]`})
			status, _, raw := s.postBatch(ct, body)
			var a datasetBatch
			_ = json.Unmarshal(raw, &a)
			if status != http.StatusAccepted || a.Format != tc.Format {
				t.Fatalf("POST = %d %s", status, raw)
			}
			b := s.waitBatch(a.ID, 90*time.Second)
			if b.Counts.Failed != 0 {
				t.Fatalf("failed images: %+v\nlogs:\n%s", b.Counts, s.logs.String())
			}
			out := unzipTo(t, download(t, s.URL+b.ArchiveHref, "application/zip"))
			ds, err := dataset.Read(dataset.Dir(out), dataset.Options{})
			if err != nil || string(ds.Format) != tc.Format {
				t.Fatalf("the result reads as %v: %v", ds, err)
			}
			byJob := jobsOf(t, s, out)
			n := 0
			for _, m := range datasettest.ReadJSONL[dataset.ManifestLine](t, filepath.Join(out, "manifest.jsonl")) {
				im := ds.Image(m.Path)
				if im == nil {
					t.Fatalf("the manifest names %s, which the result lacks", m.Path)
				}
				if m.Index == nil {
					src, _ := os.ReadFile(filepath.Join(dir, filepath.FromSlash(m.Source)))
					if got, _ := os.ReadFile(filepath.Join(out, filepath.FromSlash(m.Path))); !bytes.Equal(got, src) {
						t.Errorf("the source %s is not copied byte for byte", m.Source)
					}
					continue
				}
				n++
				if diff := datasettest.SameObjects(byJob[m.JobID][*m.Index], im.Objects, 0.02); diff != "" {
					t.Errorf("%s: the labels written differ from its job's:\n%s", m.Path, diff)
				}
				if im.Width != 40 || im.Height != 24 || (tc.Format == "coco" || tc.Format == "voc") && (im.DeclaredWidth != 40 || im.DeclaredHeight != 24) {
					t.Errorf("%s is %d×%d, its labels say %d×%d; want 40×24", m.Path, im.Width, im.Height, im.DeclaredWidth, im.DeclaredHeight)
				}
				if im.Mask != nil {
					mb, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(im.Mask.Path)))
					if err == nil && im.Mask.RGB {
						_, err = dataset.ColourMaskIDs(im.Mask.Path, mb, ds.Masks.Colors)
					}
					if err != nil || im.Mask.Width != 40 || im.Mask.Height != 24 {
						t.Errorf("the mask of %s: %v, %d×%d", m.Path, err, im.Mask.Width, im.Mask.Height)
					}
				}
			}
			if n != 2*a.Total {
				t.Errorf("%d variants of %d images, want 2 each", n, a.Total)
			}
		})
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
