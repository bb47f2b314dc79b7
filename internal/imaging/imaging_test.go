package imaging

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"image"
	_ "image/jpeg"
	"image/png"
	"math"
	"os"
	"testing"

	"github.com/augment-ml/augment/internal/augment"
	"github.com/augment-ml/augment/internal/domain"
)

func TestMain(m *testing.M) {
	Init(Config{})
	os.Exit(m.Run())
}

func load(t testing.TB, name string) []byte {
	b, err := os.ReadFile("../../testdata/corpus/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func decode(t testing.TB, name string) *Image {
	im, err := Decode(load(t, name), 50_000_000)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(im.Close)
	return im
}

// render renders ops to PNG and decodes the result with Go.
func render(t testing.TB, im *Image, ops ...augment.Op) image.Image {
	t.Helper()
	res, err := im.Render(context.Background(), ops, Output{Format: "png"})
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(res.Bytes))
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds().Dx() != res.Width || img.Bounds().Dy() != res.Height {
		t.Fatalf("result says %dx%d, image is %v", res.Width, res.Height, img.Bounds())
	}
	return img
}

// op is the concrete op name with the values kv (name, value, …) as a
// record gives them; the op's other parameters take their defaults, which
// must be fixed.
func op(name string, kv ...any) augment.Op {
	step := map[string]any{"op": name}
	for i := 0; i+1 < len(kv); i += 2 {
		step[kv[i].(string)] = kv[i+1]
	}
	raw, _ := json.Marshal([]any{step})
	ops, err := augment.ParseOps(raw)
	if err != nil || len(ops) != 1 {
		panic(fmt.Sprintf("op %s: %v", raw, err))
	}
	return ops[0]
}

func samePixels(a, b image.Image, tolerance int) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			r1, g1, b1, _ := a.At(x, y).RGBA()
			r2, g2, b2, _ := b.At(x, y).RGBA()
			for _, d := range []int{int(r1>>8) - int(r2>>8), int(g1>>8) - int(g2>>8), int(b1>>8) - int(b2>>8)} {
				if d > tolerance || -d > tolerance {
					return false
				}
			}
		}
	}
	return true
}

// centreDiff is the mean absolute channel difference of the side×side
// squares at the centres of a and b.
func centreDiff(a, b image.Image, side int) float64 {
	ax, ay := a.Bounds().Dx()/2-side/2, a.Bounds().Dy()/2-side/2
	bx, by := b.Bounds().Dx()/2-side/2, b.Bounds().Dy()/2-side/2
	sum := 0.0
	for y := range side {
		for x := range side {
			r1, g1, b1, _ := a.At(ax+x, ay+y).RGBA()
			r2, g2, b2, _ := b.At(bx+x, by+y).RGBA()
			sum += math.Abs(float64(r1>>8)-float64(r2>>8)) + math.Abs(float64(g1>>8)-float64(g2>>8)) + math.Abs(float64(b1>>8)-float64(b2>>8))
		}
	}
	return sum / float64(3*side*side)
}

func TestFlipTwiceIsTheOriginal(t *testing.T) {
	im := decode(t, "chelsea.png")
	if !samePixels(render(t, im), render(t, im, op("hflip"), op("hflip")), 0) {
		t.Error("hflip∘hflip differs from the original")
	}
	if !samePixels(render(t, im), render(t, im, op("vflip"), op("vflip")), 0) {
		t.Error("vflip∘vflip differs from the original")
	}
	if samePixels(render(t, im), render(t, im, op("hflip")), 0) {
		t.Error("hflip changed nothing")
	}
}

func TestRotate90IsRot90(t *testing.T) {
	im := decode(t, "rocket.jpg")
	a := render(t, im, op("rotate", "degrees", 90.0, "expand", true))
	b := render(t, im, op("rot90", "k", 1.0))
	if a.Bounds().Dx() != 427 || a.Bounds().Dy() != 640 {
		t.Fatalf("rotate 90 expand is %v, want 427x640", a.Bounds())
	}
	if !samePixels(a, b, 40) {
		t.Error("rotate by 90° differs from rot90 k=1")
	}
	// A resampled rotation turns the same way as the exact one.
	c := render(t, im, op("rotate", "degrees", 89.5, "expand", true))
	if d := centreDiff(c, b, 150); d > 12 {
		t.Errorf("rotate 89.5° differs from rot90 k=1 by %.1f on average in the centre", d)
	}
	if d := centreDiff(c, render(t, im, op("rot90", "k", 3.0)), 150); d < 20 {
		t.Errorf("rotate 89.5° is close to a clockwise quarter turn (%.1f)", d)
	}
	// Counter-clockwise: the top-right corner moves to the top-left.
	orig := render(t, im)
	r1, g1, b1, _ := orig.At(639, 0).RGBA()
	r2, g2, b2, _ := b.At(0, 0).RGBA()
	if r1 != r2 || g1 != g2 || b1 != b2 {
		t.Error("rot90 k=1 is not counter-clockwise")
	}
}

