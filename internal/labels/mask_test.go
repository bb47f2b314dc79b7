package labels

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"github.com/augment-ml/augment/internal/geom"
)

// drawnMask is a W×H mask with a few class regions.
func drawnMask(w, h int) *Mask {
	m := NewMask(w, h, 8)
	for y := range h {
		for x := range w {
			switch {
			case (x-w/2)*(x-w/2)+(y-h/2)*(y-h/2) < h*h/9:
				m.Pix[y*w+x] = 3
			case x > w*3/4:
				m.Pix[y*w+x] = 7
			}
		}
	}
	return m
}

// randomSteps is a chain of random geometric steps of every kind, from a
// w×h image.
func randomSteps(r *rand.Rand, w, h, n int) []geom.Step {
	var steps []geom.Step
	for range n {
		var s geom.Step
		switch r.IntN(6) {
		case 0:
			s = geom.Step{ToInput: geom.Flip(r.IntN(2) == 0, w, h), W: w, H: h}
		case 1:
			m, ow, oh := geom.QuarterTurns(1+r.IntN(3), w, h)
			s = geom.Step{ToInput: m, W: ow, H: oh}
		case 2:
			ow, oh := max(1, w/2+r.IntN(w/2)), max(1, h/2+r.IntN(h/2))
			s = geom.Step{ToInput: geom.Crop(float64(r.IntN(w-ow+1)), float64(r.IntN(h-oh+1))), W: ow, H: oh}
		case 3:
			ow, oh := 50+r.IntN(300), 50+r.IntN(300)
			s = geom.Step{ToInput: geom.Resize(w, h, ow, oh), W: ow, H: oh}
		case 4:
			m, _ := geom.AboutCentre(geom.Linear(r.Float64()*60-30, 0.8+r.Float64()*0.5, r.Float64()*20-10), 5, -3, w, h, w, h)
			s = geom.Step{ToInput: m, W: w, H: h}
		case 5:
			d := func() float64 { return r.Float64() * 0.15 }
			m, _ := geom.Homography(float64(w), float64(h), [4][2]float64{{d(), d()}, {-d(), d()}, {-d(), -d()}, {d(), -d()}})
			s = geom.Step{ToInput: m, W: w, H: h}
		}
		steps = append(steps, s)
		w, h = s.W, s.H
	}
	return steps
}

func TestMaskWarpInventsNoClass(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	src := drawnMask(320, 200)
	for i := range 40 {
		out := src.Warp(randomSteps(r, src.W, src.H, 1+r.IntN(4)), 9)
		for v := range out.Values() {
			if v != 0 && v != 3 && v != 7 && v != 9 {
				t.Fatalf("chain %d: class %d appeared", i, v)
			}
		}
	}
}

func TestMaskExactIdentities(t *testing.T) {
	src := drawnMask(320, 200)
	flip := geom.Step{ToInput: geom.Flip(true, 320, 200), W: 320, H: 200}
	if out := src.Warp([]geom.Step{flip, flip}, 9); !equalPix(out, src) {
		t.Error("hflip twice changed the mask")
	}
	var turns []geom.Step
	w, h := 320, 200
	for range 4 {
		m, ow, oh := geom.QuarterTurns(1, w, h)
		turns = append(turns, geom.Step{ToInput: m, W: ow, H: oh})
		w, h = ow, oh
	}
	if out := src.Warp(turns, 9); !equalPix(out, src) {
		t.Error("four quarter turns changed the mask")
	}
}

func TestMaskPNGRoundTrip(t *testing.T) {
	pal := color.Palette{color.RGBA{0, 0, 0, 255}, color.RGBA{128, 0, 0, 255}, color.RGBA{0, 128, 0, 255}}
	p := image.NewPaletted(image.Rect(0, 0, 4, 3), pal)
	p.Pix[5], p.Pix[6] = 1, 2
	g := image.NewGray16(image.Rect(0, 0, 4, 3))
	g.SetGray16(2, 1, color.Gray16{Y: 1000})
	for name, img := range map[string]image.Image{"palette": p, "gray16": g} {
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		m, err := DecodeMask(buf.Bytes())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		back := m.Image()
		for y := range 3 {
			for x := range 4 {
				if back.At(x, y) != img.At(x, y) {
					t.Errorf("%s: pixel %d,%d is %v, want %v", name, x, y, back.At(x, y), img.At(x, y))
				}
			}
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 2, 2)))
	if _, err := DecodeMask(buf.Bytes()); err == nil {
		t.Error("a colour PNG was taken as a mask")
	}
}

