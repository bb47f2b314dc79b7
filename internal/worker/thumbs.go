package worker

import (
	"bytes"
	"context"
	"log/slog"
	"sync"

	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/imaging"
)

// NOTE: thumbnails let the job, compare and batch pages show many images
// without sending each in full. They are made off the job's path: each
// variant is encoded straight from its chain as without them, and its
// thumbnail made afterwards from the encoded bytes, shrunk on load
// (imaging.ThumbOf), on one goroutine; the job ends without waiting for
// them (the page answers at once), and its task only once they are stored.
// A job a person waits for has them made after its end, so they take no
// core from its renders; others beside the next render (which leaves a
// core idle while it encodes). A thumbnail asked for before it exists is the full
// image, which the api waits for briefly (web.serveThumb).

// thumbnailer makes a job's thumbnails, one at a time, in the order given.
type thumbnailer struct {
	h     *Handler
	ctx   context.Context
	log   *slog.Logger
	todo  chan thumbWork
	start chan struct{} // closed when the thumbnails may be made
	done  chan struct{}
	close sync.Once
}

type thumbWork struct {
	key string
	buf []byte // an encoded image
}

// thumbs starts the thumbnailer of job: n is how many it may be given.
func (h *Handler) thumbs(ctx context.Context, job *domain.Job, log *slog.Logger) *thumbnailer {
	t := &thumbnailer{h: h, ctx: ctx, log: log, todo: make(chan thumbWork, job.Spec.Variants+1),
		start: make(chan struct{}), done: make(chan struct{})}
	if job.Priority != domain.PriorityInteractive {
		close(t.start)
	}
	go t.run()
	return t
}

// add asks for the thumbnail of the encoded image buf, stored under key.
// It never blocks: the queue holds every thumbnail a job can have.
func (t *thumbnailer) add(key string, buf []byte) {
	select {
	case t.todo <- thumbWork{key, buf}:
	default:
		t.log.Warn("thumbnail not made: too many asked for", "key", key)
	}
}

func (t *thumbnailer) run() {
	defer close(t.done)
	<-t.start
	for w := range t.todo {
		th, err := imaging.ThumbOf(w.buf, domain.ThumbSize)
		if err == nil {
			err = t.h.Blobs.Put(t.ctx, w.key, bytes.NewReader(th.Bytes), int64(len(th.Bytes)), "image/webp")
		}
		if err != nil {
			// NOTE: a page shows the full image in its place.
			t.log.Warn("making a thumbnail", "key", w.key, "err", err)
		}
	}
}

// wait returns once every thumbnail asked for is stored (or failed).
func (t *thumbnailer) wait() {
	t.close.Do(func() {
		close(t.todo)
		select {
		case <-t.start: // not held
		default:
			close(t.start)
		}
	})
	<-t.done
}
