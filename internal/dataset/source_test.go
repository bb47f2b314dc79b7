package dataset

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/augment-ml/augment/internal/domain"
)

// archiveOf packs a folder as a zip, a tar or a tar.gz, under prefix.
func archiveOf(t testing.TB, dir, kind, prefix string) []byte {
	t.Helper()
	var files []string
	_ = filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	var buf bytes.Buffer
	switch kind {
	case "zip":
		zw := zip.NewWriter(&buf)
		for _, p := range files {
			rel, _ := filepath.Rel(dir, p)
			w, _ := zw.Create(prefix + filepath.ToSlash(rel))
			b, _ := os.ReadFile(p)
			w.Write(b)
		}
		zw.Close()
	default:
		var gz *gzip.Writer
		tw := tar.NewWriter(&buf)
		if kind == "tar.gz" {
			gz = gzip.NewWriter(&buf)
			tw = tar.NewWriter(gz)
		}
		for _, p := range files {
			rel, _ := filepath.Rel(dir, p)
			b, _ := os.ReadFile(p)
			tw.WriteHeader(&tar.Header{Name: prefix + filepath.ToSlash(rel), Mode: 0o644, Size: int64(len(b)), Typeflag: tar.TypeReg})
			tw.Write(b)
		}
		tw.Close()
		if gz != nil {
			gz.Close()
		}
	}
	return buf.Bytes()
}

// TestReadArchives: a dataset read from a zip, a tar or a tar.gz (zipped
// with its folder around it or not) is the dataset read from its folder,
// entries keeping their full relative paths.
func TestReadArchives(t *testing.T) {
	dir := roboflowYOLO(t)
	want := readDS(t, Dir(dir), "")
	for _, kind := range []string{"zip", "tar", "tar.gz"} {
		for _, prefix := range []string{"", "my-dataset/"} {
			t.Run(kind+" "+prefix, func(t *testing.T) {
				data := archiveOf(t, dir, kind, prefix)
				a, err := OpenArchive(bytes.NewReader(data), int64(len(data)))
				if err != nil {
					t.Fatal(err)
				}
				ds := readDS(t, a, "")
				if ds.Format != YOLO || len(ds.Images) != len(want.Images) || ds.Root != strings.TrimSuffix(prefix, "/") {
					t.Fatalf("read %s root %q with %d images", ds.Format, ds.Root, len(ds.Images))
				}
				for _, im := range want.Images {
					got := ds.Image(im.Path)
					if got == nil || got.SHA256 != im.SHA256 || sameObjects(got.Objects, im.Objects, 0, true) != "" {
						t.Errorf("%s: %s", im.Path, jsonOf(got))
					}
				}
			})
		}
	}
}

// TestReadRefusesHostileArchives: the hostile-archive rules hold for
// every layout, while reading labels as much as images.
func TestReadRefusesHostileArchives(t *testing.T) {
	img := jpegOf(t, 8, 8)
	zipped := func(files map[string][]byte) []byte { return zipOf(t, files) }
	lim := Limits{MaxEntries: 3, MaxEntryBytes: 1 << 16, MaxTotalBytes: 1 << 18}
	for name, tc := range map[string]struct {
		data []byte
		code string
	}{
		"climbing":        {zipped(map[string][]byte{"data.yaml": []byte("names: [a]"), "../labels/a.txt": nil}), domain.EInvalid},
		"absolute":        {zipped(map[string][]byte{"/images/a.jpg": img}), domain.EInvalid},
		"too many images": {zipped(map[string][]byte{"a/1.jpg": img, "a/2.jpg": img, "b/3.jpg": img, "b/4.jpg": img}), domain.ETooLarge},
		"lying header":    {lyingZip(t, append(append([]byte{}, img...), make([]byte, 1<<20)...)), domain.EInvalid},
		"image bomb":      {zipped(map[string][]byte{"a.jpg": append(append([]byte{}, img...), make([]byte, 1<<20)...)}), domain.ETooLarge},
		"label bomb":      {zipped(map[string][]byte{"annotations.json": append([]byte(`{"x": "`), bytes.Repeat([]byte("a"), 1<<19)...), "a.jpg": img}), domain.ETooLarge},
	} {
		t.Run(name, func(t *testing.T) {
			a, err := OpenArchive(bytes.NewReader(tc.data), int64(len(tc.data)))
			if err == nil {
				_, err = Read(a, Options{Limits: lim})
			}
			if domain.ErrorCode(err) != tc.code {
				t.Fatalf("err = %v, want %s", err, tc.code)
			}
		})
	}
}

// TestSkippedAndOther: a file named like an image that is none is skipped
// with its reason; other files are kept by path.
func TestSkippedAndOther(t *testing.T) {
	ds := readDS(t, Files{"a.jpg": jpegOf(t, 4, 4), "fake.png": []byte("not a png"), "LICENSE": []byte("MIT"), "__MACOSX/._a.jpg": []byte("x")}, "")
	if len(ds.Images) != 1 || len(ds.Skipped) != 1 || ds.Skipped[0].Name != "fake.png" || len(ds.Other) != 1 || ds.Other[0].Path != "LICENSE" {
		t.Fatalf("images %d skipped %v other %v", len(ds.Images), ds.Skipped, ds.Other)
	}
}

// TestEXIFOrientation: an image whose EXIF turns it a quarter is as wide
// as it is displayed, so normalised labels scale by the displayed size.
func TestEXIFOrientation(t *testing.T) {
	b, err := os.ReadFile("../../testdata/corpus/exif-orientation-6.jpg")
	if err != nil {
		t.Fatal(err)
	}
	ds := readDS(t, Files{"a.jpg": b}, "")
	stored, _ := decodeConfig(b)
	if im := ds.Images[0]; im.Width != stored[1] || im.Height != stored[0] || im.Width == im.Height || im.Orientation != 6 {
		t.Fatalf("size %d×%d, stored %d×%d: want it turned", im.Width, im.Height, stored[0], stored[1])
	}
}
