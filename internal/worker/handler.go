// Package worker holds the asynq task handler: load the job, fetch or read
// its source, probe it, render every variant from one decode, store the
// files and record the variants.
package worker

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"time"

	"github.com/hibiken/asynq"

	"github.com/augment-ml/augment/internal/augment"
	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/fetch"
	"github.com/augment-ml/augment/internal/imaging"
	"github.com/augment-ml/augment/internal/metrics"
	"github.com/augment-ml/augment/internal/queue"
)

// Handler processes queue.TypeAugment tasks. Running a task twice writes the
// same files and rows, so retries and redeliveries are safe.
type Handler struct {
	Jobs      domain.JobStore
	Blobs     domain.Blobs
	Fetcher   *fetch.Fetcher
	MaxPixels int
	Log       *slog.Logger
}

// ProcessTask implements asynq.Handler.
func (h *Handler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	p, err := queue.ParsePayload(t)
	if err != nil {
		return err
	}
	log := h.Log.With("job_id", p.JobID)
	job, err := h.Jobs.Job(ctx, p.JobID)
	if domain.ErrorCode(err) == domain.ENotFound {
		log.Warn("task for a job that does not exist; dropped")
		return fmt.Errorf("job %s: %w", p.JobID, asynq.SkipRetry)
	}
	if err != nil {
		return err
	}
	if job.Status.Ended() {
		return nil // a redelivered task of a finished job
	}
	if err := h.Jobs.StartJob(ctx, job.ID); err != nil {
		return err
	}
	err = h.run(ctx, job)
	if err == nil {
		log.Info("job done", "variants", job.Spec.Variants)
		if err := h.Jobs.FinishJob(ctx, job.ID); err != nil {
			return err
		}
		metrics.JobsFinished.WithLabelValues("done").Inc()
		return nil
	}
	var de *domain.Error
	if errors.As(err, &de) && de.Code != domain.EInternal && de.Code != domain.EUnavailable {
		log.Info("job failed", "code", de.Code, "reason", err)
		if ferr := h.Jobs.FailJob(context.WithoutCancel(ctx), job.ID, de); ferr != nil {
			return ferr
		}
		metrics.JobsFinished.WithLabelValues(de.Code).Inc()
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	retried, _ := asynq.GetRetryCount(ctx)
	maxRetry, _ := asynq.GetMaxRetry(ctx)
	log.Warn("job attempt failed", "attempt", retried+1, "of", maxRetry+1, "err", err)
	if retried >= maxRetry {
		reason := domain.Errorf(domain.EInternal, "Processing failed after %d attempts.", retried+1)
		if errors.Is(err, context.DeadlineExceeded) {
			reason = domain.Errorf(domain.ETimeout, "Processing took too long after %d attempts.", retried+1)
		}
		if ferr := h.Jobs.FailJob(context.WithoutCancel(ctx), job.ID, reason); ferr != nil {
			return ferr
		}
		metrics.JobsFinished.WithLabelValues(reason.Code).Inc()
	}
	return err
}

func (h *Handler) run(ctx context.Context, job *domain.Job) error {
	pipeline, err := augment.Parse(job.Spec.Pipeline)
	if err != nil {
		return err
	}
	src, err := h.source(ctx, job)
	if err != nil {
		return err
	}
	start := time.Now()
	img, err := imaging.Decode(src, h.MaxPixels)
	if err != nil {
		return err
	}
	metrics.Since(metrics.DecodeSeconds, start)
	defer img.Close()
	out := imaging.Output{Format: job.Spec.Output.Format, Quality: job.Spec.Output.Quality}
	for i := range job.Spec.Variants {
		if err := ctx.Err(); err != nil {
			return err
		}
		if slices.ContainsFunc(job.Variants, func(v domain.Variant) bool { return v.Index == i }) {
			continue // recorded by an earlier attempt; the same seed gives the same file
		}
		if err := h.variant(ctx, job, img, pipeline.Plan(job.Spec.Seed, job.SeedKey, i), i, out); err != nil {
			return err
		}
	}
	return nil
}

// source returns the job's source bytes: the upload or an earlier attempt's
// download when one is kept, else a fresh download. It records what a header
// probe tells of the image and refuses sources over MaxPixels.
func (h *Handler) source(ctx context.Context, job *domain.Job) ([]byte, error) {
	s := job.Source
	var buf []byte
	if s.Key != "" {
		r, _, err := h.Blobs.Get(ctx, s.Key)
		if err != nil {
			return nil, err
		}
		defer r.Close()
		if buf, err = io.ReadAll(r); err != nil {
			return nil, fmt.Errorf("read source: %w", err)
		}
	} else {
		start := time.Now()
		res, err := h.Fetcher.Fetch(ctx, s.URL)
		if err != nil {
			return nil, err
		}
		metrics.Since(metrics.FetchSeconds, start)
		metrics.FetchBytes.Observe(float64(len(res.Body)))
		buf, s.Name, s.Key = res.Body, res.Name, "jobs/"+job.ID+"/source"
	}
	info, err := imaging.Probe(buf)
	if err != nil {
		return nil, err
	}
	if info.Width*info.Height > h.MaxPixels {
		return nil, domain.Errorf(domain.ETooManyPixels,
			"The image is %d×%d pixels; the limit is %d pixels.", info.Width, info.Height, h.MaxPixels)
	}
	if job.Source.Key == "" {
		if err := h.Blobs.Put(ctx, s.Key, bytes.NewReader(buf), int64(len(buf)), "image/"+info.Format); err != nil {
			return nil, err
		}
	}
	s.Width, s.Height, s.Format, s.Bytes = info.Width, info.Height, info.Format, int64(len(buf))
	return buf, h.Jobs.SetSource(ctx, job.ID, s)
}

func (h *Handler) variant(ctx context.Context, job *domain.Job, img *imaging.Image, ops augment.Ops, i int, out imaging.Output) error {
	start := time.Now()
	res, err := img.Render(ctx, ops, out)
	if err != nil {
		return fmt.Errorf("variant %d: %w", i, err)
	}
	metrics.Since(metrics.RenderSeconds, start)
	opsJSON, err := json.Marshal(ops)
	if err != nil {
		return err
	}
	key := fmt.Sprintf("jobs/%s/variants/%d.%s", job.ID, i, domain.Ext(res.Format))
	if err := h.Blobs.Put(ctx, key, bytes.NewReader(res.Bytes), int64(len(res.Bytes)), "image/"+res.Format); err != nil {
		return err
	}
	return h.Jobs.PutVariant(ctx, job.ID, domain.Variant{
		Index: i, Width: res.Width, Height: res.Height, Format: res.Format,
		Bytes: int64(len(res.Bytes)), Ops: opsJSON, Key: key,
	})
}
