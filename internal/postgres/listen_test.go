package postgres

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/augment-ml/augment/internal/domain"
)

// sink records what the listener passes on.
type sink struct {
	changes chan domain.Change
	resyncs chan struct{}
}

func (s sink) Changed(c domain.Change) { s.changes <- c }
func (s sink) Resync()                 { s.resyncs <- struct{}{} }

func listenTest(t *testing.T, db *DB) sink {
	t.Helper()
	s := sink{changes: make(chan domain.Change, 100), resyncs: make(chan struct{}, 10)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = db.Listen(ctx, s, 50*time.Millisecond, func(err error) { t.Log(err) })
	}()
	t.Cleanup(func() { cancel(); <-done })
	s.resynced(t)
	return s
}

func (s sink) resynced(t *testing.T) {
	t.Helper()
	select {
	case <-s.resyncs:
	case <-time.After(10 * time.Second):
		t.Fatal("the listener never (re)connected")
	}
}

// next returns the next change announced, failing after a generous wait.
func (s sink) next(t *testing.T, after string) domain.Change {
	t.Helper()
	select {
	case c := <-s.changes:
		return c
	case <-time.After(10 * time.Second):
		t.Fatalf("no change announced after %s", after)
	}
	return domain.Change{}
}

// TestListenAnnouncesEveryStep: each step a waiting page shows — start,
// source, each variant, a thumbnail made, the end — is announced with the
// job's id, and a batch job's with its batch's; only the end (done or
// failed) says the job ended.
func TestListenAnnouncesEveryStep(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	s := listenTest(t, db)
	j := newJob(t, db)
	steps := []struct {
		name  string
		do    func() error
		ended bool
	}{
		{"start", func() error { return db.StartJob(ctx, j.ID) }, false},
		{"source", func() error {
			return db.SetSource(ctx, j.ID, domain.Source{Name: "cat.jpg", Key: "k", Width: 4, Height: 3, Format: "jpeg"})
		}, false},
		{"variant 0", func() error {
			return db.PutVariant(ctx, j.ID, domain.Variant{Index: 0, Width: 4, Height: 3, Format: "jpeg", Ops: json.RawMessage(`[]`), Key: "v0"})
		}, false},
		{"a thumbnail", func() error { return db.Announce(ctx, j.ID) }, false},
		{"finish", func() error { return db.FinishJob(ctx, j.ID) }, true},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatal(err)
		}
		if c := s.next(t, st.name); c.JobID != j.ID || c.BatchID != "" || c.Ended != st.ended {
			t.Fatalf("%s announced %+v, want job %s without a batch, ended %v", st.name, c, j.ID, st.ended)
		}
	}

	b, jobs := newBatch(2)
	if err := db.CreateBatch(ctx, b, jobs); err != nil {
		t.Fatal(err)
	}
	if err := db.FailJob(ctx, jobs[1].ID, domain.Errorf(domain.ENotImage, "no")); err != nil {
		t.Fatal(err)
	}
	if c := s.next(t, "a batch job's failure"); c.JobID != jobs[1].ID || c.BatchID != b.ID || !c.Ended {
		t.Fatalf("a batch job's failure announced %+v, want job %s of batch %s", c, jobs[1].ID, b.ID)
	}
}

// TestListenReconnects: when the listening connection is killed, the
// listener connects again, says news may have been lost, and passes on
// what follows.
func TestListenReconnects(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	s := listenTest(t, db)
	var killed int
	err := db.pool.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid() AND query ILIKE 'listen%'`).Scan(&killed)
	if err != nil || killed != 1 {
		t.Fatalf("killing the listener's connection: %d killed, %v", killed, err)
	}
	s.resynced(t)
	j := newJob(t, db)
	if err := db.StartJob(ctx, j.ID); err != nil {
		t.Fatal(err)
	}
	if c := s.next(t, "reconnecting"); c.JobID != j.ID {
		t.Fatalf("after reconnecting, announced %+v, want job %s", c, j.ID)
	}
}
