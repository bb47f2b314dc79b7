package worker

import (
	"bytes"
	"context"

	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/imaging"
)

// NOTE: thumbnails let the job, compare and batch pages show many images
// without sending each in full. Each comes from pixels already in memory
// (imaging.Output.Thumb, Image.Thumb) and is written before its variant is
// recorded, so a recorded variant of a newer job always has one; pages fall
// back to the full image for older jobs.

// thumbOutput asks Render for a thumbnail beside the variant.
func thumbOutput(out imaging.Output) imaging.Output {
	out.Thumb = domain.ThumbSize
	return out
}

// putThumb stores a thumbnail under key.
func (h *Handler) putThumb(ctx context.Context, key string, t *imaging.Thumb) error {
	if t == nil {
		return nil
	}
	return h.Blobs.Put(ctx, key, bytes.NewReader(t.Bytes), int64(len(t.Bytes)), "image/webp")
}

// sourceThumb stores the thumbnail of the decoded source.
func (h *Handler) sourceThumb(ctx context.Context, job *domain.Job, img *imaging.Image) error {
	t, err := img.Thumb(domain.ThumbSize)
	if err != nil {
		return err
	}
	return h.putThumb(ctx, domain.SourceThumbKey(job.ID), &t)
}
