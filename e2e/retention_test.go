package e2e

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRetention: with RETENTION set, a finished job goes some time after it
// ended, its record and its files together.
func TestRetention(t *testing.T) {
	s := startStack(t, "RETENTION=2s", "SWEEP_INTERVAL=1s")
	img := images(t)
	resp, err := http.Get(s.URL + "/?url=" + url.QueryEscape(img.URL+"/rocket.jpg") + "&n=2")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var list struct{ Jobs []job }
	if s.getJSON("/api/v1/jobs", &list); len(list.Jobs) != 1 || list.Jobs[0].Status != "done" {
		t.Fatalf("jobs = %+v", list.Jobs)
	}
	id := list.Jobs[0].ID
	// NOTE: a ?url= job's thumbnails are made when a page asks for them.
	var j job
	s.getJSON("/api/v1/jobs/"+id, &j)
	for _, href := range []string{j.Source.Href, j.Variants[0].Href, j.Variants[1].Href} {
		if resp, _ := s.fetch(href + "/thumb"); resp.StatusCode != 200 {
			t.Fatalf("%s/thumb: %d", href, resp.StatusCode)
		}
	}
	for wait := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		files := storedFiles(t, filepath.Join(s.Storage, "jobs"))
		if len(files) == 6 {
			break
		}
		if time.Now().After(wait) {
			t.Fatalf("stored files = %v, want the source and 2 variants, and a thumbnail of each", files)
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for s.getJSON("/api/v1/jobs/"+id, nil) != http.StatusNotFound {
		if time.Now().After(deadline) {
			t.Fatalf("job %s still recorded 20 s after it ended", id)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if files := storedFiles(t, filepath.Join(s.Storage, "jobs")); len(files) != 0 {
		t.Fatalf("the job's record is gone but its files are not: %v", files)
	}
	if !strings.Contains(s.logs.String(), `"msg":"retention: deleted ended jobs and their files"`) {
		t.Error("the worker did not say what it deleted")
	}
}

func storedFiles(t *testing.T, root string) []string {
	var files []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, strings.TrimPrefix(p, root))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
