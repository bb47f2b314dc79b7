package web

import "testing"

func TestStemOf(t *testing.T) {
	for in, want := range map[string]string{
		"cat.jpg": "cat", "My Photo.JPG": "My_Photo", "..": "image", "": "image",
		"ünïcode.png": "_n_code", "a.b.c.webp": "a.b.c",
		"a/rocket.jpg": "a/rocket", "b/rocket.jpg": "b/rocket", "train/cats/1.png": "train/cats/1",
		"ü/x.jpg": "_/x", "../x.jpg": "folder/x",
	} {
		if got := stemOf(in); got != want {
			t.Errorf("stemOf(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSafePath(t *testing.T) {
	for in, want := range map[string]string{
		"a/rocket.jpg": "a/rocket.jpg", "cats/é?.png": "cats/é_.png", "x.jpg": "x.jpg",
	} {
		if got := safePath(in); got != want {
			t.Errorf("safePath(%q) = %q, want %q", in, got, want)
		}
	}
}
