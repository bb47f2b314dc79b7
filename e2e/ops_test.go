package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestToken: with API_TOKEN set, writes and the dashboard need it; reads of
// results stay reachable by id; the login form lets a browser in.
func TestToken(t *testing.T) {
	s := startStack(t, "API_TOKEN=s3cret")
	img := images(t)
	body := `{"url": "` + img.URL + `/rocket.jpg", "variants": 1}`

	resp, err := http.Post(s.URL+"/api/v1/jobs", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	checkError(t, resp, 401, "unauthorized", "token")

	req, _ := http.NewRequest(http.MethodPost, s.URL+"/api/v1/jobs", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer wrong")
	resp, _ = http.DefaultClient.Do(req)
	checkError(t, resp, 401, "unauthorized", "token")

	req, _ = http.NewRequest(http.MethodPost, s.URL+"/api/v1/jobs", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer s3cret")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	id := strings.TrimPrefix(resp.Header.Get("Location"), "/api/v1/jobs/")
	if resp.StatusCode != 202 || id == "" {
		t.Fatalf("with the token: %d", resp.StatusCode)
	}
	if j := s.waitJob(id, 30*time.Second); j.Status != "done" {
		t.Fatalf("job %s", j.Status)
	}

	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = http.Get(s.URL + "/monitoring/api/queues")
	if err != nil {
		t.Fatal(err)
	}
	checkError(t, resp, 401, "unauthorized", "token")
	// A browser is sent to log in instead.
	req, _ = http.NewRequest(http.MethodGet, s.URL+"/monitoring/", nil)
	req.Header.Set("Accept", "text/html")
	resp, err = noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/login?next=%2Fmonitoring%2F" {
		t.Errorf("a browser without the cookie: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	resp, err = http.PostForm(s.URL+"/login", url.Values{"token": {"wrong"}, "next": {"/monitoring/"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("login with a wrong token = %d", resp.StatusCode)
	}
	// NOTE: over plain HTTP the cookie is not Secure, so that logging in works on a LAN
	// (TestLoginCookieIsSecureOnlyOverHTTPS has the other cases); the test carries it by hand.
	resp, err = noRedirect.PostForm(s.URL+"/login", url.Values{"token": {"s3cret"}, "next": {"/monitoring/"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cookies := resp.Cookies()
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/monitoring/" || len(cookies) != 1 ||
		!cookies[0].HttpOnly || cookies[0].Secure || strings.Contains(cookies[0].Value, "s3cret") {
		t.Fatalf("login = %d → %q, cookies %+v", resp.StatusCode, resp.Header.Get("Location"), cookies)
	}
	req, _ = http.NewRequest(http.MethodGet, s.URL+"/monitoring/", nil)
	req.AddCookie(cookies[0])
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(strings.ToLower(string(page)), "asynq") {
		t.Fatalf("dashboard after login = %d", resp.StatusCode)
	}
	// Reads stay open.
	if st := s.getJSON("/api/v1/jobs/"+id, nil); st != 200 {
		t.Errorf("reading a job without the token = %d", st)
	}
}

// TestRateLimit answers 429 with Retry-After past the per-client budget of
// writes; reading the dashboard and requests refused for their token spend
// none of it.
func TestRateLimit(t *testing.T) {
	s := startStack(t, "RATE_LIMIT=3", "API_TOKEN=s3cret")
	send := func(method, path, token string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, s.URL+path, nil)
		if method == http.MethodPost {
			req.Body = io.NopCloser(strings.NewReader(`{"url": "http://127.0.0.1:1/x.jpg", "variants": 1}`))
			req.Header.Set("Content-Type", "application/json")
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	for i := range 10 {
		resp := send(http.MethodGet, "/monitoring/api/queues", "s3cret")
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("dashboard read %d answered %d: reads are not writes", i+1, resp.StatusCode)
		}
	}
	for range 5 {
		checkError(t, send(http.MethodPost, "/api/v1/jobs", "wrong"), 401, "unauthorized", "token")
	}
	for i := range 3 {
		resp := send(http.MethodPost, "/api/v1/jobs", "s3cret")
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("write %d of the budget of 3 answered %d", i+1, resp.StatusCode)
		}
	}
	last := send(http.MethodPost, "/api/v1/jobs", "s3cret")
	if last.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	checkError(t, last, 429, "rate_limited", "try again")
}

// TestMetrics exposes Prometheus metrics with the queues and the sync wait.
func TestMetrics(t *testing.T) {
	s := startStack(t)
	img := images(t)
	resp, err := http.Get(s.URL + "/?url=" + url.QueryEscape(img.URL+"/rocket.jpg") + "&n=1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp, err = http.Get(s.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, want := range []string{
		"augment_sync_wait_seconds_count 1",
		`augment_jobs_submitted_total{queue="interactive"} 1`,
		"asynq_tasks_enqueued_total", // asynq's queue metrics
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

// TestRedisOutage: with Redis down, POST answers 503 and /readyz 503 while
// the api stays up; when Redis returns, both recover without a restart.
func TestRedisOutage(t *testing.T) {
	port := freePort(t)
	redis := func() *exec.Cmd {
		cmd := exec.Command("redis-server", "--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
		if err := cmd.Start(); err != nil {
			t.Fatalf("redis-server is required: %v", err)
		}
		time.Sleep(300 * time.Millisecond)
		return cmd
	}
	r := redis()
	t.Cleanup(func() { _ = r.Process.Kill(); _ = r.Wait() })
	s := startStack(t, fmt.Sprintf("REDIS_URL=redis://127.0.0.1:%d/0", port))
	img := images(t)
	body := `{"url": "` + img.URL + `/rocket.jpg", "variants": 1}`

	_ = r.Process.Kill()
	_ = r.Wait()
	resp, err := http.Post(s.URL+"/api/v1/jobs", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	checkError(t, resp, 503, "unavailable", "queue")
	var ready readiness
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/readyz", nil)
	req.Header.Set("Accept", "text/html") // a browser still gets JSON
	if resp, err := http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	} else {
		_ = json.NewDecoder(resp.Body).Decode(&ready)
		resp.Body.Close()
		if resp.StatusCode != 503 || ready.Checks["redis"] != "down" || ready.Checks["postgresql"] != "ok" ||
			!strings.Contains(ready.Error.Message, "Redis") || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Errorf("/readyz with Redis down = %d %s %+v", resp.StatusCode, resp.Header.Get("Content-Type"), ready)
		}
	}
	if st := s.getJSON("/healthz", nil); st != 200 {
		t.Errorf("/healthz with Redis down = %d", st)
	}
	var list struct{ Jobs []job }
	s.getJSON("/api/v1/jobs", &list)
	if len(list.Jobs) != 0 {
		t.Errorf("a refused job was kept: %+v", list.Jobs)
	}

	r = redis()
	var id string
	for i := 0; i < 50 && id == ""; i++ {
		resp, err := http.Post(s.URL+"/api/v1/jobs", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == 202 {
			id = strings.TrimPrefix(resp.Header.Get("Location"), "/api/v1/jobs/")
		}
		time.Sleep(200 * time.Millisecond)
	}
	if id == "" {
		t.Fatal("the api did not recover when Redis came back")
	}
	if j := s.waitJob(id, 60*time.Second); j.Status != "done" {
		t.Fatalf("job after recovery: %s", j.Status)
	}
	if st := s.getJSON("/readyz", &ready); st != 200 || ready.Status != "ready" || ready.Checks["redis"] != "ok" {
		t.Errorf("/readyz after recovery = %d %+v", st, ready)
	}
}

// readiness is what /readyz answers.
type readiness struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
	Error  struct{ Code, Message string }
}

// TestWorkerSIGTERM: a worker stopped in the middle of a job hands it back;
// the next worker finishes it with every variant exactly once.
func TestWorkerSIGTERM(t *testing.T) {
	s := startStack(t, "WORKER_CONCURRENCY=1", "SHUTDOWN_TIMEOUT=1s")
	img := images(t)
	resp, err := http.Post(s.URL+"/api/v1/jobs", "application/json",
		strings.NewReader(`{"url": "`+img.URL+`/large.jpg", "variants": 40, "preset": "heavy"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	id := strings.TrimPrefix(resp.Header.Get("Location"), "/api/v1/jobs/")
	var j job
	for deadline := time.Now().Add(60 * time.Second); len(j.Variants) < 2; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("job made no progress: %+v", j)
		}
		s.getJSON("/api/v1/jobs/"+id, &j)
	}
	s.mu.Lock()
	_ = s.worker.Process.Signal(os.Interrupt)
	_, _ = s.worker.Process.Wait()
	s.mu.Unlock()
	s.getJSON("/api/v1/jobs/"+id, &j)
	if j.Status == "done" || len(j.Variants) == 40 {
		t.Fatalf("the job finished before the worker stopped (%s): the test shows nothing", j.Status)
	}
	t.Logf("stopped the worker with %d of 40 variants", len(j.Variants))
	s.StartWorker()
	j = s.waitJob(id, 3*time.Minute)
	if j.Status != "done" || len(j.Variants) != 40 {
		t.Fatalf("after restart: %s with %d variants", j.Status, len(j.Variants))
	}
	for i, v := range j.Variants {
		if v.Index != i {
			t.Fatalf("variant %d has index %d", i, v.Index)
		}
	}
}
