package imaging

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"math"
	"strings"
	"testing"

	"github.com/augment-ml/augment/internal/augment"
)

// everyOp is a pipeline that uses every operation of the catalogue.
const everyOp = `[
	{"op": "hflip"}, {"op": "vflip"}, {"op": "rot90"}, {"op": "rotate", "fill": "edge", "expand": true},
	{"op": "affine", "fill": "mirror"}, {"op": "perspective", "distortion": 0.3},
	{"op": "random_resized_crop", "size": [300, 200]}, {"op": "random_crop", "size": [280, 190]},
	{"op": "center_crop", "size": [260, 180]}, {"op": "resize", "longest": 400}, {"op": "zoom"},
	{"op": "brightness"}, {"op": "contrast"}, {"op": "saturation"}, {"op": "hue"},
	{"op": "color_jitter", "brightness": 0.3, "contrast": 0.3, "saturation": 0.3, "hue": 0.1},
	{"op": "gamma"}, {"op": "grayscale", "p": 0.5}, {"op": "invert"}, {"op": "solarize"}, {"op": "posterize"},
	{"op": "equalize"}, {"op": "autocontrast"}, {"op": "channel_shuffle"},
	{"op": "gaussian_blur"}, {"op": "sharpen"}, {"op": "gaussian_noise"}, {"op": "jpeg_compression"},
	{"op": "downscale"}, {"op": "cutout", "fill": "gray"}, {"op": "randaugment", "n": 3, "m": 15}]`

func TestPassesRenderEveryOp(t *testing.T) {
	p, err := augment.Parse([]byte(everyOp))
	if err != nil {
		t.Fatal(err)
	}
	for _, info := range augment.Catalogue() {
		if !strings.Contains(everyOp, `"`+info.Name+`"`) && info.Name != "one_of" && info.Name != "some_of" && info.Name != "identity" {
			t.Errorf("the pipeline of every op lacks %s", info.Name)
		}
	}
	for _, name := range []string{"rocket.jpg", "logo-alpha.png", "exif-orientation-6.jpg", "chelsea.png"} {
		im := decode(t, name)
		for i := range 3 {
			ops := p.Plan(int64(i), "", i)
			for _, format := range []string{"jpeg", "png", "webp"}[:1+i] {
				res, err := im.Render(context.Background(), ops, Output{Format: format})
				if err != nil {
					t.Fatalf("%s, variant %d: %v", name, i, err)
				}
				if res.Width <= 0 || res.Height <= 0 || len(res.Bytes) == 0 {
					t.Fatalf("%s, variant %d: empty result", name, i)
				}
			}
			// Each op alone, too, so one op cannot hide behind another.
			for _, op := range ops {
				if _, err := im.Render(context.Background(), []augment.Op{op}, Output{}); err != nil {
					t.Fatalf("%s: %s alone: %v", name, augment.Name(op), err)
				}
			}
		}
	}
}

func TestSaturationZeroIsGray(t *testing.T) {
	img := render(t, decode(t, "coffee.png"), op("saturation", "factor", 0.0))
	for y := 0; y < img.Bounds().Dy(); y += 11 {
		for x := 0; x < img.Bounds().Dx(); x += 11 {
			r, g, b, _ := img.At(x, y).RGBA()
			if d := max(r, g, b) - min(r, g, b); d > 2<<8 {
				t.Fatalf("pixel (%d,%d) = %d %d %d is not gray", x, y, r>>8, g>>8, b>>8)
			}
		}
	}
}

// solid returns a w×h PNG of one colour, decoded.
func solid(t *testing.T, w, h int, r, g, b uint8) *Image {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = r, g, b, 255
	}
	return decodeGo(t, img)
}

