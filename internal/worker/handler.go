// Package worker holds the asynq task handler: load the job, fetch or read
// its source, probe it, render every variant from one decode, store the
// files and record the variants.
package worker

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hibiken/asynq"
	"golang.org/x/sync/errgroup"

	"github.com/augment-ml/augment/internal/augment"
	"github.com/augment-ml/augment/internal/cost"
	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/fetch"
	"github.com/augment-ml/augment/internal/imaging"
	"github.com/augment-ml/augment/internal/labels"
	"github.com/augment-ml/augment/internal/metrics"
	"github.com/augment-ml/augment/internal/queue"
)

// Handler processes queue.TypeAugment tasks. Running a task twice writes the
// same files and rows, so retries and redeliveries are safe.
type Handler struct {
	Jobs       domain.JobStore
	Blobs      domain.Blobs
	Fetcher    *fetch.Fetcher
	MaxPixels  int
	MaxCost    float64       // JOB_MAX_COST: largest estimated seconds of one job; 0 is no limit
	JobTimeout time.Duration // JOB_TIMEOUT: a job still running after this fails; 0 is queue.Timeout
	Parallel   int           // variants of an interactive job rendered at once; 0 is 1
	Log        *slog.Logger
}

// errJobTimeout is the cause of a job's context ending at JobTimeout.
var errJobTimeout = errors.New("the job's time limit passed")

// ProcessTask implements asynq.Handler.
func (h *Handler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	p, err := queue.ParsePayload(t)
	if err != nil {
		return err
	}
	log := h.Log.With("job_id", p.JobID)
	// NOTE: the source is fetched while one round trip marks the job
	// processing and loads it.
	pre := h.prefetch(ctx, p.URL)
	defer pre.drop()
	job, err := h.Jobs.ClaimJob(ctx, p.JobID)
	if domain.ErrorCode(err) == domain.ENotFound {
		// NOTE: a batch removed after a failed submission leaves such tasks;
		// nothing failed, so the task ends as done.
		log.Warn("task for a job that does not exist; dropped")
		return nil
	}
	if err != nil {
		return err
	}
	if job.Status.Ended() {
		return nil // a redelivered task of a finished job
	}
	// NOTE: the job's own deadline is well before the task's (queue.Timeout):
	// asynq retries a task whose deadline passed at once, without waiting
	// for its handler, and a second render would start beside the first.
	// This deadline is checked between variants (and inside one once
	// imaging.Render takes the ctx), and the handler returns only once the
	// render has.
	jctx, cancel := context.WithTimeoutCause(ctx, cmp.Or(h.JobTimeout, queue.Timeout), errJobTimeout)
	defer cancel()
	thumbs := h.thumbs(ctx, job, log)
	defer thumbs.wait() // NOTE: after the job's end
	left, err := h.run(jctx, job, thumbs, pre)
	if err != nil {
		thumbs.wait() // NOTE: a failed job's source thumbnail goes with its source
	}
	if err != nil && ctx.Err() == nil && errors.Is(context.Cause(jctx), errJobTimeout) {
		err = h.timedOut(ctx, job.ID, err)
	}
	if err == nil {
		log.Info("job done", "variants", job.Spec.Variants)
		if err := h.Jobs.FinishJob(ctx, job.ID, left...); err != nil {
			return err
		}
		metrics.JobsFinished.WithLabelValues("done").Inc()
		return nil
	}
	var de *domain.Error
	if errors.As(err, &de) && de.Code != domain.EInternal && de.Code != domain.EUnavailable {
		log.Info("job failed", "code", de.Code, "reason", err)
		if ferr := h.fail(ctx, job.ID, de); ferr != nil {
			return ferr
		}
		// NOTE: the job records the user's failure; for the queue the task
		// did its work, so asynqmon counts only real failures.
		return nil
	}
	retried, maxRetry := attempts(ctx, p)
	log.Warn("job attempt failed", "attempt", retried+1, "of", maxRetry+1, "err", err)
	if retried >= maxRetry {
		reason := domain.Errorf(domain.EInternal, "Processing failed after %d attempts.", retried+1)
		if errors.Is(err, context.DeadlineExceeded) {
			reason = domain.Errorf(domain.ETimeout, "Processing took too long after %d attempts.", retried+1)
		}
		if ferr := h.fail(ctx, job.ID, reason); ferr != nil {
			return ferr
		}
		return err
	}
	if ctx.Err() != nil {
		return err // stopped from outside (a shutdown): not the job's failure
	}
	note := domain.Errorf(domain.ErrorCode(err), "Attempt %d of %d failed: %s It will be tried again shortly.",
		retried+1, maxRetry+1, domain.ErrorMessage(err))
	if nerr := h.Jobs.NoteAttempt(context.WithoutCancel(ctx), job.ID, note); nerr != nil {
		log.Warn("recording the failed attempt", "err", nerr)
	}
	return err
}

