package dataset

import (
	"strings"
	"testing"
)

// TestWarnings: what leaves a dataset usable is a warning naming the file,
// never a failure: a label with no image, an image with no label, a box
// out of range, a declared size that differs.
func TestWarnings(t *testing.T) {
	ds := readDS(t, Dir(tree(t, map[string][]byte{
		"annotations.json": []byte(`{"categories": [{"id": 1, "name": "a"}],
		  "images": [{"id": 1, "file_name": "a.jpg", "width": 30, "height": 20}, {"id": 2, "file_name": "gone.jpg", "width": 8, "height": 8}],
		  "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [20, 5, 40, 5]}]}`),
		"a.jpg":     jpegOf(t, 32, 16),
		"extra.jpg": jpegOf(t, 8, 8),
	})), "")
	want := map[string]string{
		WSizeMismatch:  "the labels say a.jpg is 30×20; the image is 32×16",
		WBoxOutOfRange: "[20, 5, 40, 5], outside the image's 32×16",
		WMissingImage:  "gone.jpg",
		WMissingLabels: "extra.jpg",
	}
	if len(ds.Warnings) != len(want) {
		t.Errorf("warnings = %+v", ds.Warnings)
	}
	for _, w := range ds.Warnings {
		if !strings.Contains(w.Message, want[w.Code]) || w.Path == "" {
			t.Errorf("warning %+v, want it to say %q", w, want[w.Code])
		}
	}
	if s := ds.Summary(); s.Format != COCO || s.Splits["all"] != 2 || s.Classes["a"] != 1 || len(s.Warnings) != 4 {
		t.Errorf("summary = %+v", s)
	}
}
