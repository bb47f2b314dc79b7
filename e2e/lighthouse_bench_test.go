package e2e

import (
	"bufio"
	"bytes"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkLighthouse scores the home, job, batch, batch results and compare
// pages with Lighthouse (scripts/lighthouse.sh: the mobile form factor with
// simulated throttling, on Debian's Chromium). The job is 16 variants of large.jpg (4096×4096),
// the batch 8 corpus photos. It reports each page's performance and
// accessibility scores, largest contentful paint and bytes; run it once
// (-benchtime 1x): a page takes Lighthouse about 15 s.
func BenchmarkLighthouse(b *testing.B) {
	s := startStack(b)
	srv := images(b)
	j := s.postJob(`{"url": "` + srv.URL + `/large.jpg", "variants": 16, "preset": "default", "seed": 1}`)
	s.waitJob(j.ID, 5*time.Minute)
	var urls []string
	for _, name := range []string{"cardinal.jpg", "rocket.jpg", "coffee.png", "chelsea.png", "astronaut.png", "hubble.jpg", "retina.jpg", "logo-alpha.png"} {
		urls = append(urls, `"`+srv.URL+"/"+name+`"`)
	}
	status, bt, raw := s.postBatch("application/json", strings.NewReader(`{"urls": [`+strings.Join(urls, ",")+`], "variants": 4, "seed": 1}`))
	if status != http.StatusAccepted {
		b.Fatalf("batch: %d %s", status, raw)
	}
	s.waitBatch(bt.ID, 5*time.Minute)
	b.ResetTimer()
	for range b.N {
		out, err := exec.Command("../scripts/lighthouse.sh", "home="+s.URL+"/", "job="+s.URL+"/jobs/"+j.ID, "batch="+s.URL+"/batches/"+bt.ID,
			"results="+s.URL+"/batches/"+bt.ID+"/results", "compare="+s.URL+"/jobs/"+j.ID+"/compare/0").CombinedOutput()
		if err != nil {
			b.Fatalf("lighthouse: %v\n%s", err, out)
		}
		sc := bufio.NewScanner(bytes.NewReader(out))
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) != 6 {
				continue
			}
			for i, unit := range []string{"perf", "a11y", "LCP-ms", "bytes"} {
				v, _ := strconv.ParseFloat(f[i+1], 64)
				b.ReportMetric(v, f[0]+"-"+unit)
			}
			b.Logf("%-6s performance %3s accessibility %3s LCP %6s ms %9s bytes; failed: %s", f[0], f[1], f[2], f[3], f[4], f[5])
		}
	}
}
