package fetch

import (
	"bytes"
	"mime"
	"net/http"
)

// Sniff names the image format of b from its magic numbers: "jpeg", "png",
// "gif", "webp", "tiff", "heif" or "avif". It returns "" for anything else
// (HTML, SVG, PDF, text, truncated headers), which the service refuses. Every
// path that accepts image bytes (URL fetches, uploads, archives) uses it, so
// they all agree on what an image is.
func Sniff(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return "jpeg"
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "png"
	case bytes.HasPrefix(b, []byte("GIF87a")), bytes.HasPrefix(b, []byte("GIF89a")):
		return "gif"
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return "webp"
	case bytes.HasPrefix(b, []byte("II*\x00")), bytes.HasPrefix(b, []byte("MM\x00*")),
		bytes.HasPrefix(b, []byte("II+\x00")), bytes.HasPrefix(b, []byte("MM\x00+")): // classic and BigTIFF
		return "tiff"
	}
	return sniffISOBMFF(b)
}

// sniffISOBMFF recognises HEIF and AVIF by the brands of their leading ftyp
// box: the major brand at offset 8, then compatible brands from offset 16 to
// the end of the box.
func sniffISOBMFF(b []byte) string {
	if len(b) < 16 || string(b[4:8]) != "ftyp" {
		return ""
	}
	end := int(b[0])<<24 | int(b[1])<<16 | int(b[2])<<8 | int(b[3])
	if end < 16 || end > len(b) {
		end = min(len(b), 256)
	}
	brands := [][]byte{b[8:12]}
	for i := 16; i+4 <= end; i += 4 {
		brands = append(brands, b[i:i+4])
	}
	heif := false
	for _, br := range brands {
		switch string(br) {
		case "avif", "avis":
			return "avif" // an AVIF file also lists mif1, so AVIF wins
		case "heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1":
			heif = true
		}
	}
	if heif {
		return "heif"
	}
	return ""
}

// describe names what b is, for a message refusing it: a MIME type such as
// "text/html" or "application/pdf".
func describe(b []byte) string {
	ct := http.DetectContentType(b)
	if mt, _, err := mime.ParseMediaType(ct); err == nil {
		ct = mt
	}
	head := b[:min(len(b), 1024)]
	if (ct == "text/xml" || ct == "text/plain") && bytes.Contains(head, []byte("<svg")) {
		return "image/svg+xml"
	}
	return ct
}
