package e2e

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// TestSlowClients: a client that sends its headers or its body a byte a
// second, or keeps a connection idle, is let go, while an upload slower than
// the read timeout but above the minimum rate goes through.
func TestSlowClients(t *testing.T) {
	s := startStack(t, "HTTP_READ_TIMEOUT=2s", "HTTP_MIN_BODY_RATE=16384", "HTTP_IDLE_TIMEOUT=2s")
	addr := strings.TrimPrefix(s.URL, "http://")

	// cutOff sends head, then a byte a second, and reports how long the
	// server let it go on.
	cutOff := func(t *testing.T, head string) time.Duration {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		start := time.Now()
		if _, err := io.WriteString(c, head); err != nil {
			t.Fatal(err)
		}
		closed := make(chan struct{})
		go func() { _, _ = io.Copy(io.Discard, c); close(closed) }()
		for range 30 {
			select {
			case <-closed:
				return time.Since(start)
			case <-time.After(time.Second):
			}
			if _, err := c.Write([]byte("a")); err != nil {
				return time.Since(start)
			}
		}
		t.Fatalf("the server still holds a client sending a byte a second after 30 s")
		return 0
	}
	t.Run("body a byte a second", func(t *testing.T) {
		took := cutOff(t, "POST /api/v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
		t.Logf("cut off after %v", took.Round(100*time.Millisecond))
	})
	t.Run("headers a byte a second", func(t *testing.T) {
		took := cutOff(t, "GET /healthz HTTP/1.1\r\nHost: x\r\n")
		t.Logf("cut off after %v", took.Round(100*time.Millisecond))
	})
	t.Run("idle keep-alive", func(t *testing.T) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprint(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
		br := bufio.NewReader(c)
		resp, err := http.ReadResponse(br, nil)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("healthz: %v %v", resp, err)
		}
		io.Copy(io.Discard, resp.Body)
		_ = c.SetReadDeadline(time.Now().Add(15 * time.Second))
		start := time.Now()
		if _, err := br.ReadByte(); !errors.Is(err, io.EOF) {
			t.Fatalf("an idle keep-alive connection was not closed: %v", err)
		}
		t.Logf("idle connection closed after %v", time.Since(start).Round(100*time.Millisecond))
	})
	t.Run("slow but steady upload", func(t *testing.T) {
		data, err := os.ReadFile("../testdata/corpus/rocket.jpg")
		if err != nil {
			t.Fatal(err)
		}
		ct, body := multipartBody(t, "image", "rocket.jpg", data, map[string]string{"variants": "1"})
		start := time.Now()
		resp, err := http.Post(s.URL+"/api/v1/jobs", ct, &throttled{r: body, perSecond: 40 << 10})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		took := time.Since(start)
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("a 112 KB upload at 40 KB/s over %v answered %d", took, resp.StatusCode)
		}
		if took < 2*time.Second {
			t.Fatalf("the upload took %v, not longer than the read timeout: the test shows nothing", took)
		}
	})
}

// TestConnectionLimit: past HTTP_MAX_CONNS open connections a new one waits
// until one closes.
func TestConnectionLimit(t *testing.T) {
	s := startStack(t, "HTTP_MAX_CONNS=3")
	http.DefaultClient.CloseIdleConnections()
	addr := strings.TrimPrefix(s.URL, "http://")
	var held []net.Conn
	for range 3 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprint(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
		if resp, err := http.ReadResponse(bufio.NewReader(c), nil); err != nil || resp.StatusCode != 200 {
			t.Fatalf("healthz: %v %v", resp, err)
		}
		held = append(held, c)
	}
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	if resp, err := client.Get(s.URL + "/healthz"); err == nil {
		resp.Body.Close()
		t.Fatalf("a 4th connection was served (%d) while 3 were open", resp.StatusCode)
	}
	held[0].Close()
	resp, err := client.Get(s.URL + "/healthz")
	if err != nil {
		t.Fatalf("with a connection closed, a new one still waits: %v", err)
	}
	resp.Body.Close()
}

// throttled reads r at about perSecond bytes a second.
type throttled struct {
	r         *bytes.Buffer
	perSecond int
}

func (t *throttled) Read(p []byte) (int, error) {
	chunk := t.perSecond / 10
	if len(p) > chunk {
		p = p[:chunk]
	}
	time.Sleep(100 * time.Millisecond)
	return t.r.Read(p)
}