func TestGrayscaleHasEqualChannels(t *testing.T) {
	img := render(t, decode(t, "coffee.png"), op("grayscale"))
	for y := 0; y < img.Bounds().Dy(); y += 7 {
		for x := 0; x < img.Bounds().Dx(); x += 7 {
			r, g, b, _ := img.At(x, y).RGBA()
			if r != g || g != b {
				t.Fatalf("pixel (%d,%d) = %d %d %d", x, y, r>>8, g>>8, b>>8)
			}
		}
	}
}

func mean(img image.Image) float64 {
	var sum float64
	n := 0
	for y := 0; y < img.Bounds().Dy(); y += 3 {
		for x := 0; x < img.Bounds().Dx(); x += 3 {
			r, g, b, _ := img.At(x, y).RGBA()
			sum += float64(r>>8+g>>8+b>>8) / 3
			n++
		}
	}
	return sum / float64(n)
}

// spread is the standard deviation of the gray level, sampled as mean is.
func spread(img image.Image) float64 {
	m := mean(img)
	var sum float64
	n := 0
	for y := 0; y < img.Bounds().Dy(); y += 3 {
		for x := 0; x < img.Bounds().Dx(); x += 3 {
			r, g, b, _ := img.At(x, y).RGBA()
			d := float64(r>>8+g>>8+b>>8)/3 - m
			sum += d * d
			n++
		}
	}
	return math.Sqrt(sum / float64(n))
}

func TestBrightnessAndContrastMoveTheMean(t *testing.T) {
	im := decode(t, "hubble.jpg")
	base := mean(render(t, im))
	if got := mean(render(t, im, op("brightness", "factor", 0.5))); got < base*0.45 || got > base*0.55 {
		t.Errorf("brightness 0.5: mean %.1f from %.1f", got, base)
	}
	if got := mean(render(t, im, op("contrast", "factor", 0.5))); got < base-4 || got > base+4 {
		t.Errorf("contrast 0.5 moved the mean from %.1f to %.1f", base, got)
	}
	// Contrast scales the spread about the mean; brightness scales both.
	baseSpread := spread(render(t, im))
	if got := spread(render(t, im, op("contrast", "factor", 0.5))); got < baseSpread*0.45 || got > baseSpread*0.55 {
		t.Errorf("contrast 0.5: spread %.1f from %.1f", got, baseSpread)
	}
	if got := spread(render(t, im, op("brightness", "factor", 0.5))); got < baseSpread*0.45 || got > baseSpread*0.55 {
		t.Errorf("brightness 0.5: spread %.1f from %.1f", got, baseSpread)
	}
}

func TestOutputSizes(t *testing.T) {
	im := decode(t, "rocket.jpg")
	for _, tc := range []struct {
		op   augment.Op
		w, h int
	}{
		{op("random_resized_crop", "size", []float64{224, 224}, "scale", 0.5, "ratio", 1.2, "x", 0.3, "y", 0.9), 224, 224},
		{op("resize", "size", []float64{100, 50}), 100, 50},
		{op("resize", "longest", 320.0), 320, 214},
		{op("zoom", "scale", 1.7), 640, 427},
		{op("rotate", "degrees", 30.0), 640, 427},
		{op("rot90", "k", 3.0), 427, 640},
		{op("gaussian_blur", "sigma", 2.0), 640, 427},
	} {
		img := render(t, im, tc.op)
		if img.Bounds().Dx() != tc.w || img.Bounds().Dy() != tc.h {
			t.Errorf("%s: %v, want %dx%d", augment.Name(tc.op), img.Bounds(), tc.w, tc.h)
		}
	}
}