// decodeGo is img, made in Go, as a PNG decoded by libvips.
func decodeGo(t *testing.T, img image.Image) *Image {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	im, err := Decode(buf.Bytes(), 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(im.Close)
	return im
}

func TestHueMovesRed(t *testing.T) {
	im := solid(t, 16, 16, 220, 20, 20)
	r, g, b, _ := render(t, im, op("hue", "shift", 0.0)).At(8, 8).RGBA()
	if r>>8 < 200 || g>>8 > 40 {
		t.Fatalf("shift 0 changed red to %d %d %d", r>>8, g>>8, b>>8)
	}
	r, g, b, _ = render(t, im, op("hue", "shift", 1.0/3)).At(8, 8).RGBA()
	if g <= r || g <= b {
		t.Fatalf("a third of a turn took red to %d %d %d, want green to lead", r>>8, g>>8, b>>8)
	}
	r, g, b, _ = render(t, im, op("hue", "shift", 0.5)).At(8, 8).RGBA()
	if r >= g || r >= b {
		t.Fatalf("half a turn took red to %d %d %d, want cyan", r>>8, g>>8, b>>8)
	}
}

func TestCutoutZeroesItsBoxOnly(t *testing.T) {
	im := solid(t, 200, 100, 200, 150, 100)
	img := render(t, im, op("cutout", "boxes", [][]float64{{0.5, 0.25, 0.4}}, "fill", "black"))
	// side 0.4·100 = 40; x = 0.5·(200−40) = 80, y = 0.25·(100−40) = 15
	for y := range 100 {
		for x := range 200 {
			r, _, _, _ := img.At(x, y).RGBA()
			inside := x >= 80 && x < 120 && y >= 15 && y < 55
			if inside != (r == 0) {
				t.Fatalf("pixel (%d,%d) red %d: inside the box %v", x, y, r>>8, inside)
			}
		}
	}
}

func TestGammaInvertSolarizePosterize(t *testing.T) {
	im := solid(t, 8, 8, 64, 128, 200)
	at := func(o augment.Op) [3]uint32 {
		r, g, b, _ := render(t, im, o).At(4, 4).RGBA()
		return [3]uint32{r >> 8, g >> 8, b >> 8}
	}
	if got := at(op("invert")); got != [3]uint32{191, 127, 55} {
		t.Errorf("invert = %v", got)
	}
	if got := at(op("solarize", "threshold", 128.0)); got != [3]uint32{64, 127, 55} {
		t.Errorf("solarize 128 = %v", got)
	}
	if got := at(op("posterize", "bits", 2.0)); got != [3]uint32{64, 128, 192} {
		t.Errorf("posterize 2 = %v", got)
	}
	want := uint32(math.Round(255 * math.Pow(64.0/255, 1/2.0)))
	if got := at(op("gamma", "gamma", 2.0)); got[0] < want-1 || got[0] > want+1 {
		t.Errorf("gamma 2 took 64 to %d, want %d", got[0], want)
	}
	if got := at(op("channel_shuffle", "order", []float64{2, 0, 1})); got != [3]uint32{200, 64, 128} {
		t.Errorf("channel_shuffle [2 0 1] = %v", got)
	}
}

func TestNoiseIsReproducible(t *testing.T) {
	im := decode(t, "rocket.jpg")
	ops := []augment.Op{op("gaussian_noise", "std", 0.05, "seed", 1234.0)}
	a, _ := im.Render(context.Background(), ops, Output{Format: "png"})
	b, _ := im.Render(context.Background(), ops, Output{Format: "png"})
	c, _ := im.Render(context.Background(), []augment.Op{op("gaussian_noise", "std", 0.05, "seed", 99.0)}, Output{Format: "png"})
	if !bytes.Equal(a.Bytes, b.Bytes) {
		t.Error("the same noise seed gave different pixels")
	}
	if bytes.Equal(a.Bytes, c.Bytes) {
		t.Error("different noise seeds gave the same pixels")
	}
}

func TestHeavyPlansReplay(t *testing.T) {
	im := decode(t, "hubble.jpg")
	p, _ := augment.Preset("heavy")
	for i := range 4 {
		ops := p.Plan(77, "", i)
		a, err := im.Render(context.Background(), ops, Output{Format: "png"})
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(ops)
		back, err := augment.ParseOps(raw)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := im.Render(context.Background(), back, Output{Format: "png"})
		if !bytes.Equal(a.Bytes, b.Bytes) {
			t.Fatalf("variant %d: recorded ops %s do not replay", i, raw)
		}
	}
}

// TestPassesFill: edge and mirror fills continue the image into the corners a
// rotation, an affine map or a perspective warp uncovers; black and white
// paint them.
func TestPassesFill(t *testing.T) {
	im := solid(t, 120, 80, 40, 160, 90)
	for _, o := range [][]any{
		{"rotate", "degrees", 30.0},
		{"affine", "degrees", 20.0, "scale", 0.7, "shear", 10.0, "offset", []float64{0.2, -0.1}},
		{"perspective", "points", [][]float64{{0.2, 0.2}, {-0.2, 0.1}, {-0.1, -0.2}, {0.15, -0.1}}},
	} {
		for fill, want := range map[string][3]uint32{"edge": {40, 160, 90}, "mirror": {40, 160, 90}, "black": {0, 0, 0}, "white": {255, 255, 255}} {
			o := op(o[0].(string), append(o[1:], "fill", fill)...)
			r, g, b, _ := render(t, im, o).At(1, 1).RGBA()
			got := [3]uint32{r >> 8, g >> 8, b >> 8}
			for i := range 3 {
				if d := int(got[i]) - int(want[i]); d > 3 || d < -3 {
					t.Errorf("%s fill %s: corner %v, want %v", augment.Name(o), fill, got, want)
					break
				}
			}
		}
	}
}

// TestPassesComposeAsOneAtATime: geometric ops composed into one pass, with a
// colour op in the same pass, give what applying each op to the lossless
// result of the one before gives, fills included. Where a later op would show
// its own fill they are not composed, and the test shows that too.
func TestPassesComposeAsOneAtATime(t *testing.T) {
	im := decode(t, "chelsea.png")
	for _, ops := range [][]augment.Op{
		{op("hflip"), op("rotate", "degrees", 20.0, "fill", "mirror"), op("zoom", "scale", 1.3)},
		{op("zoom", "scale", 1.3), op("rotate", "degrees", 20.0, "fill", "black")},
		{op("rot90", "k", 1.0), op("affine", "degrees", 10.0, "scale", 0.8, "shear", 5.0, "offset", []float64{0, 0}, "fill", "edge"), op("vflip")},
		{op("rotate", "degrees", -12.0, "fill", "white"), op("contrast", "factor", 0.6), op("brightness", "factor", 1.3)},
		{op("vflip"), op("saturation", "factor", 0.3), op("rotate", "degrees", 8.0, "fill", "black")},
		{op("rot90", "k", 3.0), op("hflip"), op("brightness", "factor", 0.7)},
		{op("perspective", "points", [][]float64{{0.1, 0.05}, {-0.05, 0.1}, {-0.1, -0.05}, {0.05, -0.1}}, "fill", "mirror"),
			op("zoom", "scale", 1.2), op("hue", "shift", 0.1)},
	} {
		var names []string
		one := im
		for _, o := range ops {
			names = append(names, augment.Name(o))
			res, err := one.Render(context.Background(), []augment.Op{o}, Output{Format: "png"})
			if err != nil {
				t.Fatal(err)
			}
			if one, err = Decode(res.Bytes, 50_000_000); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(one.Close)
		}
		whole, each := render(t, im, ops...), render(t, one)
		if whole.Bounds() != each.Bounds() {
			t.Fatalf("%v: %v in one pass, %v one at a time", names, whole.Bounds(), each.Bounds())
		}
		// Resampling once instead of several times differs by a level or
		// two; a fill in the wrong place, or a colour op applied to it
		// when it should not be, by tens in whole blocks.
		all, worst := blockDiffs(whole, each, 16)
		if all > 2.5 || worst > 12 {
			t.Errorf("%v: one pass differs from one at a time by %.1f on average, %.1f in the worst 16-pixel block", names, all, worst)
		}
	}
}

// TestPassesSIMDMatchesPlain: the AVX2 loops of the warp and colour passes give the
// same pixels as the plain ones, so a seed renders the same on every machine.
func TestPassesSIMDMatchesPlain(t *testing.T) {
	if !setSIMD(true) {
		t.Skip("this CPU has no AVX2: only the plain loops run here")
	}
	ops := [][]augment.Op{
		{op("rotate", "degrees", 13.0, "fill", "mirror")},
		{op("hflip"), op("zoom", "scale", 1.21), op("color_jitter", "brightness", []float64{1.2, 1.2}, "contrast", []float64{0.8, 0.8},
			"saturation", []float64{1.3, 1.3}, "hue", []float64{0.04, 0.04}, "order", []string{"hue", "contrast", "brightness", "saturation"})},
		{op("affine", "degrees", -21.0, "scale", 0.85, "shear", 7.0, "offset", []float64{0.05, -0.1}, "fill", "edge"), op("hue", "shift", -0.2)},
		{op("vflip"), op("brightness", "factor", 1.4)},
		{op("hflip"), op("saturation", "factor", 1.6)},
		{op("rot90", "k", 1.0), op("hflip"), op("contrast", "factor", 1.4)},
		{op("contrast", "factor", 1.3), op("hue", "shift", 0.3)},
		{op("perspective", "points", [][]float64{{0.1, 0.05}, {-0.05, 0.1}, {-0.1, -0.05}, {0.05, -0.1}}, "fill", "black"), op("grayscale")},
	}
	for _, name := range []string{"cardinal.jpg", "logo-alpha.png"} {
		im := decode(t, name)
		for _, o := range ops {
			simd, err := im.Render(context.Background(), o, Output{Format: "png"})
			if err != nil {
				t.Fatal(err)
			}
			setSIMD(false)
			plain, err := im.Render(context.Background(), o, Output{Format: "png"})
			setSIMD(true)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(simd.Bytes, plain.Bytes) {
				t.Errorf("%s %v: the AVX2 loops and the plain ones give different pixels", name, o)
			}
		}
	}
}

// blockDiffs gives the mean absolute channel difference of a and b, and the
// largest over side×side blocks.
func blockDiffs(a, b image.Image, side int) (float64, float64) {
	w, h := a.Bounds().Dx(), a.Bounds().Dy()
	total, worst := 0.0, 0.0
	for by := 0; by+side <= h; by += side {
		for bx := 0; bx+side <= w; bx += side {
			sum := 0.0
			for y := by; y < by+side; y++ {
				for x := bx; x < bx+side; x++ {
					r1, g1, b1, _ := a.At(x, y).RGBA()
					r2, g2, b2, _ := b.At(x, y).RGBA()
					sum += math.Abs(float64(r1>>8)-float64(r2>>8)) + math.Abs(float64(g1>>8)-float64(g2>>8)) + math.Abs(float64(b1>>8)-float64(b2>>8))
				}
			}
			d := sum / float64(3*side*side)
			total += d * float64(side*side)
			worst = max(worst, d)
		}
	}
	return total / float64((w/side)*(h/side)*side*side), worst
}

// TestPassesOnExtremes: the largest and smallest values the validator allows render
// without error on a photo and on images down to one pixel.
func TestPassesOnExtremes(t *testing.T) {
	p, err := augment.Parse([]byte(`[
		{"op": "rotate", "degrees": [-180, 180], "fill": "mirror", "expand": true},
		{"op": "affine", "degrees": [-180, 180], "translate": [1, 1], "scale": [0.1, 10], "shear": [-60, 60], "fill": "mirror"},
		{"op": "perspective", "distortion": [0.9, 1], "fill": "edge"},
		{"op": "zoom", "scale": [1, 4]},
		{"op": "color_jitter", "brightness": 10, "contrast": 10, "saturation": 10, "hue": 0.5},
		{"op": "affine", "degrees": [-180, 180], "scale": [0.1, 0.2], "shear": [59, 60], "fill": "white"},
		{"op": "perspective", "distortion": 1, "fill": "mirror"},
		{"op": "contrast", "factor": [0, 10]}]`))
	if err != nil {
		t.Fatal(err)
	}
	photo := decode(t, "chelsea.png")
	for _, size := range [][2]int{{1, 1}, {1, 9}, {9, 1}, {2, 3}, {64, 48}, {0, 0}} {
		im := photo
		if size[0] > 0 {
			im = solid(t, size[0], size[1], 200, 90, 30)
		}
		for seed := range 12 {
			ops := p.Plan(int64(seed), "", seed)
			res, err := im.Render(context.Background(), ops, Output{Format: "png"})
			if err != nil {
				t.Fatalf("%dx%d, seed %d: %v", size[0], size[1], seed, err)
			}
			if res.Width <= 0 || res.Height <= 0 {
				t.Fatalf("%dx%d, seed %d: %dx%d", size[0], size[1], seed, res.Width, res.Height)
			}
		}
	}
}
