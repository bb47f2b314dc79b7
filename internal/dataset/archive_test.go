package dataset

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"hash/crc32"
	"os"
	"testing"

	"github.com/augment-ml/augment/internal/domain"
)

var testLimits = Limits{MaxEntries: 10, MaxEntryBytes: 1 << 20, MaxTotalBytes: 4 << 20}

func jpegHeader(t *testing.T) []byte {
	b, err := os.ReadFile("../../testdata/corpus/rocket.jpg")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func zipOf(t *testing.T, files map[string][]byte) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, data := range files {
		w, _ := zw.Create(name)
		w.Write(data)
	}
	zw.Close()
	return buf.Bytes()
}

func read(t *testing.T, data []byte) (int, domain.SkipReport, error) {
	n := 0
	skipped, err := ReadArchive(bytes.NewReader(data), int64(len(data)), testLimits, func(Entry) error { n++; return nil })
	return n, skipped, err
}

func TestReadArchive(t *testing.T) {
	img := jpegHeader(t)
	n, skipped, err := read(t, zipOf(t, map[string][]byte{"a/x.jpg": img, "b/x.jpg": img, "readme.md": []byte("hi"), "__MACOSX/._x.jpg": []byte("junk")}))
	if err != nil || n != 2 || skipped.Total != 1 || skipped.First[0].Name != "readme.md" {
		t.Fatalf("n=%d skipped=%v err=%v", n, skipped, err)
	}
}

func TestReadArchiveRefusesHostileEntries(t *testing.T) {
	img := jpegHeader(t)
	for name, tc := range map[string]struct {
		data []byte
		code string
	}{
		"climbing path": {zipOf(t, map[string][]byte{"../x.jpg": img}), domain.EInvalid},
		"absolute path": {zipOf(t, map[string][]byte{"/tmp/x.jpg": img}), domain.EInvalid},
		"windows drive": {zipOf(t, map[string][]byte{`C:\x.jpg`: img}), domain.EInvalid},
		"entry too big": {zipOf(t, map[string][]byte{"big.jpg": append(img, make([]byte, 2<<20)...)}), domain.ETooLarge},
		"lying header":  {lyingZip(t, append(img, make([]byte, 8<<20)...)), ""},
		"too many":      {zipOf(t, manyFiles(img, 11)), domain.ETooLarge},
		"not a zip":     {[]byte("PK\x03\x04garbage"), domain.EInvalid},
	} {
		t.Run(name, func(t *testing.T) {
			n, _, err := read(t, tc.data)
			if err == nil {
				t.Fatalf("accepted, with %d entries", n)
			}
			if tc.code != "" && domain.ErrorCode(err) != tc.code {
				t.Fatalf("err = %v, want %s", err, tc.code)
			}
			if domain.ErrorCode(err) == domain.EInternal {
				t.Fatalf("err = %v has no public code", err)
			}
		})
	}
}

// lyingZip stores data deflated under a header that claims 100 bytes.
func lyingZip(t *testing.T, data []byte) []byte {
	var comp bytes.Buffer
	fw, _ := flate.NewWriter(&comp, flate.BestCompression)
	fw.Write(data)
	fw.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "liar.jpg", Method: zip.Deflate,
		CRC32: crc32.ChecksumIEEE(data), CompressedSize64: uint64(comp.Len()), UncompressedSize64: 100})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(comp.Bytes())
	zw.Close()
	return buf.Bytes()
}

func manyFiles(img []byte, n int) map[string][]byte {
	m := map[string][]byte{}
	for i := range n {
		m[string(rune('a'+i))+".jpg"] = img
	}
	return m
}