// attempts returns how many attempts were made before this one and how
// many more there may be after the first, counting those of an interactive
// slot (p.Attempts), which runs a task outside asynq (Interactive).
func attempts(ctx context.Context, p queue.Payload) (retried, maxRetry int) {
	retried, _ = asynq.GetRetryCount(ctx)
	maxRetry, ok := asynq.GetMaxRetry(ctx)
	if !ok {
		maxRetry = queue.MaxRetry // an interactive slot's run: its first attempt
	}
	return retried + p.Attempts, maxRetry + p.Attempts
}

// timedOut is the failure of a job stopped at its time limit, saying how
// far it got.
func (h *Handler) timedOut(ctx context.Context, id string, cause error) error {
	done, total := 0, 0
	if j, err := h.Jobs.Job(context.WithoutCancel(ctx), id); err == nil {
		done, total = len(j.Variants), j.Spec.Variants
	}
	return domain.Wrap(cause, domain.ETimeout, "The job took longer than the limit of %s and was stopped after %d of %d variants.",
		cmp.Or(h.JobTimeout, queue.Timeout), done, total)
}

// fail ends a job with reason, for good, and deletes its stored source:
// nothing will read it again.
func (h *Handler) fail(ctx context.Context, id string, reason *domain.Error) error {
	ctx = context.WithoutCancel(ctx)
	if err := h.Jobs.FailJob(ctx, id, reason); err != nil {
		return err
	}
	metrics.JobsFinished.WithLabelValues(reason.Code).Inc()
	dropSource(ctx, h.Jobs, h.Blobs, id, h.Log)
	return nil
}

// run renders and stores the job's variants, and records them (recorder):
// those it returns are left for FinishJob to record.
func (h *Handler) run(ctx context.Context, job *domain.Job, thumbs *thumbnailer, pre *prefetched) ([]domain.Variant, error) {
	pipeline, err := augment.Parse(job.Spec.Pipeline)
	if err != nil {
		return nil, err
	}
	src, info, keep, err := h.source(ctx, job, pre)
	if err != nil {
		return nil, err
	}
	// NOTE: the source is stored and recorded while it is decoded and
	// rendered; the job ends only once it is.
	kept := make(chan error, 1)
	go func() { kept <- keep() }()
	last, err := h.render(ctx, job, pipeline, src, info, thumbs)
	thumbs.add(domain.SourceThumbKey(job.ID), src, "")
	if kerr := <-kept; err == nil {
		err = kerr
	}
	if err != nil {
		return nil, err
	}
	return last, nil
}

