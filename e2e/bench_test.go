package e2e

import (
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkWorker drives the running service: each op is one job of 8
// variants. It reports ms per variant, variants per second and the worker's
// peak RSS, for both corpus photos, the default and heavy presets beside the
// floor (a pipeline of identity: fetch, decode once, encode 8), and the worker
// at concurrency 1 and 2.
func BenchmarkWorker(b *testing.B) {
	for _, img := range []string{"cardinal.jpg", "large.jpg"} {
		for _, preset := range []string{"floor", "default", "heavy"} {
			for _, conc := range []int{1, 2} {
				b.Run(fmt.Sprintf("%s/%s/c%d", strings.TrimSuffix(img, ".jpg"), preset, conc), func(b *testing.B) {
					benchWorker(b, img, preset, conc, 8)
				})
			}
		}
	}
}

// BenchmarkSoak runs jobs of one variant of large.jpg and reports the
// worker's RSS at the end; `make soak` runs 1,000 of them.
func BenchmarkSoak(b *testing.B) {
	benchWorker(b, "large.jpg", "default", 2, 1)
}

func benchWorker(b *testing.B, img, preset string, conc, variants int) {
	s := startStack(b, fmt.Sprintf("WORKER_CONCURRENCY=%d", conc))
	srv := images(b)
	spec := `"preset": "` + preset + `"`
	if preset == "floor" {
		spec = `"pipeline": [{"op": "identity"}]`
	}
	body := fmt.Sprintf(`{"url": "%s/%s", "variants": %d, %s, "seed": 1}`, srv.URL, img, variants, spec)
	post := func() string {
		resp, err := http.Post(s.URL+"/api/v1/jobs", "application/json", strings.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		return strings.TrimPrefix(resp.Header.Get("Location"), "/api/v1/jobs/")
	}
	s.waitJob(post(), 2*time.Minute) // warm up: connections, caches, the source server
	b.ResetTimer()
	ids := make([]string, b.N)
	for i := range ids {
		ids[i] = post()
	}
	for _, id := range ids {
		if j := s.waitJob(id, 10*time.Minute); j.Status != "done" {
			b.Fatalf("job %s: %s %+v", id, j.Status, j.Error)
		}
	}
	b.StopTimer()
	total := float64(b.N * variants)
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/total, "ms/variant")
	b.ReportMetric(total/b.Elapsed().Seconds(), "variants/s")
	b.ReportMetric(float64(s.workerPeakRSS())/(1<<20), "peakRSS_MB")
	b.ReportMetric(float64(s.workerRSS())/(1<<20), "RSS_MB")
}

// BenchmarkBigSource measures the worker's peak RSS at its limits: heavy
// jobs (4 variants each) on a 49 MP PNG, just under MAX_PIXELS, as many at
// once as the worker has slots, at concurrency 1 and 2. A worker's memory is
// about its base plus one such job per slot (WORKER_CONCURRENCY +
// INTERACTIVE_CONCURRENCY).
func BenchmarkBigSource(b *testing.B) {
	dir := b.TempDir()
	big := image.NewNRGBA(image.Rect(0, 0, 7000, 7000))
	for y := range 7000 {
		for x := range 7000 {
			o := big.PixOffset(x, y)
			big.Pix[o], big.Pix[o+1], big.Pix[o+2], big.Pix[o+3] = uint8(x/28), uint8(y/28), uint8((x^y)&0xff), 255
		}
	}
	f, err := os.Create(filepath.Join(dir, "big.png"))
	if err != nil {
		b.Fatal(err)
	}
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(f, big); err != nil {
		b.Fatal(err)
	}
	f.Close()
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()
	for _, conc := range []int{1, 2} {
		b.Run(fmt.Sprintf("heavy/c%d", conc), func(b *testing.B) {
			s := startStack(b, fmt.Sprintf("WORKER_CONCURRENCY=%d", conc), "INTERACTIVE_CONCURRENCY=0", "FETCH_MAX_BYTES=500000000")
			body := `{"url": "` + srv.URL + `/big.png", "variants": 4, "preset": "heavy", "seed": 1}`
			for range b.N {
				ids := make([]string, conc)
				for i := range ids {
					resp, err := http.Post(s.URL+"/api/v1/jobs", "application/json", strings.NewReader(body))
					if err != nil {
						b.Fatal(err)
					}
					resp.Body.Close()
					ids[i] = strings.TrimPrefix(resp.Header.Get("Location"), "/api/v1/jobs/")
				}
				for _, id := range ids {
					if j := s.waitJob(id, 10*time.Minute); j.Status != "done" {
						b.Fatalf("job %s: %s %+v", id, j.Status, j.Error)
					}
				}
			}
			b.ReportMetric(float64(s.workerPeakRSS())/(1<<20), "peakRSS_MB")
		})
	}
}

// BenchmarkSubmitBatch10k times POST /api/v1/batches with 10,000 URLs
// (recorded and queued; no worker runs).
func BenchmarkSubmitBatch10k(b *testing.B) {
	s := startStack(b, "WORKER_CONCURRENCY=1")
	s.KillWorker()
	urls := make([]string, 10_000)
	for i := range urls {
		urls[i] = fmt.Sprintf(`"http://127.0.0.1:9/img-%d.jpg"`, i)
	}
	body, _ := json.Marshal(json.RawMessage(`{"urls": [` + strings.Join(urls, ",") + `], "variants": 4}`))
	b.ResetTimer()
	for range b.N {
		resp, err := http.Post(s.URL+"/api/v1/batches", "application/json", strings.NewReader(string(body)))
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/batch")
}

// workerPeakRSS and workerRSS read the worker's VmHWM and VmRSS in bytes.
func (s *stack) workerPeakRSS() int64 { return s.workerStatus("VmHWM:") }
func (s *stack) workerRSS() int64     { return s.workerStatus("VmRSS:") }

func (s *stack) workerStatus(field string) int64 {
	s.mu.Lock()
	pid := s.worker.Process.Pid
	s.mu.Unlock()
	return procStatus(pid, field)
}

// apiPeakRSS reads the api's VmHWM in bytes.
func (s *stack) apiPeakRSS() int64 { return procStatus(s.api.Process.Pid, "VmHWM:") }

func procStatus(pid int, field string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, field) {
			kb, _ := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}
