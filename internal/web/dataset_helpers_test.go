package web

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/augment-ml/augment/internal/dataset/datasettest"
	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/events"
	"github.com/augment-ml/augment/internal/geom"
	"github.com/augment-ml/augment/internal/labels"
	"github.com/augment-ml/augment/internal/postgres"
	"github.com/augment-ml/augment/internal/storage"
	"github.com/augment-ml/augment/internal/testenv"
)

// labelWorker runs each queued job as the worker does by the labels
// contract (API.md, "Labels"): variant i is the source mirrored (even i)
// or cropped to its lower-right three quarters (odd i); its labels move
// through labels.Apply and its mask through labels.Mask.Warp, and the
// variant records them (Variant.Labels: objects, dropped, mask key). Its
// pixels are a fresh image of the output size: what a dataset test reads
// back is the labels and the sizes.
type labelWorker struct {
	t     *testing.T
	db    *postgres.DB
	blobs domain.Blobs
}

func (w labelWorker) Enqueue(_ context.Context, j *domain.Job) error {
	id := j.ID
	go func() {
		if err := w.run(context.Background(), id); err != nil {
			w.t.Errorf("running job %s: %v", id, err)
		}
	}()
	return nil
}

func (w labelWorker) run(ctx context.Context, id string) error {
	j, err := w.db.Job(ctx, id)
	if err != nil {
		return err
	}
	if err := w.db.StartJob(ctx, id); err != nil {
		return err
	}
	src, err := w.read(ctx, j.Source.Key)
	if err != nil {
		return err
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(src))
	if err != nil {
		return w.db.FailJob(ctx, id, domain.Errorf(domain.ENotImage, "The source is not an image: %v.", err))
	}
	W, H := cfg.Width, cfg.Height
	for i := range j.Spec.Variants {
		var step geom.Step
		if i%2 == 0 {
			step = geom.Step{ToInput: geom.Flip(true, W, H), W: W, H: H}
		} else {
			step = geom.Step{ToInput: geom.Crop(float64(W/4), float64(H/4)), W: W - W/4, H: H - H/4}
		}
		vl := domain.VariantLabels{Objects: []domain.Object{}, Dropped: []domain.Dropped{}}
		if j.Spec.Labels != nil {
			vl = labels.Apply(j.Spec.Labels, []labels.Move{{Step: &step}}, domain.DefaultLabelOptions())
		}
		if j.Spec.Mask != nil {
			b, err := w.read(ctx, domain.MaskKey(id))
			if err != nil {
				return err
			}
			m, err := labels.DecodeMask(b)
			if err != nil {
				return err
			}
			out, err := m.Warp([]geom.Step{step}, 0).PNG()
			if err != nil {
				return err
			}
			vl.MaskKey = fmt.Sprintf("jobs/%s/variants/%d.mask.png", id, i)
			if err := w.blobs.Put(ctx, vl.MaskKey, bytes.NewReader(out), int64(len(out)), "image/png"); err != nil {
				return err
			}
		}
		img := datasettest.JPEG(step.W, step.H)
		if format == "png" {
			img = datasettest.PNG(step.W, step.H)
		}
		key := fmt.Sprintf("jobs/%s/variants/%d.%s", id, i, domain.Ext(format))
		if err := w.blobs.Put(ctx, key, bytes.NewReader(img), int64(len(img)), ""); err != nil {
			return err
		}
		op := `[{"op": "hflip"}]`
		if i%2 == 1 {
			op = fmt.Sprintf(`[{"op": "random_crop", "size": [%d, %d], "x": %d, "y": %d}]`, step.W, step.H, W/4, H/4)
		}
		if err := w.db.PutVariant(ctx, id, domain.Variant{Index: i, Width: step.W, Height: step.H, Format: format,
			Bytes: int64(len(img)), Ops: json.RawMessage(op), Key: key, Labels: &vl}); err != nil {
			return err
		}
	}
	return w.db.FinishJob(ctx, id)
}

