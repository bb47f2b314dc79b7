package fetch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/augment-ml/augment/internal/domain"
)

var pngData = func() []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 4, 3))); err != nil {
		panic(err)
	}
	return b.Bytes()
}()

func servePNG(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/octet-stream") // the type is sniffed, never trusted
	_, _ = w.Write(pngData)
}

func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func wantCode(t testing.TB, err error, code string) {
	t.Helper()
	var de *domain.Error
	if !errors.As(err, &de) {
		t.Fatalf("error = %v, want a *domain.Error with code %s", err, code)
	}
	if de.Code != code {
		t.Fatalf("code = %s (%v), want %s", de.Code, err, code)
	}
}

// waitOrDone blocks until the client gives up, so slow handlers end with the test.
func waitOrDone(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-time.After(5 * time.Second):
	}
}

func TestFetch(t *testing.T) {
	const limit = 1000
	big := bytes.Repeat([]byte{0}, limit+1)
	mux := http.NewServeMux()
	mux.HandleFunc("/path/", servePNG)
	mux.HandleFunc("/attachment", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''..%2F..%2Fetc%2Fcat%E2%80%AE.png")
		servePNG(w, r)
	})
	mux.HandleFunc("/hop/{n}", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Cookie") != "" || r.UserAgent() != UserAgent {
			http.Error(w, "cookie or user agent", http.StatusTeapot)
			return
		}
		n, _ := strconv.Atoi(r.PathValue("n"))
		if n == 0 {
			servePNG(w, r)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "s", Value: "1", Path: "/"})
		http.Redirect(w, r, fmt.Sprintf("/hop/%d", n-1), http.StatusFound)
	})
	mux.HandleFunc("/to-ftp", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "ftp://127.0.0.1/a.png", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/missing", http.NotFound)
	mux.HandleFunc("/html", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "image/png") // a lying header changes nothing
		fmt.Fprint(w, "<!DOCTYPE html><html><body>hi</body></html>")
	})
	mux.HandleFunc("/empty", func(http.ResponseWriter, *http.Request) {})
	mux.HandleFunc("/exact", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write(append(pngData, make([]byte, limit-len(pngData))...))
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(big)))
		_, _ = w.Write(big)
	})
	mux.HandleFunc("/big-chunked", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write(pngData)
		for range 20 {
			_, _ = w.Write(big[:100])
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("/slow-header", func(w http.ResponseWriter, r *http.Request) { waitOrDone(r) })
	mux.HandleFunc("/slow-body", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(pngData[:8])
		w.(http.Flusher).Flush()
		waitOrDone(r)
	})
	srv, _ := hitCounter(t, mux.ServeHTTP)

	tests := []struct {
		path     string
		code     string // "" for success
		name     string
		contains string // in the error message
	}{
		{path: "/path/My%20Photo.JPG?x=1", name: "My Photo.JPG"},
		{path: "/path/", name: "image"},
		{path: "/attachment", name: "cat.png"},
		{path: "/hop/3", name: "3"}, // the name of the URL asked for, not of the last hop
		{path: "/hop/4", code: domain.EFetchFailed, contains: "too many redirects"},
		{path: "/to-ftp", code: domain.EFetchFailed, contains: "not ftp:"},
		{path: "/missing", code: domain.EFetchFailed, contains: "404 Not Found"},
		{path: "/html", code: domain.ENotImage, contains: "returned text/html, not a supported image"},
		{path: "/empty", code: domain.ENotImage, contains: "empty"},
		{path: "/exact", name: "exact"},
		{path: "/big", code: domain.ETooLarge, contains: "limit of 1000 bytes"},
		{path: "/big-chunked", code: domain.ETooLarge, contains: "limit of 1000 bytes"},
		{path: "/slow-header", code: domain.ETimeout, contains: "300ms"},
		{path: "/slow-body", code: domain.ETimeout, contains: "300ms"},
	}
	f := New(Config{AllowPrivate: true, MaxBytes: limit, Timeout: 300 * time.Millisecond})
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			res, err := f.Fetch(context.Background(), srv.URL+tc.path)
			if tc.code != "" {
				wantCode(t, err, tc.code)
				if msg := domain.ErrorMessage(err); !strings.Contains(msg, tc.contains) {
					t.Errorf("message %q does not contain %q", msg, tc.contains)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(res.Body, pngData) || res.ContentType != "image/png" || res.Name != tc.name {
				t.Errorf("got %d bytes, type %q, name %q; want the PNG, image/png, %q",
					len(res.Body), res.ContentType, res.Name, tc.name)
			}
		})
	}
}

