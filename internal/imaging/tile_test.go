package imaging

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"math"
	"testing"

	"github.com/augment-ml/augment/internal/augment"
)

// tilePipelines are pipelines whose tiles are held to their variants:
// crops, rotations, randaugment, every preset.
var tilePipelines = map[string]string{
	"random_resized_crop": `[{"op": "random_resized_crop", "size": [300, 200], "scale": [0.3, 1]}]`,
	"center_crop":         `[{"op": "center_crop", "size": [700, 500]}, {"op": "hflip", "p": 0.5}]`,
	"rotate":              `[{"op": "rotate", "degrees": [-40, 40], "fill": "mirror"}, {"op": "rot90"}]`,
	"rotate_expand":       `[{"op": "rotate", "degrees": [10, 80], "expand": true}]`,
	"randaugment":         `[{"op": "randaugment", "n": 3, "m": 12}]`,
	"resize_then_crop":    `[{"op": "resize", "longest": 900}, {"op": "random_crop", "size": [400, 400]}]`,
	"affine_perspective":  `[{"op": "affine", "degrees": [-20, 20], "translate": [0.1, 0.1], "scale": [0.8, 1.2], "shear": [-10, 10]}, {"op": "perspective", "distortion": [0.1, 0.4], "fill": "edge"}]`,
	"blur_cutout":         `[{"op": "gaussian_blur", "sigma": [2, 4]}, {"op": "cutout", "holes": [2, 4], "size": [0.1, 0.2], "fill": "gray"}]`,
}

// TestTileIsTheVariantScaled: the tile of ops, rendered from a source
// decoded at the tile's size, shows the variant rendered from the whole
// source, scaled to the tile: a small mean difference, the same size.
func TestTileIsTheVariantScaled(t *testing.T) {
	pipelines := map[string]*augment.Pipeline{}
	for name, raw := range tilePipelines {
		p, err := augment.Parse([]byte(raw))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		pipelines[name] = p
	}
	for _, name := range []string{"default", "classic", "geometric", "photometric", "heavy"} {
		pipelines[name], _ = augment.Preset(name)
	}
	worst := 0.0
	for _, src := range []string{"cardinal.jpg", "exif-orientation-6.jpg", "chelsea.png"} {
		whole := decode(t, src)
		info := whole.Info()
		for name, p := range pipelines {
			for _, size := range []int{256, 512} {
				var plans []augment.Ops
				least := 0
				for i := range 2 {
					ops := p.Plan(7, "", i)
					plans = append(plans, ops)
					ts, err := TileScale(ops, info.Width, info.Height, size)
					if err != nil {
						t.Fatal(err)
					}
					least = max(least, int(math.Ceil(ts*float64(max(info.Width, info.Height)))))
				}
				small, err := DecodeAtLeast(load(t, src), 50_000_000, least)
				if err != nil {
					t.Fatal(err)
				}
				for i, ops := range plans {
					tile, err := small.RenderTile(context.Background(), ops, Output{Format: "png"}, size)
					if err != nil {
						t.Fatalf("%s %s tile %d: %v", src, name, i, err)
					}
					full, err := whole.Render(context.Background(), ops, Output{Format: "png"})
					if err != nil {
						t.Fatal(err)
					}
					if longest := max(tile.Width, tile.Height); longest > size || longest < min(size, max(full.Width, full.Height))-1 {
						t.Errorf("%s %s tile %d: %d×%d for a %d px tile of a %d×%d variant", src, name, i, tile.Width, tile.Height, size, full.Width, full.Height)
					}
					want := shrunk(t, full.Bytes, tile.Width, tile.Height)
					got, _ := png.Decode(bytes.NewReader(tile.Bytes))
					d := meanDiff(got, want)
					worst = max(worst, d)
					if d > tolerance(name) {
						raw, _ := json.Marshal(ops)
						t.Errorf("%s %s at %d, variant %d %s: the tile is %.2f from the variant scaled", src, name, size, i, raw, d)
					}
				}
				small.Close()
			}
		}
	}
	t.Logf("worst mean difference %.2f", worst)
}

// tolerance is the mean difference allowed between a tile and its variant
// scaled: resampling at two scales differs in sharpness (on these photos a
// shift of one tile pixel costs 11 to 19), and heavy's solarize, posterize
// and JPEG artefacts are not linear, so scaling does not commute with them.
func tolerance(pipeline string) float64 {
	if pipeline == "heavy" {
		return 15
	}
	return 7
}

// shrunk is the PNG variant buf resized to w×h, as libvips resizes.
func shrunk(t testing.TB, buf []byte, w, h int) image.Image {
	t.Helper()
	im, err := Decode(buf, 50_000_000)
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	out, err := im.img.resize(w, h)
	if err != nil {
		t.Fatal(err)
	}
	defer out.unref()
	b, err := out.save(formatPNG, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// TestPassesTileEdges: tiles of variants at the edges of sizes (a pixel, a
// sliver, a crop larger than the source, a turn of a sliver) render at the
// size TileScale says, with no error; under ASan (make asan) the passes
// read and write only their pixels.
func TestPassesTileEdges(t *testing.T) {
	src := load(t, "rocket.jpg")
	for _, raw := range []string{
		`[{"op": "random_crop", "size": [1, 1]}]`,
		`[{"op": "resize", "size": [2000, 3]}, {"op": "rotate", "degrees": 33, "expand": true}]`,
		`[{"op": "center_crop", "size": [1500, 900]}, {"op": "cutout", "holes": 3, "size": 0.5}]`,
		`[{"op": "random_resized_crop", "size": [7, 5000], "scale": [0.01, 0.02]}, {"op": "rot90", "k": 1}]`,
		`[{"op": "downscale", "scale": 0.05}, {"op": "gaussian_blur", "sigma": 0.2}, {"op": "sharpen", "sigma": 0.3}]`,
		`[{"op": "perspective", "distortion": 0.9}, {"op": "gaussian_noise", "std": 0.2}]`,
	} {
		p, err := augment.Parse([]byte(raw))
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		for i := range 2 {
			ops := p.Plan(3, "", i)
			ts, err := TileScale(ops, 640, 427, 64)
			if err != nil {
				t.Fatal(err)
			}
			im, err := DecodeAtLeast(src, 50_000_000, int(math.Ceil(ts*640)))
			if err != nil {
				t.Fatal(err)
			}
			res, err := im.RenderTile(context.Background(), ops, Output{Format: "png"}, 64)
			im.Close()
			if err != nil {
				t.Errorf("%s, variant %d: %v", raw, i, err)
				continue
			}
			if max(res.Width, res.Height) > 64 || res.Width < 1 || res.Height < 1 {
				t.Errorf("%s, variant %d: a %d×%d tile", raw, i, res.Width, res.Height)
			}
		}
	}
}
