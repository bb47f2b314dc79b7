package storage

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// startMinIO runs a real MinIO server on a free loopback port for the test.
// scripts/services.sh builds it from the Go module proxy; a missing binary
// fails the test.
func startMinIO(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("minio")
	if err != nil {
		gopath, _ := exec.Command("go", "env", "GOPATH").Output()
		bin = filepath.Join(string(gopath[:len(gopath)-1]), "bin", "minio")
		if _, err := os.Stat(bin); err != nil {
			t.Fatalf("the S3 tests need a MinIO server binary (scripts/services.sh installs it): %v", err)
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin, "server", "--quiet", "--address", addr, t.TempDir())
	cmd.Env = append(os.Environ(), "MINIO_ROOT_USER=augment", "MINIO_ROOT_PASSWORD=augment-secret",
		"MINIO_BROWSER=off", "MINIO_UPDATE=off")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get("http://" + addr + "/minio/health/live")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("MinIO at %s did not start", addr)
		}
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "augment")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "augment-secret")
	return addr
}

func TestS3(t *testing.T) {
	addr := startMinIO(t)
	s, err := Open(context.Background(), fmt.Sprintf("s3://augment-test/variants?endpoint=%s&region=us-east-1&secure=false", url.QueryEscape(addr)))
	if err != nil {
		t.Fatal(err)
	}
	testStore(t, s)
}
