package worker

import (
	"bytes"
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/augment-ml/augment/internal/augment"
	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/imaging"
	"github.com/augment-ml/augment/internal/metrics"
)

// TestSamePlansRenderOnce: variants whose plans are the same share one
// render, a person's job (side by side) and an API job (one at a time)
// alike, and each is still stored and recorded as itself: its own file,
// the same bytes as its twins', other bytes than the other plan's. An API
// job's twins share their thumbnail too: each variant has one, made once a
// plan.
func TestSamePlansRenderOnce(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.h.Parallel = 2
	for name, prio := range map[string]domain.Priority{"person": domain.PriorityInteractive, "api": domain.PriorityDefault} {
		t.Run(name, func(t *testing.T) {
			p, err := augment.Parse([]byte(`[{"one_of": [{"op": "hflip"}, {"op": "vflip"}]}]`))
			if err != nil {
				t.Fatal(err)
			}
			j := &domain.Job{ID: uuid.NewString(), Priority: prio, Source: domain.Source{URL: f.img.URL + "/rocket.jpg"},
				Spec: domain.Spec{Variants: 8, Seed: 9, Pipeline: p.JSON()}}
			if err := f.db.CreateJob(ctx, j); err != nil {
				t.Fatal(err)
			}
			rendered, thumbed := count(t, metrics.RenderSeconds), count(t, metrics.ThumbSeconds)
			if err := f.h.ProcessTask(ctx, task(j.ID)); err != nil {
				t.Fatal(err)
			}
			done, err := f.db.Job(ctx, j.ID)
			if err != nil {
				t.Fatal(err)
			}
			if done.Status != domain.StatusDone || len(done.Variants) != 8 {
				t.Fatalf("job = %+v", done)
			}
			files := map[string][]byte{} // by the plan's record
			keys := map[string]bool{}
			for _, v := range done.Variants {
				b := read(t, f.blobs, v.Key)
				if int64(len(b)) != v.Bytes || keys[v.Key] {
					t.Fatalf("variant %d: %s holds %d bytes, recorded %d (or another variant's key)", v.Index, v.Key, len(b), v.Bytes)
				}
				keys[v.Key] = true
				if twin, ok := files[string(v.Ops)]; ok && !bytes.Equal(twin, b) {
					t.Errorf("variant %d (%s): other bytes than its twin's", v.Index, v.Ops)
				}
				files[string(v.Ops)] = b
			}
			var each [][]byte
			for _, b := range files {
				each = append(each, b)
			}
			if len(each) != 2 || bytes.Equal(each[0], each[1]) {
				t.Fatalf("%d plans, want 2 (hflip, vflip) with different bytes", len(each))
			}
			if got := count(t, metrics.RenderSeconds) - rendered; got != 2 {
				t.Errorf("%d renders for 8 variants of 2 plans, want 2", got)
			}
			if prio == domain.PriorityInteractive {
				return // its pages ask for its thumbnails
			}
			for _, v := range done.Variants {
				info, err := imaging.Probe(read(t, f.blobs, domain.ThumbKey(j.ID, v.Index)))
				if err != nil || info.Format != "webp" || info.Width != domain.ThumbSize {
					t.Errorf("variant %d's thumbnail: %+v, %v", v.Index, info, err)
				}
			}
			if got := count(t, metrics.ThumbSeconds) - thumbed; got != 3 {
				t.Errorf("%d thumbnails made for 8 variants of 2 plans and the source, want 3", got)
			}
		})
	}
}

// count is how many times the process observed h: variants rendered
// (metrics.RenderSeconds), thumbnails made (metrics.ThumbSeconds).
func count(t *testing.T, h prometheus.Histogram) uint64 {
	var m dto.Metric
	if err := h.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetHistogram().GetSampleCount()
}

// TestSharedRenderLetGo: a render shared by variants is made once, and its
// bytes are let go once the last of them has stored it, not held until the
// job ends (a job of many variants of a large source would hold them all).
func TestSharedRenderLetGo(t *testing.T) {
	made := 0
	s := &shared{make: func() (drawn, error) {
		made++
		return drawn{res: imaging.Result{Bytes: make([]byte, 1<<20)}}, nil
	}}
	s.left.Add(2)
	for range 2 {
		if d, err := s.get(); err != nil || len(d.res.Bytes) != 1<<20 {
			t.Fatalf("got %d bytes, %v", len(d.res.Bytes), err)
		}
	}
	s.release()
	if s.d.res.Bytes == nil {
		t.Fatal("let go while a variant still had to store it")
	}
	s.release()
	if s.d.res.Bytes != nil || made != 1 {
		t.Errorf("made %d times; held %d bytes after the last stored it", made, len(s.d.res.Bytes))
	}
}