func TestFetchUnreachable(t *testing.T) {
	srv, _ := hitCounter(t, servePNG)
	addr := srv.URL
	srv.Close() // nothing listens on the port any more
	_, err := New(Config{AllowPrivate: true}).Fetch(context.Background(), addr+"/a.png")
	wantCode(t, err, domain.EFetchFailed)
}

// A caller's own cancellation is not the URL's fault: no *domain.Error, so
// the worker retries rather than failing the job.
func TestFetchCallerCancels(t *testing.T) {
	srv, _ := hitCounter(t, func(w http.ResponseWriter, r *http.Request) { waitOrDone(r) })
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := New(Config{AllowPrivate: true}).Fetch(ctx, srv.URL)
	var de *domain.Error
	if !errors.Is(err, context.DeadlineExceeded) || errors.As(err, &de) {
		t.Fatalf("error = %v, want the caller's context error and no *domain.Error", err)
	}
}

// TestFetchRetriesTransientFailures: an origin that answers 5xx or resets the
// connection for a moment is tried again, a few times at most; a 404 is not.
func TestFetchRetriesTransientFailures(t *testing.T) {
	var flaky, reset, cut atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/flaky", func(w http.ResponseWriter, r *http.Request) {
		if flaky.Add(1) <= 2 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		servePNG(w, r)
	})
	mux.HandleFunc("/reset", func(w http.ResponseWriter, r *http.Request) {
		if reset.Add(1) == 1 {
			conn, _, _ := w.(http.Hijacker).Hijack()
			_ = conn.(*net.TCPConn).SetLinger(0) // close with a RST
			conn.Close()
			return
		}
		servePNG(w, r)
	})
	mux.HandleFunc("/cut", func(w http.ResponseWriter, r *http.Request) {
		if cut.Add(1) == 1 {
			// NOTE: a body shorter than its Content-Length: the connection
			// closes after half of it.
			w.Header().Set("Content-Length", strconv.Itoa(len(pngData)))
			_, _ = w.Write(pngData[:len(pngData)/2])
			return
		}
		servePNG(w, r)
	})
	mux.HandleFunc("/down", func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusBadGateway)
	})
	mux.HandleFunc("/missing", http.NotFound)
	f := New(Config{AllowPrivate: true})
	for _, tc := range []struct {
		path     string
		hits     int32
		code     string
		contains string
	}{
		{path: "/flaky", hits: 3},
		{path: "/reset", hits: 2},
		{path: "/cut", hits: 2},
		{path: "/down", hits: DefaultAttempts, code: domain.EFetchFailed, contains: "502 Bad Gateway (3 attempts)."},
		{path: "/missing", hits: 1, code: domain.EFetchFailed, contains: "404"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			srv, hits := hitCounter(t, mux.ServeHTTP)
			res, err := f.Fetch(context.Background(), srv.URL+tc.path)
			if tc.code == "" && err != nil {
				t.Fatalf("error %v after %d requests", err, hits.Load())
			}
			if tc.code == "" && !bytes.Equal(res.Body, pngData) {
				t.Errorf("body of %d bytes, want the %d served", len(res.Body), len(pngData))
			}
			if tc.code != "" {
				wantCode(t, err, tc.code)
				if !strings.Contains(domain.ErrorMessage(err), tc.contains) {
					t.Errorf("message %q does not contain %q", domain.ErrorMessage(err), tc.contains)
				}
			}
			if hits.Load() != tc.hits {
				t.Errorf("%d requests reached the origin, want %d", hits.Load(), tc.hits)
			}
		})
	}
}