// render decodes the source and renders and stores the variants not
// recorded yet, as run.
func (h *Handler) render(ctx context.Context, job *domain.Job, pipeline *augment.Pipeline, src []byte, info imaging.Info, thumbs *thumbnailer) ([]domain.Variant, error) {
	var todo []int
	plans := map[int]augment.Ops{}
	for i := range job.Spec.Variants {
		if !slices.ContainsFunc(job.Variants, func(v domain.Variant) bool { return v.Index == i }) {
			todo = append(todo, i) // else recorded by an earlier attempt; the same seed gives the same file
			plans[i] = pipeline.Plan(job.Spec.Seed, job.SeedKey, i)
		}
	}
	least := 0
	if job.Spec.Labels == nil && job.Spec.Mask == nil {
		// NOTE: labels follow the ops at the source's full size.
		least = decodeLeast(slices.Collect(maps.Values(plans)), info.Width, info.Height)
		if least > 0 {
			// NOTE: never under a thumbnail's size, as when the source's
			// thumbnail came from this decode: the variants stay as they were.
			least = max(least, domain.ThumbSize)
		}
	}
	start := time.Now()
	img, err := imaging.DecodeAtLeast(src, h.MaxPixels, least)
	if err != nil {
		return nil, err
	}
	metrics.Since(metrics.DecodeSeconds, start)
	defer img.Close()
	lab, err := h.labelSource(ctx, job, img.Info().Width, img.Info().Height)
	if err != nil {
		return nil, err
	}
	out := imaging.Output{Format: job.Spec.Output.Format, Quality: job.Spec.Output.Quality, Chroma: job.Spec.Output.Chroma}
	// NOTE: libvips computes a variant's pixels on every core, but encodes
	// it on one: a person's job renders its variants side by side, on the
	// cores the encoder leaves idle. Other jobs run one variant at a time,
	// beside other jobs.
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(1)
	if job.Priority == domain.PriorityInteractive {
		g.SetLimit(max(h.Parallel, 1))
	}
	order, draws, err := h.draws(gctx, img, lab, plans, todo, out)
	if err != nil {
		return nil, err
	}
	rec := newRecorder(func(v domain.Variant) error { return h.Jobs.PutVariant(ctx, job.ID, v) })
	for _, i := range order {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			d, err := draws[i].get()
			if err != nil {
				return err
			}
			v, err := h.store(gctx, job, i, d)
			draws[i].release()
			if err != nil {
				return err
			}
			thumbs.add(domain.ThumbKey(job.ID, i), d.res.Bytes, domain.ThumbKey(job.ID, draws[i].first))
			rec.add(v)
			return nil
		})
	}
	err = g.Wait()
	left, rerr := rec.end()
	if err == nil {
		err = rerr
	}
	if err != nil {
		return nil, err
	}
	return left, nil
}

// source returns the job's source bytes: the upload or an earlier attempt's
// download when one is kept, else a fresh download (pre's, when it fetched
// the job's URL). It refuses sources over MaxPixels, and returns keep,
// which stores a download and records what a header probe tells of the
// image.
func (h *Handler) source(ctx context.Context, job *domain.Job, pre *prefetched) (buf []byte, info imaging.Info, keep func() error, err error) {
	s := job.Source
	if s.Key != "" {
		var err error
		if buf, err = readBlob(ctx, h.Blobs, s.Key); err != nil {
			return nil, info, nil, err
		}
	} else {
		res, err := pre.result(ctx, s.URL)
		if err != nil {
			return nil, info, nil, err
		}
		buf, s.Name, s.Key = res.Body, res.Name, "jobs/"+job.ID+"/source"
	}
	info, err = probe(buf, h.MaxPixels)
	if err != nil {
		return nil, info, nil, err
	}
	if err := cost.Check(job.Spec, info.Width, info.Height, h.MaxCost); err != nil {
		return nil, info, nil, err
	}
	s.Width, s.Height, s.Format, s.Bytes = info.Width, info.Height, info.Format, int64(len(buf))
	if info.Orientation > 1 {
		s.Orientation = info.Orientation // turned upright at decoding: labels are as displayed
	}
	return buf, info, func() error {
		if job.Source.Key == "" {
			if err := h.Blobs.Put(ctx, s.Key, bytes.NewReader(buf), int64(len(buf)), "image/"+info.Format); err != nil {
				return err
			}
		}
		return h.Jobs.SetSource(ctx, job.ID, s)
	}, nil
}

