package worker

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/hibiken/asynq"

	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/imaging"
	"github.com/augment-ml/augment/internal/metrics"
	"github.com/augment-ml/augment/internal/queue"
)

// NOTE: thumbnails let the job, compare and batch pages show many images
// without sending each in full. A job nobody waits on (the API's, a
// batch's) has them made as it runs: each variant is encoded straight from
// its chain as without them, and its thumbnail made afterwards from the
// encoded bytes, shrunk on load (imaging.ThumbOf), on one goroutine,
// beside the next render (which leaves a core idle while it encodes); the
// job ends without waiting for them, its task only once they are stored.
// A job a person waits on (a ?url= page, the home page's form) has none
// made: a thumbnail costs as much CPU as a variant of a small source, and
// made after the job's end it took a core from the next person's job.
// Its page asks for each it shows (web.serveThumb), and the worker makes
// it then (ThumbMaker). The variants of a job nobody waits on that share a
// render (Handler.draws) share its thumbnail too.

// thumbnailer makes a job's thumbnails, one at a time, in the order given.
type thumbnailer struct {
	jobs  domain.JobStore
	blobs domain.Blobs
	job   string
	ctx   context.Context
	log   *slog.Logger
	todo  chan thumbWork
	done  chan struct{}
	close sync.Once
}

type thumbWork struct {
	key  string
	buf  []byte // an encoded image
	same string // the key of a thumbnail of the same bytes, made first, or ""
}

// thumbs starts the thumbnailer of job; a job a person waits on has
// none (nil), its pages ask for its thumbnails.
func (h *Handler) thumbs(ctx context.Context, job *domain.Job, log *slog.Logger) *thumbnailer {
	if job.Priority == domain.PriorityInteractive {
		return nil
	}
	t := &thumbnailer{jobs: h.Jobs, blobs: h.Blobs, job: job.ID, ctx: ctx, log: log, todo: make(chan thumbWork, job.Spec.Variants+1), done: make(chan struct{})}
	go t.run()
	return t
}

// add asks for the thumbnail of the encoded image buf, stored under key; a
// copy of the one stored under same, when that was made from the same
// bytes (a shared render's), before. It never blocks: the queue holds
// every thumbnail a job can have.
func (t *thumbnailer) add(key string, buf []byte, same string) {
	if t == nil {
		return
	}
	select {
	case t.todo <- thumbWork{key, buf, same}:
	default:
		t.log.Warn("thumbnail not made: too many asked for", "key", key)
	}
}

func (t *thumbnailer) run() {
	defer close(t.done)
	made := map[string][]byte{} // by key: at most a job's variants' thumbnails
	for w := range t.todo {
		th, ok := made[w.same]
		var err error
		if !ok {
			th, err = makeThumb(w.buf)
		}
		if err == nil {
			made[w.key] = th
			err = putThumb(t.ctx, t.jobs, t.blobs, t.job, w.key, th)
		}
		if err != nil {
			// NOTE: a page asks for it again (ThumbMaker).
			t.log.Warn("making a thumbnail", "key", w.key, "err", err)
		}
	}
}

// wait returns once every thumbnail asked for is stored (or failed).
func (t *thumbnailer) wait() {
	if t == nil {
		return
	}
	t.close.Do(func() { close(t.todo) })
	<-t.done
}

// makeThumb makes the thumbnail (WebP) of the encoded image buf.
func makeThumb(buf []byte) ([]byte, error) {
	start := time.Now()
	th, err := imaging.ThumbOf(buf, domain.ThumbSize)
	if err != nil {
		return nil, err
	}
	metrics.Since(metrics.ThumbSeconds, start)
	return th.Bytes, nil
}

// putThumb stores job's thumbnail th under key, and wakes the pages
// waiting for it.
func putThumb(ctx context.Context, jobs domain.JobStore, blobs domain.Blobs, job, key string, th []byte) error {
	if err := blobs.Put(ctx, key, bytes.NewReader(th), int64(len(th)), "image/webp"); err != nil {
		return err
	}
	return jobs.Announce(ctx, job)
}

// ThumbMaker makes the thumbnails pages ask for (queue.TypeThumb) from the
// job's stored images, up to At at once (0 is 1): a page asks for all of
// its own at once, and a slot hands each over and goes back to the queue
// for the next.
type ThumbMaker struct {
	Jobs  domain.JobStore
	Blobs domain.Blobs
	At    int
	Log   *slog.Logger

	once    sync.Once
	running chan struct{}
	wg      sync.WaitGroup
}

// thumbTime bounds the making of one thumbnail.
const thumbTime = time.Minute

// ProcessTask implements asynq.Handler: it returns once the thumbnail is
// being made, when fewer than At are. A thumbnail that cannot be made ends
// its task all the same (the page shows the full image), so that the next
// page to show it asks again.
func (m *ThumbMaker) ProcessTask(ctx context.Context, t *asynq.Task) error {
	r, err := queue.ParseThumb(t)
	if err != nil {
		return err
	}
	m.once.Do(func() { m.running = make(chan struct{}, max(m.At, 1)) })
	select {
	case m.running <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	m.wg.Go(func() {
		defer func() { <-m.running }()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), thumbTime)
		defer cancel()
		buf, err := readBlob(ctx, m.Blobs, r.From)
		var th []byte
		if err == nil {
			th, err = makeThumb(buf)
		}
		if err == nil {
			err = putThumb(ctx, m.Jobs, m.Blobs, r.JobID, r.Key, th)
		}
		if err != nil {
			m.Log.Warn("making a thumbnail asked for", "job_id", r.JobID, "key", r.Key, "err", err)
		}
	})
	return nil
}

// Wait returns once every thumbnail being made is stored (or failed).
func (m *ThumbMaker) Wait() { m.wg.Wait() }