func (w labelWorker) read(ctx context.Context, key string) ([]byte, error) {
	rc, _, err := w.blobs.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// datasetService is the api on a real PostgreSQL and file storage, with
// labelWorker as its worker.
type datasetService struct {
	t       *testing.T
	URL     string
	db      *postgres.DB
	storage string
}

func newDatasetService(t *testing.T) *datasetService {
	ctx := context.Background()
	db, err := postgres.Open(ctx, testenv.Database(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.SetVersion(ctx, "libvips", "8.99.0-test"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	blobs, err := storage.NewFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{
		Jobs: db, Batches: db, Versions: db, Queue: labelWorker{t, db, blobs}, Blobs: blobs, Events: events.New(100 * time.Millisecond),
		SyncTimeout: time.Minute, MaxUploadBytes: 20 << 20, MaxPixels: 50_000_000, Log: slog.New(slog.DiscardHandler),
		Limits: Limits{MaxURLs: 100, MaxEntries: 1000, MaxEntryBytes: 20 << 20, MaxTotalBytes: 100 << 20},
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return &datasetService{t: t, URL: srv.URL, db: db, storage: dir}
}

// batchAnswer is the 202 answer to a dataset batch, and the batch.
type batchAnswer struct {
	ID            string                          `json:"id"`
	Status        string                          `json:"status"`
	Total         int                             `json:"total"`
	Counts        domain.Counts                   `json:"counts"`
	Format        string                          `json:"format"`
	Splits        map[string]int                  `json:"splits"`
	Classes       map[string]int                  `json:"classes"`
	Warnings      []struct{ Code, Path string }   `json:"warnings"`
	WarningsTotal int                             `json:"warnings_total"`
	Skipped       []domain.Skipped                `json:"skipped"`
	Spec          domain.Spec                     `json:"spec"`
	Error         *struct{ Code, Message string } `json:"error"`
}

// post sends an archive with form fields and returns the status and answer.
func (d *datasetService) post(archive []byte, fields map[string]string) (int, batchAnswer) {
	d.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("archive", "dataset.zip")
	_, _ = fw.Write(archive)
	_ = mw.Close()
	resp, err := http.Post(d.URL+"/api/v1/batches", mw.FormDataContentType(), &body)
	if err != nil {
		d.t.Fatal(err)
	}
	defer resp.Body.Close()
	var a batchAnswer
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		d.t.Fatalf("POST: %d, undecodable answer: %v", resp.StatusCode, err)
	}
	return resp.StatusCode, a
}

// wait polls the batch until it is done.
func (d *datasetService) wait(id string) batchAnswer {
	d.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(d.URL + "/api/v1/batches/" + id)
		if err != nil {
			d.t.Fatal(err)
		}
		var b batchAnswer
		err = json.NewDecoder(resp.Body).Decode(&b)
		resp.Body.Close()
		if err != nil {
			d.t.Fatal(err)
		}
		if b.Status == "done" {
			return b
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("batch %s still %s: %+v", id, b.Status, b.Counts)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// result downloads the batch's zip and unpacks it into a new folder.
func (d *datasetService) result(id string) string {
	d.t.Helper()
	resp, err := http.Get(d.URL + "/api/v1/batches/" + id + "/archive")
	if err != nil {
		d.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		d.t.Fatalf("GET archive: %d %v", resp.StatusCode, err)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		d.t.Fatalf("the result is no zip: %v", err)
	}
	dir := d.t.TempDir()
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			d.t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		full := filepath.Join(dir, filepath.FromSlash(f.Name))
		_ = os.MkdirAll(filepath.Dir(full), 0o755)
		if err := os.WriteFile(full, b, 0o644); err != nil {
			d.t.Fatal(err)
		}
	}
	return dir
}

// recorded are the batch's jobs as the worker left them, variants and
// their labels included.
func (d *datasetService) recorded(id string) []*domain.Job {
	d.t.Helper()
	jobs, err := d.db.Jobs(context.Background(), domain.JobFilter{BatchID: id, Limit: 1000, Variants: true})
	if err != nil {
		d.t.Fatal(err)
	}
	return jobs
}

// stored counts the files in storage.
func (d *datasetService) stored() int {
	n := 0
	_ = filepath.Walk(d.storage, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			n++
		}
		return nil
	})
	return n
}
