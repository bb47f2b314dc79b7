package e2e

import (
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
