package e2e

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/augment-ml/augment/internal/testenv"
)

// TestJobsEndAfterDatabaseOutage: a worker cut off from PostgreSQL fails its
// attempts until its task is archived (the red team's 17-minute outage used
// up all six); when the database returns, the job still ends, because the
// sweeper queues archived tasks again instead of taking their id for "already
// queued".
func TestJobsEndAfterDatabaseOutage(t *testing.T) {
	s := startStack(t, "SWEEP_INTERVAL=1s")
	s.KillWorker()
	pg := newProxy(t, hostOf(t, s.env))
	s.StartWorkerWith("DATABASE_URL=" + pg.url(t, s.env))
	s.waitLog(`"msg":"worker started"`, 30*time.Second)
	img := images(t)

	pg.cut()
	resp, err := http.Post(s.URL+"/api/v1/jobs", "application/json",
		strings.NewReader(`{"url": "`+img.URL+`/rocket.jpg", "variants": 2}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	id := strings.TrimPrefix(resp.Header.Get("Location"), "/api/v1/jobs/")
	ins := s.inspector(t)
	deadline := time.Now().Add(30 * time.Second)
	for {
		info, err := ins.GetTaskInfo("default", id)
		if err == nil && info.State == asynq.TaskStateRetry {
			break // an attempt failed on the database
		}
		if time.Now().After(deadline) {
			t.Fatalf("the task never failed an attempt: %+v %v", info, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// NOTE: asynq waits minutes between attempts; archiving the task now is
	// what running out of them does.
	if err := ins.ArchiveTask("default", id); err != nil {
		t.Fatal(err)
	}
	pg.restore()
	j := s.waitJob(id, 60*time.Second)
	if j.Status != "done" || len(j.Variants) != 2 {
		t.Fatalf("after the outage: %s with %d variants, %+v", j.Status, len(j.Variants), j.Error)
	}
	if !strings.Contains(s.logs.String(), `"msg":"sweep: queued a job again","job_id":"`+id+`","task":"archived"`) {
		t.Error("the sweeper did not say what it did")
	}
}

// TestWorkerRefusesUnknownDatabases: the worker never creates a database (a
// misspelled DATABASE_URL used to make one and archive every task) and
// refuses a schema newer than it knows, each with one line saying so.
func TestWorkerRefusesUnknownDatabases(t *testing.T) {
	s := startStack(t)
	missing := fmt.Sprintf("augment_missing_%d", time.Now().UnixNano())
	out := s.runWorker(t, "DATABASE_URL=postgres://postgres@"+hostOf(t, s.env)+"/"+missing+"?sslmode=disable")
	if !strings.Contains(out, `database "`+missing+`" does not exist`) || !strings.Contains(out, "never creates") {
		t.Errorf("on a missing database the worker said:\n%s", out)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, testenv.PostgresURL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var created bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, missing).Scan(&created); err != nil || created {
		t.Fatalf("the worker created the database %s (%v)", missing, err)
	}

	db, err := pgx.Connect(ctx, envOf(s.env, "DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	if _, err := db.Exec(ctx, `INSERT INTO goose_db_version (version_id, is_applied) VALUES (9999, true)`); err != nil {
		t.Fatal(err)
	}
	if out := s.runWorker(t); !strings.Contains(out, "version 9999, newer than this worker knows") {
		t.Errorf("on a newer schema the worker said:\n%s", out)
	}
}

// runWorker runs a worker that must refuse to start, and returns what it said.
func (s *stack) runWorker(t *testing.T, extra ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(bin, "worker"))
	cmd.Env = append(append([]string{}, s.env...), extra...)
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil || err == nil {
		t.Fatalf("the worker did not refuse to start (%v):\n%s", err, out)
	}
	if lines := strings.Count(strings.TrimSpace(string(out)), "\n") + 1; lines != 1 {
		t.Errorf("the worker said %d lines, want one:\n%s", lines, out)
	}
	return string(out)
}

// StartWorkerWith starts a worker with extra environment.
func (s *stack) StartWorkerWith(extra ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	env := s.env
	s.env = append(append([]string{}, env...), extra...)
	s.worker = s.start("worker")
	s.env = env
}

// waitLog waits until the services have logged text.
func (s *stack) waitLog(text string, within time.Duration) {
	s.t.Helper()
	for deadline := time.Now().Add(within); !strings.Contains(s.logs.String(), text); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			s.t.Fatalf("no %s in the logs after %v:\n%s", text, within, s.logs.String())
		}
	}
}

// inspector looks at the stack's queues.
func (s *stack) inspector(t *testing.T) *asynq.Inspector {
	opt, err := redis.ParseURL(envOf(s.env, "REDIS_URL"))
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { rdb.Close() })
	return asynq.NewInspectorFromRedisClient(rdb)
}

func envOf(env []string, name string) string {
	v := ""
	for _, kv := range env {
		if k, val, _ := strings.Cut(kv, "="); k == name {
			v = val
		}
	}
	return v
}

func hostOf(t *testing.T, env []string) string {
	cfg, err := pgx.ParseConfig(envOf(env, "DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%s:%d", cfg.Host, cfg.Port)
}

// proxy forwards TCP connections to a server until cut: then it drops every
// connection and refuses new ones, as a network outage would.
type proxy struct {
	l      net.Listener
	target string
	mu     sync.Mutex
	down   bool
	conns  []net.Conn
}

func newProxy(t *testing.T, target string) *proxy {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{l: l, target: target}
	t.Cleanup(func() { l.Close(); p.cut() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go p.serve(c)
		}
	}()
	return p
}

// url is the stack's DATABASE_URL with the proxy's address.
func (p *proxy) url(t *testing.T, env []string) string {
	return strings.Replace(envOf(env, "DATABASE_URL"), hostOf(t, env), p.l.Addr().String(), 1)
}

func (p *proxy) serve(c net.Conn) {
	p.mu.Lock()
	if p.down {
		p.mu.Unlock()
		c.Close()
		return
	}
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		p.mu.Unlock()
		c.Close()
		return
	}
	p.conns = append(p.conns, c, up)
	p.mu.Unlock()
	go func() { _, _ = io.Copy(up, c); up.Close() }()
	_, _ = io.Copy(c, up)
	c.Close()
}

func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *proxy) restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = false
}
