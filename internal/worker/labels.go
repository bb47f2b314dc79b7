package worker

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/fetch"
	"github.com/augment-ml/augment/internal/labels"
)

// labelSource reads what the job's variants take their labels from: its
// labels and its mask, checked against the decoded source, w×h as
// displayed. Nil for a job with neither, which then costs nothing more.
func (h *Handler) labelSource(ctx context.Context, job *domain.Job, w, h2 int) (*labels.Source, error) {
	sp := job.Spec
	if sp.Labels == nil && sp.Mask == nil {
		return nil, nil
	}
	var mask []byte
	if sp.Mask != nil {
		var err error
		if mask, err = h.mask(ctx, job); err != nil {
			return nil, err
		}
	}
	return labels.NewSource(sp.Labels, sp.LabelOptions, mask, w, h2)
}

// mask returns the job's mask: the upload, or an earlier attempt's
// download, kept at domain.MaskKey; else it is fetched (through the same
// SSRF-safe fetcher as sources) and kept there.
func (h *Handler) mask(ctx context.Context, job *domain.Job) ([]byte, error) {
	key := domain.MaskKey(job.ID)
	buf, err := readBlob(ctx, h.Blobs, key)
	switch {
	case err == nil:
		return buf, nil
	case domain.ErrorCode(err) != domain.ENotFound:
		return nil, err
	case job.Spec.Mask.URL == "":
		return nil, fmt.Errorf("the uploaded mask %s is missing", key)
	}
	buf, err = fetchMask(ctx, h.Fetcher, job.Spec.Mask.URL)
	if err != nil {
		return nil, err
	}
	if err := h.Blobs.Put(ctx, key, bytes.NewReader(buf), int64(len(buf)), "image/png"); err != nil {
		return nil, err
	}
	return buf, nil
}

// fetchMask downloads a mask through f (SSRF-safe, as sources are); a
// refusal says it was the mask's.
func fetchMask(ctx context.Context, f *fetch.Fetcher, url string) ([]byte, error) {
	res, err := f.Fetch(ctx, url)
	var de *domain.Error
	if errors.As(err, &de) {
		return nil, domain.Wrap(err, de.Code, "The mask could not be fetched: %s", de.Message)
	}
	if err != nil {
		return nil, err
	}
	return res.Body, nil
}

// putLabels records a variant's labels and stores its mask beside its
// image, at jobs/{id}/variants/{i}.mask.png.
func (h *Handler) putLabels(ctx context.Context, job *domain.Job, i int, lv labels.Variant, w, h2 int) (*domain.VariantLabels, error) {
	if lv.W != w || lv.H != h2 {
		// NOTE: labels follow the ops' steps, which the renderer samples
		// through; a variant of another size means the two disagree.
		return nil, fmt.Errorf("variant %d: labels are for %d×%d, the image is %d×%d", i, lv.W, lv.H, w, h2)
	}
	vl := lv.Labels
	if lv.Mask != nil {
		vl.MaskKey = fmt.Sprintf("jobs/%s/variants/%d.mask.png", job.ID, i)
		if err := h.Blobs.Put(ctx, vl.MaskKey, bytes.NewReader(lv.Mask), int64(len(lv.Mask)), "image/png"); err != nil {
			return nil, err
		}
	}
	return &vl, nil
}
