package e2e

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/augment-ml/augment/internal/dataset"
	"github.com/augment-ml/augment/internal/dataset/datasettest"
	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/labels"
)

// datasetBatch is the 202 answer to a dataset batch.
type datasetBatch struct {
	batch
	Format   string         `json:"format"`
	Splits   map[string]int `json:"splits"`
	Classes  map[string]int `json:"classes"`
	Warnings []struct {
		Code, Path, Message string
	} `json:"warnings"`
}

// TestDatasetsThroughTheStack sends a dataset of every layout through the
// running api and worker, zipped in a folder as people zip them, and reads
// the result back with the dataset reader: the same format; each variant
// beside its source, of the size the manifest says, with the objects the
// worker recorded for it and a mask of the source's classes; the sources
// and the splits not augmented byte for byte as sent; report.json with
// the counts, versions and hashes.
func TestDatasetsThroughTheStack(t *testing.T) {
	s := startStack(t)
	for _, fx := range datasettest.All() {
		t.Run(fx.Name, func(t *testing.T) {
			ct, body := multipartBody(t, "archive", fx.Name+".zip", fx.Zip("dataset-"+fx.Name+"/"),
				map[string]string{"variants": "3", "preset": "geometric", "seed": "21"})
			status, _, raw := s.postBatch(ct, body)
			var a datasetBatch
			_ = json.Unmarshal(raw, &a)
			if status != http.StatusAccepted || a.Format != fx.Format || a.Total != fx.Images || len(a.Classes) == 0 && fx.Format != "masks" {
				t.Fatalf("POST = %d %s", status, raw)
			}
			b := s.waitBatch(a.ID, 90*time.Second)
			if b.Counts.Failed != 0 {
				t.Fatalf("failed images: %+v\nlogs:\n%s", b.Counts, s.logs.String())
			}
			dir := unzipTo(t, download(t, s.URL+b.ArchiveHref, "application/zip"))
			out, err := dataset.Read(dataset.Dir(dir), dataset.Options{})
			if err != nil || out.Format != dataset.Format(fx.Format) {
				t.Fatalf("the result reads as %v: %v", out, err)
			}
			lines := datasettest.ReadJSONL[dataset.ManifestLine](t, filepath.Join(dir, "manifest.jsonl"))
			variants := 0
			for _, m := range lines {
				im := out.Image(m.Path)
				if im == nil {
					t.Fatalf("the manifest names %s, which the result lacks", m.Path)
				}
				if m.Index == nil {
					continue
				}
				variants++
				if im.Width != m.Width || im.Height != m.Height {
					t.Errorf("%s is %d×%d; the manifest says %d×%d", m.Path, im.Width, im.Height, m.Width, m.Height)
				}
				// A PNG source's variants stay lossless, without an output format.
				if strings.HasSuffix(m.Source, ".png") && im.Format != "png" {
					t.Errorf("%s, a variant of the PNG %s, is %s", m.Path, m.Source, im.Format)
				}
				if diff := datasettest.SameObjects(m.Labels.Objects, im.Objects, 0.02); diff != "" {
					t.Errorf("%s: the labels written differ from the variant's:\n%s", m.Path, diff)
				}
				if im.Mask != nil {
					checkMaskClasses(t, filepath.Join(dir, filepath.FromSlash(im.Mask.Path)), m.Width, m.Height)
				}
			}
			if variants != 3*len(fx.Augmented) {
				t.Errorf("%d variants, want 3 for each of %v", variants, fx.Augmented)
			}
			for _, p := range fx.Paths() {
				got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
				isImage := strings.HasSuffix(p, ".jpg") || strings.HasSuffix(p, ".png")
				if (isImage || slices.Contains(fx.PassThrough, p)) && !bytes.Equal(got, fx.Files[p]) {
					t.Errorf("%s is not the same file in the result (%v)", p, err)
				}
			}
			var r dataset.Report
			rb, _ := os.ReadFile(filepath.Join(dir, "report.json"))
			if err := json.Unmarshal(rb, &r); err != nil || r.Versions.Libvips == "" || r.Versions.Augment == "" ||
				len(r.Sources) != fx.Images || r.Seed != 21 || r.Before.Images[fx.Splits[0]] != len(fx.Augmented) {
				t.Errorf("report.json: %s (%v)", rb, err)
			}
		})
	}
}

