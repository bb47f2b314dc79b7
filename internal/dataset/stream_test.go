package dataset

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
)

// generated is a COCO dataset made as it is walked: a file naming n
// images, and n images of a small JPEG followed by size bytes of padding,
// none of them ever in memory whole.
type generated struct {
	n    int
	size int64
	jpeg []byte
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func (g generated) Walk(names bool, fn func(p string, body io.Reader) error) error {
	var js strings.Builder
	js.WriteString(`{"categories": [{"id": 1, "name": "a"}], "images": [`)
	for i := range g.n {
		if i > 0 {
			js.WriteString(",")
		}
		fmt.Fprintf(&js, `{"id": %d, "file_name": "%d.jpg", "width": 8, "height": 8}`, i+1, i)
	}
	js.WriteString(`], "annotations": []}`)
	if err := fn("annotations/instances_train.json", body(names, strings.NewReader(js.String()))); err != nil {
		return err
	}
	for i := range g.n {
		img := io.MultiReader(bytes.NewReader(g.jpeg), io.LimitReader(zeros{}, g.size))
		if err := fn(fmt.Sprintf("images/train/%d.jpg", i), body(names, img)); err != nil {
			return err
		}
	}
	return nil
}

func body(names bool, r io.Reader) io.Reader {
	if names {
		return nil
	}
	return r
}

// TestReadHoldsNoImage: reading a dataset allocates for its records, not
// its images (supervision#285): 300 images of 1 MiB each are read with
// far less than their 300 MiB allocated, so none was held whole.
func TestReadHoldsNoImage(t *testing.T) {
	g := generated{n: 300, size: 1 << 20, jpeg: jpegOf(t, 8, 8)}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	ds, err := Read(g, Options{})
	runtime.ReadMemStats(&after)
	if err != nil || len(ds.Images) != g.n || ds.Images[0].Bytes != g.size+int64(len(g.jpeg)) {
		t.Fatalf("read %v images: %v", ds, err)
	}
	images := int64(g.n) * g.size
	alloc := int64(after.TotalAlloc - before.TotalAlloc)
	t.Logf("%d MiB of images, %d KiB allocated", images>>20, alloc>>10)
	if alloc > images/10 {
		t.Errorf("reading %d MiB of images allocated %d MiB: the images are held", images>>20, alloc>>20)
	}
}
