package e2e

import (
	"fmt"
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
// worker has not seen (fetch, decode at size). It reports p50 and p90.
func BenchmarkPreview(b *testing.B) {
	s := startStack(b)
	srv := images(b)
	for _, img := range []string{"cardinal.jpg", "large.jpg"} {
		for _, mode := range []string{"warm", "cold"} {
			b.Run(strings.TrimSuffix(img, ".jpg")+"/"+mode, func(b *testing.B) {
				post := func(n int) time.Duration {
					u := srv.URL + "/" + img
					if mode == "cold" {
						u += fmt.Sprintf("?n=%d-%d", time.Now().UnixNano(), n)
					}
					body := fmt.Sprintf(`{"source": {"url": %q}, "variants": 8, "preset": "default", "seed": %d, "size": 512}`, u, 1000+n)
					start := time.Now()
					resp, err := http.Post(s.URL+"/api/v1/previews", "application/json", strings.NewReader(body))
					if err != nil {
						b.Fatal(err)
					}
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						b.Fatalf("preview: %d", resp.StatusCode)
					}
					return time.Since(start)
				}
				post(-1) // warm up: connections, the source server, the cache for warm
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
			})
		}
	}
}
