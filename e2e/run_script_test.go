package e2e

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/augment-ml/augment/internal/testenv"
)

// TestRunScriptOnAFreshMachine: the README's first command (`make run`, which
// runs scripts/run.sh) brings up a working service on a database that does
// not exist yet, as on a fresh machine: the worker must not start before the
// api has made the schema, and a `?url=` page gets its variants.
func TestRunScriptOnAFreshMachine(t *testing.T) {
	dbURL, _ := testenv.UncreatedDatabase(t)
	port := freePort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	logs := &logBuf{}
	cmd := exec.Command("../scripts/run.sh")
	cmd.Env = append(os.Environ(),
		"BIN="+bin,
		"HTTP_ADDR=127.0.0.1:"+fmt.Sprint(port),
		"DATABASE_URL="+dbURL,
		"REDIS_URL="+testenv.Redis(t, redisDB),
		"STORAGE_URL=file://"+t.TempDir(),
		"FETCH_ALLOW_PRIVATE=true",
		"METRICS_ADDR=off",
	)
	cmd.Stdout, cmd.Stderr = logs, logs
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
	})

	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		select {
		case err := <-exited:
			t.Fatalf("scripts/run.sh ended before the service was ready (%v); logs:\n%s", err, logs)
		default:
		}
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the service of scripts/run.sh never became ready; logs:\n%s", logs)
		}
	}

	src := images(t).URL + "/cardinal.jpg"
	resp, err := http.Get(base + "/?url=" + url.QueryEscape(src) + "&n=2")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || strings.Count(string(body), `class="variant"`) != 2 {
		t.Fatalf("GET /?url= through scripts/run.sh = %d with %d variants, want 200 with 2; logs:\n%s",
			resp.StatusCode, strings.Count(string(body), `class="variant"`), logs)
	}
}
