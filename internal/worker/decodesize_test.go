package worker

import (
	"bytes"
	"context"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"math"
	"testing"

	"github.com/augment-ml/augment/internal/augment"
	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/imaging"
)

func plansOf(t *testing.T, pipeline string, n int) []augment.Ops {
	t.Helper()
	p, err := augment.Parse([]byte(pipeline))
	if err != nil {
		t.Fatal(err)
	}
	var plans []augment.Ops
	for i := range n {
		plans = append(plans, p.Plan(3, "", i))
	}
	return plans
}

// TestDecodeLeast: a source is decoded smaller only when every variant
// begins by scaling it down to a set size, and never under what that needs.
func TestDecodeLeast(t *testing.T) {
	for _, tc := range []struct {
		pipeline string
		w, h     int
		least    int // 0: whole; else at most this
	}{
		{`[{"op": "resize", "size": [256, 256]}, {"op": "hflip"}]`, 4096, 4096, 256 + 16},
		{`[{"op": "resize", "size": [256, 128]}]`, 4096, 1024, 4096/8 + 16},
		{`[{"op": "resize", "size": [5000, 5000]}]`, 4096, 4096, 0},                // an enlargement
		{`[{"op": "resize", "longest": 256}]`, 4096, 4096, 0},                      // its size follows the source's
		{`[{"op": "hflip"}, {"op": "resize", "size": [256, 256]}]`, 4096, 4096, 0}, // not first
		{`[{"op": "resize", "size": [256, 256], "p": 0.5}]`, 4096, 4096, 0},        // not in every variant
		// the least crop, a quarter of the area at ratio 3/4, is 1774 pixels high
		{`[{"op": "random_resized_crop", "size": [224, 224], "scale": [0.25, 1]}]`, 4096, 4096, 224*4096/1774 + 16},
	} {
		plans := plansOf(t, tc.pipeline, 16)
		got := decodeLeast(plans, tc.w, tc.h)
		switch {
		case tc.least == 0:
			if got != 0 {
				t.Errorf("%s on %d×%d: decoded for %d, want whole", tc.pipeline, tc.w, tc.h, got)
			}
		case tc.least > 0:
			if got == 0 || got > tc.least {
				t.Errorf("%s on %d×%d: decoded for %d, want at most %d", tc.pipeline, tc.w, tc.h, got, tc.least)
			}
		}
		// Every variant's first step reads at least its output's pixels from the smaller source.
		if got == 0 {
			continue
		}
		f := float64(got-16) / float64(max(tc.w, tc.h))
		for _, ops := range plans {
			steps, _ := ops[0].(augment.Geometric).Steps(tc.w, tc.h)
			cw, ch := tc.w, tc.h
			if len(steps) == 2 {
				cw, ch = steps[0].W, steps[0].H
			}
			out := steps[len(steps)-1]
			if float64(cw)*f < float64(out.W)-0.5 || float64(ch)*f < float64(out.H)-0.5 {
				t.Errorf("%s: %v reads %.0f×%.0f pixels of the smaller source for %d×%d", tc.pipeline, ops[0], float64(cw)*f, float64(ch)*f, out.W, out.H)
			}
		}
	}
}

// TestDecodedAtSize: a job whose variants begin with a resize to a small
// size decodes large.jpg shrunk on load, and its variants are the size
// asked for and look as those from the whole source (PSNR over 30 dB).
func TestDecodedAtSize(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	const pipeline = `[{"op": "resize", "size": [320, 240]}, {"op": "hflip", "p": 0.5}]`
	j := f.job(t, f.img.URL+"/large.jpg", 2, pipeline)
	if err := f.h.ProcessTask(ctx, task(j.ID)); err != nil {
		t.Fatal(err)
	}
	got, _ := f.db.Job(ctx, j.ID)
	if got.Status != domain.StatusDone || len(got.Variants) != 2 {
		t.Fatalf("job %s with %+v", got.Status, got.Error)
	}
	src := read(t, f.blobs, got.Source.Key)
	whole, err := imaging.Decode(src, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	defer whole.Close()
	for _, v := range got.Variants {
		if v.Width != 320 || v.Height != 240 {
			t.Fatalf("variant %d is %d×%d, want 320×240", v.Index, v.Width, v.Height)
		}
		var ops augment.Ops
		p, _ := augment.Parse([]byte(pipeline))
		ops = p.Plan(j.Spec.Seed, j.SeedKey, v.Index)
		ref, err := whole.Render(ctx, ops, imaging.Output{Format: "png"})
		if err != nil {
			t.Fatal(err)
		}
		if db := psnr(t, read(t, f.blobs, v.Key), ref.Bytes); db < 30 {
			t.Errorf("variant %d: %.1f dB from the one rendered from the whole source", v.Index, db)
		}
	}
}

func psnr(t *testing.T, a, b []byte) float64 {
	t.Helper()
	ia, _, err := image.Decode(bytes.NewReader(a))
	if err != nil {
		t.Fatal(err)
	}
	ib, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	n := 0
	r := ia.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			r1, g1, b1, _ := ia.At(x, y).RGBA()
			r2, g2, b2, _ := ib.At(x, y).RGBA()
			for _, d := range []float64{float64(r1>>8) - float64(r2>>8), float64(g1>>8) - float64(g2>>8), float64(b1>>8) - float64(b2>>8)} {
				sum += d * d
				n++
			}
		}
	}
	return 10 * math.Log10(255*255/(sum/float64(n)))
}
