package imaging

import (
	"crypto/sha256"
	"flag"
	"fmt"
	"image"
	"image/draw"
	"os"
	"strings"
	"testing"

	"github.com/augment-ml/augment/internal/augment"
)

var update = flag.Bool("update", false, "rewrite testdata/warp-pixels.txt from this build's renders")

// TestPassesWarpKeepsItsPixels: the warp pass (affine, rotation,
// perspective, with each fill, and with a colour matrix after it) gives the
// pixels it gave when testdata/warp-pixels.txt was written, so a record
// made before a change to the pass replays to the same variant after it.
// Only our own pass is held to this: the sources are PNGs (decoded the same
// by every libpng), and the ops' libvips-rendered neighbours are left out.
func TestPassesWarpKeepsItsPixels(t *testing.T) {
	var cases []string
	for _, src := range []string{"chelsea.png", "logo-alpha.png"} {
		im := decode(t, src)
		for _, fill := range []string{"black", "white", "edge", "mirror"} {
			for _, o := range []augment.Op{
				op("rotate", "degrees", 37.0, "fill", fill),
				op("rotate", "degrees", 200.5, "fill", fill),
				op("rotate", "degrees", -12.25, "fill", fill, "expand", true),
				op("affine", "degrees", -21.0, "scale", 0.6, "shear", 7.0, "offset", []float64{0.3, -0.2}, "fill", fill),
				op("perspective", "points", [][]float64{{0.3, 0.05}, {-0.05, 0.2}, {-0.25, -0.05}, {0.05, -0.3}}, "fill", fill),
			} {
				for _, ops := range [][]augment.Op{{o}, {o, op("brightness", "factor", 1.3)}} {
					name := fmt.Sprintf("%s %s", src, record(t, ops))
					cases = append(cases, fmt.Sprintf("%x %s", pixels(render(t, im, ops...)), name))
				}
			}
		}
	}
	got := strings.Join(cases, "\n") + "\n"
	const file = "testdata/warp-pixels.txt"
	if *update {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	wantLines := strings.Split(string(want), "\n")
	for i, line := range strings.Split(got, "\n") {
		if i >= len(wantLines) || line != wantLines[i] {
			t.Errorf("the warp's pixels changed (go test -run %s -update rewrites the file, if meant):\n got  %s\n want %s", t.Name(), line, at(wantLines, i))
		}
	}
}

// pixels is a hash of img's pixels as 8-bit RGBA.
func pixels(img image.Image) []byte {
	rgba := image.NewNRGBA(img.Bounds())
	draw.Draw(rgba, rgba.Rect, img, img.Bounds().Min, draw.Src)
	sum := sha256.Sum256(rgba.Pix)
	return sum[:12]
}

func record(t *testing.T, ops []augment.Op) string {
	b, err := augment.Ops(ops).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func at(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "(nothing)"
}
