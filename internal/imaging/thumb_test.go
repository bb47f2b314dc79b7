package imaging

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"syscall"
	"testing"
	"time"

	"golang.org/x/image/webp"

	"github.com/augment-ml/augment/internal/augment"
)

// TestRenderThumb: asking for a thumbnail leaves the variant's bytes as they
// were, and the thumbnail is a WebP of it whose longest side is 480 (or the
// variant's, never enlarged), of the same shape.
func TestRenderThumb(t *testing.T) {
	p, err := augment.Preset("heavy")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"large.jpg", "cardinal.jpg", "logo-alpha.png", "rocket.jpg"} {
		im := decode(t, name)
		for i := range 3 {
			t.Run(fmt.Sprintf("%s/%d", name, i), func(t *testing.T) {
				ops := p.Plan(7, "", i)
				plain, err := im.Render(context.Background(), ops, Output{Format: "jpeg", Quality: 85})
				if err != nil {
					t.Fatal(err)
				}
				with, err := im.Render(context.Background(), ops, Output{Format: "jpeg", Quality: 85, Thumb: 480})
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(plain.Bytes, with.Bytes) || plain.Thumb != nil {
					t.Fatalf("the variant changed when a thumbnail was asked for (%d bytes, then %d)", len(plain.Bytes), len(with.Bytes))
				}
				th := with.Thumb
				if th == nil {
					t.Fatal("no thumbnail")
				}
				info, err := Probe(th.Bytes)
				if err != nil || info.Format != "webp" || info.Width != th.Width || info.Height != th.Height {
					t.Fatalf("the thumbnail reads as %+v, %v; said %d×%d", info, err, th.Width, th.Height)
				}
				want := min(480, max(with.Width, with.Height))
				if max(th.Width, th.Height) != want {
					t.Errorf("thumbnail %d×%d of a %d×%d variant: longest side %d, want %d", th.Width, th.Height, with.Width, with.Height, max(th.Width, th.Height), want)
				}
				ratio := float64(th.Width) / float64(th.Height) / (float64(with.Width) / float64(with.Height))
				if ratio < 0.97 || ratio > 1.03 {
					t.Errorf("thumbnail %d×%d of a %d×%d variant changes its shape", th.Width, th.Height, with.Width, with.Height)
				}
			})
		}
	}
	src := decode(t, "large.jpg")
	th, err := src.Thumb(480)
	if err != nil || th.Width != 480 || th.Height != 480 {
		t.Errorf("the source's thumbnail: %d×%d, %v", th.Width, th.Height, err)
	}
}

// BenchmarkThumb: what a 480 px WebP thumbnail adds to a variant (the
// default preset, JPEG 85): none; made from the variant's pixels in memory
// beside its encoding (Output.Thumb, as the op examples are); made after,
// from the encoded variant shrunk on load (ThumbOf, as the worker does,
// after the job's end). Wall time and CPU time (user + system, all
// threads) per variant. The CPU time is what a busy worker pays; it moves
// less than wall time on a shared machine.
func BenchmarkThumb(b *testing.B) {
	p, _ := augment.Preset("default")
	for _, name := range []string{"cardinal.jpg", "large.jpg"} {
		im := decode(b, name)
		for _, mode := range []string{"none", "in-memory", "after"} {
			b.Run(fmt.Sprintf("%s/thumb=%s", name, mode), func(b *testing.B) {
				out := Output{Format: "jpeg", Quality: 85}
				if mode == "in-memory" {
					out.Thumb = 480
				}
				cpu := cpuTime()
				for i := range b.N {
					res, err := im.Render(context.Background(), p.Plan(1, "", i%8), out)
					if err == nil && mode == "after" {
						_, err = ThumbOf(res.Bytes, 480)
					}
					if err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/variant")
				b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/1000/float64(b.N), "cpu-ms/variant")
			})
		}
	}
}

// cpuTime is the CPU time the process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestRenderLeavesTheSourceAlone: no op changes the decoded source, so a
// variant is the same whatever was rendered from the source before it. (A
// cutout as the first step once drew its holes on the source itself.)
func TestRenderLeavesTheSourceAlone(t *testing.T) {
	im := decode(t, "cardinal.jpg")
	first, err := im.Render(context.Background(), nil, Output{Format: "png"})
	if err != nil {
		t.Fatal(err)
	}
	for name, p := range everyPipeline(t) {
		for i := range 2 {
			if _, err := im.Render(context.Background(), p.Plan(3, "", i), Output{Format: "jpeg"}); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
		again, err := im.Render(context.Background(), nil, Output{Format: "png"})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first.Bytes, again.Bytes) {
			t.Fatalf("after %s the source renders differently", name)
		}
	}
}

// TestPassesThumbAverages: a thumbnail shows its image's colours where the
// image has them: a photo-sized image of four coloured quarters (one
// half-transparent) comes out as those quarters, at every shrink the
// thumbnail takes (2×, 4×, and 8× and over, where only some pixels of each
// block are read).
func TestPassesThumbAverages(t *testing.T) {
	quarters := [4]color.NRGBA{{200, 30, 40, 255}, {20, 180, 60, 255}, {30, 50, 220, 128}, {240, 240, 20, 255}}
	for _, side := range []int{960, 1920, 4096} {
		img := image.NewNRGBA(image.Rect(0, 0, side, side*3/4))
		b := img.Bounds()
		for y := range b.Dy() {
			for x := range b.Dx() {
				img.SetNRGBA(x, y, quarters[2*(2*y/b.Dy())+2*x/b.Dx()])
			}
		}
		th, err := decodeGo(t, img).Thumb(480)
		if err != nil {
			t.Fatal(err)
		}
		got, err := webp.Decode(bytes.NewReader(th.Bytes))
		if err != nil {
			t.Fatal(err)
		}
		gb := got.Bounds()
		for q, want := range quarters {
			// the middle of each quarter
			x, y := gb.Dx()/4+(q%2)*gb.Dx()/2, gb.Dy()/4+(q/2)*gb.Dy()/2
			c := color.NRGBAModel.Convert(got.At(x, y)).(color.NRGBA)
			for i, d := range []int{int(c.R) - int(want.R), int(c.G) - int(want.G), int(c.B) - int(want.B), int(c.A) - int(want.A)} {
				if d > 25 || d < -25 { // WebP at quality 70 moves saturated colours by up to ~16
					t.Errorf("%d px wide, quarter %d: %v, want %v (band %d)", side, q, c, want, i)
					break
				}
			}
		}
	}
}
