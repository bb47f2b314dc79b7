package labels_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/augment-ml/augment/internal/augment"
	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/imaging"
	"github.com/augment-ml/augment/internal/labels"
)

// cardinalLabels are 100 boxes and 10 polygons of 12 points spread over
// cardinal.jpg (1920×1080).
func cardinalLabels() *domain.Labels {
	r := rand.New(rand.NewPCG(1, 1))
	l := &domain.Labels{Width: 1920, Height: 1080}
	for i := range 100 {
		l.Objects = append(l.Objects, domain.Object{ID: fmt.Sprint(i), Class: "box",
			BBox: &domain.Box{r.Float64() * 1800, r.Float64() * 1000, 20 + r.Float64()*200, 20 + r.Float64()*200}})
	}
	for i := range 10 {
		cx, cy := 200+r.Float64()*1500, 200+r.Float64()*700
		var ring domain.Ring
		for k := range 12 {
			a := float64(k) / 12 * 6.2832
			rad := 60 + r.Float64()*90
			ring = append(ring, domain.Point{cx + rad*cos(a), cy + rad*sin(a)})
		}
		l.Objects = append(l.Objects, domain.Object{ID: fmt.Sprint("p", i), Class: "blob", BBox: &domain.Box{}, Polygon: domain.Polygon{ring}})
	}
	return l
}

// cardinalMask is an 8-bit mask of cardinal.jpg with a few classes.
func cardinalMask(b testing.TB) []byte {
	m := image.NewGray(image.Rect(0, 0, 1920, 1080))
	for y := range 1080 {
		for x := range 1920 {
			m.Pix[y*1920+x] = uint8((x/240 + y/270) % 5)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkVariantLabels: per variant of cardinal.jpg through the default
// preset, the render (decoded once, encoded as JPEG) beside what labels
// add: moving 100 boxes and 10 polygons, and warping and encoding a mask.
func BenchmarkVariantLabels(b *testing.B) {
	im, err := imaging.Decode(corpus(b, "cardinal.jpg"), 50_000_000)
	if err != nil {
		b.Fatal(err)
	}
	defer im.Close()
	p, _ := augment.Preset("default")
	plans := make([]augment.Ops, 8)
	for i := range plans {
		plans[i] = p.Plan(1, "", i)
	}
	boxes, err := labels.NewSource(cardinalLabels(), nil, nil, 1920, 1080)
	if err != nil {
		b.Fatal(err)
	}
	masked, err := labels.NewSource(nil, nil, cardinalMask(b), 1920, 1080)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("render", func(b *testing.B) {
		for i := range b.N {
			if _, err := im.Render(context.Background(), plans[i%8], imaging.Output{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	for name, src := range map[string]*labels.Source{"boxes+polygons": boxes, "mask": masked} {
		b.Run(name, func(b *testing.B) {
			for i := range b.N {
				if _, err := src.Variant(plans[i%8]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func cos(a float64) float64 { return math.Cos(a) }
func sin(a float64) float64 { return math.Sin(a) }
