package main

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestParseDataset(t *testing.T) {
	pipe := filepath.Join(t.TempDir(), "p.json")
	os.WriteFile(pipe, []byte(`[{"op": "hflip"}]`), 0o644)
	o, err := parseDataset([]string{"./ds", "--variants", "3", "--out", "x", "--pipeline", pipe, "--allow-lossy", "--augment-splits", "train,valid", "--include-originals=false"},
		env(map[string]string{"AUGMENT_URL": "http://h:1/", "AUGMENT_TOKEN": "t"}))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range o.Fields {
		got[f[0]] = f[1]
	}
	want := map[string]string{"variants": "3", "pipeline": `[{"op": "hflip"}]`, "allow_lossy": "true", "augment_splits": "train,valid", "include_originals": "false"}
	if o.Dir != "./ds" || o.Out != "x" || o.URL != "http://h:1" || o.Token != "t" || len(got) != len(want) {
		t.Fatalf("options = %+v", o)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	// Flags before the folder, JSON given inline, the flag's token over the environment's.
	o, err = parseDataset([]string{"--out", "x", "--pipeline", `[{"op":"vflip"}]`, "--token", "flag", "ds"}, env(map[string]string{"AUGMENT_TOKEN": "env"}))
	if err != nil || o.Dir != "ds" || o.Token != "flag" || o.URL != "http://127.0.0.1:8000" || o.Fields[0][1] != `[{"op":"vflip"}]` {
		t.Fatalf("options = %+v, %v", o, err)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"frobnicate"}, {"dataset", "ds"}, {"dataset", "--out", "x"}, {"dataset", "a", "b", "--out", "x"},
		{"dataset", "ds", "--out", "x", "--variants", "many"}} {
		var stderr bytes.Buffer
		if code := Main(context.Background(), args, &bytes.Buffer{}, &stderr, env(nil)); code != 2 || !strings.Contains(stderr.String(), "usage:") {
			t.Errorf("%q: exit %d, stderr %q", args, code, stderr.String())
		}
	}
	var stderr bytes.Buffer
	missing := filepath.Join(t.TempDir(), "missing")
	if code := Main(context.Background(), []string{"dataset", missing, "--out", t.TempDir()}, &bytes.Buffer{}, &stderr, env(nil)); code != 1 || !strings.Contains(stderr.String(), "is not a folder") {
		t.Errorf("a missing folder: exit %d, %q", code, stderr.String())
	}
}

// TestUnpackRefusesUnsafePaths: a result that would write outside --out
// writes nothing.
func TestUnpackRefusesUnsafePaths(t *testing.T) {
	for _, name := range []string{"../evil.txt", "/etc/evil", `..\evil`, "a/../../evil"} {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, _ := zw.Create("ok.txt")
		w.Write([]byte("fine"))
		w, _ = zw.Create(name)
		w.Write([]byte("evil"))
		zw.Close()
		zr, _ := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		out := t.TempDir()
		if _, _, err := unpack(zr, out); err == nil || !strings.Contains(err.Error(), "unsafe path") {
			t.Errorf("%q: err = %v", name, err)
		}
		if entries, _ := os.ReadDir(out); len(entries) != 0 {
			t.Errorf("%q: %d files written", name, len(entries))
		}
	}
}

// TestZipDir: the folder's files under their relative paths, links not
// followed, archivers' litter left out.
func TestZipDir(t *testing.T) {
	dir := t.TempDir()
	for p, b := range map[string]string{"train/cat/a.jpg": "jpeg", "data.yaml": "names: [a]", ".DS_Store": "x"} {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755)
		os.WriteFile(filepath.Join(dir, p), []byte(b), 0o644)
	}
	os.Symlink("/etc/passwd", filepath.Join(dir, "link.txt"))
	var buf bytes.Buffer
	if err := zipDir(context.Background(), dir, &buf); err != nil {
		t.Fatal(err)
	}
	zr, _ := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	if strings.Join(names, ",") != "data.yaml,train/cat/a.jpg" {
		t.Errorf("zipped %v", names)
	}
}
