package worker

import (
	"sync"

	"github.com/augment-ml/augment/internal/domain"
)

// recorder records a job's variants as they are made, one at a time, while
// the next ones render (pages show them coming). What it has not recorded
// when the renders end is left for FinishJob, which records it with the
// job's end in one round trip.
type recorder struct {
	put func(domain.Variant) error

	mu      sync.Mutex
	pending []domain.Variant
	ended   bool
	err     error
	wake    chan struct{}
	done    chan struct{}
}

func newRecorder(put func(domain.Variant) error) *recorder {
	r := &recorder{put: put, wake: make(chan struct{}, 1), done: make(chan struct{})}
	go r.run()
	return r
}

// add queues a variant made. Not after end.
func (r *recorder) add(v domain.Variant) {
	r.mu.Lock()
	r.pending = append(r.pending, v)
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

func (r *recorder) run() {
	defer close(r.done)
	for range r.wake {
		for {
			r.mu.Lock()
			if r.ended || r.err != nil || len(r.pending) == 0 {
				r.mu.Unlock()
				break
			}
			v := r.pending[0]
			r.pending = r.pending[1:]
			r.mu.Unlock()
			if err := r.put(v); err != nil {
				r.mu.Lock()
				r.err = err
				r.mu.Unlock()
			}
		}
	}
}

// end stops recording, waits for a record under way, and returns the
// variants not recorded, or the error of one that failed.
func (r *recorder) end() ([]domain.Variant, error) {
	r.mu.Lock()
	r.ended = true
	r.mu.Unlock()
	close(r.wake)
	<-r.done
	return r.pending, r.err
}
