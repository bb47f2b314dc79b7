package e2e

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// TestBodiesLimitedWhileRead: a URL list far over BATCH_MAX_URLS (100,000 by
// default), as JSON or as a urls.txt, is refused with 413 once the first URL
// past the limit arrives, without the api reading (or holding) the rest.
func TestBodiesLimitedWhileRead(t *testing.T) {
	s := startStack(t)
	s.KillWorker()
	const total = 2_000_000 // URLs: about 100 MB
	line := func(i int) string { return fmt.Sprintf("http://127.0.0.1:9/%07d/image.jpg", i) }
	for _, tc := range []struct {
		name string
		body func(w io.Writer) string // writes the body, returns its content type
	}{
		{"json", func(w io.Writer) string {
			io.WriteString(w, `{"variants": 1, "urls": [`)
			for i := range total {
				fmt.Fprintf(w, "%q,", line(i))
			}
			io.WriteString(w, `"http://127.0.0.1:9/last.jpg"]}`)
			return "application/json"
		}},
		{"urls.txt", func(w io.Writer) string {
			mw := multipart.NewWriter(w)
			_ = mw.SetBoundary("augment-test-boundary") // the same for both calls
			f, _ := mw.CreateFormFile("urls", "urls.txt")
			for i := range total {
				fmt.Fprintln(f, line(i))
			}
			mw.Close()
			return mw.FormDataContentType()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pr, pw := io.Pipe()
			sent := &counter{w: pw}
			ct := make(chan string, 1)
			var size atomic.Int64
			go func() {
				var n counter
				ct <- tc.body(&n) // the size, and the content type, without sending
				size.Store(n.n.Load())
				tc.body(sent)
				pw.Close()
			}()
			contentType := <-ct
			req, _ := http.NewRequest(http.MethodPost, s.URL+"/api/v1/batches", pr)
			req.Header.Set("Content-Type", contentType)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			pr.CloseWithError(io.ErrClosedPipe) // stop sending
			checkError(t, resp, 413, "too_large", "limit is 100000")
			if n := sent.n.Load(); n > size.Load()/10 {
				t.Errorf("the api read %d of %d bytes before refusing", n, size.Load())
			}
			t.Logf("refused after %d KB of %d MB; api peak RSS %d MB", sent.n.Load()>>10, size.Load()>>20, s.apiPeakRSS()>>20)
		})
	}
}

// TestSkippedListIsBounded: an archive of one image and 100,000 empty files is
// summed up — the first 100 named, the rest counted — and the batch listing
// carries no names at all.
func TestSkippedListIsBounded(t *testing.T) {
	s := startStack(t)
	s.KillWorker()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	rocket := corpusFile(t, "rocket.jpg")
	tw.WriteHeader(&tar.Header{Name: "rocket.jpg", Mode: 0o644, Size: int64(len(rocket)), Typeflag: tar.TypeReg})
	tw.Write(rocket)
	for i := range 100_000 {
		tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("empty/%d.txt", i), Mode: 0o644, Typeflag: tar.TypeReg})
	}
	tw.Close()
	gz.Close()
	ct, body := multipartBody(t, "archive", "many.tar.gz", buf.Bytes(), map[string]string{"variants": "1"})
	status, b, raw := s.postBatch(ct, body)
	if status != http.StatusAccepted || b.Total != 1 {
		t.Fatalf("POST = %d %.300s", status, raw)
	}
	var got struct {
		Skipped         []struct{ Name, Reason string } `json:"skipped"`
		SkippedTotal    int                             `json:"skipped_total"`
		SkippedByReason map[string]int                  `json:"skipped_by_reason"`
	}
	s.getJSON("/api/v1/batches/"+b.ID, &got)
	if len(got.Skipped) != 100 || got.SkippedTotal != 100_000 || len(got.SkippedByReason) != 1 {
		t.Fatalf("batch: %d named, %d in all, by reason %v", len(got.Skipped), got.SkippedTotal, got.SkippedByReason)
	}
	resp, err := http.Get(s.URL + "/api/v1/batches")
	if err != nil {
		t.Fatal(err)
	}
	list, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if len(list) > 4<<10 || strings.Contains(string(list), "empty/") {
		t.Fatalf("the listing of one batch is %d bytes and names skipped entries", len(list))
	}
	t.Logf("upload %d KB; batch %d bytes, listing %d bytes", buf.Len()>>10, len(raw), len(list))
}

// counter counts the bytes written through it (to w, when there is one).
type counter struct {
	w io.Writer
	n atomic.Int64
}

func (c *counter) Write(p []byte) (int, error) {
	if c.w == nil {
		c.n.Add(int64(len(p)))
		return len(p), nil
	}
	n, err := c.w.Write(p)
	c.n.Add(int64(n))
	return n, err
}
