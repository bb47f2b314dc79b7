package web

import (
	"archive/zip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime/debug"

	"github.com/gin-gonic/gin"

	"github.com/augment-ml/augment/internal/dataset"
	"github.com/augment-ml/augment/internal/domain"
)

// datasetRecord reads a batch's dataset record; nil for a batch of URLs.
func (s *Server) datasetRecord(ctx context.Context, batchID string) (*dataset.Record, error) {
	raw, err := s.Batches.BatchDataset(ctx, batchID)
	if err != nil || raw == nil {
		return nil, err
	}
	var rec dataset.Record
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, fmt.Errorf("web: batch %s: dataset record: %w", batchID, err)
	}
	return &rec, nil
}

// datasetArchive streams a dataset batch's result: the dataset in its own
// format and layout (or the one it is exported as), job by job in the
// order of its images, with manifest.jsonl, report.json and failures.jsonl.
// A batch still running gives what is finished so far.
func (s *Server) datasetArchive(c *gin.Context, b *domain.Batch, rec *dataset.Record) {
	ctx := c.Request.Context()
	zw := zip.NewWriter(c.Writer)
	p, err := dataset.NewPacker(zw, rec, func(i int) (io.ReadCloser, error) { return s.open(ctx, domain.BatchFileKey(b.ID, i))() })
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Content-Type", "application/zip")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="batch-%s.zip"`, b.ID))
	c.Status(http.StatusOK)
	err = s.eachJob(c, b.ID, "", func(j *domain.Job) error {
		it, err := s.itemOf(ctx, j)
		if err != nil {
			return err
		}
		return p.Add(it)
	})
	if err == nil {
		err = p.Close(b.Spec.Pipeline, b.Spec.Seed, b.Spec.Variants, b.Skipped, s.versions(ctx))
	}
	if err != nil {
		// NOTE: as for a batch of images, a cut-short zip has no directory.
		s.Log.Error("dataset archive", "batch_id", b.ID, "err", err)
		_ = c.Error(err)
	}
}

// itemOf is a job as the Packer takes it: its image, its stored bytes and
// mask, its variants with their labels.
func (s *Server) itemOf(ctx context.Context, j *domain.Job) (dataset.Item, error) {
	var objects []domain.Object
	if j.Spec.Labels != nil {
		objects = j.Spec.Labels.Objects
	}
	im, err := dataset.ImageOf(j.Dataset, objects)
	if err != nil {
		return dataset.Item{}, fmt.Errorf("web: job %s: image record: %w", j.ID, err)
	}
	it := dataset.Item{Image: im, JobID: j.ID, Seed: j.Spec.Seed}
	if j.Status == domain.StatusFailed {
		it.Error = j.Error
		return it, nil
	}
	if j.Source.Key != "" {
		it.Source = s.open(ctx, j.Source.Key)
	}
	if j.Spec.Mask != nil {
		it.Mask = s.open(ctx, domain.MaskKey(j.ID))
	}
	for _, v := range j.Variants {
		iv := dataset.ItemVariant{Index: v.Index, Width: v.Width, Height: v.Height, Format: v.Format, Ops: v.Ops,
			Labels: v.Labels, Image: s.open(ctx, v.Key)}
		if v.Labels != nil && v.Labels.MaskKey != "" {
			iv.Mask = s.open(ctx, v.Labels.MaskKey)
		}
		it.Variants = append(it.Variants, iv)
	}
	return it, nil
}

// open opens a stored blob when called.
func (s *Server) open(ctx context.Context, key string) dataset.Opener {
	return func() (io.ReadCloser, error) {
		rc, _, err := s.Blobs.Get(ctx, key)
		return rc, err
	}
}

// versions are augment's (this build's) and libvips' (as the workers
// recorded it) for a dataset's report.
func (s *Server) versions(ctx context.Context) dataset.Versions {
	v := dataset.Versions{Augment: augmentVersion()}
	if s.Versions != nil {
		if got, err := s.Versions.Versions(ctx); err == nil {
			v.Libvips = got["libvips"]
		}
	}
	return v
}

// augmentVersion is this build's module version and revision.
func augmentVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v, rev, dirty := bi.Main.Version, "", ""
	for _, st := range bi.Settings {
		switch {
		case st.Key == "vcs.revision":
			rev = st.Value[:min(12, len(st.Value))]
		case st.Key == "vcs.modified" && st.Value == "true":
			dirty = ", modified"
		}
	}
	if rev != "" {
		v += " (" + rev + dirty + ")"
	}
	return v
}