// drawn is a variant rendered, with its labels when the job has them, not
// yet stored.
type drawn struct {
	ops []byte // the record's
	res imaging.Result
	lv  *labels.Variant // when the job has labels or a mask
}

// shared is a render that variants of the same plan share: made by the
// first to get it, let go once the last has stored it.
type shared struct {
	first int // the plan's first variant, whose thumbnail the others share
	once  sync.Once
	make  func() (drawn, error)
	d     drawn
	err   error
	left  atomic.Int32 // variants that have not stored it yet
}

func (s *shared) get() (drawn, error) {
	s.once.Do(func() { s.d, s.err = s.make() })
	return s.d, s.err
}

// release says one variant has stored it; the last lets the bytes go.
func (s *shared) release() {
	if s.left.Add(-1) == 0 {
		s.d = drawn{}
	}
}

// draws gives, for each variant in todo, its render, and the order to ask
// for them in. Variants whose plans are the same (a preset with few
// outcomes, such as classic's flips) share one render, made by whichever
// asks first: the same ops on the same decode give the same bytes. The
// order puts each plan's first variant before the others, so none waits on
// a render not yet started.
func (h *Handler) draws(ctx context.Context, img *imaging.Image, lab *labels.Source, plans map[int]augment.Ops, todo []int, out imaging.Output) (order []int, draws map[int]*shared, err error) {
	byOps := map[string]*shared{}
	draws = map[int]*shared{}
	var again []int
	for _, i := range todo {
		ops, err := json.Marshal(plans[i])
		if err != nil {
			return nil, nil, err
		}
		s, ok := byOps[string(ops)]
		if ok {
			again = append(again, i)
		} else {
			s = &shared{first: i, make: func() (drawn, error) { return h.draw(ctx, img, lab, plans[i], ops, i, out) }}
			byOps[string(ops)], order = s, append(order, i)
		}
		s.left.Add(1)
		draws[i] = s
	}
	return append(order, again...), draws, nil
}

// draw renders variant i, and makes its labels and mask when lab is not nil.
func (h *Handler) draw(ctx context.Context, img *imaging.Image, lab *labels.Source, ops augment.Ops, opsJSON []byte, i int, out imaging.Output) (drawn, error) {
	start := time.Now()
	// NOTE: the labels and the mask (pure Go) are made while libvips
	// renders, on the cores its encoder leaves idle.
	var (
		lv   *labels.Variant
		lerr error
		made = make(chan struct{})
	)
	if lab != nil {
		go func() {
			defer close(made)
			var v labels.Variant
			v, lerr = lab.Variant(ops)
			lv = &v
		}()
	} else {
		close(made)
	}
	res, err := img.Render(ctx, ops, out)
	<-made
	if err != nil {
		return drawn{}, fmt.Errorf("variant %d: %w", i, err)
	}
	if lerr != nil {
		return drawn{}, fmt.Errorf("variant %d: labels: %w", i, lerr)
	}
	metrics.Since(metrics.RenderSeconds, start)
	return drawn{ops: opsJSON, res: res, lv: lv}, nil
}

// store stores variant i as drawn, with its labels and mask, and returns its
// record.
func (h *Handler) store(ctx context.Context, job *domain.Job, i int, d drawn) (domain.Variant, error) {
	res := d.res
	var vl *domain.VariantLabels
	if d.lv != nil {
		var err error
		if vl, err = h.putLabels(ctx, job, i, *d.lv, res.Width, res.Height); err != nil {
			return domain.Variant{}, err
		}
	}
	key := fmt.Sprintf("jobs/%s/variants/%d.%s", job.ID, i, domain.Ext(res.Format))
	if err := h.Blobs.Put(ctx, key, bytes.NewReader(res.Bytes), int64(len(res.Bytes)), "image/"+res.Format); err != nil {
		return domain.Variant{}, err
	}
	return domain.Variant{
		Index: i, Width: res.Width, Height: res.Height, Format: res.Format,
		Bytes: int64(len(res.Bytes)), Ops: d.ops, Key: key, Labels: vl,
	}, nil
}
