package fetch

import "testing"

// ftyp builds the start of an ISO-BMFF file: an ftyp box with the brands.
func ftyp(major string, compatible ...string) []byte {
	b := []byte{0, 0, 0, byte(16 + 4*len(compatible))}
	b = append(b, "ftyp"+major+"\x00\x00\x00\x00"...)
	for _, c := range compatible {
		b = append(b, c...)
	}
	return append(b, "\x00\x00\x00\x08meta"...)
}

func TestSniff(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"jpeg", []byte("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00"), "jpeg"},
		{"png", pngData, "png"},
		{"gif87", []byte("GIF87a\x01\x00"), "gif"},
		{"gif89", []byte("GIF89a\x01\x00"), "gif"},
		{"webp", []byte("RIFF\x24\x00\x00\x00WEBPVP8 "), "webp"},
		{"tiff little endian", []byte("II*\x00\x08\x00\x00\x00"), "tiff"},
		{"tiff big endian", []byte("MM\x00*\x00\x00\x00\x08"), "tiff"},
		{"bigtiff", []byte("II+\x00\x08\x00\x00\x00"), "tiff"},
		{"heic", ftyp("heic", "mif1", "heic"), "heif"},
		{"heif mif1", ftyp("mif1", "mif1", "miaf"), "heif"},
		{"avif", ftyp("avif", "avif", "mif1", "miaf"), "avif"},
		{"avif under mif1", ftyp("mif1", "mif1", "avif"), "avif"},
		{"avif sequence", ftyp("avis", "avis", "msf1"), "avif"},
		{"mp4", ftyp("isom", "isom", "mp42"), ""},
		{"wav", []byte("RIFF\x24\x00\x00\x00WAVEfmt "), ""},
		{"html", []byte("<!DOCTYPE html><html>"), ""},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), ""},
		{"pdf", []byte("%PDF-1.7\n"), ""},
		{"text", []byte("hello"), ""},
		{"truncated jpeg", []byte("\xFF\xD8"), ""},
		{"truncated ftyp", []byte("\x00\x00\x00\x18ftypav"), ""},
		{"empty", nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Sniff(tc.in); got != tc.want {
				t.Errorf("Sniff = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestDescribe(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"<!DOCTYPE html><html><body>", "text/html"},
		{`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>`, "image/svg+xml"},
		{`<svg xmlns="http://www.w3.org/2000/svg"/>`, "image/svg+xml"},
		{"%PDF-1.7\n", "application/pdf"},
		{"just words", "text/plain"},
		{"\x00\x01\x02\x03", "application/octet-stream"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			if got := describe([]byte(tc.in)); got != tc.want {
				t.Errorf("describe(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
