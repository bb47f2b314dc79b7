package web

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"golang.org/x/net/netutil"
)

// HTTPLimits bound what one client can hold of the server: time to send the
// headers and the body, time to take the answer, idle keep-alives and open
// connections.
type HTTPLimits struct {
	ReadTimeout  time.Duration // the headers; and the body's head start before MinBodyRate applies
	MinBodyRate  int64         // bytes a second a request body must keep up, on average
	WriteTimeout time.Duration // longest one write may wait for a client that does not read
	IdleTimeout  time.Duration // a keep-alive connection with no request is closed after this
	MaxConns     int           // connections open at once; more wait to be accepted
}

// Listen listens on addr and accepts at most lim.MaxConns connections at once.
func Listen(addr string, lim HTTPLimits) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	return netutil.LimitListener(ln, lim.MaxConns), nil
}

// NewHTTPServer returns a server for h within lim.
//
// NOTE: no http.Server.ReadTimeout or WriteTimeout: each is one deadline for
// the whole exchange, which would cut a large archive upload or download (and
// ReadTimeout also cancels the request's context once it passes, ending a
// ?url= wait or a live page). A body must instead keep up MinBodyRate after a
// head start, and each write must go through within WriteTimeout.
func NewHTTPServer(h http.Handler, lim HTTPLimits) *http.Server {
	return &http.Server{
		Handler:           lim.deadlines(h),
		ReadHeaderTimeout: lim.ReadTimeout,
		IdleTimeout:       lim.IdleTimeout,
	}
}

func (lim HTTPLimits) deadlines(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		_ = rc.SetWriteDeadline(time.Time{}) // a keep-alive connection keeps the last request's
		if r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0 {
			b := &rateBody{ReadCloser: r.Body, rc: rc, start: time.Now(), lim: lim}
			_ = rc.SetReadDeadline(b.start.Add(lim.ReadTimeout))
			r.Body = b
		}
		h.ServeHTTP(&writeDeadline{ResponseWriter: w, rc: rc, d: lim.WriteTimeout}, r)
	})
}

// rateBody moves the read deadline on as the body arrives: having read n
// bytes by start + ReadTimeout + n/MinBodyRate, a client is fast enough.
// A client sending a byte a second is cut off after about ReadTimeout.
type rateBody struct {
	io.ReadCloser
	rc    *http.ResponseController
	start time.Time
	n     int64
	lim   HTTPLimits
}

func (b *rateBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n += int64(n)
	switch {
	case errors.Is(err, io.EOF):
		// NOTE: the server now reads on in the background to notice a client
		// leaving; a deadline passing there would cancel the request.
		_ = b.rc.SetReadDeadline(time.Time{})
	case err != nil:
		if ne := net.Error(nil); errors.As(err, &ne) && ne.Timeout() {
			err = fmt.Errorf("the request body came slower than %d bytes a second (%d bytes in %v): %w",
				b.lim.MinBodyRate, b.n, time.Since(b.start).Round(time.Millisecond), err)
		}
	default:
		allowed := time.Duration(float64(b.n) / float64(b.lim.MinBodyRate) * float64(time.Second))
		_ = b.rc.SetReadDeadline(b.start.Add(b.lim.ReadTimeout + allowed))
	}
	return n, err
}

// writeDeadline gives each write WriteTimeout to reach the client, so a
// client that stops reading is let go while a long download that keeps
// moving is not.
type writeDeadline struct {
	http.ResponseWriter
	rc *http.ResponseController
	d  time.Duration
}

func (w *writeDeadline) Write(p []byte) (int, error) {
	_ = w.rc.SetWriteDeadline(time.Now().Add(w.d))
	return w.ResponseWriter.Write(p)
}

// Flush passes on a flush (live pages stream through it) within the deadline.
func (w *writeDeadline) Flush() {
	_ = w.rc.SetWriteDeadline(time.Now().Add(w.d))
	_ = w.rc.Flush()
}

// Unwrap lets http.ResponseController reach the connection.
func (w *writeDeadline) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Hijack passes on a hijack: gin asks the writer it wraps for one.
func (w *writeDeadline) Hijack() (net.Conn, *bufio.ReadWriter, error) { return w.rc.Hijack() }

// CloseNotify passes on the server's notice of a client gone: gin's
// Context.Stream asks the writer it wraps for one, without checking.
func (w *writeDeadline) CloseNotify() <-chan bool {
	return w.ResponseWriter.(http.CloseNotifier).CloseNotify() //nolint:staticcheck // gin's Stream needs it
}
