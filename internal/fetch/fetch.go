// Package fetch downloads source images from user-given URLs. It is a
// security boundary: a URL must not make the service reach its own network
// (SSRF), so every connection is checked on the address actually dialled, and
// every download is bounded in size and time.
package fetch

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/sethvargo/go-retry"

	"github.com/augment-ml/augment/internal/domain"
)

// UserAgent is the User-Agent sent with every request unless Config names
// another.
const UserAgent = "augment/1 (+https://github.com/augment-ml/augment)"

// Defaults for the zero values of Config.
const (
	DefaultMaxBytes     = 20 << 20
	DefaultTimeout      = 30 * time.Second
	DefaultMaxRedirects = 3
	DefaultAttempts     = 3
)

// Config sets a Fetcher's limits. The zero value is safe: private addresses
// blocked and the defaults above.
type Config struct {
	AllowPrivate bool          // let fetches reach loopback, private and link-local addresses (dev and tests only)
	MaxBytes     int64         // largest body accepted; 0 means DefaultMaxBytes
	Timeout      time.Duration // the whole fetch, redirects and body included; 0 means DefaultTimeout
	MaxRedirects int           // redirects followed; 0 means DefaultMaxRedirects, negative means none
	UserAgent    string        // "" means UserAgent
	Attempts     int           // tries of a transiently failing origin; 0 means DefaultAttempts
}

// Result is a downloaded image.
type Result struct {
	Body        []byte
	Name        string // file name from Content-Disposition or the URL path, sanitised by SafeName; "image" when there is none
	ContentType string // sniffed from Body, e.g. "image/jpeg"; never taken from the server's header
}

// Fetcher downloads images. It is safe for concurrent use and keeps
// connections alive between fetches, so make one and share it.
type Fetcher struct {
	cfg    Config
	dialer *net.Dialer
	client *http.Client
	public func(netip.AddrPort) bool // the address check; tests replace it
}

// New returns a Fetcher with cfg's limits.
func New(cfg Config) *Fetcher {
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	switch {
	case cfg.MaxRedirects == 0:
		cfg.MaxRedirects = DefaultMaxRedirects
	case cfg.MaxRedirects < 0:
		cfg.MaxRedirects = 0
	}
	if cfg.Attempts <= 0 {
		cfg.Attempts = DefaultAttempts
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = UserAgent
	}
	f := &Fetcher{cfg: cfg, public: func(ap netip.AddrPort) bool { return isPublic(ap.Addr()) }}
	step := min(10*time.Second, cfg.Timeout)
	f.dialer = &net.Dialer{Timeout: step, KeepAlive: 30 * time.Second, Control: f.control}
	f.client = &http.Client{
		Transport: &http.Transport{
			Proxy:                  nil, // NOTE: a proxy would dial for us and bypass the address check
			DialContext:            f.dialContext,
			ForceAttemptHTTP2:      true,
			TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12},
			TLSHandshakeTimeout:    step,
			ResponseHeaderTimeout:  cfg.Timeout,
			MaxResponseHeaderBytes: 64 << 10,
			MaxIdleConns:           64,
			IdleConnTimeout:        90 * time.Second,
		},
		CheckRedirect: f.checkRedirect,
		// No Jar: cookies set by one URL must never be sent to another.
	}
	return f
}

// Fetch downloads rawURL and returns it if it is a supported image. Errors are
// *domain.Error: EInvalidURL, EFetchBlocked (the host resolves to a blocked
// address, on the first hop or after a redirect), EFetchFailed (unreachable,
// non-2xx status, too many redirects), ETooLarge, ENotImage and ETimeout. When
// ctx itself ends, Fetch returns an error wrapping ctx.Err() instead, so the
// caller can tell an interruption from a bad URL.
//
// A transient failure of the origin (a 5xx or 429 status, a connection reset
// or cut short) is tried again, up to Attempts times in all, within the one
// Timeout.
func (f *Fetcher) Fetch(ctx context.Context, rawURL string) (Result, error) {
	u, err := ValidateURL(rawURL)
	if err != nil {
		return Result{}, err
	}
	fctx, cancel := context.WithTimeout(ctx, f.cfg.Timeout)
	defer cancel()
	var (
		attempts int
		last     error
	)
	backoff := retry.WithMaxRetries(uint64(f.cfg.Attempts-1), retry.WithJitterPercent(20, retry.NewExponential(retryDelay)))
	res, err := retry.DoValue(fctx, backoff, func(fctx context.Context) (Result, error) {
		attempts++
		res, err := f.once(ctx, fctx, u)
		last = err
		return res, err
	})
	if err != nil && err == fctx.Err() && ctx.Err() == nil && last != nil {
		// NOTE: the time ran out while waiting to try again: the origin's last
		// failure is the reason, not the clock.
		err = errors.Unwrap(last)
	}
	var de *domain.Error
	if attempts > 1 && errors.As(err, &de) {
		msg := fmt.Sprintf("%s (%d attempts).", strings.TrimSuffix(de.Message, "."), attempts)
		return res, &domain.Error{Code: de.Code, Message: msg, Err: de.Err}
	}
	return res, err
}

