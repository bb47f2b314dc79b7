package dataset

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"path"
	"path/filepath"
	"sort"
	"testing"

	"github.com/augment-ml/augment/internal/dataset/datasettest"
	"github.com/augment-ml/augment/internal/domain"
)

// formats is the folder of sample datasets beside the repository.
const formats = "../../../shared/formats/"

// jpegOf is a w×h JPEG.
func jpegOf(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pngOf is a w×h PNG.
func pngOf(t testing.TB, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewNRGBA(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// palettePNG is a w×h mask whose pixel (x, y) has class id(x, y).
func palettePNG(_ testing.TB, w, h int, pal color.Palette, id func(x, y int) uint8) []byte {
	return datasettest.PalettePNG(w, h, pal, id)
}

// tree writes files under a new folder and returns it.
func tree(t testing.TB, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	for p, b := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func readDS(t testing.TB, src Source, f Format) *Dataset {
	t.Helper()
	ds, err := Read(src, Options{Format: f})
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return ds
}

// write writes ds as format into a new folder, copying the images (and
// masks and other files) from dir as a caller does, and returns the folder.
func write(t testing.TB, ds *Dataset, dir string, format Format) string {
	t.Helper()
	out := t.TempDir()
	w, err := NewWriter(DirOutput(out), ds, format)
	if err != nil {
		t.Fatal(err)
	}
	for _, im := range ds.Images {
		pl, err := w.Add(im)
		if err != nil {
			t.Fatal(err)
		}
		copyFile(t, dir, im.Path, out, pl.Image)
		if pl.Mask != "" {
			copyFile(t, dir, im.Mask.Path, out, pl.Mask)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if format == ds.Format {
		for _, o := range ds.Other {
			copyFile(t, dir, o.Path, out, o.Path)
		}
	}
	return out
}

func copyFile(t testing.TB, fromDir, from, toDir, to string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fromDir, filepath.FromSlash(from)))
	if err != nil {
		t.Fatal(err)
	}
	full := filepath.Join(toDir, filepath.FromSlash(to))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(full, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// byBase indexes images by base name, for comparing across layouts.
func byBase(ds *Dataset) map[string]*Image {
	m := map[string]*Image{}
	for _, im := range ds.Images {
		m[path.Base(im.Path)] = im
	}
	return m
}

// sameObjects says how two images' objects differ, "" when they agree to
// tol pixels. IDs are compared when ids is set.
func sameObjects(a, b []domain.Object, tol float64, ids bool) string {
	if len(a) != len(b) {
		return jsonOf(a) + "\n  !=\n" + jsonOf(b)
	}
	sortObjects(a)
	sortObjects(b)
	for i := range a {
		x, y := a[i], b[i]
		if x.Class != y.Class || (ids && x.ID != y.ID) || !nearBox(x.BBox, y.BBox, tol) || !nearPolygon(x.Polygon, y.Polygon, tol) ||
			!nearKeypoints(x.Keypoints, y.Keypoints, tol) || jsonOf(x.Mask) != jsonOf(y.Mask) || !sameJSON(x.Attributes, y.Attributes) {
			return jsonOf(x) + "\n  !=\n" + jsonOf(y)
		}
	}
	return ""
}

func sortObjects(o []domain.Object) {
	sort.SliceStable(o, func(i, j int) bool {
		bi, _ := boxOf(o[i])
		bj, _ := boxOf(o[j])
		if o[i].Class != o[j].Class {
			return o[i].Class < o[j].Class
		}
		return bi[0]+bi[1]*1e4 < bj[0]+bj[1]*1e4
	})
}

func jsonOf(v any) string { b, _ := json.Marshal(v); return string(b) }

func sameJSON(a, b json.RawMessage) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	var x, y any
	_ = json.Unmarshal(a, &x)
	_ = json.Unmarshal(b, &y)
	return jsonOf(x) == jsonOf(y)
}

func nearBox(a, b *domain.Box, tol float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > tol {
			return false
		}
	}
	return true
}

func nearPolygon(a, b domain.Polygon, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			if math.Abs(a[i][j][0]-b[i][j][0]) > tol || math.Abs(a[i][j][1]-b[i][j][1]) > tol {
				return false
			}
		}
	}
	return true
}

func nearKeypoints(a, b []domain.Keypoint, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		for k := range 3 {
			if math.Abs(a[i][k]-b[i][k]) > tol {
				return false
			}
		}
	}
	return true
}

func box(x, y, w, h float64) *domain.Box { return &domain.Box{x, y, w, h} }

func warningCodes(ds *Dataset) map[string]int {
	m := map[string]int{}
	for _, w := range ds.Warnings {
		m[w.Code]++
	}
	return m
}

func decodeConfig(b []byte) ([2]int, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	return [2]int{cfg.Width, cfg.Height}, err
}
