package fetch

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSafeName(t *testing.T) {
	long := strings.Repeat("é", 200) + ".jpeg"
	tests := []struct {
		in, want string
	}{
		{"My Photo.JPG", "My Photo.JPG"},
		{"../../etc/passwd", "passwd"},
		{`C:\Users\me\cat.png`, "cat.png"},
		{"a\x00b\nc\x7f.png", "abc.png"},
		{"evil\u202Egnp.exe", "evilgnp.exe"},
		{"bad\xffutf8.gif", "badutf8.gif"},
		{`what?"*<>|:.png`, "what_______.png"},
		{"  spaced.png  ", "spaced.png"},
		{"trailing.png. ", "trailing.png"},
		{"", "image"},
		{".", "image"},
		{"..", "image"},
		{"dir/", "image"},
		{long, strings.Repeat("é", (maxNameBytes-5)/2) + ".jpeg"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got := SafeName(tc.in)
			if got != tc.want {
				t.Errorf("SafeName(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if len(got) > maxNameBytes || !utf8.ValidString(got) {
				t.Errorf("SafeName(%q) = %q: %d bytes or invalid UTF-8", tc.in, got, len(got))
			}
		})
	}
}

func TestFileName(t *testing.T) {
	tests := []struct {
		name, disposition, url, final, want string
	}{
		{"escaped path and query", "", "http://h/path/My%20Photo.JPG?x=1", "", "My Photo.JPG"},
		{"escaped slash", "", "http://h/a/..%2F..%2Fsecret.png", "", "secret.png"},
		{"folder", "", "http://h/photos/", "", "image"},
		{"no path", "", "http://h", "", "image"},
		{"final URL when the first has none", "", "http://h/", "http://cdn/x/cat.webp", "cat.webp"},
		{"content disposition wins", `attachment; filename="dog.jpg"`, "http://h/get?id=1", "", "dog.jpg"},
		{"rfc 5987 filename", "inline; filename*=UTF-8''caf%C3%A9.png", "http://h/x", "", "café.png"},
		{"malformed disposition", `attachment; filename="`, "http://h/cat.png", "", "cat.png"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			urls := []*url.URL{mustURL(t, tc.url), nil}
			if tc.final != "" {
				urls[1] = mustURL(t, tc.final)
			}
			if got := fileName(tc.disposition, urls...); got != tc.want {
				t.Errorf("fileName = %q, want %q", got, tc.want)
			}
		})
	}
}
