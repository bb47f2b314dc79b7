package web

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func get(t *testing.T, h http.Handler, method, path string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func TestStaticCaching(t *testing.T) {
	h := pagesOnly("").Handler()
	versioned := assetURL("app.css")
	w := get(t, h, "GET", versioned)
	if w.Code != 200 || !strings.Contains(w.Header().Get("Cache-Control"), "immutable") || w.Header().Get("Content-Type") != "text/css; charset=utf-8" {
		t.Fatalf("%s: %d, Cache-Control %q, type %q", versioned, w.Code, w.Header().Get("Cache-Control"), w.Header().Get("Content-Type"))
	}
	w = get(t, h, "GET", "/static/app.css")
	etag := w.Header().Get("ETag")
	if w.Code != 200 || w.Header().Get("Cache-Control") != "no-cache" || etag == "" {
		t.Fatalf("unversioned: %d, Cache-Control %q, ETag %q; want no-cache with an ETag", w.Code, w.Header().Get("Cache-Control"), etag)
	}
	if w := get(t, h, "GET", "/static/app.css", "If-None-Match", etag); w.Code != http.StatusNotModified {
		t.Errorf("revalidation: %d, want 304", w.Code)
	}
	if w := get(t, h, "GET", "/static/app.css?v=stale"); w.Header().Get("Cache-Control") != "no-cache" {
		t.Errorf("a stale version is cached for long: %q", w.Header().Get("Cache-Control"))
	}
	if w := get(t, h, "GET", "/static/nope.js"); w.Code != 404 {
		t.Errorf("a missing asset: %d", w.Code)
	}
	// The page links to the versions that are served.
	page := get(t, h, "GET", "/ops").Body.String()
	for _, name := range []string{"app.css", "favicon.svg"} {
		if !strings.Contains(page, assetURL(name)) {
			t.Errorf("the page does not link %s", assetURL(name))
		}
	}
	if !strings.Contains(page, `"/static/pipeline-editor.js":"`+assetURL("pipeline-editor.js")+`"`) {
		t.Errorf("the import map does not version the editor module")
	}
}

func TestCompression(t *testing.T) {
	h := pagesOnly("").Handler()
	for _, path := range []string{"/ops", assetURL("app.css"), assetURL("pipeline-editor.js"), "/api/v1/ops"} {
		w := get(t, h, "GET", path, "Accept-Encoding", "gzip")
		if w.Header().Get("Content-Encoding") != "gzip" || !strings.Contains(w.Header().Get("Vary"), "Accept-Encoding") {
			t.Errorf("%s: Content-Encoding %q, Vary %q; want gzip", path, w.Header().Get("Content-Encoding"), w.Header().Get("Vary"))
			continue
		}
		zr, err := gzip.NewReader(w.Body)
		if err != nil {
			t.Fatal(err)
		}
		plain, _ := io.ReadAll(zr)
		if len(plain) <= w.Body.Len() {
			t.Errorf("%s: %d bytes compressed to %d", path, len(plain), w.Body.Len())
		}
	}
	if w := get(t, h, "GET", assetURL("favicon.png"), "Accept-Encoding", "gzip"); w.Header().Get("Content-Encoding") != "" {
		t.Errorf("a PNG is compressed again: %q", w.Header().Get("Content-Encoding"))
	}
	if w := get(t, h, "GET", "/ops"); w.Header().Get("Content-Encoding") != "" {
		t.Errorf("compressed for a client that did not ask")
	}
}

func TestFavicon(t *testing.T) {
	w := get(t, pagesOnly("").Handler(), "GET", "/favicon.ico")
	if w.Code != 200 || w.Header().Get("Content-Type") != "image/png" || !strings.HasPrefix(w.Body.String(), "\x89PNG") {
		t.Errorf("/favicon.ico: %d %q", w.Code, w.Header().Get("Content-Type"))
	}
}

// TestEveryGETAnswersHEAD walks the routes: each GET has a HEAD beside it.
func TestEveryGETAnswersHEAD(t *testing.T) {
	s := pagesOnly("")
	s.Monitor, s.Metrics = http.NotFoundHandler(), http.NotFoundHandler()
	routes := s.routes().Routes()
	heads := map[string]bool{}
	for _, r := range routes {
		if r.Method == http.MethodHead {
			heads[r.Path] = true
		}
	}
	gets := 0
	for _, r := range routes {
		if r.Method == http.MethodGet {
			gets++
			if !heads[r.Path] {
				t.Errorf("GET %s has no HEAD", r.Path)
			}
		}
	}
	if gets < 20 {
		t.Errorf("only %d GET routes: the walk is not seeing the routes", gets)
	}
	h := s.Handler()
	for _, path := range []string{"/ops", "/login", assetURL("app.css"), "/favicon.ico", "/healthz"} {
		w := get(t, h, "HEAD", path)
		if w.Code != 200 {
			t.Errorf("HEAD %s: %d", path, w.Code)
		}
	}
	if w := get(t, h, "HEAD", "/?url=http://example.com/a.jpg"); w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != "GET" {
		t.Errorf("HEAD /?url=: %d, Allow %q; want 405 (it would queue a job)", w.Code, w.Header().Get("Allow"))
	}
}
