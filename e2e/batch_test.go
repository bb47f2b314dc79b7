package e2e

import (
	"fmt"
	"image"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestBatchFromURLs submits a JSON list of URLs and downloads the dataset.
func TestBatchFromURLs(t *testing.T) {
	s := startStack(t)
	img := images(t)
	body := `{"urls": [` + urlList(img.URL, "rocket.jpg", "coffee.png", "missing.jpg", "rocket.jpg", "sub/../chelsea.png") +
		`], "variants": 2, "seed": 5, "preset": "geometric", "output": {"format": "jpeg"}}`
	status, b, raw := s.postBatch("application/json", strings.NewReader(body))
	if status != http.StatusAccepted || b.Total != 5 || b.ID == "" {
		t.Fatalf("POST = %d %s", status, raw)
	}
	b = s.waitBatch(b.ID, 90*time.Second)
	if b.Counts.Done != 4 || b.Counts.Failed != 1 {
		t.Fatalf("counts = %+v, want 4 done and 1 failed", b.Counts)
	}
	zr, manifest, failures := s.resultArchive(b)
	if len(manifest) != 8 {
		t.Fatalf("manifest has %d lines, want 8 (4 jobs × 2 variants)", len(manifest))
	}
	var paths []string
	files := map[string]int64{}
	for _, f := range zr.File {
		files[f.Name] = int64(f.UncompressedSize64)
	}
	for _, m := range manifest {
		paths = append(paths, m.Path)
		if m.Seed != 5 || m.Width == 0 || m.JobID == "" || !strings.HasPrefix(m.Source, img.URL) {
			t.Errorf("manifest line %+v", m)
		}
		if files[m.Path] == 0 {
			t.Errorf("manifest names %s, which the archive lacks", m.Path)
		}
	}
	sort.Strings(paths)
	want := []string{"chelsea/0.jpg", "chelsea/1.jpg", "coffee/0.jpg", "coffee/1.jpg", "rocket-2/0.jpg", "rocket-2/1.jpg", "rocket/0.jpg", "rocket/1.jpg"}
	if strings.Join(paths, " ") != strings.Join(want, " ") {
		t.Errorf("paths = %v, want %v", paths, want)
	}
	if len(failures) != 1 || failures[0]["code"] != "fetch_failed" || !strings.HasSuffix(failures[0]["source"], "missing.jpg") {
		t.Errorf("failures = %v", failures)
	}
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, ".jpg") {
			continue
		}
		rc, _ := f.Open()
		cfg, format, err := image.DecodeConfig(rc)
		rc.Close()
		if err != nil || format != "jpeg" || cfg.Width == 0 {
			t.Errorf("%s: %s %v", f.Name, format, err)
		}
	}
	// Same seed, same dataset: the second run's manifest matches the first.
	status, b2, _ := s.postBatch("application/json", strings.NewReader(body))
	if status != http.StatusAccepted {
		t.Fatal(status)
	}
	_, manifest2, _ := s.resultArchive(s.waitBatch(b2.ID, 90*time.Second))
	if opsByPath(manifest) != opsByPath(manifest2) {
		t.Errorf("re-running the batch with the same seed gave other ops")
	}
	// Its jobs can be listed, filtered by status.
	var jobs struct{ Jobs []job }
	s.getJSON("/api/v1/batches/"+b.ID+"/jobs?status=failed", &jobs)
	if len(jobs.Jobs) != 1 || jobs.Jobs[0].Error == nil {
		t.Errorf("failed jobs = %+v", jobs.Jobs)
	}
	var list struct{ Batches []batch }
	s.getJSON("/api/v1/batches", &list)
	if len(list.Batches) != 2 {
		t.Errorf("batch list has %d batches, want 2", len(list.Batches))
	}
}

