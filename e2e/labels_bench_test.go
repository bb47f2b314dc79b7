package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"math"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"
)

// BenchmarkLabels drives the running service as BenchmarkWorker does:
// each op is one job of 8 variants of cardinal.jpg through the default
// preset at worker concurrency 1, without labels, with 100 boxes and 10
// polygons, with a mask (mask_url), and with both. It reports the worker's
// ms per variant (from each job's start to its end: fetch, decode, render,
// labels, store, record); what labels cost is the difference from "none".
func BenchmarkLabels(b *testing.B) {
	s := startStack(b, "WORKER_CONCURRENCY=1", "INTERACTIVE_CONCURRENCY=0")
	img := images(b)
	mask := cardinalMask(b)
	maskURL := serveMask(b, mask)
	boxes := cardinalLabels()
	for _, tc := range []struct{ name, extra string }{
		{"none", ""},
		{"boxes+polygons", `, "labels": ` + boxes},
		{"mask", `, "mask_url": "` + maskURL + `"`},
		{"both", `, "labels": ` + boxes + `, "mask_url": "` + maskURL + `"`},
	} {
		b.Run(tc.name, func(b *testing.B) {
			body := fmt.Sprintf(`{"url": "%s/cardinal.jpg", "variants": 8, "preset": "default", "seed": 1%s}`, img.URL, tc.extra)
			post := func() string {
				resp, err := http.Post(s.URL+"/api/v1/jobs", "application/json", strings.NewReader(body))
				if err != nil {
					b.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusAccepted {
					b.Fatalf("POST %d", resp.StatusCode)
				}
				return strings.TrimPrefix(resp.Header.Get("Location"), "/api/v1/jobs/")
			}
			s.waitJob(post(), 2*time.Minute) // warm up
			b.ResetTimer()
			ids := make([]string, b.N)
			for i := range ids {
				ids[i] = post()
			}
			// NOTE: jobs run one at a time in order; asking only after the
			// last one, and seldom, keeps the api's answers (labels and all)
			// off the cores the worker measures on.
			for {
				var j struct{ Status string }
				s.getJSON("/api/v1/jobs/"+ids[len(ids)-1], &j)
				if j.Status == "done" || j.Status == "failed" {
					break
				}
				time.Sleep(time.Second)
			}
			b.StopTimer()
			var worked time.Duration
			for _, id := range ids {
				var j struct {
					Status     string
					StartedAt  time.Time `json:"started_at"`
					FinishedAt time.Time `json:"finished_at"`
				}
				s.getJSON("/api/v1/jobs/"+id, &j)
				if j.Status != "done" {
					b.Fatalf("job %s: %s", id, j.Status)
				}
				worked += j.FinishedAt.Sub(j.StartedAt)
			}
			b.ReportMetric(float64(worked.Milliseconds())/float64(b.N*8), "worker_ms/variant")
		})
	}
}

// cardinalLabels are 100 boxes and 10 polygons of 12 points over
// cardinal.jpg (1920×1080), as JSON.
func cardinalLabels() string {
	r := rand.New(rand.NewPCG(1, 1))
	var objs []any
	for range 100 {
		objs = append(objs, map[string]any{"class": "box", "bbox": []float64{r.Float64() * 1800, r.Float64() * 1000, 20 + r.Float64()*200, 20 + r.Float64()*200}})
	}
	for range 10 {
		cx, cy := 200+r.Float64()*1500, 200+r.Float64()*700
		var ring [][2]float64
		for k := range 12 {
			a, rad := float64(k)/12*2*math.Pi, 60+r.Float64()*90
			ring = append(ring, [2]float64{cx + rad*math.Cos(a), cy + rad*math.Sin(a)})
		}
		objs = append(objs, map[string]any{"class": "blob", "bbox": []float64{0, 0, 1, 1}, "polygon": ring})
	}
	b, _ := json.Marshal(map[string]any{"width": 1920, "height": 1080, "objects": objs})
	return string(b)
}

// cardinalMask is an 8-bit mask of cardinal.jpg's size with five classes in
// blocks.
func cardinalMask(b testing.TB) []byte {
	m := image.NewGray(image.Rect(0, 0, 1920, 1080))
	for y := range 1080 {
		for x := range 1920 {
			m.Pix[y*1920+x] = uint8((x/240 + y/270) % 5)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}