// TestDatasetRefusedBeforeQueueing: a label file that cannot be parsed is a
// 422 naming the file and the line, and no batch is left behind.
func TestDatasetRefusedBeforeQueueing(t *testing.T) {
	s := startStack(t)
	fx := datasettest.UltralyticsPose()
	fx.Files["labels/train/p2.txt"] = []byte("0 0.5 0.5 0.8 0.8 0.3 0.3 2 0.7 0.3 2\n")
	ct, body := multipartBody(t, "archive", "pose.zip", fx.Zip(""), map[string]string{"variants": "1"})
	resp, err := http.Post(s.URL+"/api/v1/batches", ct, body)
	if err != nil {
		t.Fatal(err)
	}
	checkError(t, resp, 422, "invalid_spec", "labels/train/p2.txt line 1")
	var list struct{ Batches []batch }
	if s.getJSON("/api/v1/batches", &list); len(list.Batches) != 0 {
		t.Errorf("a refused dataset left %d batches", len(list.Batches))
	}
	if files := listTree(t, s.Storage); slices.ContainsFunc(files, func(f string) bool { return !strings.HasPrefix(f, "examples/") }) {
		t.Errorf("a refused dataset left files: %v", files)
	}
}

// checkMaskClasses reads a variant's mask: a one-band PNG of the variant's
// size whose classes are the fixtures' (0, 1, 2: nearest sampling invents
// none), its palette kept.
func checkMaskClasses(t *testing.T, p string, w, h int) {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Errorf("the variant's mask: %v", err)
		return
	}
	m, err := labels.DecodeMask(b)
	if err != nil || m.W != w || m.H != h || len(m.Palette) == 0 {
		t.Errorf("the mask %s: %v; %dx%d, want %dx%d with a palette", p, err, m.W, m.H, w, h)
		return
	}
	for v := range m.Values() {
		if v > 2 {
			t.Errorf("the mask %s holds the class %d, which no source has", p, v)
		}
	}
}

