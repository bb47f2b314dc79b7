package dataset

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/augment-ml/augment/internal/dataset/datasettest"
	"github.com/augment-ml/augment/internal/domain"
)

// vocXML is a VOC annotation: a devkit object (1-based integers over the
// whole 64-pixel width), a CVAT one (floats, no pose or truncated), and
// a person with a part.
var vocXML = string(datasettest.VOC().Files["Annotations/a.xml"])

func vocFixture(t testing.TB) string {
	return tree(t, map[string][]byte{
		"Annotations/a.xml":             []byte(vocXML),
		"JPEGImages/a.jpg":              jpegOf(t, 64, 48),
		"JPEGImages/b.jpg":              jpegOf(t, 20, 20),
		"ImageSets/Main/train.txt":      []byte("a\n"),
		"ImageSets/Main/val.txt":        []byte("b\n"),
		"ImageSets/Main/boat_train.txt": []byte("a 1\n"),
	})
}

func TestVOCRoundTrip(t *testing.T) {
	dir := vocFixture(t)
	ds := readDS(t, Dir(dir), "")
	a := ds.Image("JPEGImages/a.jpg")
	if ds.Format != VOC || a == nil || a.Split != "train" || ds.Image("JPEGImages/b.jpg").Split != "val" {
		t.Fatalf("read %s: %s", ds.Format, jsonOf(ds.Images))
	}
	// ±1: 1-based xmin 1..xmax 64 covers the whole 64-pixel row, [0, 64].
	want := []domain.Object{
		{ID: "0", Class: "boat", BBox: box(0, 0, 64, 10)},
		{ID: "1", Class: "chien é", BBox: box(9.5, 19.25, 21, 20.75)},
		{ID: "2", Class: "person", BBox: box(4, 4, 5, 5)},
	}
	if d := sameObjects(a.Objects, want, 1e-9, true); d != "" {
		t.Fatalf("objects:\n%s", d)
	}
	out := write(t, ds, dir, VOC)
	again := readDS(t, Dir(out), "")
	if d := sameObjects(again.Image(a.Path).Objects, want, 1e-9, true); d != "" {
		t.Errorf("after a round trip:\n%s", d)
	}
	b, _ := os.ReadFile(filepath.Join(out, "Annotations/a.xml"))
	for _, s := range []string{"<xmin>1</xmin>", "<xmax>64</xmax>", "<xmin>10.5</xmin>", "<ymin>20.25</ymin>", "<pose>Left</pose>",
		"<truncated>1</truncated>", "<difficult>1</difficult>", "<occluded>0</occluded>", "<part>", "<database>fixture</database>", "<folder>VOC2012</folder>"} {
		if !strings.Contains(string(b), s) {
			t.Errorf("written annotation lacks %s:\n%s", s, b)
		}
	}
	if again.Image("JPEGImages/b.jpg").Split != "val" {
		t.Errorf("splits not kept: %s", jsonOf(again.Images))
	}
}

// TestVOCNeverNegative: a 0-based file (xmin 0) reads as a box past the
// edge, warned about, and is written back clipped, xmin 1; a variant's
// size is its own.
func TestVOCNeverNegative(t *testing.T) {
	dir := tree(t, map[string][]byte{
		"Annotations/a.xml": []byte(`<annotation><filename>a.jpg</filename><size><width>64</width><height>48</height></size>
<object><name>x</name><bndbox><xmin>0</xmin><ymin>0</ymin><xmax>70</xmax><ymax>10</ymax></bndbox></object></annotation>`),
		"JPEGImages/a.jpg": jpegOf(t, 64, 48),
	})
	ds := readDS(t, Dir(dir), "")
	if warningCodes(ds)[WBoxOutOfRange] != 1 {
		t.Errorf("warnings = %+v", ds.Warnings)
	}
	out := t.TempDir()
	w, _ := NewWriter(DirOutput(out), ds, VOC)
	v := *ds.Images[0]
	v.Of, v.Path, v.Width, v.Height = v.Path, VariantPath(v.Path, 0, "jpg"), 32, 24
	v.Objects = []domain.Object{{ID: "0", Class: "x", BBox: box(-3, -1, 40, 5)}}
	for _, im := range []*Image{ds.Images[0], &v} {
		if _, err := w.Add(im); err != nil {
			t.Fatal(err)
		}
	}
	src, _ := os.ReadFile(filepath.Join(out, "Annotations/a.xml"))
	vb, _ := os.ReadFile(filepath.Join(out, "Annotations/a_aug00.xml"))
	for _, c := range []struct{ got, want string }{
		{string(src), "<xmin>1</xmin><ymin>1</ymin><xmax>64</xmax><ymax>10</ymax>"},
		{string(vb), "<xmin>1</xmin><ymin>1</ymin><xmax>32</xmax><ymax>4</ymax>"},
		{string(vb), "<width>32</width><height>24</height>"},
		{string(vb), "<filename>a_aug00.jpg</filename>"},
	} {
		if !strings.Contains(strings.Join(strings.Fields(c.got), ""), c.want) {
			t.Errorf("wrote\n%s\nwant %s", c.got, c.want)
		}
	}
}

func TestVOCBadFiles(t *testing.T) {
	for name, tc := range map[string]struct{ body, says string }{
		"xml":    {"<annotation>\n<object>\n<name>a</name>\n</annotation>", "Annotations/a.xml line 4"},
		"number": {"<annotation><object><name>a</name><bndbox><xmin>one</xmin><ymin>1</ymin><xmax>2</xmax><ymax>2</ymax></bndbox></object></annotation>", "xmin"},
		"no box": {"<annotation><object><name>a</name></object></annotation>", "bndbox"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Read(Dir(tree(t, map[string][]byte{"Annotations/a.xml": []byte(tc.body), "JPEGImages/a.jpg": jpegOf(t, 4, 4)})), Options{})
			if err == nil || domain.ErrorCode(err) != domain.EInvalidSpec || !strings.Contains(domain.ErrorMessage(err), tc.says) {
				t.Fatalf("err = %v, want invalid_spec saying %q", err, tc.says)
			}
		})
	}
}

// TestVOCColourMasks: VOC class masks written in colours (datumaro's, as
// in the sample VOC tree) are read through the devkit's colormap, every
// pixel a class id; a colour the colormap lacks is no class.
func TestVOCColourMasks(t *testing.T) {
	cm := VOCColormap()
	for id, want := range map[int][3]uint8{0: {0, 0, 0}, 1: {128, 0, 0}, 2: {0, 128, 0}, 3: {128, 128, 0}, 15: {192, 128, 128}, 255: {224, 224, 192}} {
		if cm[id] != want {
			t.Errorf("class %d is %v, want %v", id, cm[id], want)
		}
	}
	dir := formats + "voc_dataset/voc_dataset1"
	ds := readDS(t, Dir(dir), "")
	im := ds.Image("JPEGImages/2007_000001.jpg")
	if im.Mask == nil || !im.Mask.RGB || ds.Masks == nil {
		t.Fatalf("mask %+v, colours %v", im.Mask, ds.Masks)
	}
	b, err := os.ReadFile(filepath.Join(dir, im.Mask.Path))
	if err != nil {
		t.Fatal(err)
	}
	m, err := ColourMaskIDs(im.Mask.Path, b, ds.Masks.Colors)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ColourMaskPNG(m, ds.Masks.Colors)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := ColourMaskIDs(im.Mask.Path, back, ds.Masks.Colors); err != nil || !bytes.Equal(again.Pix, m.Pix) {
		t.Errorf("written back in its colours, the mask reads differently (%v)", err)
	}
}
