package worker

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"

	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/queue"
)

// TestSourceFetchedWhileClaimed: a job queued with its URL (as the api
// queues one) is fetched once, while it is claimed, and stored as sent; a
// task of a job that has ended runs nothing; one whose source is already
// kept reads it, whatever its task says.
func TestSourceFetchedWhileClaimed(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	photo, err := os.ReadFile("../../testdata/corpus/rocket.jpg")
	if err != nil {
		t.Fatal(err)
	}
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "image/jpeg")
		_, _ = w.Write(photo)
	}))
	t.Cleanup(srv.Close)
	j := f.job(t, srv.URL+"/rocket.jpg", 2, `[{"op": "hflip"}]`)
	task := queue.NewTaskOf(j)
	if p, _ := queue.ParsePayload(task); p.URL != j.Source.URL {
		t.Fatalf("the task names %q, the job %q", p.URL, j.Source.URL)
	}
	if err := f.h.ProcessTask(ctx, task); err != nil {
		t.Fatal(err)
	}
	got := f.waitEnded(t, j.ID)
	if got.Status != domain.StatusDone || hits.Load() != 1 {
		t.Fatalf("job %s after %d fetches, want done after 1", got.Status, hits.Load())
	}
	if !bytes.Equal(read(t, f.blobs, got.Source.Key), photo) || got.Source.Name != "rocket.jpg" {
		t.Errorf("the source kept is not the one sent: %+v", got.Source)
	}
	// The same task again (a redelivery): the job has ended, nothing runs.
	if err := f.h.ProcessTask(ctx, task); err != nil {
		t.Fatal(err)
	}
	if again := f.waitEnded(t, j.ID); len(again.Variants) != 2 {
		t.Errorf("the ended job has %d variants", len(again.Variants))
	}
	// A job whose source was kept since its task was queued (by an
	// earlier attempt) renders from what was kept.
	up := f.job(t, srv.URL+"/rocket.jpg", 1, `[{"op": "vflip"}]`)
	late := queue.NewTaskOf(up)
	key := "jobs/" + up.ID + "/source"
	if err := f.blobs.Put(ctx, key, bytes.NewReader(photo), int64(len(photo)), "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	up.Source.Key = key
	if err := f.db.SetSource(ctx, up.ID, up.Source); err != nil {
		t.Fatal(err)
	}
	srv.Close() // NOTE: the URL fails from here on; the kept source does not
	if err := f.h.ProcessTask(ctx, late); err != nil {
		t.Fatal(err)
	}
	if got := f.waitEnded(t, up.ID); got.Status != domain.StatusDone || len(got.Variants) != 1 {
		t.Errorf("a kept source: job %s with %d variants (%+v)", got.Status, len(got.Variants), got.Error)
	}
}