func TestAlpha(t *testing.T) {
	im := decode(t, "logo-alpha.png")
	res, err := im.Render(context.Background(), []augment.Op{op("rotate", "degrees", 10.0)}, Output{})
	if err != nil || res.Format != "png" {
		t.Fatalf("%v %s", err, res.Format)
	}
	img, _ := png.Decode(bytes.NewReader(res.Bytes))
	if _, _, _, a := img.At(0, 0).RGBA(); a != 0 {
		t.Errorf("PNG output lost the transparent corner: alpha %d", a>>8)
	}
	res, _ = im.Render(context.Background(), nil, Output{Format: "jpeg"})
	jpg, _, err := image.Decode(bytes.NewReader(res.Bytes))
	if err != nil {
		t.Fatal(err)
	}
	if r, g, b, _ := jpg.At(0, 0).RGBA(); r>>8 < 250 || g>>8 < 250 || b>>8 < 250 {
		t.Errorf("JPEG output did not flatten onto white: %d %d %d", r>>8, g>>8, b>>8)
	}
}

func TestExifOrientationComesOutUpright(t *testing.T) {
	info, err := Probe(load(t, "exif-orientation-6.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	im := decode(t, "exif-orientation-6.jpg")
	res, err := im.Render(context.Background(), nil, Output{Format: "jpeg"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Width != info.Width || res.Height != info.Height {
		t.Fatalf("output %dx%d, header says %dx%d", res.Width, res.Height, info.Width, info.Height)
	}
	if bytes.Contains(res.Bytes, []byte("Exif")) {
		t.Error("output keeps EXIF metadata")
	}
	again, _ := Probe(res.Bytes)
	if again.Orientation > 1 {
		t.Errorf("output orientation tag %d", again.Orientation)
	}
}

func TestRenderIsDeterministicAndReplays(t *testing.T) {
	im := decode(t, "cardinal.jpg")
	p, _ := augment.Preset("heavy")
	ops := p.Plan(5, "", 2)
	a, err := im.Render(context.Background(), ops, Output{})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(ops)
	replayed, _ := augment.ParseOps(raw)
	b, err := im.Render(context.Background(), replayed, Output{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes, b.Bytes) {
		t.Error("the recorded ops do not replay to the same bytes")
	}
}

func TestBadInputsAreRefused(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	for name, code := range map[string]string{
		"bad/empty.jpg": domain.ENotImage, "bad/not-an-image.jpg": domain.ENotImage,
		"bad/truncated.jpg": domain.ENotImage, "bad/vector.svg": domain.EUnsupported,
		"bad/document.pdf": domain.EUnsupported, "bad/bomb-900mp.png": domain.ETooManyPixels,
	} {
		_, err := Decode(load(t, name), 50_000_000)
		if domain.ErrorCode(err) != code {
			t.Errorf("%s: %v, want %s", name, err, code)
		}
	}
	// rocket.jpg's header made to claim 7000×7000: its 112 KB of scan data
	// cover a sliver, and libjpeg would fill the rest with grey.
	liar := load(t, "rocket.jpg")
	sof := bytes.Index(liar, []byte{0xFF, 0xC0})
	binary.BigEndian.PutUint16(liar[sof+5:], 7000)
	binary.BigEndian.PutUint16(liar[sof+7:], 7000)
	if info, err := Probe(liar); err != nil || info.Width != 7000 {
		t.Fatalf("the damaged JPEG's header: %+v, %v", info, err)
	}
	if _, err := Decode(liar, 50_000_000); domain.ErrorCode(err) != domain.ENotImage {
		t.Errorf("a JPEG whose data ends early: %v, want %s", err, domain.ENotImage)
	}
	if files, _ := os.ReadDir(os.Getenv("TMPDIR")); len(files) > 0 {
		t.Errorf("refusing the inputs wrote %d temporary files", len(files))
	}
}

// BenchmarkRender: N=8 variants from one decode, against the floor (decode
// once, encode 8 with no ops).
func BenchmarkRender(b *testing.B) {
	for _, name := range []string{"cardinal.jpg", "large.jpg"} {
		src := load(b, name)
		for _, preset := range []string{"floor", "default", "heavy"} {
			b.Run(name+"/"+preset, func(b *testing.B) {
				var p *augment.Pipeline
				if preset != "floor" {
					p, _ = augment.Preset(preset)
				}
				for range b.N {
					im, err := Decode(src, 50_000_000)
					if err != nil {
						b.Fatal(err)
					}
					for i := range 8 {
						var ops []augment.Op
						if p != nil {
							ops = p.Plan(1, "", i)
						}
						if _, err := im.Render(context.Background(), ops, Output{Format: "jpeg", Quality: 85}); err != nil {
							b.Fatal(err)
						}
					}
					im.Close()
				}
				b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N*8), "ms/variant")
			})
		}
	}
}
