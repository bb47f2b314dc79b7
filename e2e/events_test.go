package e2e

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// sseEvent is one server-sent event.
type sseEvent struct {
	Name string
	Data string
}

// openEvents GETs an event stream and passes its events on until it ends.
func (s *stack) openEvents(path string) <-chan sseEvent {
	s.t.Helper()
	resp, err := http.Get(s.URL + path)
	if err != nil {
		s.t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		s.t.Fatalf("GET %s = %d %s: %s", path, resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	s.t.Cleanup(func() { resp.Body.Close() })
	out := make(chan sseEvent, 100)
	go func() {
		defer close(out)
		var ev sseEvent
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "" && ev.Data != "":
				out <- ev
				ev = sseEvent{}
			case strings.HasPrefix(line, "event:"):
				ev.Name = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
			case strings.HasPrefix(line, "data:"):
				ev.Data += strings.TrimSpace(strings.TrimPrefix(line, "data:"))
			}
		}
	}()
	return out
}

// nextEvent waits for the stream's next event; ok is false once it ended.
func nextEvent(t *testing.T, events <-chan sseEvent, v any) (name string, ok bool) {
	t.Helper()
	select {
	case ev, ok := <-events:
		if ok {
			if err := json.Unmarshal([]byte(ev.Data), v); err != nil {
				t.Fatalf("event %s: %v in %s", ev.Name, err, ev.Data)
			}
		}
		return ev.Name, ok
	case <-time.After(2 * time.Minute):
		t.Fatal("no event for two minutes")
	}
	return "", false
}

// TestEventStreams follows a job and a batch through their event streams:
// the state at once, then each change as it happens, until the end.
func TestEventStreams(t *testing.T) {
	s := startStack(t)
	img := images(t)
	s.KillWorker() // the job waits in the queue until the stream is open
	resp, err := http.Post(s.URL+"/api/v1/jobs", "application/json",
		strings.NewReader(`{"url": "`+img.URL+`/large.jpg", "variants": 4, "seed": 5}`))
	if err != nil {
		t.Fatal(err)
	}
	var created job
	_ = json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()

	events := s.openEvents("/api/v1/jobs/" + created.ID + "/events")
	var j job
	if name, ok := nextEvent(t, events, &j); !ok || name != "job" || j.ID != created.ID || j.Status != "queued" {
		t.Fatalf("first event %q = %+v, want the queued job", name, j)
	}
	s.StartWorker()
	var seen []string
	made := 0
	for j.Status != "done" {
		if _, ok := nextEvent(t, events, &j); !ok {
			t.Fatalf("the stream ended with the job %s", j.Status)
		}
		if len(j.Variants) < made {
			t.Fatalf("an event shows %d variants after one showed %d", len(j.Variants), made)
		}
		made = len(j.Variants)
		seen = append(seen, j.Status)
	}
	if len(j.Variants) != 4 || !strings.Contains(strings.Join(seen, " "), "processing") {
		t.Fatalf("events went %v and ended with %d variants; want the job seen running, then done with 4", seen, len(j.Variants))
	}
	if _, ok := nextEvent(t, events, &j); ok {
		t.Fatal("the stream goes on after the job ended")
	}

	status, b, raw := s.postBatch("application/json", strings.NewReader(`{"urls": [`+
		urlList(img.URL, "cardinal.jpg", "coffee.png", "nothing-here.jpg")+`], "variants": 1}`))
	if status != http.StatusAccepted {
		t.Fatalf("POST batch = %d: %s", status, raw)
	}
	bevents := s.openEvents("/api/v1/batches/" + b.ID + "/events")
	for b.Status != "done" {
		if name, ok := nextEvent(t, bevents, &b); !ok || name != "batch" {
			t.Fatalf("batch stream: event %q, open %v, batch %+v", name, ok, b)
		}
	}
	if b.Counts.Done != 2 || b.Counts.Failed != 1 {
		t.Fatalf("the batch's last event counts %+v, want 2 done and 1 failed", b.Counts)
	}

	var e struct{ Error struct{ Code string } }
	if st := s.getJSON("/api/v1/jobs/00000000-0000-0000-0000-000000000000/events", &e); st != http.StatusNotFound || e.Error.Code != "not_found" {
		t.Fatalf("events of an unknown job: %d %+v, want 404 not_found", st, e)
	}
}