// retryDelay is the wait before a second attempt; it doubles after that.
const retryDelay = 500 * time.Millisecond

// once makes one attempt. A failure that may pass is wrapped in
// retry.RetryableError.
func (f *Fetcher) once(ctx, fctx context.Context, u *url.URL) (Result, error) {
	req, err := http.NewRequestWithContext(fctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return Result{}, domain.Wrap(err, domain.EInvalidURL, "The URL could not be parsed.")
	}
	req.Header.Set("User-Agent", f.cfg.UserAgent)
	req.Header.Set("Accept", "image/avif,image/webp,image/png,image/jpeg,image/*;q=0.8")
	resp, err := f.client.Do(req)
	if err != nil {
		return Result{}, f.failure(ctx, u, err, transientNet(err))
	}
	defer resp.Body.Close()

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// NOTE: the reason phrase is the server's text, so name the status by its number.
		status := strconv.Itoa(resp.StatusCode)
		if text := http.StatusText(resp.StatusCode); text != "" {
			status += " " + text
		}
		err := domain.Errorf(domain.EFetchFailed, "The URL answered with status %s.", status)
		if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
			return Result{}, retry.RetryableError(err)
		}
		return Result{}, err
	}
	if resp.ContentLength > f.cfg.MaxBytes {
		return Result{}, f.tooLarge()
	}
	body, err := readBody(resp.Body, resp.ContentLength, f.cfg.MaxBytes)
	if err != nil {
		return Result{}, f.failure(ctx, u, err, transientNet(err))
	}
	if int64(len(body)) > f.cfg.MaxBytes {
		return Result{}, f.tooLarge()
	}
	if len(body) == 0 {
		return Result{}, domain.Errorf(domain.ENotImage, "The URL returned an empty body, not an image.")
	}
	format := Sniff(body)
	if format == "" {
		return Result{}, domain.Errorf(domain.ENotImage,
			"The URL returned %s, not a supported image (JPEG, PNG, WebP, GIF, TIFF, HEIF/AVIF).", describe(body))
	}
	return Result{
		Body:        body,
		Name:        fileName(resp.Header.Get("Content-Disposition"), u, resp.Request.URL),
		ContentType: "image/" + format,
	}, nil
}

// readBody reads a body of size bytes (-1 when unknown), at most max+1.
// A body of known size is read into one slice of that size, where
// io.ReadAll grows its slice through a dozen copies, each a fresh
// allocation: cardinal.jpg (830 kB) from 127.0.0.1 in 1.5 ms instead of 2.9.
func readBody(r io.Reader, size, max int64) ([]byte, error) {
	if size < 0 {
		return io.ReadAll(io.LimitReader(r, max+1))
	}
	// NOTE: the transport ends a body at its Content-Length, and a shorter
	// one is io.ErrUnexpectedEOF, as io.ReadAll would find.
	body := make([]byte, size)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, err
	}
	return body, nil
}

// transientNet says whether a connection failure may pass: the origin reset
// or cut the connection short, or its name server failed for now. Refused
// connections, timeouts, blocked addresses and TLS failures are not retried.
func transientNet(err error) bool {
	var dns *net.DNSError
	switch {
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return true
	case errors.As(err, &dns):
		return dns.IsTemporary && !dns.IsTimeout
	}
	return false
}

func (f *Fetcher) tooLarge() error {
	return domain.Errorf(domain.ETooLarge, "The image at the URL is larger than the limit of %d bytes.", f.cfg.MaxBytes)
}

// checkRedirect holds every redirect to the rules of the first URL; the
// address check happens again when the new host is dialled.
func (f *Fetcher) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > f.cfg.MaxRedirects {
		return domain.Errorf(domain.EFetchFailed,
			"The URL redirected more than %d times; too many redirects.", f.cfg.MaxRedirects)
	}
	if err := checkURL(req.URL); err != nil {
		return domain.Wrap(err, domain.EFetchFailed,
			"The URL redirected to a location that is not allowed: %s", domain.ErrorMessage(err))
	}
	return nil
}
