package datasettest

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"
)

// ReadJSONL reads a file of one JSON value a line (a dataset's
// manifest.jsonl, failures.jsonl), failing t on a line that is not a T.
func ReadJSONL[T any](t testing.TB, path string) []T {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []T
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var v T
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("%s: line %d, %s: %v", path, len(out)+1, sc.Bytes(), err)
		}
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