func opsByPath(m []manifestLine) string {
	var out []string
	for _, l := range m {
		out = append(out, fmt.Sprintf("%s=%s", l.Path, l.Ops))
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

// TestBatchFromURLFileAndArchives submits the other forms: a text file of
// URLs, and .zip, .tar and .tar.gz archives with a non-image entry.
func TestBatchFromURLFileAndArchives(t *testing.T) {
	s := startStack(t)
	img := images(t)
	list := "# my dataset\n" + img.URL + "/rocket.jpg\n\n" + img.URL + "/astronaut.png\n"
	ct, body := multipartBody(t, "urls", "urls.txt", []byte(list), map[string]string{"variants": "1"})
	status, b, raw := s.postBatch(ct, body)
	if status != http.StatusAccepted || b.Total != 2 {
		t.Fatalf("URL file: %d %s", status, raw)
	}
	if b = s.waitBatch(b.ID, 60*time.Second); b.Counts.Done != 2 {
		t.Fatalf("URL file batch: %+v", b.Counts)
	}

	entries := []entry{
		{"photos/rocket.jpg", corpusFile(t, "rocket.jpg")},
		{"more/rocket.jpg", corpusFile(t, "rocket.jpg")},
		{"chelsea.png", corpusFile(t, "chelsea.png")},
		{"notes.txt", []byte("not an image")},
	}
	for name, data := range map[string][]byte{
		"set.zip":    makeZip(t, entries...),
		"set.tar":    makeTar(t, false, entries...),
		"set.tar.gz": makeTar(t, true, entries...),
	} {
		t.Run(name, func(t *testing.T) {
			ct, body := multipartBody(t, "archive", name, data, map[string]string{"variants": "2", "preset": "photometric"})
			status, b, raw := s.postBatch(ct, body)
			if status != http.StatusAccepted || b.Total != 3 || len(b.Skipped) != 1 || b.Skipped[0].Name != "notes.txt" {
				t.Fatalf("POST = %d %s", status, raw)
			}
			b = s.waitBatch(b.ID, 60*time.Second)
			if b.Counts.Done != 3 {
				t.Fatalf("counts = %+v", b.Counts)
			}
			_, manifest, _ := s.resultArchive(b)
			var paths []string
			for _, m := range manifest {
				paths = append(paths, m.Path)
			}
			sort.Strings(paths)
			// Folders are kept: two rocket.jpg in two folders stay apart by their folder.
			if got := strings.Join(paths, " "); !strings.Contains(got, "photos/rocket/0.") || !strings.Contains(got, "more/rocket/1.") || !strings.Contains(got, "chelsea/1.png") {
				t.Fatalf("paths = %v", paths)
			}
		})
	}
}

// TestHostileBatches: every refusal is a clear 4xx and leaves no batch behind.
func TestHostileBatches(t *testing.T) {
	s := startStack(t, "ARCHIVE_MAX_ENTRIES=3", "BATCH_MAX_URLS=10", "FETCH_MAX_BYTES=2000000")
	img := images(t)
	rocket := corpusFile(t, "rocket.jpg")
	// A JPEG header then 50 MB of zeros: it deflates to about 50 KB.
	bombZip := makeZip(t, entry{"bomb.jpg", append(append([]byte{}, rocket[:16]...), make([]byte, 50<<20)...)})
	many := []entry{}
	for i := range 4 {
		many = append(many, entry{fmt.Sprintf("%d.jpg", i), rocket})
	}
	urls := make([]string, 11)
	for i := range urls {
		urls[i] = img.URL + "/rocket.jpg"
	}
	for _, tc := range []struct {
		name, file string
		data       []byte
		status     int
		says       string
	}{
		{"path traversal", "evil.zip", makeZip(t, entry{"../../etc/evil.jpg", rocket}), 400, "climbing"},
		{"absolute path", "abs.tar", makeTar(t, false, entry{"/etc/evil.jpg", rocket}), 400, "absolute"},
		{"zip bomb", "bomb.zip", bombZip, 413, "limit"},
		{"too many entries", "many.zip", makeZip(t, many...), 413, "3 images"},
		{"only non-images", "text.zip", makeZip(t, entry{"a.txt", []byte("hello")}), 400, "no images"},
		{"not an archive", "x.zip", []byte("PK\x03\x04 this is not a zip at all"), 400, "zip"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ct, body := multipartBody(t, "archive", tc.file, tc.data, nil)
			resp, err := http.Post(s.URL+"/api/v1/batches", ct, body)
			if err != nil {
				t.Fatal(err)
			}
			checkError(t, resp, tc.status, codeFor(tc.status), tc.says)
		})
	}
	t.Run("too many urls", func(t *testing.T) {
		resp, err := http.Post(s.URL+"/api/v1/batches", "application/json",
			strings.NewReader(`{"urls": ["`+strings.Join(urls, `", "`)+`"]}`))
		if err != nil {
			t.Fatal(err)
		}
		checkError(t, resp, 413, "too_large", "limit is 10")
	})
	t.Run("a bad url names its place", func(t *testing.T) {
		resp, err := http.Post(s.URL+"/api/v1/batches", "application/json",
			strings.NewReader(`{"urls": ["`+img.URL+`/rocket.jpg", "gopher://x/y"]}`))
		if err != nil {
			t.Fatal(err)
		}
		checkError(t, resp, 400, "invalid_url", "urls[2]")
	})
	var list struct{ Batches []batch }
	s.getJSON("/api/v1/batches", &list)
	if len(list.Batches) != 0 {
		t.Fatalf("refused submissions left %d batches", len(list.Batches))
	}
}

func codeFor(status int) string {
	return map[int]string{400: "invalid_request", 413: "too_large"}[status]
}

// TestBatchDoesNotStarveThePage: with one worker busy on a large batch, a
// person's ?url= request is served before the batch's queued jobs.
func TestBatchDoesNotStarveThePage(t *testing.T) {
	s := startStack(t, "WORKER_CONCURRENCY=1")
	img := images(t)
	urls := make([]string, 80)
	for i := range urls {
		urls[i] = fmt.Sprintf(`"%s/coffee.png?i=%d"`, img.URL, i)
	}
	status, b, raw := s.postBatch("application/json", strings.NewReader(`{"urls": [`+strings.Join(urls, ",")+`], "variants": 4, "preset": "heavy"}`))
	if status != http.StatusAccepted {
		t.Fatalf("POST = %d %s", status, raw)
	}
	s.getJSON("/api/v1/batches/"+b.ID, &b)
	resp, err := http.Get(s.URL + "/?url=" + url.QueryEscape(img.URL+"/rocket.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	var after batch
	s.getJSON("/api/v1/batches/"+b.ID, &after)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the page answered %d while the batch ran", resp.StatusCode)
	}
	if after.Counts.Queued == 0 {
		t.Fatalf("the batch finished (%+v) before the page was served: it waited behind the batch", after.Counts)
	}
	t.Logf("page served with %d of %d batch jobs still queued", after.Counts.Queued, after.Total)
}

// TestPageDoesNotWaitForRunningBatch: with every batch slot busy with a long
// job (64 heavy variants of a 16.8 MP photo, about half a minute), a
// person's ?url= request is served by the slot kept for the interactive
// queue: the finished page (200) rather than the redirect at SYNC_TIMEOUT.
func TestPageDoesNotWaitForRunningBatch(t *testing.T) {
	s := startStack(t, "WORKER_CONCURRENCY=1", "SYNC_TIMEOUT=15s", "SHUTDOWN_TIMEOUT=1s")
	img := images(t)
	status, b, raw := s.postBatch("application/json", strings.NewReader(`{"urls": ["`+img.URL+`/large.jpg?a", "`+
		img.URL+`/large.jpg?b"], "variants": 64, "preset": "heavy"}`))
	if status != http.StatusAccepted {
		t.Fatalf("POST = %d %s", status, raw)
	}
	for deadline := time.Now().Add(30 * time.Second); b.Counts.Processing == 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the batch never started: %+v", b.Counts)
		}
		s.getJSON("/api/v1/batches/"+b.ID, &b)
	}
	start := time.Now()
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(s.URL + "/?url=" + url.QueryEscape(img.URL+"/rocket.jpg") + "&n=2")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	took := time.Since(start)
	s.getJSON("/api/v1/batches/"+b.ID, &b)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the page answered %d after %v: it waited for the batch job running before it", resp.StatusCode, took)
	}
	if b.Counts.Done > 0 {
		t.Fatalf("a batch job finished (%+v) before the page: the test shows nothing", b.Counts)
	}
	t.Logf("page served in %v while a batch job ran (%+v)", took.Round(time.Millisecond), b.Counts)
}

