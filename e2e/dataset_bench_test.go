package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/augment-ml/augment/internal/dataset/datasettest"
)

// BenchmarkSubmitCOCO times POST /api/v1/batches with a COCO dataset of N
// images (rocket.jpg and retina.jpg in turn, four objects each), streamed
// from disk as the CLI sends it, until the 202: every label read and
// checked, every image stored, the jobs recorded and queued (no worker
// runs). It reports the api's peak RSS, which grows with the labels, not
// with the images.
//
//	go test -run '^$' -bench SubmitCOCO -benchtime 1x ./e2e
func BenchmarkSubmitCOCO(b *testing.B) {
	for _, n := range []int{1000, 5000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			path := benchCOCO(b, n)
			s := startStack(b, "ARCHIVE_MAX_BYTES=4294967296")
			s.KillWorker()
			idle := s.apiPeakRSS()
			var took time.Duration
			for b.Loop() {
				start := time.Now()
				total := postFile(b, s.URL+"/api/v1/batches", path, map[string]string{"variants": "4", "preset": "default"})
				took += time.Since(start)
				if total != n {
					b.Fatalf("the batch has %d images, want %d", total, n)
				}
			}
			fi, _ := os.Stat(path)
			b.SetBytes(fi.Size())
			b.ReportMetric(float64(took.Milliseconds())/float64(b.N), "ms/202")
			b.ReportMetric(float64(idle)/(1<<20), "api-idle-peakRSS-MB")
			b.ReportMetric(float64(s.apiPeakRSS())/(1<<20), "api-peakRSS-MB")
		})
	}
}

// benchCOCO is a COCO zip of n images, made once in the temporary folder.
func benchCOCO(b *testing.B, n int) string {
	dir := filepath.Join(os.TempDir(), "augment-bench")
	path := filepath.Join(dir, fmt.Sprintf("coco-api-%d.zip", n))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	_ = os.MkdirAll(dir, 0o755)
	photos := [][]byte{corpusFile(b, "rocket.jpg"), corpusFile(b, "retina.jpg")}
	if err := datasettest.WriteCOCOZip(path, n, photos); err != nil {
		b.Fatal(err)
	}
	return path
}

// postFile streams a file as the archive of a batch form and returns the
// total the 202 answer gives.
func postFile(b *testing.B, url, path string, fields map[string]string) int {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		err := func() error {
			for k, v := range fields {
				if err := mw.WriteField(k, v); err != nil {
					return err
				}
			}
			part, err := mw.CreateFormFile("archive", filepath.Base(path))
			if err != nil {
				return err
			}
			f, err := os.Open(path)
			if err != nil {
				return err
			}
			defer f.Close()
			if _, err := io.Copy(part, f); err != nil {
				return err
			}
			return mw.Close()
		}()
		pw.CloseWithError(err)
	}()
	resp, err := http.Post(url, mw.FormDataContentType(), pr)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var a struct {
		Total int `json:"total"`
	}
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusAccepted || json.Unmarshal(raw, &a) != nil {
		b.Fatalf("POST = %d %s", resp.StatusCode, raw)
	}
	return a.Total
}
