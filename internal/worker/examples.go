package worker

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"

	"github.com/augment-ml/augment/internal/augment"
	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/imaging"
	"github.com/augment-ml/augment/internal/sample"
)

// exampleSize is the longest side of an op's example on the reference page.
const exampleSize = 240

// WriteOpExamples renders, for every op of the catalogue, the bundled photo
// through the op's example pipeline (augment.Example) and stores it as a
// small WebP under domain.OpExampleKey, where the operations reference finds
// it. The worker does this at start, so the pictures always show the ops as
// this build renders them; it takes a fraction of a second.
func WriteOpExamples(ctx context.Context, blobs domain.Blobs, log *slog.Logger) error {
	img, err := imaging.Decode(sample.Image, len(sample.Image)*100)
	if err != nil {
		return fmt.Errorf("op examples: %w", err)
	}
	defer img.Close()
	n := 0
	for _, op := range augment.Catalogue() {
		raw, err := augment.Example(op.Name)
		if err != nil {
			return err
		}
		p, err := augment.Parse(raw)
		if err != nil {
			return err
		}
		res, err := img.Render(ctx, p.Plan(1, "", 0), imaging.Output{Format: "webp", Quality: imaging.ThumbQuality, Thumb: exampleSize})
		if err != nil {
			return fmt.Errorf("op examples: %s: %w", op.Name, err)
		}
		t := res.Thumb
		if err := blobs.Put(ctx, domain.OpExampleKey(op.Name), bytes.NewReader(t.Bytes), int64(len(t.Bytes)), "image/webp"); err != nil {
			return fmt.Errorf("op examples: %w", err)
		}
		n++
	}
	log.Info("op examples written", "ops", n)
	return nil
}
