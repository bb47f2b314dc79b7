package events

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/augment-ml/augment/internal/domain"
)

// follow starts h.Follow on id with a read that reports done on its second
// call; it returns a channel that gets the first read, and one that gets
// Follow's result.
func follow(h *Hub, id string) (<-chan struct{}, <-chan error) {
	first, result := make(chan struct{}), make(chan error, 1)
	reads := 0
	go func() {
		result <- h.Follow(context.Background(), id, 0, func(context.Context) (bool, error) {
			reads++
			if reads == 1 {
				close(first)
			}
			return reads == 2, nil
		})
	}()
	return first, result
}

func wait(t *testing.T, result <-chan error, want error, what string) {
	t.Helper()
	select {
	case err := <-result:
		if !errors.Is(err, want) {
			t.Fatalf("%s: Follow returned %v, want %v", what, err, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("%s did not wake the waiter", what)
	}
}

// TestNewsWakesItsWaiters: news of a job wakes who waits on the job and on
// its batch, a resync wakes everyone, and closing ends every wait. The
// fallback is an hour, so only these can wake anyone within the test.
func TestNewsWakesItsWaiters(t *testing.T) {
	h := New(time.Hour)
	cases := []struct {
		what string
		id   string
		send func()
		want error
	}{
		{"news of the job", "job-1", func() { h.Changed(domain.Change{JobID: "job-1"}) }, nil},
		{"news of a job of the batch", "batch-1", func() { h.Changed(domain.Change{JobID: "job-2", BatchID: "batch-1"}) }, nil},
		{"a resync", "job-3", h.Resync, nil},
		{"closing the hub", "job-4", h.Close, context.Canceled},
	}
	for _, c := range cases {
		first, result := follow(h, c.id)
		<-first
		h.Changed(domain.Change{JobID: "someone-else", BatchID: "another-batch"})
		select {
		case err := <-result:
			t.Fatalf("news of another job woke the waiter on %s (%v)", c.id, err)
		case <-time.After(20 * time.Millisecond):
		}
		c.send()
		wait(t, result, c.want, c.what)
	}
}

// TestLostNewsCostsOneFallback: without any news the waiter reads again
// after the fallback interval.
func TestLostNewsCostsOneFallback(t *testing.T) {
	h := New(10 * time.Millisecond)
	_, result := follow(h, "job-1")
	wait(t, result, nil, "the fallback interval")
}

// TestEndWaitersWakeOnlyAtTheEnd: a waiter on a job's end sleeps through
// the job's other news (its start, each variant) and wakes on the news of
// its end, or a resync; a waiter on every change wakes on the first.
func TestEndWaitersWakeOnlyAtTheEnd(t *testing.T) {
	h := New(time.Hour)
	for _, c := range []struct {
		what string
		end  func(id string)
	}{
		{"the job's end", func(id string) { h.Changed(domain.Change{JobID: id, Ended: true}) }},
		{"a resync", func(string) { h.Resync() }},
	} {
		id := "job-" + c.what
		first, result := make(chan struct{}), make(chan error, 1)
		reads := 0
		go func() {
			result <- h.FollowEnd(context.Background(), id, func(context.Context) (bool, error) {
				reads++
				if reads == 1 {
					close(first)
				}
				return reads == 2, nil
			})
		}()
		<-first
		every, everyResult := follow(h, id)
		<-every
		h.Changed(domain.Change{JobID: id})
		wait(t, everyResult, nil, "news of the job (a waiter on every change)")
		select {
		case err := <-result:
			t.Fatalf("news of a job that has not ended woke the waiter on its end (%v)", err)
		case <-time.After(20 * time.Millisecond):
		}
		c.end(id)
		wait(t, result, nil, c.what)
	}
}
