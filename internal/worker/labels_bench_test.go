package worker

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/google/uuid"

	"github.com/augment-ml/augment/internal/augment"
	"github.com/augment-ml/augment/internal/domain"
)

// BenchmarkHandlerLabels runs jobs of 8 variants of cardinal.jpg through
// the default preset in the handler, without labels, with 100 boxes and 10
// polygons, and with a mask (uploaded), and reports ms per variant: what
// labels add to the worker's own work (render, labels, store, record),
// without the api beside it.
func BenchmarkHandlerLabels(b *testing.B) {
	f := newFixture(b)
	p, _ := augment.Preset("default")
	r := rand.New(rand.NewPCG(1, 1))
	l := &domain.Labels{Width: 1920, Height: 1080}
	for range 100 {
		l.Objects = append(l.Objects, domain.Object{Class: "box", BBox: &domain.Box{r.Float64() * 1800, r.Float64() * 1000, 20 + r.Float64()*200, 20 + r.Float64()*200}})
	}
	for range 10 {
		cx, cy := 200+r.Float64()*1500, 200+r.Float64()*700
		var ring domain.Ring
		for k := range 12 {
			a, rad := float64(k)/12*2*math.Pi, 60+r.Float64()*90
			ring = append(ring, domain.Point{cx + rad*math.Cos(a), cy + rad*math.Sin(a)})
		}
		l.Objects = append(l.Objects, domain.Object{Class: "blob", BBox: &domain.Box{}, Polygon: domain.Polygon{ring}})
	}
	raw, _ := json.Marshal(l)
	mask := image.NewGray(image.Rect(0, 0, 1920, 1080))
	for i := range mask.Pix {
		mask.Pix[i] = uint8((i%1920/240 + i/1920/270) % 5)
	}
	var maskPNG bytes.Buffer
	if err := png.Encode(&maskPNG, mask); err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		labels *domain.Labels
		mask   bool
	}{{"none", nil, false}, {"boxes+polygons", l, false}, {"mask", nil, true}} {
		b.Run(tc.name, func(b *testing.B) {
			var ids []string
			for range b.N + 1 {
				j := &domain.Job{ID: uuid.NewString(), Priority: domain.PriorityDefault, Source: domain.Source{URL: f.img.URL + "/cardinal.jpg"},
					Spec: domain.Spec{Variants: 8, Seed: 1, Pipeline: p.JSON()}}
				if tc.labels != nil {
					j.Spec.Labels = &domain.Labels{}
					_ = json.Unmarshal(raw, j.Spec.Labels)
				}
				if tc.mask {
					j.Spec.Mask = &domain.MaskSource{Name: "mask.png"}
					if err := f.blobs.Put(context.Background(), domain.MaskKey(j.ID), bytes.NewReader(maskPNG.Bytes()), int64(maskPNG.Len()), "image/png"); err != nil {
						b.Fatal(err)
					}
				}
				if err := f.db.CreateJob(context.Background(), j); err != nil {
					b.Fatal(err)
				}
				ids = append(ids, j.ID)
			}
			_ = f.h.ProcessTask(context.Background(), task(ids[0])) // warm up: connections, caches
			b.ResetTimer()
			for _, id := range ids[1:] {
				if err := f.h.ProcessTask(context.Background(), task(id)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N*8), "ms/variant")
		})
	}
}
