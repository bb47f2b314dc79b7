package worker

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/hibiken/asynq"

	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/imaging"
	"github.com/augment-ml/augment/internal/queue"
)

// heldThumbs holds every thumbnail's write until release is closed.
type heldThumbs struct {
	domain.Blobs
	release chan struct{}
}

func (b *heldThumbs) Put(ctx context.Context, key string, r io.Reader, size int64, ct string) error {
	if strings.Contains(key, "/thumbs/") {
		<-b.release
	}
	return b.Blobs.Put(ctx, key, r, size, ct)
}

// TestJobEndsBeforeItsThumbnails: a job is recorded done, its variants
// stored, while its thumbnails are still being made; they appear after, a
// WebP of each variant and of the source at 480 px, and the task ends only
// once they are stored.
func TestJobEndsBeforeItsThumbnails(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	held := &heldThumbs{Blobs: f.blobs, release: make(chan struct{})}
	f.h.Blobs = held
	j := f.job(t, f.img.URL+"/large.jpg", 3, `[{"op": "rotate", "degrees": [-30, 30]}]`)
	ended := make(chan error, 1)
	go func() { ended <- f.h.ProcessTask(ctx, task(j.ID)) }()
	got := f.waitEnded(t, j.ID)
	if got.Status != domain.StatusDone || len(got.Variants) != 3 {
		t.Fatalf("job %s with %d variants", got.Status, len(got.Variants))
	}
	keys := []string{domain.SourceThumbKey(j.ID)}
	for _, v := range got.Variants {
		read(t, f.blobs, v.Key) // stored
		keys = append(keys, domain.ThumbKey(j.ID, v.Index))
	}
	for _, k := range keys {
		if _, _, err := f.blobs.Get(ctx, k); domain.ErrorCode(err) != domain.ENotFound {
			t.Fatalf("%s exists before its write was let through (%v)", k, err)
		}
	}
	select {
	case err := <-ended:
		t.Fatalf("the task ended before its thumbnails were stored (%v)", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(held.release)
	if err := <-ended; err != nil {
		t.Fatal(err)
	}
	for i, k := range keys {
		info, err := imaging.Probe(read(t, f.blobs, k))
		w, h := got.Source.Width, got.Source.Height
		if i > 0 {
			w, h = got.Variants[i-1].Width, got.Variants[i-1].Height
		}
		if tw, th := domain.ThumbFit(w, h); err != nil || info.Format != "webp" || info.Width != tw || info.Height != th {
			t.Errorf("%s: %+v, %v; want a %d×%d WebP", k, info, err, tw, th)
		}
	}
}

// TestPersonsJobThumbnailsWhenAsked: a job a person waits on ends with no
// thumbnail made; each is made when a page asks (ThumbMaker), a WebP of
// its size from the stored file. A request naming files outside its job
// is refused.
func TestPersonsJobThumbnailsWhenAsked(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	j := &domain.Job{ID: uuid.NewString(), Priority: domain.PriorityInteractive, Source: domain.Source{URL: f.img.URL + "/large.jpg"},
		Spec: domain.Spec{Variants: 2, Seed: 9, Pipeline: json.RawMessage(`[{"op": "rotate", "degrees": [-30, 30]}]`)}}
	if err := f.db.CreateJob(ctx, j); err != nil {
		t.Fatal(err)
	}
	if err := f.h.ProcessTask(ctx, queue.NewTask(j.ID, domain.PriorityInteractive)); err != nil {
		t.Fatal(err)
	}
	got := f.waitEnded(t, j.ID)
	asks := []domain.ThumbRequest{{JobID: j.ID, Key: domain.SourceThumbKey(j.ID), From: got.Source.Key}}
	sizes := [][2]int{{got.Source.Width, got.Source.Height}}
	for _, v := range got.Variants {
		asks = append(asks, domain.ThumbRequest{JobID: j.ID, Key: domain.ThumbKey(j.ID, v.Index), From: v.Key})
		sizes = append(sizes, [2]int{v.Width, v.Height})
	}
	for _, a := range asks {
		if _, _, err := f.blobs.Get(ctx, a.Key); domain.ErrorCode(err) != domain.ENotFound {
			t.Fatalf("%s was made before it was asked for (%v)", a.Key, err)
		}
	}
	news := listen(t, f)
	m := &ThumbMaker{Jobs: f.db, Blobs: f.blobs, Log: f.h.Log}
	for i, a := range asks {
		if err := m.ProcessTask(ctx, queue.NewThumbTask(a)); err != nil {
			t.Fatal(err)
		}
		select { // the page waiting for it is woken
		case id := <-news:
			if id != j.ID {
				t.Errorf("%s: news of job %s, want %s", a.Key, id, j.ID)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: made without news", a.Key)
		}
		info, err := imaging.Probe(read(t, f.blobs, a.Key))
		if tw, th := domain.ThumbFit(sizes[i][0], sizes[i][1]); err != nil || info.Format != "webp" || info.Width != tw || info.Height != th {
			t.Errorf("%s: %+v, %v; want a %d×%d WebP", a.Key, info, err, tw, th)
		}
	}
	for _, bad := range []domain.ThumbRequest{
		{JobID: j.ID, Key: "jobs/other/thumbs/0.webp", From: asks[1].From},
		{JobID: j.ID, Key: asks[1].Key, From: "jobs/" + j.ID + "/../other/source"},
	} {
		if err := m.ProcessTask(ctx, queue.NewThumbTask(bad)); !errors.Is(err, asynq.SkipRetry) {
			t.Errorf("%+v: %v, want a refusal", bad, err)
		}
	}
}

// listen passes the ids of the jobs the store announces changes of.
func listen(t *testing.T, f *fixture) <-chan string {
	s := newsSink{ids: make(chan string, 100), resynced: make(chan struct{}, 10)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = f.db.Listen(ctx, s, 50*time.Millisecond, func(err error) { t.Log(err) })
	}()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case <-s.resynced:
	case <-time.After(10 * time.Second):
		t.Fatal("the listener never connected")
	}
	return s.ids
}

type newsSink struct {
	ids      chan string
	resynced chan struct{}
}

func (s newsSink) Changed(c domain.Change) { s.ids <- c.JobID }
func (s newsSink) Resync()                 { s.resynced <- struct{}{} }

// TestThumbMakerMakesAtOnce: the thumbnails a page asks for are made side
// by side, up to At at once: the slot that took a task is free for the
// next as soon as it is under way, and waits only when At are.
func TestThumbMakerMakesAtOnce(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	j := f.job(t, f.img.URL+"/rocket.jpg", 1, `[]`)
	if err := f.h.ProcessTask(ctx, task(j.ID)); err != nil {
		t.Fatal(err)
	}
	done := f.waitEnded(t, j.ID)
	blobs := &heldBlobs{Blobs: f.blobs, held: make(chan struct{})}
	m := &ThumbMaker{Jobs: f.db, Blobs: blobs, At: 2, Log: f.h.Log}
	ask := func(ctx context.Context, key string) error {
		return m.ProcessTask(ctx, queue.NewThumbTask(domain.ThumbRequest{JobID: j.ID, Key: "jobs/" + j.ID + "/thumbs/" + key, From: done.Source.Key}))
	}
	for _, key := range []string{"a.webp", "b.webp"} {
		if err := ask(ctx, key); err != nil { // both under way, both held
			t.Fatal(err)
		}
	}
	full, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if err := ask(full, "c.webp"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a third beside two under way: %v, want it to wait", err)
	}
	close(blobs.held)
	m.Wait()
	for _, key := range []string{"a.webp", "b.webp"} {
		if info, err := imaging.Probe(read(t, f.blobs, "jobs/"+j.ID+"/thumbs/"+key)); err != nil || info.Format != "webp" {
			t.Errorf("%s: %+v, %v", key, info, err)
		}
	}
}

// heldBlobs holds every read until held is closed.
type heldBlobs struct {
	domain.Blobs
	held chan struct{}
}

func (b *heldBlobs) Get(ctx context.Context, key string) (io.ReadCloser, int64, error) {
	<-b.held
	return b.Blobs.Get(ctx, key)
}