// unzipTo unpacks a zip into a new folder.
func unzipTo(t *testing.T, data []byte) string {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	dir := t.TempDir()
	for _, f := range zr.File {
		if err := dataset.CheckPath(f.Name); err != nil {
			t.Fatal(err)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		full := filepath.Join(dir, filepath.FromSlash(f.Name))
		_ = os.MkdirAll(filepath.Dir(full), 0o755)
		if err := os.WriteFile(full, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func listTree(t *testing.T, dir string) []string {
	var files []string
	_ = filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			rel, _ := filepath.Rel(dir, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	return files
}

// TestCLILabelledDatasets drives augment dataset on a YOLO folder and a
// COCO folder against the running service: the result unpacked in --out
// reads back as the same format with the objects each variant's job
// recorded, the sources as they were.
func TestCLILabelledDatasets(t *testing.T) {
	s := startStack(t)
	for _, fx := range []datasettest.Fixture{datasettest.RoboflowYOLO(), datasettest.COCO()} {
		t.Run(fx.Name, func(t *testing.T) {
			in := t.TempDir()
			if err := fx.Write(in); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "aug")
			code, stdout, stderr := runCLI(t, []string{"AUGMENT_URL=" + s.URL}, "dataset", in, "--variants", "2", "--preset", "geometric",
				"--seed", "4", "--out", out)
			if code != 0 {
				t.Fatalf("exit %d\nstdout %s\nstderr %s\nlogs %s", code, stdout, stderr, s.logs.String())
			}
			if !strings.Contains(stderr, fx.Format+" dataset: ") {
				t.Errorf("the CLI does not say what it found: %q", stderr)
			}
			ds, err := dataset.Read(dataset.Dir(out), dataset.Options{})
			if err != nil || ds.Format != dataset.Format(fx.Format) {
				t.Fatalf("the result reads as %v: %v", ds, err)
			}
			byJob := jobsOf(t, s, out)
			n := 0
			for _, m := range datasettest.ReadJSONL[dataset.ManifestLine](t, filepath.Join(out, "manifest.jsonl")) {
				if m.Index == nil {
					continue
				}
				n++
				// The variant's labels as its job's JSON gives them.
				want := byJob[m.JobID][*m.Index]
				if diff := datasettest.SameObjects(want, ds.Image(m.Path).Objects, 0.02); diff != "" {
					t.Errorf("%s:\n%s", m.Path, diff)
				}
			}
			if n != 2*len(fx.Augmented) {
				t.Errorf("%d variants, want %d", n, 2*len(fx.Augmented))
			}
			for _, p := range fx.Augmented {
				if got, _ := os.ReadFile(filepath.Join(out, filepath.FromSlash(p))); !bytes.Equal(got, fx.Files[p]) {
					t.Errorf("the original %s is not copied byte for byte", p)
				}
			}
		})
	}
}

// jobsOf reads the variants' labels of every job the manifest names, from
// the job JSON of the API.
func jobsOf(t *testing.T, s *stack, out string) map[string]map[int][]domain.Object {
	byJob := map[string]map[int][]domain.Object{}
	for _, m := range datasettest.ReadJSONL[dataset.ManifestLine](t, filepath.Join(out, "manifest.jsonl")) {
		if _, ok := byJob[m.JobID]; ok {
			continue
		}
		var j struct {
			Variants []struct {
				Index  int `json:"index"`
				Labels *struct {
					Objects []domain.Object `json:"objects"`
				} `json:"labels"`
			} `json:"variants"`
		}
		if st := s.getJSON("/api/v1/jobs/"+m.JobID, &j); st != http.StatusOK {
			t.Fatalf("GET job %s: %d", m.JobID, st)
		}
		byJob[m.JobID] = map[int][]domain.Object{}
		for _, v := range j.Variants {
			if v.Labels == nil {
				t.Fatalf("job %s: variant %d has no labels in its JSON", m.JobID, v.Index)
			}
			byJob[m.JobID][v.Index] = v.Labels.Objects
		}
	}
	return byJob
}

// TestBrowserDataset submits a YOLO archive from the home page's dataset
// tab, reads what was found on the batch page, and downloads the result.
func TestBrowserDataset(t *testing.T) {
	s := startStack(t)
	fx := datasettest.RoboflowYOLO()
	archive := filepath.Join(t.TempDir(), "roboflow.zip")
	if err := os.WriteFile(archive, fx.Zip("roboflow/"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := browser(t)
	downloads := t.TempDir()
	progress := chromedp.Events(ctx, cdpbrowser.DownloadProgress)
	run(t, ctx, s, "submitting the dataset",
		chromedp.Navigate(s.URL+"/?tab=batch"),
		chromedp.WaitVisible(chromedp.CSS(`#batch-form`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#batch-archive`), []string{archive}),
		chromedp.SetValue(chromedp.CSS(`#batch-variants`), "2"),
		chromedp.SetValue(chromedp.CSS(`#batch-seed`), "9"),
		chromedp.Click(chromedp.CSS(`#batch-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#live.batch[data-status=done]`)),
	)
	shot(t, ctx, "batch-dataset")
	summary := eval[string](t, ctx, `document.querySelector(".dataset-summary").innerText`)
	for _, want := range []string{"yolo", "train 3", "valid 1", "猫", "bouteille ü", "bare.jpg"} {
		if !strings.Contains(summary, want) {
			t.Errorf("the batch page's summary does not say %q:\n%s", want, summary)
		}
	}
	run(t, ctx, s, "downloading the result",
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
				Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: downloads, EventsEnabled: new(true),
			})
			return err
		}),
		chromedp.Click(chromedp.CSS(`a.download`)),
	)
	var file string
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("download: %v", err)
		}
		if ev.State == cdpbrowser.DownloadProgressStateCompleted {
			file = filepath.Join(downloads, ev.GUID)
			break
		}
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("the download: %v", err)
	}
	dir := unzipTo(t, data)
	ds, err := dataset.Read(dataset.Dir(dir), dataset.Options{})
	if err != nil || ds.Format != dataset.YOLO || ds.Image("train/images/a_aug01.jpg") == nil {
		t.Fatalf("the downloaded dataset: %v, %v", ds, err)
	}
}
