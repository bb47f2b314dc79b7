package worker

import (
	"context"
	"io"
	"testing"

	"github.com/augment-ml/augment/internal/augment"
	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/imaging"
)

// TestWriteOpExamples: every op of the catalogue gets a small WebP picture,
// and ops that change the photo differently give different pictures.
func TestWriteOpExamples(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if err := WriteOpExamples(ctx, f.blobs, f.h.Log); err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, op := range augment.Catalogue() {
		r, _, err := f.blobs.Get(ctx, domain.OpExampleKey(op.Name))
		if err != nil {
			t.Errorf("%s: %v", op.Name, err)
			continue
		}
		b, _ := io.ReadAll(r)
		r.Close()
		info, err := imaging.Probe(b)
		if err != nil || info.Format != "webp" || max(info.Width, info.Height) > exampleSize {
			t.Errorf("%s: the example reads as %+v, %v", op.Name, info, err)
		}
		// NOTE: a composition's picture is one of its steps'; an op may leave
		// this photo as it is (autocontrast: it spans 0–255 already).
		if op.Group == "composition" && op.Name != "identity" {
			continue
		}
		if seen[string(b)] == "identity" {
			t.Logf("%s leaves the photo as it is", op.Name)
		}
		if other, ok := seen[string(b)]; ok && other != "identity" {
			t.Errorf("%s and %s have the same picture", op.Name, other)
		}
		if _, ok := seen[string(b)]; !ok {
			seen[string(b)] = op.Name
		}
	}
}
