package e2e

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// BenchmarkPreview drives the running service as the explorer does: each op
// is one POST /api/v1/previews of 8 tiles (512 px, the default preset) of
// cardinal.jpg (1920×1080) or large.jpg (4096²), answered once every tile is
// rendered. "warm" changes only the seed, as re-rolls and pipeline edits do
// (the worker keeps the source it read); "cold" asks for a source the
// worker has not seen (fetch, decode at size). "job" and "job-mask" are
// warm previews of a job's source (by its id), without and with a mask of
// 1920×1080 moved with every tile. It reports p50 and p90.
func BenchmarkPreview(b *testing.B) {
	s := startStack(b)
	srv := images(b)
	for _, img := range []string{"cardinal.jpg", "large.jpg"} {
		for _, mode := range []string{"warm", "cold"} {
			b.Run(strings.TrimSuffix(img, ".jpg")+"/"+mode, func(b *testing.B) {
				timePreviews(b, s, func(n int) string {
					u := srv.URL + "/" + img
					if mode == "cold" {
						u += fmt.Sprintf("?n=%d-%d", time.Now().UnixNano(), n)
					}
					return fmt.Sprintf(`{"source": {"url": %q}, "variants": 8, "preset": "default", "seed": %d, "size": 512}`, u, 1000+n)
				})
			})
		}
	}
	maskURL := serveMask(b, bandsMask(b, 1920, 1080))
	for _, mode := range []string{"job", "job-mask"} {
		spec := `{"url": "` + srv.URL + `/cardinal.jpg", "variants": 1, "preset": "default"}`
		if mode == "job-mask" {
			spec = `{"url": "` + srv.URL + `/cardinal.jpg", "variants": 1, "preset": "default", "mask_url": "` + maskURL + `"}`
		}
		j := s.postJob(spec)
		s.waitJob(j.ID, time.Minute)
		b.Run("cardinal/"+mode, func(b *testing.B) {
			timePreviews(b, s, func(n int) string {
				return fmt.Sprintf(`{"source": {"job_id": %q}, "variants": 8, "preset": "default", "seed": %d, "size": 512}`, j.ID, 1000+n)
			})
		})
	}
}

// timePreviews posts the preview body(n) gives, b.N times after one to warm
// up (connections, the source server, the worker's cache), and reports the
// p50 and p90.
func timePreviews(b *testing.B, s *stack, body func(n int) string) {
	post := func(n int) time.Duration {
		start := time.Now()
		resp, err := http.Post(s.URL+"/api/v1/previews", "application/json", strings.NewReader(body(n)))
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("preview: %d", resp.StatusCode)
		}
		return time.Since(start)
	}
	post(-1)
	b.ResetTimer()
	times := make([]time.Duration, b.N)
	for i := range times {
		times[i] = post(i)
	}
	b.StopTimer()
	slices.Sort(times)
	ms := func(q float64) float64 { return float64(times[int(q*float64(len(times)-1))].Microseconds()) / 1000 }
	b.ReportMetric(ms(0.5), "p50_ms")
	b.ReportMetric(ms(0.9), "p90_ms")
}

// bandsMask is a w×h 8-bit mask PNG of horizontal bands of classes 0 to 4.
func bandsMask(b testing.TB, w, h int) []byte {
	m := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.Pix[y*w+x] = uint8((y*5/h + x*3/w) % 5)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}
