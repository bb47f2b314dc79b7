package dataset

import (
	"bytes"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/labels"
)

var vocPalette = color.Palette{color.RGBA{0, 0, 0, 255}, color.RGBA{128, 0, 0, 255}, color.RGBA{0, 128, 0, 255}, color.RGBA{224, 224, 192, 255}}

// TestMasksRoundTrip: images/x.jpg beside masks/x.png (same stem, another
// extension), a palette PNG whose palette and ids survive a write and a
// variant's trip through labels.Mask.
func TestMasksRoundTrip(t *testing.T) {
	id := func(x, y int) uint8 { return uint8((x + y) % 3) }
	dir := tree(t, map[string][]byte{
		"dataset_meta.json": []byte(`{"label_map": {"0": "background", "1": "road", "2": "voiture"}}`),
		"images/x.jpg":      jpegOf(t, 8, 6),
		"masks/x.png":       palettePNG(t, 8, 6, vocPalette, id),
		"images/y.jpg":      jpegOf(t, 8, 6),
		"masks/orphan.png":  palettePNG(t, 8, 6, vocPalette, id),
	})
	ds := readDS(t, Dir(dir), "")
	x := ds.Image("images/x.jpg")
	if ds.Format != Masks || strings.Join(ds.Classes, ",") != "background,road,voiture" || x.Mask == nil || x.Mask.Path != "masks/x.png" || x.Mask.RGB {
		t.Fatalf("read %s %v: %s", ds.Format, ds.Classes, jsonOf(x))
	}
	if w := warningCodes(ds); w[WMissingLabels] != 1 || w[WMissingImage] != 1 {
		t.Errorf("warnings = %+v", ds.Warnings)
	}
	out := write(t, ds, dir, Masks)
	again := readDS(t, Dir(out), "")
	if m := again.Image("images/x.jpg").Mask; m == nil || m.Path != "masks/x.png" {
		t.Fatalf("after a round trip: %s", jsonOf(again.Image("images/x.jpg")))
	}
	// A variant's mask moves as a labels.Mask: ids kept, palette kept.
	src, _ := os.ReadFile(filepath.Join(dir, "masks/x.png"))
	m, err := labels.DecodeMask(src)
	if err != nil {
		t.Fatal(err)
	}
	b, err := m.PNG()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil || !samePalette(cfg.ColorModel.(color.Palette), vocPalette) {
		t.Fatalf("the written mask's palette: %v %v", cfg.ColorModel, err)
	}
	back, _ := labels.DecodeMask(b)
	for y := range 6 {
		for x := range 8 {
			if back.At(y*8+x) != int(id(x, y)) {
				t.Fatalf("class id at %d,%d = %d, want %d", x, y, back.At(y*8+x), id(x, y))
			}
		}
	}
	// Written as a variant: masks/<stem>_aug00.png, beside the others.
	w, _ := NewWriter(DirOutput(t.TempDir()), ds, Masks)
	v := *x
	v.Of, v.Path = x.Path, VariantPath(x.Path, 0, "png")
	if pl, _ := w.Add(&v); pl.Mask != "masks/x_aug00.png" || pl.Image != "images/x_aug00.png" {
		t.Errorf("variant placed at %+v", pl)
	}
}

func samePalette(a, b color.Palette) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		r1, g1, b1, a1 := a[i].RGBA()
		r2, g2, b2, a2 := b[i].RGBA()
		if r1 != r2 || g1 != g2 || b1 != b2 || a1 != a2 {
			return false
		}
	}
	return true
}

// TestMaskNeverJPEG: a mask that is not a PNG is refused, naming it.
func TestMaskNeverJPEG(t *testing.T) {
	_, err := Read(Dir(tree(t, map[string][]byte{"images/x.jpg": jpegOf(t, 8, 6), "masks/x.jpg": jpegOf(t, 8, 6)})), Options{})
	if err == nil || domain.ErrorCode(err) != domain.EInvalidSpec || !strings.Contains(domain.ErrorMessage(err), "masks/x.jpg") ||
		!strings.Contains(domain.ErrorMessage(err), "PNG") {
		t.Fatalf("err = %v", err)
	}
}

// TestColourMasks: an RGB mask maps colours to class ids through the
// dataset's colours, travels as ids, and is written back in colour; a
// colour no class has is refused, naming the file and the pixel.
func TestColourMasks(t *testing.T) {
	colours := [][3]uint8{{0, 0, 0}, {64, 128, 64}}
	ids := &labels.Mask{W: 4, H: 2, Pix: []uint8{0, 1, 0, 1, 1, 0, 1, 0}}
	src, err := ColourMaskPNG(ids, colours)
	if err != nil {
		t.Fatal(err)
	}
	if cfg, err := png.DecodeConfig(bytes.NewReader(src)); err != nil || cfg.ColorModel != color.RGBAModel && cfg.ColorModel != color.NRGBAModel {
		t.Fatalf("written as %v, %v; want a colour PNG", cfg.ColorModel, err)
	}
	got, err := ColourMaskIDs("masks/a.png", src, colours)
	if err != nil || !slices.Equal(got.Pix, ids.Pix) {
		t.Fatalf("ids = %v %v", got, err)
	}
	_, err = ColourMaskIDs("masks/a.png", src, colours[:1])
	if domain.ErrorCode(err) != domain.EInvalidSpec || !strings.Contains(domain.ErrorMessage(err), "masks/a.png") ||
		!strings.Contains(domain.ErrorMessage(err), "(1, 0)") {
		t.Errorf("an unknown colour: %v", err)
	}
}
