package fetch

import (
	"mime"
	"net/url"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxNameBytes caps a file name: long enough for any real one, short enough
// for every file system and archive format.
const maxNameBytes = 128

// defaultName is the name of a source whose URL and headers give none.
const defaultName = "image"

// SafeName makes a file name safe to store, show and put in an archive: it
// keeps the last element of a path with / or \ separators, drops invalid
// UTF-8, control and formatting characters (such as bidi overrides), replaces
// characters that Windows forbids, trims spaces and trailing dots and caps the
// length, keeping the extension. A name that ends up empty becomes "image".
func SafeName(name string) string {
	name = strings.ToValidUTF8(name, "")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r):
			return -1
		case strings.ContainsRune(`:*?"<>|`, r):
			return '_'
		}
		return r
	}, name)
	// NOTE: Windows drops trailing dots and spaces, so "a.jpg." would lose
	// its extension there; trimming them also turns "." and ".." into "".
	name = strings.TrimRight(strings.TrimSpace(name), ". ")
	if len(name) > maxNameBytes {
		ext := path.Ext(name)
		if len(ext) > 16 {
			ext = ""
		}
		name = truncate(strings.TrimSuffix(name, ext), maxNameBytes-len(ext)) + ext
	}
	if name == "" {
		return defaultName
	}
	return name
}

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	for len(s) > n {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}

// fileName picks a download's name: the filename of its Content-Disposition
// header, else the last path element of the requested URL, else of the URL
// that answered after redirects.
func fileName(contentDisposition string, urls ...*url.URL) string {
	if _, params, err := mime.ParseMediaType(contentDisposition); err == nil {
		if n := SafeName(params["filename"]); n != defaultName {
			return n
		}
	}
	for _, u := range urls {
		if u == nil {
			continue
		}
		// NOTE: not path.Base, which would name "/photos/" after the folder.
		p := u.EscapedPath()
		base := p[strings.LastIndexByte(p, '/')+1:]
		if s, err := url.PathUnescape(base); err == nil {
			base = s
		}
		if n := SafeName(base); n != defaultName {
			return n
		}
	}
	return defaultName
}
