package web

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
)

// TestDeadlinesKeepStreaming: behind the server's deadlines a handler can
// still stream (gin's Stream asks the writer for flushes and the close
// notice), and a pause longer than the write timeout between writes is fine:
// the timeout holds one write, not the answer.
func TestDeadlinesKeepStreaming(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/stream", func(c *gin.Context) {
		n := 0
		c.Stream(func(w io.Writer) bool {
			if n > 0 {
				time.Sleep(300 * time.Millisecond)
			}
			c.SSEvent("tick", n)
			n++
			return n < 3
		})
	})
	lim := HTTPLimits{ReadTimeout: time.Second, MinBodyRate: 1024, WriteTimeout: 200 * time.Millisecond, IdleTimeout: time.Second, MaxConns: 4}
	ln, err := Listen("127.0.0.1:0", lim)
	if err != nil {
		t.Fatal(err)
	}
	hs := NewHTTPServer(r, lim)
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	resp, err := http.Get("http://" + ln.Addr().String() + "/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || strings.Count(string(body), "event:tick") != 3 {
		t.Fatalf("streamed %q, %v; want 3 events", body, err)
	}
}
