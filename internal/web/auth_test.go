package web

import (
	"crypto/tls"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// pagesOnly is a server with no stores: enough for what answers before a
// store is asked (static files, the reference, login, the token guard).
func pagesOnly(token string) *Server {
	return &Server{Token: token, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}
}

func TestSafeNext(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/monitoring/", "/monitoring/"},
		{"/jobs/42?x=1#f", "/jobs/42?x=1#f"},
		{"/?tab=batch", "/?tab=batch"},
		{"", "/"},
		{"jobs/42", "/"},
		{"//evil.example", "/"},
		{"///evil.example", "/"},
		{"https://evil.example", "/"},
		{"HTTPS://evil.example/", "/"},
		{"javascript:alert(1)", "/"},
		{`/\evil.example`, "/"},
		{`\\evil.example`, "/"},
		{`\/evil.example`, "/"},
		{"/\t/evil.example/path", "/"},             // the reported case: browsers drop the tab
		{"/\n/evil.example", "/"},                  // and newlines
		{"/\r\n/evil.example", "/"},                // and carriage returns
		{"\t//evil.example", "/"},                  // leading controls
		{" //evil.example", "/"},                   // leading space
		{"/\x00/evil.example", "/"},                // other controls are refused outright
		{"/%09/evil.example", "/%09/evil.example"}, // percent-encoded stays a path here
		{"/%2F%2Fevil.example", "/%2F%2Fevil.example"},
		{"/jobs/\t42", "/jobs/42"}, // a tab inside a path is dropped, as a browser would
	} {
		if got := safeNext(tc.in); got != tc.want {
			t.Errorf("safeNext(%q) = %q, want %q", tc.in, got, tc.want)
		}
		// Whatever is accepted must resolve on this site, as a browser resolves it.
		base, _ := url.Parse("http://augment.lan:8000/login")
		ref, err := url.Parse(safeNext(tc.in))
		if err != nil || base.ResolveReference(ref).Host != "augment.lan:8000" {
			t.Errorf("safeNext(%q) = %q leaves the site", tc.in, safeNext(tc.in))
		}
	}
}

func TestLoginIsThrottled(t *testing.T) {
	h := pagesOnly("s3cret").Handler()
	try := func(addr, token string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(url.Values{"token": {token}, "next": {"/recent"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.RemoteAddr = addr + ":5555"
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}
	for i := range loginsPerMinute {
		if w := try("192.0.2.1", "wrong"); w.Code != http.StatusUnauthorized {
			t.Fatalf("try %d: %d, want 401", i+1, w.Code)
		}
	}
	w := try("192.0.2.1", "s3cret")
	if w.Code != http.StatusTooManyRequests {
		t.Fatalf("try %d: %d, want 429", loginsPerMinute+1, w.Code)
	}
	if secs, err := strconv.Atoi(w.Header().Get("Retry-After")); err != nil || secs < 1 {
		t.Errorf("Retry-After = %q, want whole seconds", w.Header().Get("Retry-After"))
	}
	if !strings.Contains(w.Body.String(), "Too many tries") {
		t.Errorf("the 429 page does not say why")
	}
	if w := try("192.0.2.2", "s3cret"); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/recent" {
		t.Errorf("another address: %d to %q, want 303 to /recent", w.Code, w.Header().Get("Location"))
	}
}

func TestLoginCookieIsSecureOnlyOverHTTPS(t *testing.T) {
	h := pagesOnly("s3cret").Handler()
	for _, tc := range []struct {
		name, peer, proto string
		tls, secure       bool
	}{
		{"plain HTTP on a LAN", "192.0.2.10", "", false, false},
		{"HTTPS", "192.0.2.10", "", true, true},
		{"a trusted proxy says https", "127.0.0.1", "https", false, true},
		{"a trusted proxy says http", "127.0.0.1", "http", false, false},
		{"anyone else says https", "192.0.2.10", "https", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader("token=s3cret"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.RemoteAddr = tc.peer + ":4000"
			if tc.proto != "" {
				req.Header.Set("X-Forwarded-Proto", tc.proto)
			}
			if tc.tls {
				req.TLS = &tls.ConnectionState{}
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			cookies := w.Result().Cookies()
			if w.Code != http.StatusSeeOther || len(cookies) != 1 {
				t.Fatalf("login: %d with %d cookies", w.Code, len(cookies))
			}
			if c := cookies[0]; c.Secure != tc.secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
				t.Errorf("cookie Secure=%v HttpOnly=%v SameSite=%v, want Secure=%v, HttpOnly, Lax", c.Secure, c.HttpOnly, c.SameSite, tc.secure)
			}
		})
	}
}

func TestVisitorsAreSentToLogIn(t *testing.T) {
	h := pagesOnly("s3cret").Handler()
	for _, tc := range []struct {
		method, path, accept string
		status               int
		location             string
	}{
		{"GET", "/recent", "text/html", 303, "/login?next=%2Frecent"},
		{"POST", "/jobs", "text/html,application/xhtml+xml", 303, "/login?next=%2F"},
		{"POST", "/batches", "text/html", 303, "/login?next=%2F%3Ftab%3Dbatch"},
		{"POST", "/jobs", "application/json", 401, ""}, // the page's fetch: it keeps the form and goes itself
		{"GET", "/api/v1/jobs", "text/html", 401, ""},  // the list endpoints need the token
		{"GET", "/api/v1/batches", "*/*", 401, ""},
	} {
		req := httptest.NewRequest(tc.method, tc.path, nil)
		req.Header.Set("Accept", tc.accept)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != tc.status || w.Header().Get("Location") != tc.location {
			t.Errorf("%s %s (%s): %d to %q, want %d to %q", tc.method, tc.path, tc.accept, w.Code, w.Header().Get("Location"), tc.status, tc.location)
		}
	}
}

func TestLogout(t *testing.T) {
	h := pagesOnly("s3cret").Handler()
	req := httptest.NewRequest(http.MethodPost, "/logout", nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	c := w.Result().Cookies()
	if w.Code != http.StatusSeeOther || len(c) != 1 || c[0].Name != sessionCookie || c[0].MaxAge >= 0 {
		t.Fatalf("logout: %d, cookies %v; want 303 clearing %s", w.Code, c, sessionCookie)
	}
}
