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

func read(t *testing.T, data []byte) (*Dataset, error) {
	src, err := OpenArchive(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	return Read(src, Options{Limits: testLimits})
}

func TestReadArchive(t *testing.T) {
	img := jpegHeader(t)
	ds, err := read(t, zipOf(t, map[string][]byte{"a/x.jpg": img, "c/y.jpg": img, "readme.md": []byte("hi"), "__MACOSX/._x.jpg": []byte("junk")}))
	if err != nil || len(ds.Images) != 2 || len(ds.Other) != 1 || ds.Other[0].Path != "readme.md" {
		t.Fatalf("ds=%+v err=%v", ds, err)
	}
}

// TestReadArchiveRefusesHostileEntries: the archive rules hold whatever the
// layout: each hostile archive is refused beside the files of every format.
func TestReadArchiveRefusesHostileEntries(t *testing.T) {
	img := jpegHeader(t)
	layouts := map[string]map[string][]byte{
		"images":      {},
		"yolo":        {"data.yaml": []byte("names: [a]\n"), "images/train/ok.jpg": img, "labels/train/ok.txt": []byte("0 0.5 0.5 0.1 0.1\n")},
		"coco":        {"annotations.json": []byte(`{"images": [], "annotations": [], "categories": []}`)},
		"voc":         {"Annotations/ok.xml": []byte("<annotation><filename>ok.jpg</filename></annotation>"), "JPEGImages/ok.jpg": img},
		"masks":       {"images/ok.jpg": img, "masks/ok.png": palettePNG(t, 4, 4, vocPalette, func(x, y int) uint8 { return 1 })},
		"imagefolder": {"cat/ok.jpg": img, "dog/ok.jpg": img},
	}
	for name, tc := range map[string]struct {
		files map[string][]byte
		zip   []byte
		code  string
	}{
		"climbing path": {files: map[string][]byte{"../x.jpg": img}, code: domain.EInvalid},
		"absolute path": {files: map[string][]byte{"/tmp/x.jpg": img}, code: domain.EInvalid},
		"windows drive": {files: map[string][]byte{`C:\x.jpg`: img}, code: domain.EInvalid},
		"entry too big": {files: map[string][]byte{"big.jpg": append(img, make([]byte, 2<<20)...)}, code: domain.ETooLarge},
		"lying header":  {zip: lyingZip(t, append(img, make([]byte, 8<<20)...))},
		"too many":      {files: manyFiles(img, 11), code: domain.ETooLarge},
		"not a zip":     {zip: []byte("PK\x03\x04garbage"), code: domain.EInvalid},
	} {
		for layout, extra := range layouts {
			t.Run(name+"/"+layout, func(t *testing.T) {
				data := tc.zip
				if data == nil {
					files := map[string][]byte{}
					for k, v := range extra {
						files[k] = v
					}
					for k, v := range tc.files {
						files[k] = v
					}
					data = zipOf(t, files)
				}
				ds, err := read(t, data)
				if err == nil {
					t.Fatalf("accepted, with %d images", len(ds.Images))
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
