package queue

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/testenv"
)

// redisDB is this package's Redis DB number.
const redisDB = 11

// TestPreviewTilesExpire: a tile and an upload are served while kept, and
// are gone, not found, once their time is up; nothing else deletes them.
func TestPreviewTilesExpire(t *testing.T) {
	opt, _ := redis.ParseURL(testenv.Redis(t, redisDB))
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { rdb.Close() })
	q := NewPreviews(rdb)
	q.TTL = time.Second
	ctx := context.Background()
	if err := q.PutTile(ctx, "p1", 0, "jpeg", []byte("tile bytes"), []byte("mask bytes")); err != nil {
		t.Fatal(err)
	}
	if err := q.PutTile(ctx, "p1", 1, "jpeg", []byte("tile bytes"), nil); err != nil {
		t.Fatal(err)
	}
	id, err := q.PutUpload(ctx, []byte("source bytes"))
	if err != nil {
		t.Fatal(err)
	}
	b, format, err := q.Tile(ctx, "p1", 0)
	if err != nil || format != "jpeg" || !bytes.Equal(b, []byte("tile bytes")) {
		t.Fatalf("a fresh tile: %q %q %v", b, format, err)
	}
	if b, err := q.TileMask(ctx, "p1", 0); err != nil || string(b) != "mask bytes" {
		t.Fatalf("a fresh tile's mask: %q %v", b, err)
	}
	if _, err := q.TileMask(ctx, "p1", 1); domain.ErrorCode(err) != domain.ENotFound {
		t.Errorf("the mask of a tile given none: %v", err)
	}
	if b, err := q.Upload(ctx, id); err != nil || string(b) != "source bytes" {
		t.Fatalf("a fresh upload: %q %v", b, err)
	}
	for _, key := range []string{tileKey("p1", 0), maskKey("p1", 0), uploadKey(id)} {
		if ttl := rdb.TTL(ctx, key).Val(); ttl <= 0 || ttl > time.Second {
			t.Errorf("%s is kept for %v", key, ttl)
		}
	}
	time.Sleep(1100 * time.Millisecond)
	if _, _, err := q.Tile(ctx, "p1", 0); domain.ErrorCode(err) != domain.ENotFound {
		t.Errorf("an expired tile: %v", err)
	}
	if _, err := q.TileMask(ctx, "p1", 0); domain.ErrorCode(err) != domain.ENotFound {
		t.Errorf("an expired tile's mask: %v", err)
	}
	if _, err := q.Upload(ctx, id); domain.ErrorCode(err) != domain.ENotFound {
		t.Errorf("an expired upload: %v", err)
	}
}

// TestPreviewWaitIsBounded: with no worker, a preview answers ETimeout
// after Wait, and the result a late worker hands over expires unread.
func TestPreviewWaitIsBounded(t *testing.T) {
	opt, _ := redis.ParseURL(testenv.Redis(t, redisDB))
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { rdb.Close() })
	q := NewPreviews(rdb)
	q.Wait = time.Second
	start := time.Now()
	_, err := q.Preview(context.Background(), &domain.Preview{ID: "p2", Size: 64})
	if domain.ErrorCode(err) != domain.ETimeout || time.Since(start) > 3*time.Second {
		t.Fatalf("with no worker: %v after %v", err, time.Since(start))
	}
	if err := q.Done(context.Background(), "p2", &domain.PreviewResult{}); err != nil {
		t.Fatal(err)
	}
	if ttl := rdb.TTL(context.Background(), resultKey("p2")).Val(); ttl <= 0 || ttl > q.Wait+time.Minute {
		t.Errorf("an unread result is kept for %v", ttl)
	}
}
