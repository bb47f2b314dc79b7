package storage

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/augment-ml/augment/internal/domain"
)

// testStore is the conformance suite every Blobs implementation must pass.
func testStore(t *testing.T, s domain.Blobs) {
	ctx := context.Background()
	t.Run("put then get", func(t *testing.T) {
		data := bytes.Repeat([]byte("augment"), 10_000)
		if err := s.Put(ctx, "jobs/a/variants/0.jpg", bytes.NewReader(data), int64(len(data)), "image/jpeg"); err != nil {
			t.Fatal(err)
		}
		r, size, err := s.Get(ctx, "jobs/a/variants/0.jpg")
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		got, _ := io.ReadAll(r)
		if size != int64(len(data)) || !bytes.Equal(got, data) {
			t.Fatalf("got %d bytes (size %d), want %d", len(got), size, len(data))
		}
	})
	t.Run("put replaces", func(t *testing.T) {
		for _, v := range []string{"first", "second"} {
			if err := s.Put(ctx, "k/replace", strings.NewReader(v), int64(len(v)), "text/plain"); err != nil {
				t.Fatal(err)
			}
		}
		r, _, err := s.Get(ctx, "k/replace")
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		if got, _ := io.ReadAll(r); string(got) != "second" {
			t.Fatalf("got %q, want second", got)
		}
	})
	t.Run("missing is not found", func(t *testing.T) {
		_, _, err := s.Get(ctx, "no/such/key")
		if domain.ErrorCode(err) != domain.ENotFound {
			t.Fatalf("got %v, want not_found", err)
		}
	})
	t.Run("delete", func(t *testing.T) {
		if err := s.Put(ctx, "k/del", strings.NewReader("x"), 1, "text/plain"); err != nil {
			t.Fatal(err)
		}
		if err := s.Delete(ctx, "k/del"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Get(ctx, "k/del"); domain.ErrorCode(err) != domain.ENotFound {
			t.Fatalf("after delete: %v", err)
		}
		if err := s.Delete(ctx, "k/del"); err != nil {
			t.Fatalf("deleting a missing key: %v", err)
		}
	})
	t.Run("escaping keys refused", func(t *testing.T) {
		for _, k := range []string{"../x", "/etc/passwd", "a/../../x", ""} {
			if err := s.Put(ctx, k, strings.NewReader("x"), 1, "text/plain"); err == nil {
				t.Errorf("Put(%q) succeeded", k)
			}
		}
	})
	t.Run("failed put leaves the old blob", func(t *testing.T) {
		if err := s.Put(ctx, "k/atomic", strings.NewReader("whole"), 5, "text/plain"); err != nil {
			t.Fatal(err)
		}
		err := s.Put(ctx, "k/atomic", io.MultiReader(strings.NewReader("ha"), errReader{}), 5, "text/plain")
		if err == nil {
			t.Fatal("put from a failing reader succeeded")
		}
		r, _, err := s.Get(ctx, "k/atomic")
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		if got, _ := io.ReadAll(r); string(got) != "whole" {
			t.Fatalf("got %q after a failed put, want the old blob", got)
		}
	})
	t.Run("concurrent puts", func(t *testing.T) {
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				v := strings.Repeat(string(rune('a'+i)), 4096)
				if err := s.Put(ctx, "k/race", strings.NewReader(v), int64(len(v)), "text/plain"); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		r, _, err := s.Get(ctx, "k/race")
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		got, _ := io.ReadAll(r)
		if len(got) != 4096 || strings.Count(string(got), string(got[0])) != 4096 {
			t.Fatalf("blob mixes writes: %d bytes", len(got))
		}
	})
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("broken reader") }

func TestFile(t *testing.T) {
	s, err := Open(context.Background(), "file://"+t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	testStore(t, s)
}

func TestOpenRefusesUnknownScheme(t *testing.T) {
	if _, err := Open(context.Background(), "ftp://x"); err == nil || !strings.Contains(err.Error(), "STORAGE_URL") {
		t.Fatalf("got %v, want an error naming STORAGE_URL", err)
	}
}
