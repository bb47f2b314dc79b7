package imaging

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"math"
	"testing"
)

// A source decoded at a size shows what the whole decode scaled to that size
// shows, never has a longest side under what was asked, and says its scale.
func TestDecodeAtLeast(t *testing.T) {
	for _, tc := range []struct {
		name  string
		least int
		want  int // longest side decoded
	}{
		{"large.jpg", 512, 512},              // 4096 / 8
		{"large.jpg", 513, 1024},             // 4096 / 4: 512 would be under
		{"cardinal.jpg", 300, 480},           // 1920 / 4
		{"exif-orientation-6.jpg", 400, 400}, // 1600 / 4, turned upright
		{"rocket.jpg", 100, 160},             // 640 / 4: 640 / 8 = 80 is under 100
		{"wood.webp", 500, 500},              // any scale
		{"chelsea.png", 100, 451},            // PNG: whole
		{"cardinal.jpg", 0, 1920},            // 0: whole
		{"cardinal.jpg", 4000, 1920},         // over the source: whole
	} {
		whole := decode(t, tc.name)
		im, err := DecodeAtLeast(load(t, tc.name), 50_000_000, tc.least)
		if err != nil {
			t.Fatalf("%s at %d: %v", tc.name, tc.least, err)
		}
		w, h := im.Size()
		if got := max(w, h); got < tc.want-1 || got > tc.want+1 || got < tc.least && tc.least < max(whole.Size()) {
			t.Errorf("%s at least %d: decoded %d×%d, want a longest side of %d", tc.name, tc.least, w, h, tc.want)
		}
		if im.Info() != whole.Info() {
			t.Errorf("%s at %d: info %+v, the whole decode's %+v", tc.name, tc.least, im.Info(), whole.Info())
		}
		if ww, wh := whole.Size(); (ww > wh) != (w > h) && ww != wh {
			t.Errorf("%s at %d: %d×%d is not the whole decode's %d×%d turned the same way", tc.name, tc.least, w, h, ww, wh)
		}
		if s := im.Scale(); s <= 0 || s > 1 || math.Abs(s*float64(max(whole.Size()))-float64(max(w, h))) > 0.5 {
			t.Errorf("%s at %d: scale %v for %d of %d", tc.name, tc.least, s, max(w, h), max(whole.Size()))
		}
		// the whole decode resized to the same size looks the same
		small, err := im.Render(context.Background(), nil, Output{Format: "png"})
		if err != nil {
			t.Fatal(err)
		}
		c := &chain{cur: whole.img, memory: true}
		if err := c.add(c.cur.resize(w, h)); err != nil {
			t.Fatal(err)
		}
		ref, err := c.cur.save(formatPNG, 0, "")
		c.release()
		if err != nil {
			t.Fatal(err)
		}
		a, _ := png.Decode(bytes.NewReader(small.Bytes))
		b, _ := png.Decode(bytes.NewReader(ref))
		if d := meanDiff(a, b); d > 3 {
			t.Errorf("%s at %d: mean difference %.2f from the whole decode resized", tc.name, tc.least, d)
		}
		im.Close()
	}
}

// BenchmarkDecodeAtLeast: decoding large.jpg and wood.webp (4096²) whole
// against decoding them for a 512 px preview.
func BenchmarkDecodeAtLeast(b *testing.B) {
	for _, name := range []string{"large.jpg", "wood.webp"} {
		src := load(b, name)
		for _, least := range []int{0, 512} {
			b.Run(name+"/"+map[bool]string{true: "whole", false: "512"}[least == 0], func(b *testing.B) {
				for range b.N {
					im, err := DecodeAtLeast(src, 50_000_000, least)
					if err != nil {
						b.Fatal(err)
					}
					im.Close()
				}
			})
		}
	}
}

// meanDiff is the mean absolute channel difference of two images of one size.
func meanDiff(a, b image.Image) float64 {
	if a.Bounds() != b.Bounds() {
		return 255
	}
	sum := 0.0
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			r1, g1, b1, _ := a.At(x, y).RGBA()
			r2, g2, b2, _ := b.At(x, y).RGBA()
			sum += math.Abs(float64(r1>>8)-float64(r2>>8)) + math.Abs(float64(g1>>8)-float64(g2>>8)) + math.Abs(float64(b1>>8)-float64(b2>>8))
		}
	}
	return sum / float64(3*a.Bounds().Dx()*a.Bounds().Dy())
}
