package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/augment-ml/augment/internal/dataset/datasettest"
)

// runCLI runs the augment command with the environment given and returns
// its exit status, stdout and stderr.
func runCLI(t *testing.T, env []string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(filepath.Join(bin, "augment"), args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, stdout.String(), stderr.String()
}

// TestCLIDataset drives `augment dataset` against the running service with
// a token: a flat folder of images goes up as a zip, the batch's progress
// is drawn, the result is unpacked; refusals exit non-zero with the
// service's own sentence.
func TestCLIDataset(t *testing.T) {
	s := startStack(t, "API_TOKEN=s3cret")
	dir := t.TempDir()
	for name, src := range map[string]string{"rocket.jpg": "rocket.jpg", "photos/chelsea.png": "chelsea.png", "notes.txt": ""} {
		data := []byte("not an image")
		if src != "" {
			data = corpusFile(t, src)
		}
		os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
		os.WriteFile(filepath.Join(dir, name), data, 0o644)
	}
	url := "AUGMENT_URL=" + s.URL

	t.Run("no token", func(t *testing.T) {
		code, _, stderr := runCLI(t, []string{url}, "dataset", dir, "--variants", "1", "--out", t.TempDir())
		if code != 1 || !strings.Contains(stderr, "unauthorized") || !strings.Contains(stderr, "HTTP 401") {
			t.Fatalf("exit %d, stderr %q", code, stderr)
		}
	})
	t.Run("bad spec", func(t *testing.T) {
		code, _, stderr := runCLI(t, []string{url, "AUGMENT_TOKEN=s3cret"}, "dataset", dir, "--preset", "nope", "--out", t.TempDir())
		if code != 1 || !strings.Contains(stderr, "nope") || !strings.Contains(stderr, "invalid_spec") {
			t.Fatalf("exit %d, stderr %q", code, stderr)
		}
	})
	t.Run("done", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "aug")
		code, stdout, stderr := runCLI(t, []string{url, "AUGMENT_TOKEN=s3cret"},
			"dataset", dir, "--variants", "2", "--preset", "photometric", "--seed", "7", "--out", out)
		if code != 0 {
			t.Fatalf("exit %d\nstdout %s\nstderr %s\nlogs %s", code, stdout, stderr, s.logs.String())
		}
		if !strings.Contains(stderr, "augmenting") || !strings.Contains(stderr, "2/2") || !strings.Contains(stderr, "skipped notes.txt") {
			t.Errorf("stderr shows no progress or skipped file: %q", stderr)
		}
		var files []string
		filepath.Walk(out, func(p string, fi os.FileInfo, err error) error {
			if err == nil && fi.Mode().IsRegular() {
				rel, _ := filepath.Rel(out, p)
				files = append(files, filepath.ToSlash(rel))
			}
			return nil
		})
		sort.Strings(files)
		// Today's layout: <folder/stem>/<index>.<ext>, the folder kept.
		want := "failures.jsonl manifest.jsonl photos/chelsea/0.png photos/chelsea/1.png rocket/0.jpg rocket/1.jpg"
		if strings.Join(files, " ") != want {
			t.Fatalf("unpacked %v, want %s", files, want)
		}
		for _, m := range datasettest.ReadJSONL[manifestLine](t, filepath.Join(out, "manifest.jsonl")) {
			if m.Seed != 7 || (m.Source != "rocket.jpg" && m.Source != "photos/chelsea.png") {
				t.Errorf("manifest line %+v", m)
			}
		}
		// The same folder again into a folder that is not empty: refused before anything is sent.
		code, _, stderr = runCLI(t, []string{url, "AUGMENT_TOKEN=s3cret"}, "dataset", dir, "--out", out)
		if code != 1 || !strings.Contains(stderr, "not empty") {
			t.Errorf("a non-empty --out: exit %d, %q", code, stderr)
		}
	})
	t.Run("failed images", func(t *testing.T) {
		bad := t.TempDir()
		os.WriteFile(filepath.Join(bad, "ok.jpg"), corpusFile(t, "rocket.jpg"), 0o644)
		os.WriteFile(filepath.Join(bad, "truncated.jpg"), corpusFile(t, "bad/truncated.jpg"), 0o644)
		out := t.TempDir()
		code, _, stderr := runCLI(t, []string{url, "AUGMENT_TOKEN=s3cret"}, "dataset", bad, "--variants", "1", "--out", out)
		if code != 1 || !strings.Contains(stderr, "1 of 2 images failed") || !strings.Contains(stderr, "failed: truncated.jpg") {
			t.Fatalf("exit %d, stderr %q", code, stderr)
		}
		if _, err := os.Stat(filepath.Join(out, "ok/0.jpg")); err != nil {
			t.Errorf("the images that worked are not unpacked: %v", err)
		}
	})
}
