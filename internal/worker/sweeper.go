package worker

import (
	"cmp"
	"context"
	"log/slog"
	"time"

	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/metrics"
)

// Tasks is what the sweeper asks of the queue (queue.Enqueuer).
type Tasks interface {
	// TaskLost says why a job's task will not run ("gone", "archived",
	// "completed"), or "" when it will.
	TaskLost(ctx context.Context, jobID string, p domain.Priority) (string, error)
	// Replace queues the job afresh, deleting what is left of its task.
	Replace(ctx context.Context, jobID string, p domain.Priority) error
}

// Sweeper makes sure every job recorded as unfinished ends: a job whose task
// will not run (gone from Redis, archived after its attempts ran out, as in a
// database outage, or completed without ending the job) is queued again with
// fresh attempts, and failed with a reason once it has been queued again
// MaxRequeues times. Several workers may sweep at once: re-queueing is
// idempotent.
type Sweeper struct {
	Jobs        domain.JobStore
	Tasks       Tasks
	Blobs       domain.Blobs
	Age         time.Duration // leave younger jobs alone: they are on their way
	Every       time.Duration
	MaxRequeues int
	Log         *slog.Logger

	after string // where the next sweep goes on in the list of unfinished jobs
}

// Swept is what one sweep did.
type Swept struct {
	Checked  int            // unfinished jobs looked at
	Requeued map[string]int // by why their task would not run
	Failed   int            // re-queued too often: failed with a reason
}

// pageSize and maxPages bound one sweep to 10,000 jobs; the next goes on
// from there, so a large backlog is walked through across sweeps.
const (
	pageSize = 1000
	maxPages = 10
)

// Run sweeps every s.Every until ctx ends, and logs what each sweep did.
func (s *Sweeper) Run(ctx context.Context) {
	t := time.NewTicker(s.Every)
	defer t.Stop()
	for {
		sw, err := s.Sweep(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.Log.Warn("sweep", "err", err, "checked", sw.Checked)
		case len(sw.Requeued) > 0 || sw.Failed > 0:
			s.Log.Info("sweep: jobs whose task would not run", "checked", sw.Checked,
				"requeued", sw.Requeued, "failed", sw.Failed)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Sweep looks at up to 10,000 unfinished jobs older than s.Age and makes
// sure each will end.
func (s *Sweeper) Sweep(ctx context.Context) (Swept, error) {
	sw := Swept{Requeued: map[string]int{}}
	for range maxPages {
		jobs, err := s.Jobs.Unfinished(ctx, s.Age, s.after, pageSize)
		if err != nil {
			return sw, err
		}
		var first error
		for _, j := range jobs {
			if err := s.check(ctx, j, &sw); err != nil {
				s.Log.Warn("sweep", "job_id", j.ID, "err", err)
				first = cmp.Or(first, err)
			}
			s.after = j.ID
		}
		if first != nil {
			return sw, first
		}
		if len(jobs) < pageSize {
			s.after = "" // the end: the next sweep starts from the oldest again
			break
		}
	}
	return sw, nil
}

func (s *Sweeper) check(ctx context.Context, j *domain.Job, sw *Swept) error {
	sw.Checked++
	why, err := s.Tasks.TaskLost(ctx, j.ID, j.Priority)
	if err != nil || why == "" {
		return err
	}
	// NOTE: the job may have ended since it was listed, its task with it.
	if cur, err := s.Jobs.Job(ctx, j.ID); err != nil || cur.Status.Ended() {
		return err
	}
	log := s.Log.With("job_id", j.ID, "task", why)
	if j.Requeues >= s.MaxRequeues {
		reason := domain.Errorf(domain.EInternal,
			"The job could not be processed: it was queued again %d times after its attempts ran out.", j.Requeues)
		if j.Error != nil {
			reason.Message += " The last attempt said: " + j.Error.Message
		}
		if err := s.Jobs.FailJob(ctx, j.ID, reason); err != nil {
			return err
		}
		dropSource(ctx, s.Jobs, s.Blobs, j.ID, s.Log)
		log.Warn("sweep: failed a job that never finished", "requeues", j.Requeues)
		metrics.Swept.WithLabelValues("failed").Inc()
		metrics.JobsFinished.WithLabelValues(reason.Code).Inc()
		sw.Failed++
		return nil
	}
	if _, err := s.Jobs.Requeued(ctx, j.ID); err != nil {
		return err
	}
	if err := s.Tasks.Replace(ctx, j.ID, j.Priority); err != nil {
		return err
	}
	log.Info("sweep: queued a job again", "requeues", j.Requeues+1)
	metrics.Swept.WithLabelValues("requeued_" + why).Inc()
	sw.Requeued[why]++
	return nil
}