func equalPix(a, b *Mask) bool {
	return a.W == b.W && a.H == b.H && bytes.Equal(a.Pix, b.Pix) && slices.Equal(a.Pix16, b.Pix16)
}

// BenchmarkMaskWarp warps a 1920×1080 mask by a flip (rows stay rows), a
// small rotation and a quarter turn (rows turn into columns).
func BenchmarkMaskWarp(b *testing.B) {
	src := drawnMask(1920, 1080)
	rot, _ := geom.AboutCentre(geom.Linear(12, 1, 0), 0, 0, 1920, 1080, 1920, 1080)
	q, qw, qh := geom.QuarterTurns(1, 1920, 1080)
	for _, tc := range []struct {
		name string
		step geom.Step
	}{
		{"flip", geom.Step{ToInput: geom.Flip(true, 1920, 1080), W: 1920, H: 1080}},
		{"rotate", geom.Step{ToInput: rot, W: 1920, H: 1080}},
		{"rot90", geom.Step{ToInput: q, W: qw, H: qh}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				src.Warp([]geom.Step{tc.step}, 0)
			}
		})
	}
}

func TestMaskPNGKeepsItsKind(t *testing.T) {
	for _, m := range []*Mask{drawnMask(97, 41), {W: 3, H: 2, Pix16: []uint16{0, 1, 65535, 300, 7, 0}},
		{W: 2, H: 2, Pix: []uint8{0, 1, 2, 1}, Palette: color.Palette{color.Black, color.White, color.RGBA{200, 0, 0, 255}}}} {
		b, err := m.PNG()
		if err != nil {
			t.Fatal(err)
		}
		back, err := DecodeMask(b)
		if err != nil {
			t.Fatal(err)
		}
		if !equalPix(back, m) || back.Depth() != m.Depth() || len(back.Palette) != len(m.Palette) {
			t.Errorf("%d-bit mask (palette %d) came back as %d-bit (palette %d), same pixels %v", m.Depth(), len(m.Palette), back.Depth(), len(back.Palette), equalPix(back, m))
		}
		cfg, _ := png.DecodeConfig(bytes.NewReader(b))
		if m.Palette == nil && cfg.ColorModel != color.GrayModel && cfg.ColorModel != color.Gray16Model {
			t.Errorf("a gray mask was written as %T", cfg.ColorModel)
		}
	}
}

func BenchmarkMaskPNG(b *testing.B) {
	m := drawnMask(1920, 1080)
	for b.Loop() {
		if _, err := m.PNG(); err != nil {
			b.Fatal(err)
		}
	}
}

// TestMaskPNGInBands: a mask tall enough to be deflated in bands on every
// core reads back whole, in every kind, and so does one band.
func TestMaskPNGInBands(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	for _, procs := range []int{1, 2, 3, 8} {
		old := runtime.GOMAXPROCS(procs)
		for _, depth := range []int{8, 16} {
			m := NewMask(613, 701, depth)
			for i := range m.W * m.H {
				v := (i/97 + i%13) % 7
				if r.IntN(50) == 0 {
					v = r.IntN(256)
				}
				if depth == 16 {
					m.Pix16[i] = uint16(v * 300)
				} else {
					m.Pix[i] = uint8(v)
				}
			}
			b, err := m.PNG()
			if err != nil {
				t.Fatal(err)
			}
			back, err := DecodeMask(b)
			if err != nil {
				t.Fatalf("%d procs, %d bits: %v", procs, depth, err)
			}
			if !equalPix(back, m) {
				t.Errorf("%d procs, %d bits: the mask came back changed", procs, depth)
			}
		}
		runtime.GOMAXPROCS(old)
	}
}

// TestWarpPNGIsWarpThenPNG: made a few rows at a time, the warped mask's
// PNG holds the pixels of the mask warped whole, for every kind of mask
// and of map.
func TestWarpPNGIsWarpThenPNG(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 6))
	for trial := range 30 {
		src := drawnMask(300+r.IntN(400), 200+r.IntN(400))
		if trial%3 == 1 { // 16-bit
			wide := NewMask(src.W, src.H, 16)
			for i, v := range src.Pix {
				wide.Pix16[i] = uint16(v) * 1000
			}
			src = wide
		}
		steps := randomSteps(r, src.W, src.H, 1+r.IntN(3))
		b, err := src.WarpPNG(steps, 5)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeMask(b)
		if err != nil {
			t.Fatal(err)
		}
		if want := src.Warp(steps, 5); !equalPix(got, want) {
			t.Fatalf("trial %d: WarpPNG differs from Warp then PNG", trial)
		}
	}
}
