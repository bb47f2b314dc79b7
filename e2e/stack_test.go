package e2e

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/augment-ml/augment/internal/testenv"
)

// bin holds the api and worker binaries built once for the package.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "augment-e2e-")
	if err != nil {
		panic(err)
	}
	for _, name := range []string{"api", "worker", "augment"} {
		cmd := exec.Command("go", "build", "-o", filepath.Join(dir, name), "../cmd/"+name)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: building", name, "failed:", err)
			os.Exit(1)
		}
	}
	bin = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// stack is a running api and worker on their own database, Redis DB and storage.
type stack struct {
	t       testing.TB
	URL     string // the api, http://127.0.0.1:PORT
	env     []string
	mu      sync.Mutex
	worker  *exec.Cmd
	api     *exec.Cmd
	logs    *logBuf
	Storage string
}

// redisDB is this package's Redis DB number; other packages use others.
const redisDB = 9

// startStack starts the api and one worker with extra environment.
func startStack(t testing.TB, extra ...string) *stack {
	t.Helper()
	port := freePort(t)
	s := &stack{t: t, URL: fmt.Sprintf("http://127.0.0.1:%d", port), logs: &logBuf{}, Storage: t.TempDir()}
	s.env = append(os.Environ(),
		"HTTP_ADDR=127.0.0.1:"+fmt.Sprint(port),
		"DATABASE_URL="+testenv.Database(t),
		"REDIS_URL="+testenv.Redis(t, redisDB),
		"STORAGE_URL=file://"+s.Storage,
		"FETCH_ALLOW_PRIVATE=true",
		"WORKER_CONCURRENCY=2",
		"VIPS_BLOCK_UNTRUSTED=1",
		"MALLOC_ARENA_MAX=2",
		"RATE_LIMIT=0",
		"METRICS_ADDR=off",
	)
	s.env = append(s.env, extra...)
	s.api = s.start("api")
	s.waitReady()
	s.StartWorker()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("service logs:\n%s", s.logs.String())
		}
	})
	return s
}

func (s *stack) start(name string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(bin, name))
	cmd.Env = s.env
	cmd.Stdout, cmd.Stderr = s.logs, s.logs
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("start %s: %v", name, err)
	}
	s.t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	return cmd
}

// StartWorker starts a worker process.
func (s *stack) StartWorker() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.worker = s.start("worker")
}

// KillWorker kills the worker with SIGKILL, as a crash would.
func (s *stack) KillWorker() {
	s.mu.Lock()
	defer s.mu.Unlock()
	_ = s.worker.Process.Kill()
}

func (s *stack) waitReady() {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.t.Fatalf("api at %s never became ready; logs:\n%s", s.URL, s.logs.String())
}

// getJSON GETs path and decodes the JSON answer into v, returning the status.
func (s *stack) getJSON(path string, v any) int {
	s.t.Helper()
	resp, err := http.Get(s.URL + path)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	if v != nil {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			s.t.Fatalf("GET %s: decoding: %v", path, err)
		}
	}
	return resp.StatusCode
}

// waitJob polls a job until it ends.
func (s *stack) waitJob(id string, within time.Duration) job {
	s.t.Helper()
	deadline := time.Now().Add(within)
	for {
		var j job
		if st := s.getJSON("/api/v1/jobs/"+id, &j); st != http.StatusOK {
			s.t.Fatalf("GET job %s: %d", id, st)
		}
		if j.Status == "done" || j.Status == "failed" {
			return j
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("job %s still %s after %v; logs:\n%s", id, j.Status, within, s.logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// images serves the corpus, and the bad inputs under /bad/, from 127.0.0.1.
func images(t testing.TB) *httptest.Server {
	srv := httptest.NewServer(http.FileServer(http.Dir("../testdata/corpus")))
	t.Cleanup(srv.Close)
	return srv
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// job is the API's job shape, as a client reads it.
type job struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Source struct {
		URL    string `json:"url"`
		Name   string `json:"name"`
		Width  int    `json:"width"`
		Height int    `json:"height"`
		Format string `json:"format"`
		Bytes  int64  `json:"bytes"`
		Href   string `json:"href"`
	} `json:"source"`
	Spec struct {
		Variants int             `json:"variants"`
		Seed     int64           `json:"seed"`
		Pipeline json.RawMessage `json:"pipeline"`
		Output   struct {
			Format string `json:"format"`
			Chroma string `json:"chroma"`
		} `json:"output"`
	} `json:"spec"`
	Variants []struct {
		Index  int               `json:"index"`
		Href   string            `json:"href"`
		Width  int               `json:"width"`
		Height int               `json:"height"`
		Format string            `json:"format"`
		Bytes  int64             `json:"bytes"`
		Ops    []json.RawMessage `json:"ops"`
	} `json:"variants"`
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

type logBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.b.String()
	if len(s) > 20000 {
		s = "…" + s[len(s)-20000:]
	}
	return s
}
