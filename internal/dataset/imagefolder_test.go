package dataset

import (
	"strings"
	"testing"
)

// TestImageFolderKeepsFolders: split/class/image keeps both folders; the
// class is the folder, and writing keeps the tree.
func TestImageFolderKeepsFolders(t *testing.T) {
	dir := tree(t, map[string][]byte{
		"train/chat/1.jpg": jpegOf(t, 8, 8), "train/chien/2.jpg": jpegOf(t, 8, 8),
		"val/chat/3.jpg": jpegOf(t, 8, 8), "val/chien/4.png": pngOf(t, 8, 8),
		"train/chat/2.jpg": jpegOf(t, 8, 8), // same name as a chien image: folders keep them apart
	})
	ds := readDS(t, Dir(dir), "")
	if ds.Format != ImageFolder || strings.Join(ds.Classes, ",") != "chat,chien" || strings.Join(ds.Splits, ",") != "train,val" {
		t.Fatalf("read %s %v %v", ds.Format, ds.Classes, ds.Splits)
	}
	if im := ds.Image("val/chien/4.png"); im == nil || im.Class != "chien" || im.Split != "val" {
		t.Fatalf("4.png: %s", jsonOf(im))
	}
	again := readDS(t, Dir(write(t, ds, dir, ImageFolder)), "")
	if len(again.Images) != 5 {
		t.Fatalf("%d images after a round trip", len(again.Images))
	}
	for _, im := range ds.Images {
		if b := again.Image(im.Path); b == nil || b.Class != im.Class || b.Split != im.Split {
			t.Errorf("%s: %s after a round trip", im.Path, jsonOf(b))
		}
	}
	// Without splits: class/image.
	flat := readDS(t, Dir(tree(t, map[string][]byte{"cats/a.jpg": jpegOf(t, 4, 4), "dogs/b.jpg": jpegOf(t, 4, 4)})), "")
	if flat.Format != ImageFolder || flat.Image("dogs/b.jpg").Class != "dogs" || len(flat.Splits) != 0 {
		t.Errorf("class folders without splits: %s %s", flat.Format, jsonOf(flat.Images))
	}
	// A dataset zipped with its own folder around it reads the same.
	wrapped := readDS(t, Dir(tree(t, map[string][]byte{"my-set/train/cats/a.jpg": jpegOf(t, 4, 4), "my-set/train/dogs/b.jpg": jpegOf(t, 4, 4)})), "")
	if wrapped.Format != ImageFolder || wrapped.Root != "my-set" || wrapped.Image("train/cats/a.jpg") == nil {
		t.Errorf("wrapped: %s root %q %s", wrapped.Format, wrapped.Root, jsonOf(wrapped.Images))
	}
}
