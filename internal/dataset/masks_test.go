package dataset

import (
	"bytes"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/augment-ml/augment/internal/domain"
)

var vocPalette = color.Palette{color.RGBA{0, 0, 0, 255}, color.RGBA{128, 0, 0, 255}, color.RGBA{0, 128, 0, 255}, color.RGBA{224, 224, 192, 255}}

// TestMasksRoundTrip: images/x.jpg beside masks/x.png (same stem, another
// extension), a palette PNG whose palette and ids survive a write.
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
	if ds.Format != Masks || strings.Join(ds.Classes, ",") != "background,road,voiture" || x.Mask == nil || x.Mask.Path != "masks/x.png" || len(x.Mask.Palette) != 4 {
		t.Fatalf("read %s %v: %s", ds.Format, ds.Classes, jsonOf(x))
	}
	if w := warningCodes(ds); w[WMissingLabels] != 1 || w[WMissingImage] != 1 {
		t.Errorf("warnings = %+v", ds.Warnings)
	}
	out := write(t, ds, dir, Masks)
	again := readDS(t, Dir(out), "")
	if m := again.Image("images/x.jpg").Mask; m == nil || len(m.Palette) != 4 {
		t.Fatalf("after a round trip: %s", jsonOf(again.Image("images/x.jpg")))
	}
	// A variant's mask: ids decoded, written back with the palette kept.
	f, _ := os.Open(filepath.Join(dir, "masks/x.png"))
	ids, err := MaskIDs(f, nil)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteMask(&buf, ids, x.Mask, nil); err != nil {
		t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(buf.Bytes()))
	if err != nil || !samePalette(cfg.ColorModel.(color.Palette), vocPalette) {
		t.Fatalf("the written mask's palette: %v %v", cfg.ColorModel, err)
	}
	back, _ := MaskIDs(bytes.NewReader(buf.Bytes()), nil)
	for y := range 6 {
		for x := range 8 {
			if back.Gray16At(x, y).Y != uint16(id(x, y)) {
				t.Fatalf("class id at %d,%d = %d, want %d", x, y, back.Gray16At(x, y).Y, id(x, y))
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
// dataset's colours, and writes them back in colour.
func TestColourMasks(t *testing.T) {
	colours := color.Palette{color.RGBA{0, 0, 0, 255}, color.RGBA{64, 128, 64, 255}}
	var src bytes.Buffer
	ids := makeIDs(4, 2, func(x, y int) uint16 { return uint16(x % 2) })
	_ = WriteMask(&src, ids, &SemanticMask{RGB: true}, colours)
	got, err := MaskIDs(bytes.NewReader(src.Bytes()), colours)
	if err != nil || got.Gray16At(1, 0).Y != 1 || got.Gray16At(2, 1).Y != 0 {
		t.Fatalf("ids = %v %v", got, err)
	}
}
