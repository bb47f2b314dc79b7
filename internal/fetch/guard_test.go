package fetch

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/augment-ml/augment/internal/domain"
)

// The predicate only: nothing here connects to these addresses.
func TestIsPublic(t *testing.T) {
	blocked := []string{
		"127.0.0.1", "127.1.2.3", "::1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
		"169.254.169.254", "fe80::1", "fe80::1%eth0", "100.64.0.1", "100.127.255.255", "0.0.0.0", "0.1.2.3",
		"::", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::127.0.0.1",
		"fc00::1", "fd12:3456::1", "fec0::1", "224.0.0.1", "239.255.255.250", "ff02::1", "ff0e::1",
		"255.255.255.255", "240.0.0.1", "192.0.2.1", "198.18.0.1", "198.51.100.7", "203.0.113.9", "192.0.0.8",
		"2001:db8::1", "2001::1", "3fff::1", "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "64:ff9b:1::1",
		"2002:7f00:1::1", "2002:c0a8:101::1", "100::1",
	}
	allowed := []string{
		"8.8.8.8", "1.1.1.1", "2606:4700::1111", "::ffff:8.8.8.8", "172.32.0.1", "100.128.0.1",
		"64:ff9b::808:808", "2002:808:808::1", "2a00:1450:4001:80b::200e", "192.0.1.1",
	}
	for _, tc := range []struct {
		list []string
		want bool
	}{{blocked, false}, {allowed, true}} {
		for _, s := range tc.list {
			t.Run(s, func(t *testing.T) {
				if got := isPublic(netip.MustParseAddr(s)); got != tc.want {
					t.Errorf("isPublic(%s) = %v, want %v", s, got, tc.want)
				}
			})
		}
	}
	if isPublic(netip.Addr{}) {
		t.Error("the zero Addr is public")
	}
}

// hitCounter serves h and counts the requests that reached it.
func hitCounter(t testing.TB, h http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestFetchBlocksPrivateAddresses(t *testing.T) {
	internal, hits := hitCounter(t, servePNG)
	port := mustURL(t, internal.URL).Port()

	// "public" pretends only this server's address is public, so it can be
	// the first hop of a redirect to a blocked address; both are 127.0.0.1.
	public, publicHits := hitCounter(t, func(w http.ResponseWriter, r *http.Request) {
		if loc := r.URL.Query().Get("to"); loc != "" {
			http.Redirect(w, r, loc, http.StatusFound)
			return
		}
		servePNG(w, r)
	})
	publicAddr := netip.MustParseAddrPort(mustURL(t, public.URL).Host)

	tests := []struct {
		name, url string
	}{
		{"ip literal", internal.URL + "/a.png"},
		{"name resolving to loopback", "http://localhost:" + port + "/a.png"},
		{"ipv6 loopback", "http://[::1]:" + port + "/a.png"},
		{"mapped loopback", "http://[::ffff:127.0.0.1]:" + port + "/a.png"},
		{"redirect to ip literal", public.URL + "/?to=" + url.QueryEscape(internal.URL+"/a.png")},
		{"redirect to localhost", public.URL + "/?to=" + url.QueryEscape("http://localhost:"+port+"/a.png")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := New(Config{})
			f.public = func(ap netip.AddrPort) bool { return ap == publicAddr }
			_, err := f.Fetch(context.Background(), tc.url)
			wantCode(t, err, domain.EFetchBlocked)
			if msg := domain.ErrorMessage(err); !strings.Contains(msg, "private or loopback address, which is not allowed") {
				t.Errorf("message %q does not explain the refusal", msg)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the blocked server was reached %d times", n)
	}

	// The hook lets the "public" server through, so the refusals above came
	// from the redirect target, not from the first hop.
	f := New(Config{})
	f.public = func(ap netip.AddrPort) bool { return ap == publicAddr }
	if _, err := f.Fetch(context.Background(), public.URL+"/a.png"); err != nil {
		t.Fatalf("fetch from the allowed address: %v", err)
	}
	if publicHits.Load() < 3 {
		t.Errorf("the first hop was reached %d times, want at least 3", publicHits.Load())
	}
}

func TestFetchAllowPrivate(t *testing.T) {
	srv, hits := hitCounter(t, servePNG)
	for _, u := range []string{srv.URL + "/a.png", "http://localhost:" + mustURL(t, srv.URL).Port() + "/a.png"} {
		if _, err := New(Config{AllowPrivate: true}).Fetch(context.Background(), u); err != nil {
			t.Errorf("Fetch(%s) with AllowPrivate: %v", u, err)
		}
	}
	if hits.Load() != 2 {
		t.Errorf("server reached %d times, want 2", hits.Load())
	}
}
