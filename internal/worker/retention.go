package worker

import (
	"context"
	"log/slog"
	"time"

	"github.com/augment-ml/augment/internal/domain"
)

// dropSource deletes a failed job's stored source (its thumbnail and mask)
// and forgets
// its key. The key is forgotten only once the file is gone, so a file that
// could not be deleted now goes with the job's other files under RETENTION.
func dropSource(ctx context.Context, jobs domain.JobStore, blobs domain.Blobs, id string, log *slog.Logger) {
	j, err := jobs.Job(ctx, id)
	if err == nil && j.Spec.Mask != nil {
		if err := blobs.Delete(ctx, domain.MaskKey(id)); err != nil {
			log.Warn("deleting a failed job's mask", "job_id", id, "err", err)
		}
	}
	if err != nil || j.Source.Key == "" {
		return
	}
	for _, key := range []string{domain.SourceThumbKey(id), j.Source.Key} {
		if err := blobs.Delete(ctx, key); err != nil {
			log.Warn("deleting a failed job's source", "job_id", id, "key", key, "err", err)
			return
		}
	}
	s := j.Source
	s.Key = ""
	if err := jobs.SetSource(ctx, id, s); err != nil {
		log.Warn("forgetting a failed job's source", "job_id", id, "err", err)
	}
}

// ExpiryStore finds and removes what RETENTION lets go (postgres.DB).
type ExpiryStore interface {
	// ExpiredJobs lists jobs outside batches that ended before the age,
	// with their variants.
	ExpiredJobs(ctx context.Context, olderThan time.Duration, limit int) ([]*domain.Job, error)
	// ExpiredBatches lists batches whose every job ended before the age.
	ExpiredBatches(ctx context.Context, olderThan time.Duration, limit int) ([]string, error)
	Jobs(ctx context.Context, f domain.JobFilter) ([]*domain.Job, error)
	Batch(ctx context.Context, id string) (*domain.Batch, error)
	DeleteJobs(ctx context.Context, ids []string) error
	DeleteBatch(ctx context.Context, id string) error
}

// Retention deletes jobs, and whole batches, that ended longer than After
// ago: their files first, then their rows, so a round cut short leaves rows
// whose files the next round deletes again (a missing file is no error).
type Retention struct {
	Store ExpiryStore
	Blobs domain.Blobs
	After time.Duration
	Log   *slog.Logger
}

// Purged is what one round of Retention removed.
type Purged struct {
	Batches, Jobs, Files int
}

// retentionPage is how many jobs a round lists and deletes at once.
const retentionPage = 500

// Purge deletes what has expired and reports it.
func (r *Retention) Purge(ctx context.Context) (Purged, error) {
	var p Purged
	for {
		jobs, err := r.Store.ExpiredJobs(ctx, r.After, retentionPage)
		if err != nil || len(jobs) == 0 {
			return p, err
		}
		if err := r.delete(ctx, jobs, &p); err != nil {
			return p, err
		}
		if len(jobs) < retentionPage {
			break
		}
	}
	batches, err := r.Store.ExpiredBatches(ctx, r.After, 100)
	if err != nil {
		return p, err
	}
	for _, id := range batches {
		for {
			jobs, err := r.Store.Jobs(ctx, domain.JobFilter{BatchID: id, Limit: retentionPage, Variants: true})
			if err != nil {
				return p, err
			}
			if len(jobs) == 0 {
				break
			}
			if err := r.delete(ctx, jobs, &p); err != nil {
				return p, err
			}
		}
		// A dataset batch keeps some of its dataset's files beside its jobs.
		b, err := r.Store.Batch(ctx, id)
		if err != nil {
			return p, err
		}
		for i := range b.Files {
			if err := r.Blobs.Delete(ctx, domain.BatchFileKey(id, i)); err != nil {
				return p, err
			}
			p.Files++
		}
		if err := r.Store.DeleteBatch(ctx, id); err != nil {
			return p, err
		}
		p.Batches++
	}
	return p, nil
}

func (r *Retention) delete(ctx context.Context, jobs []*domain.Job, p *Purged) error {
	ids := make([]string, len(jobs))
	for i, j := range jobs {
		ids[i] = j.ID
		keys := []string{}
		if j.Source.Key != "" {
			keys = append(keys, j.Source.Key)
		}
		if j.Spec.Mask != nil {
			keys = append(keys, domain.MaskKey(j.ID))
		}
		keys = append(keys, domain.SourceThumbKey(j.ID))
		for _, v := range j.Variants {
			keys = append(keys, v.Key, domain.ThumbKey(j.ID, v.Index))
			if v.Labels != nil && v.Labels.MaskKey != "" {
				keys = append(keys, v.Labels.MaskKey)
			}
		}
		for _, k := range keys {
			if err := r.Blobs.Delete(ctx, k); err != nil {
				return err
			}
			p.Files++
		}
	}
	if err := r.Store.DeleteJobs(ctx, ids); err != nil {
		return err
	}
	p.Jobs += len(jobs)
	return nil
}

// Run purges every interval until ctx ends, and logs what it removed.
func (r *Retention) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		p, err := r.Purge(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			r.Log.Warn("retention", "err", err)
		case p.Jobs > 0:
			r.Log.Info("retention: deleted ended jobs and their files", "batches", p.Batches, "jobs", p.Jobs, "files", p.Files, "older_than", r.After.String())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
