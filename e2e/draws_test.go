package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestBatchDrawsPerImage: every image of a batch draws its own values for
// each variant, the same URL given twice too, and the same batch with the
// same seed gives the same dataset again, op for op and byte for byte.
func TestBatchDrawsPerImage(t *testing.T) {
	s := startStack(t)
	img := images(t)
	body := `{"urls": [` + urlList(img.URL, "rocket.jpg", "coffee.png", "chelsea.png", "astronaut.png", "rocket.jpg") +
		`], "variants": 2, "seed": 11, "pipeline": [{"op": "rotate", "degrees": [-30, 30]}, {"op": "cutout"}]}`
	run := func() (ops map[string]string, files map[string][]byte) {
		status, b, raw := s.postBatch("application/json", strings.NewReader(body))
		if status != http.StatusAccepted {
			t.Fatalf("POST = %d %s", status, raw)
		}
		if b = s.waitBatch(b.ID, 90*time.Second); b.Counts.Done != 5 {
			t.Fatalf("counts = %+v", b.Counts)
		}
		zr, manifest, _ := s.resultArchive(b)
		ops, files = map[string]string{}, map[string][]byte{}
		for _, m := range manifest {
			ops[m.Path] = fmt.Sprintf("%s", m.Ops)
		}
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			files[f.Name], _ = io.ReadAll(rc)
			rc.Close()
		}
		if len(ops) != 10 {
			t.Fatalf("%d variants in the manifest, want 10", len(ops))
		}
		return ops, files
	}
	ops, files := run()
	for i := range 2 {
		seen := map[string]string{}
		for path, o := range ops {
			if !strings.Contains(path, fmt.Sprintf("/%d.", i)) {
				continue
			}
			if other, dup := seen[o]; dup {
				t.Errorf("variant %d of %s and of %s drew the same ops %s", i, path, other, o)
			}
			seen[o] = path
		}
		if len(seen) != 5 {
			t.Errorf("variant %d: %d distinct draws among 5 images", i, len(seen))
		}
	}
	again, filesAgain := run()
	for path, o := range ops {
		if again[path] != o {
			t.Errorf("%s: ops %s, then %s with the same seed", path, o, again[path])
		}
	}
	for name, b := range files {
		if name != "manifest.jsonl" && string(filesAgain[name]) != string(b) {
			t.Errorf("%s: other bytes with the same seed", name)
		}
	}
}

// TestRecordReplays pins a variant as a user would: its recorded ops,
// submitted as the pipeline of a new job on the same source with another
// seed, give the same ops and the same bytes.
func TestRecordReplays(t *testing.T) {
	s := startStack(t)
	img := images(t)
	submit := func(body string) job {
		resp, err := http.Post(s.URL+"/api/v1/jobs", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		var created job
		_ = json.NewDecoder(resp.Body).Decode(&created)
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("POST %s = %d", body, resp.StatusCode)
		}
		j := s.waitJob(created.ID, 60*time.Second)
		if j.Status != "done" {
			t.Fatalf("job %s: %s", j.ID, j.Status)
		}
		return j
	}
	src := img.URL + "/chelsea.png"
	first := submit(`{"url": "` + src + `", "variants": 3, "seed": 4, "preset": "heavy", "output": {"format": "png"}}`)
	for _, v := range first.Variants {
		ops, _ := json.Marshal(v.Ops)
		pinned := submit(`{"url": "` + src + `", "variants": 1, "seed": 999, "pipeline": ` + string(ops) + `, "output": {"format": "png"}}`)
		again, _ := json.Marshal(pinned.Variants[0].Ops)
		if string(again) != string(ops) {
			t.Errorf("variant %d: recorded %s, replayed %s", v.Index, ops, again)
		}
		a, b := download(t, s.URL+v.Href, "image/png"), download(t, s.URL+pinned.Variants[0].Href, "image/png")
		if !bytes.Equal(a, b) {
			t.Errorf("variant %d: its record %s replays to other pixels", v.Index, ops)
		}
	}
}
