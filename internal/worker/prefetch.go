package worker

import (
	"context"
	"time"

	"github.com/augment-ml/augment/internal/fetch"
	"github.com/augment-ml/augment/internal/metrics"
)

// prefetched is a job's source being fetched while the job is claimed: the
// task names the URL (queue.Payload.URL), the claim says whether the job
// still has to be run and fetched.
type prefetched struct {
	h      *Handler
	url    string
	cancel context.CancelFunc
	done   chan struct{}
	res    fetch.Result
	err    error
}

// prefetch starts fetching url, when there is one.
func (h *Handler) prefetch(ctx context.Context, url string) *prefetched {
	p := &prefetched{h: h, url: url}
	if url == "" {
		return p
	}
	fctx, cancel := context.WithCancel(ctx)
	p.cancel, p.done = cancel, make(chan struct{})
	go func() {
		defer close(p.done)
		p.res, p.err = p.h.fetch(fctx, url)
	}()
	return p
}

// result is the fetch of url: the one under way when it is of url, else a
// fresh one.
func (p *prefetched) result(ctx context.Context, url string) (fetch.Result, error) {
	if p.done == nil || url != p.url {
		return p.h.fetch(ctx, url)
	}
	select {
	case <-p.done:
		return p.res, p.err
	case <-ctx.Done():
		return fetch.Result{}, context.Cause(ctx)
	}
}

// drop stops a fetch nobody took.
func (p *prefetched) drop() {
	if p.cancel != nil {
		p.cancel()
	}
}

// fetch downloads url and records how long it took and how much it brought.
func (h *Handler) fetch(ctx context.Context, url string) (fetch.Result, error) {
	start := time.Now()
	res, err := h.Fetcher.Fetch(ctx, url)
	if err != nil {
		return res, err
	}
	metrics.Since(metrics.FetchSeconds, start)
	metrics.FetchBytes.Observe(float64(len(res.Body)))
	return res, nil
}