// TestBatchSurvivesWorkerKill: a 1,000-image batch completes with nothing
// lost or doubled although its worker is killed and restarted midway.
func TestBatchSurvivesWorkerKill(t *testing.T) {
	s := startStack(t)
	img := images(t)
	names := []string{"rocket.jpg", "chelsea.png", "coffee.png", "astronaut.png", "hubble.jpg"}
	urls := make([]string, 1000)
	for i := range urls {
		urls[i] = fmt.Sprintf(`"%s/%s?n=%d"`, img.URL, names[i%len(names)], i)
	}
	status, b, raw := s.postBatch("application/json", strings.NewReader(`{"urls": [`+strings.Join(urls, ",")+`], "variants": 1, "preset": "classic", "output": {"format": "jpeg", "quality": 70}}`))
	if status != http.StatusAccepted || b.Total != 1000 {
		t.Fatalf("POST = %d %s", status, raw)
	}
	deadline := time.Now().Add(3 * time.Minute)
	for b.Counts.Done < 250 {
		if time.Now().After(deadline) {
			t.Fatalf("batch stalled before the kill: %+v", b.Counts)
		}
		time.Sleep(100 * time.Millisecond)
		s.getJSON("/api/v1/batches/"+b.ID, &b)
	}
	s.KillWorker()
	s.getJSON("/api/v1/batches/"+b.ID, &b)
	t.Logf("killed the worker at %+v", b.Counts)
	s.StartWorker()
	b = s.waitBatch(b.ID, 5*time.Minute)
	if b.Counts.Done != 1000 || b.Counts.Failed != 0 {
		t.Fatalf("after the restart: %+v, want all 1000 done", b.Counts)
	}
	zr, manifest, failures := s.resultArchive(b)
	seen := map[string]int{}
	for _, m := range manifest {
		seen[m.JobID]++
	}
	if len(manifest) != 1000 || len(seen) != 1000 || len(failures) != 0 {
		t.Fatalf("manifest: %d lines, %d jobs, %d failures; want 1000 jobs once each", len(manifest), len(seen), len(failures))
	}
	if len(zr.File) != 1002 {
		t.Fatalf("archive holds %d files, want 1000 variants and 2 manifests", len(zr.File))
	}
}
