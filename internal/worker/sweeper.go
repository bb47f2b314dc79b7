package worker

import (
	"context"
	"log/slog"
	"time"

	"github.com/augment-ml/augment/internal/domain"
)

// Sweeper re-queues jobs that are recorded as unfinished but whose task has
// gone from Redis (a Redis restarted without persistence, a flushed queue).
// A task is queued under its job's id, so re-queueing a job whose task still
// exists changes nothing.
type Sweeper struct {
	Jobs  domain.JobStore
	Queue domain.Enqueuer
	Age   time.Duration // leave younger jobs alone: they are on their way
	Every time.Duration
	Log   *slog.Logger
}

// Run sweeps every s.Every until ctx ends.
func (s *Sweeper) Run(ctx context.Context) {
	t := time.NewTicker(s.Every)
	defer t.Stop()
	for {
		if n, err := s.Sweep(ctx); err != nil {
			s.Log.Warn("sweep", "err", err)
		} else if n > 0 {
			s.Log.Info("sweep re-queued lost jobs", "jobs", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Sweep re-queues unfinished jobs older than s.Age and returns how many it
// looked at.
func (s *Sweeper) Sweep(ctx context.Context) (int, error) {
	jobs, err := s.Jobs.Unfinished(ctx, s.Age, 10_000)
	if err != nil {
		return 0, err
	}
	for _, j := range jobs {
		p := domain.PriorityDefault
		if j.BatchID != "" {
			p = domain.PriorityBatch
		}
		if err := s.Queue.Enqueue(ctx, j.ID, p); err != nil {
			return 0, err
		}
	}
	return len(jobs), nil
}
