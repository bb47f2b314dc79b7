package web

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/events"
	"github.com/augment-ml/augment/internal/postgres"
	"github.com/augment-ml/augment/internal/testenv"
)

// storeWorker runs each queued job on the store a moment later, as the
// worker would: started, its variants recorded one by one, finished.
type storeWorker struct {
	t  *testing.T
	db *postgres.DB
}

func (w storeWorker) Enqueue(_ context.Context, j *domain.Job) error {
	id := j.ID
	go func() {
		ctx := context.Background()
		time.Sleep(50 * time.Millisecond)
		j, err := w.db.Job(ctx, id)
		if err == nil {
			err = w.db.StartJob(ctx, id)
		}
		for i := 0; err == nil && i < j.Spec.Variants; i++ {
			err = w.db.PutVariant(ctx, id, domain.Variant{Index: i, Width: 4, Height: 3, Format: "jpeg",
				Ops: json.RawMessage(`[{"op": "hflip"}]`), Key: "k"})
		}
		if err == nil {
			err = w.db.FinishJob(ctx, id)
		}
		if err != nil {
			w.t.Errorf("running job %s: %v", id, err)
		}
	}()
	return nil
}

// TestSyncFlowAnswersWhenNewsIsLost: with no news of the job reaching the
// api (no listener feeds its hub: every notification is lost), GET /?url=
// still answers the finished page, not the redirect of a job that outlived
// SYNC_TIMEOUT.
func TestSyncFlowAnswersWhenNewsIsLost(t *testing.T) {
	ctx := context.Background()
	db, err := postgres.Open(ctx, testenv.Database(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	s := &Server{
		Jobs: db, Batches: db, Queue: storeWorker{t, db}, Events: events.New(100 * time.Millisecond),
		SyncTimeout: time.Minute, Log: slog.New(slog.DiscardHandler),
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(srv.URL + "/?n=3&url=" + url.QueryEscape("http://example.test/cat.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /?url= = %d (Location %q), want the finished page", resp.StatusCode, resp.Header.Get("Location"))
	}
	if n := strings.Count(string(body), `class="variant"`); n != 3 {
		t.Fatalf("the page shows %d finished variants, want 3:\n%s", n, body)
	}
}
