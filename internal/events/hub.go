// Package events tells the api's waiters — a GET /?url= request waiting for
// its job, an open job or batch page's event stream — that what they wait on
// may have changed. The store's listener feeds one Hub per process; the Hub
// fans each change out to the waiters of that job and of its batch. News
// only wakes a waiter, which then reads the state from the store, so news
// lost while the listener reconnects costs a waiter at most one fallback
// interval.
package events

import (
	"context"
	"sync"
	"time"

	"github.com/augment-ml/augment/internal/domain"
)

// Hub fans news of changed jobs and batches out to the waiters of each.
type Hub struct {
	fallback time.Duration

	mu      sync.Mutex
	waiters map[string]map[chan struct{}]bool // true: woken only by the job's end
	closed  chan struct{}
	close   sync.Once
}

// New returns a Hub whose waiters read again every fallback even without
// news, in case some was lost.
func New(fallback time.Duration) *Hub {
	return &Hub{fallback: fallback, waiters: map[string]map[chan struct{}]bool{}, closed: make(chan struct{})}
}

// Changed implements domain.ChangeSink: it wakes the waiters of the job
// (those of its end only when it ended) and of its batch.
func (h *Hub) Changed(c domain.Change) {
	h.mu.Lock()
	defer h.mu.Unlock()
	wake(h.waiters[c.JobID], c.Ended)
	if c.BatchID != "" {
		wake(h.waiters[c.BatchID], c.Ended)
	}
}

// Resync implements domain.ChangeSink: it wakes every waiter.
func (h *Hub) Resync() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, ws := range h.waiters {
		wake(ws, true)
	}
}

// Close ends every Follow, now and later (the server is shutting down).
func (h *Hub) Close() { h.close.Do(func() { close(h.closed) }) }

// wake signals each waiter (each of an end's only when ended) without
// blocking: a waiter that has not read the last signal yet gets one signal
// for both.
func wake(ws map[chan struct{}]bool, ended bool) {
	for w, endOnly := range ws {
		if endOnly && !ended {
			continue
		}
		select {
		case w <- struct{}{}:
		default:
		}
	}
}

func (h *Hub) watch(id string, endOnly bool) (<-chan struct{}, func()) {
	w := make(chan struct{}, 1)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.waiters[id] == nil {
		h.waiters[id] = map[chan struct{}]bool{}
	}
	h.waiters[id][w] = endOnly
	return w, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		delete(h.waiters[id], w)
		if len(h.waiters[id]) == 0 {
			delete(h.waiters, id)
		}
	}
}

// Follow calls read at once and then again whenever the job or batch with
// this id may have changed: on news of it, and every fallback interval
// without news. Reads are at least gap apart (news meanwhile is gathered
// into one read). Follow returns nil when read reports done, read's error,
// ctx's error when it ends, or context.Canceled once the Hub is closed.
func (h *Hub) Follow(ctx context.Context, id string, gap time.Duration, read func(context.Context) (done bool, err error)) error {
	return h.follow(ctx, id, gap, false, read)
}

// FollowEnd is Follow for a waiter on a job's end only: news of the job
// calls read only when it says the job ended (a resync, the fallback and
// closing as Follow).
func (h *Hub) FollowEnd(ctx context.Context, id string, read func(context.Context) (done bool, err error)) error {
	return h.follow(ctx, id, 0, true, read)
}

func (h *Hub) follow(ctx context.Context, id string, gap time.Duration, endOnly bool, read func(context.Context) (done bool, err error)) error {
	news, stop := h.watch(id, endOnly) // NOTE: before the first read, so no change between them goes unseen
	defer stop()
	fallback := time.NewTimer(h.fallback)
	defer fallback.Stop()
	for {
		done, err := read(ctx)
		if done || err != nil {
			return err
		}
		next := time.Now().Add(gap)
		fallback.Reset(h.fallback)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-h.closed:
			return context.Canceled
		case <-news:
		case <-fallback.C:
		}
		if wait := time.Until(next); wait > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-h.closed:
				return context.Canceled
			case <-time.After(wait):
			}
		}
	}
}
