package dataset

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"

	"github.com/augment-ml/augment/internal/dataset/datasettest"
	"github.com/augment-ml/augment/internal/domain"
)

// BenchmarkValidateCOCO reads (validates) a COCO dataset of N images in a
// zip on disk, as the api does with an upload: the archive streams, each
// image is hashed and its header read, the JSON is parsed element by
// element. It reports the peak live heap besides B/op: the images' bytes
// are never held, so the peak grows with the annotations, not the pixels.
//
//	go test -run '^$' -bench ValidateCOCO -benchtime 3x ./internal/dataset
func BenchmarkValidateCOCO(b *testing.B) {
	for _, n := range []int{1000, 5000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			path, size := cocoZip(b, n)
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			b.SetBytes(size)
			b.ReportAllocs()
			var peak atomic.Uint64
			runtime.GC()
			stop := watchHeap(&peak)
			b.ResetTimer()
			for b.Loop() {
				a, err := OpenArchive(f, size)
				if err != nil {
					b.Fatal(err)
				}
				ds, err := Read(a, Options{Limits: Limits{MaxEntries: 100000, MaxEntryBytes: 20 << 20, MaxTotalBytes: 8 << 30}})
				if err != nil {
					b.Fatal(err)
				}
				if len(ds.Images) != n || len(ds.Warnings) != 0 {
					b.Fatalf("%d images, warnings %v", len(ds.Images), ds.Warnings[:min(3, len(ds.Warnings))])
				}
			}
			b.StopTimer()
			stop()
			b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
		})
	}
}

// watchHeap samples the live heap every millisecond until stopped.
func watchHeap(peak *atomic.Uint64) func() {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); <-finished }
}

// cocoZip writes a COCO dataset of n images (the corpus's photos, reused)
// with three boxes and a polygon each, once per size, in the test's cache.
func cocoZip(b *testing.B, n int) (string, int64) {
	b.Helper()
	dir := filepath.Join(os.TempDir(), "augment-bench")
	path := filepath.Join(dir, fmt.Sprintf("coco-%d.zip", n))
	if fi, err := os.Stat(path); err == nil {
		return path, fi.Size()
	}
	var photos [][]byte
	for _, name := range []string{"rocket.jpg", "retina.jpg", "hubble.jpg"} {
		data, err := os.ReadFile("../../testdata/corpus/" + name)
		if err != nil {
			b.Fatal(err)
		}
		photos = append(photos, data)
	}
	_ = os.MkdirAll(dir, 0o755)
	if err := datasettest.WriteCOCOZip(path, n, photos); err != nil {
		b.Fatal(err)
	}
	fi, _ := os.Stat(path)
	return path, fi.Size()
}

// BenchmarkPackCOCO writes the result of a batch over a COCO dataset of N
// images with 4 variants each (small stand-in images, each variant with
// its source's four objects) as a zip to nowhere, as the api streams it.
// The peak live heap is what the COCO file's records need, written at the
// end: the images pass through.
//
//	go test -run '^$' -bench PackCOCO -benchtime 3x ./internal/dataset
func BenchmarkPackCOCO(b *testing.B) {
	for _, n := range []int{1000, 5000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			path, size := cocoZip(b, n)
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			src, _ := OpenArchive(f, size)
			ds, err := Read(src, Options{Limits: Limits{MaxEntries: 100000, MaxEntryBytes: 20 << 20, MaxTotalBytes: 8 << 30}})
			if err != nil {
				b.Fatal(err)
			}
			rec := NewRecord(ds, DefaultPlan(), nil, nil)
			images := ds.Images
			ds.Images = nil // as a batch keeps it: the images come one by one
			small := datasettest.JPEG(64, 48)
			open := func([]byte) Opener {
				return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(small)), nil }
			}
			b.ReportAllocs()
			var peak atomic.Uint64
			runtime.GC()
			stop := watchHeap(&peak)
			for b.Loop() {
				p, err := NewPacker(zip.NewWriter(io.Discard), rec, nil)
				if err != nil {
					b.Fatal(err)
				}
				for _, im := range images {
					it := Item{Image: im, Source: open(small)}
					for i := range 4 {
						it.Variants = append(it.Variants, ItemVariant{Index: i, Width: im.Width, Height: im.Height, Format: "jpeg",
							Labels: &domain.VariantLabels{Objects: im.Objects}, Image: open(small)})
					}
					if err := p.Add(it); err != nil {
						b.Fatal(err)
					}
				}
				if err := p.Close(nil, 1, 4, domain.SkipReport{}, Versions{}); err != nil {
					b.Fatal(err)
				}
			}
			stop()
			b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
		})
	}
}
