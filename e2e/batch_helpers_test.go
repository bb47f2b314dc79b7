package e2e

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// batch is the API's batch shape, as a client reads it.
type batch struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Total  int    `json:"total"`
	Counts struct {
		Queued, Processing, Done, Failed int
	} `json:"counts"`
	Skipped     []struct{ Name, Reason string } `json:"skipped"`
	ArchiveHref string                          `json:"archive_href"`
}

type manifestLine struct {
	JobID  string            `json:"job_id"`
	Source string            `json:"source"`
	Index  int               `json:"index"`
	Path   string            `json:"path"`
	Seed   int64             `json:"seed"`
	Ops    []json.RawMessage `json:"ops"`
	Width  int               `json:"width"`
	Height int               `json:"height"`
}

// postBatch sends a batch and returns the status and the decoded answer.
func (s *stack) postBatch(contentType string, body io.Reader) (int, batch, []byte) {
	s.t.Helper()
	resp, err := http.Post(s.URL+"/api/v1/batches", contentType, body)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var b batch
	_ = json.Unmarshal(raw, &b)
	return resp.StatusCode, b, raw
}

// waitBatch polls a batch until it is done.
func (s *stack) waitBatch(id string, within time.Duration) batch {
	s.t.Helper()
	deadline := time.Now().Add(within)
	for {
		var b batch
		if st := s.getJSON("/api/v1/batches/"+id, &b); st != http.StatusOK {
			s.t.Fatalf("GET batch %s: %d", id, st)
		}
		if b.Status == "done" {
			return b
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("batch %s not done after %v: %+v", id, within, b.Counts)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// resultArchive downloads a batch's zip and reads its manifest and failures.
func (s *stack) resultArchive(b batch) (*zip.Reader, []manifestLine, []map[string]string) {
	s.t.Helper()
	data := download(s.t.(*testing.T), s.URL+b.ArchiveHref, "application/zip")
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		s.t.Fatalf("archive: %v", err)
	}
	var manifest []manifestLine
	var failures []map[string]string
	for _, f := range zr.File {
		switch f.Name {
		case "manifest.jsonl":
			readLines(s.t, f, func(b []byte) {
				var m manifestLine
				if err := json.Unmarshal(b, &m); err != nil {
					s.t.Fatalf("manifest line %q: %v", b, err)
				}
				manifest = append(manifest, m)
			})
		case "failures.jsonl":
			readLines(s.t, f, func(b []byte) {
				var m map[string]string
				if err := json.Unmarshal(b, &m); err != nil {
					s.t.Fatalf("failures line %q: %v", b, err)
				}
				failures = append(failures, m)
			})
		}
	}
	return zr, manifest, failures
}

func readLines(t testing.TB, f *zip.File, fn func([]byte)) {
	rc, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	sc := bufio.NewScanner(rc)
	for sc.Scan() {
		fn(sc.Bytes())
	}
}

// corpusFile reads a test image.
func corpusFile(t testing.TB, name string) []byte {
	b, err := os.ReadFile("../testdata/corpus/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type entry struct {
	name string
	data []byte
}

func makeZip(t testing.TB, entries ...entry) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.Create(e.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(e.data)
	}
	zw.Close()
	return buf.Bytes()
}

func makeTar(t testing.TB, gz bool, entries ...entry) []byte {
	var buf bytes.Buffer
	var w io.Writer = &buf
	var zw *gzip.Writer
	if gz {
		zw = gzip.NewWriter(&buf)
		w = zw
	}
	tw := tar.NewWriter(w)
	for _, e := range entries {
		if err := tw.WriteHeader(&tar.Header{Name: e.name, Mode: 0o644, Size: int64(len(e.data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write(e.data)
	}
	tw.Close()
	if zw != nil {
		zw.Close()
	}
	return buf.Bytes()
}

// multipartBody builds a form with one file field and plain fields.
func multipartBody(t testing.TB, field, filename string, data []byte, fields map[string]string) (string, *bytes.Buffer) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	f, err := w.CreateFormFile(field, filename)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(data)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	w.Close()
	return w.FormDataContentType(), &buf
}

func urlList(base string, names ...string) string {
	return `"` + base + "/" + strings.Join(names, `", "`+base+"/") + `"`
}
