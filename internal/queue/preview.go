package queue

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/augment-ml/augment/internal/domain"
)

// TypePreview is the task that renders a preview's tiles.
const TypePreview = "augment:preview"

// Previews keeps previews in Redis, beside the queue: the api queues them
// and waits for their result; the worker reads their uploaded sources and
// writes their tiles and result. Everything expires after TTL: nothing
// else ever deletes a preview.
type Previews struct {
	rdb    redis.UniversalClient
	client *asynq.Client
	TTL    time.Duration // how long tiles and uploads are kept
	Wait   time.Duration // how long Preview waits for a worker
}

// Preview defaults.
const (
	PreviewTTL  = 10 * time.Minute
	PreviewWait = 20 * time.Second
)

// NewPreviews returns Previews on the caller's Redis client.
func NewPreviews(rdb redis.UniversalClient) *Previews {
	return &Previews{rdb: rdb, client: asynq.NewClientFromRedisClient(rdb), TTL: PreviewTTL, Wait: PreviewWait}
}

func resultKey(id string) string      { return "augment:preview:" + id + ":result" }
func tileKey(id string, i int) string { return "augment:preview:" + id + ":tile:" + strconv.Itoa(i) }
func uploadKey(id string) string      { return "augment:preview:upload:" + id }
func maskKey(id string, i int) string { return tileKey(id, i) + ":mask" }

// tileValue is a tile in Redis: its format, a newline, its bytes.
func tileValue(format string, buf []byte) []byte {
	return append([]byte(format+"\n"), buf...)
}

// Preview implements domain.Previewer: it queues p on the interactive queue,
// for no longer than Wait, and waits for the worker's result.
func (q *Previews) Preview(ctx context.Context, p *domain.Preview) (*domain.PreviewResult, error) {
	body, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	// NOTE: no retry: the person who asked has moved on by then, and a
	// preview that cannot render fails the same way again.
	task := asynq.NewTask(TypePreview, body, asynq.TaskID(p.ID), asynq.Queue(QueueInteractive),
		asynq.MaxRetry(0), asynq.Deadline(time.Now().Add(q.Wait)))
	if _, err := q.client.EnqueueContext(ctx, task); err != nil {
		return nil, domain.Wrap(err, domain.EUnavailable, "The preview queue is unavailable; try again shortly.")
	}
	_ = wake(ctx, q.rdb, p.ID) // NOTE: the task is queued: without the wake-up it waits for a server's next look
	wctx, cancel := context.WithTimeout(ctx, q.Wait)
	defer cancel()
	res, err := q.rdb.BLPop(wctx, q.Wait, resultKey(p.ID)).Result()
	switch {
	case errors.Is(err, redis.Nil) || wctx.Err() != nil && ctx.Err() == nil:
		return nil, domain.Errorf(domain.ETimeout, "No worker rendered the preview within %v; the workers are busy, try again shortly.", q.Wait)
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case err != nil:
		return nil, domain.Wrap(err, domain.EUnavailable, "The preview queue is unavailable; try again shortly.")
	}
	var out domain.PreviewResult
	if err := json.Unmarshal([]byte(res[1]), &out); err != nil {
		return nil, fmt.Errorf("queue: preview %s: result: %w", p.ID, err)
	}
	if out.Error != nil {
		return nil, domain.Errorf(out.Error.Code, "%s", out.Error.Message)
	}
	return &out, nil
}

// Tile implements domain.Previewer.
func (q *Previews) Tile(ctx context.Context, id string, index int) ([]byte, string, error) {
	return q.tile(ctx, tileKey(id, index), fmt.Sprintf("Preview %s has no tile %d", id, index))
}

// TileMask implements domain.Previewer.
func (q *Previews) TileMask(ctx context.Context, id string, index int) ([]byte, error) {
	b, _, err := q.tile(ctx, maskKey(id, index), fmt.Sprintf("Preview %s has no mask for tile %d", id, index))
	return b, err
}

// tile reads a tileValue; missing says what is not there.
func (q *Previews) tile(ctx context.Context, key, missing string) ([]byte, string, error) {
	b, err := q.rdb.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, "", domain.Errorf(domain.ENotFound, "%s: previews are kept for %v.", missing, q.TTL)
	}
	if err != nil {
		return nil, "", domain.Wrap(err, domain.EUnavailable, "The preview store is unavailable; try again shortly.")
	}
	for i, c := range b {
		if c == '\n' {
			return b[i+1:], string(b[:i]), nil
		}
	}
	return nil, "", fmt.Errorf("queue: %s: no format", key)
}

// PutUpload implements domain.Previewer: the upload is kept under its
// SHA-256 for TTL, again from now when the same file comes again.
func (q *Previews) PutUpload(ctx context.Context, buf []byte) (string, error) {
	sum := sha256.Sum256(buf)
	id := hex.EncodeToString(sum[:16])
	if err := q.rdb.Set(ctx, uploadKey(id), buf, q.TTL).Err(); err != nil {
		return "", domain.Wrap(err, domain.EUnavailable, "The preview store is unavailable; try again shortly.")
	}
	return id, nil
}

// Upload returns an upload PutUpload kept, and keeps it TTL longer.
func (q *Previews) Upload(ctx context.Context, id string) ([]byte, error) {
	b, err := q.rdb.GetEx(ctx, uploadKey(id), q.TTL).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, domain.Errorf(domain.ENotFound, "The uploaded source %s is no longer kept (previews keep uploads for %v); upload it again.", id, q.TTL)
	}
	return b, err
}

// KnowsUpload says whether the upload id is still kept.
func (q *Previews) KnowsUpload(ctx context.Context, id string) (bool, error) {
	n, err := q.rdb.Exists(ctx, uploadKey(id)).Result()
	if err != nil {
		return false, domain.Wrap(err, domain.EUnavailable, "The preview store is unavailable; try again shortly.")
	}
	return n == 1, nil
}

// PutTile keeps tile index of preview id for TTL, and its mask (a PNG; nil
// for none).
func (q *Previews) PutTile(ctx context.Context, id string, index int, format string, buf, mask []byte) error {
	_, err := q.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, tileKey(id, index), tileValue(format, buf), q.TTL)
		if mask != nil {
			p.Set(ctx, maskKey(id, index), tileValue("png", mask), q.TTL)
		}
		return nil
	})
	return err
}

// Done hands the result of preview id to the api waiting for it.
func (q *Previews) Done(ctx context.Context, id string, res *domain.PreviewResult) error {
	body, err := json.Marshal(res)
	if err != nil {
		return err
	}
	_, err = q.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.RPush(ctx, resultKey(id), body)
		// NOTE: the api takes the result at once; this bounds a result
		// nobody waited for.
		p.Expire(ctx, resultKey(id), q.Wait+time.Minute)
		return nil
	})
	return err
}

// ParsePreview reads a TypePreview task's body.
func ParsePreview(t *asynq.Task) (*domain.Preview, error) {
	var p domain.Preview
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.ID == "" {
		return nil, fmt.Errorf("queue: bad preview payload: %w", asynq.SkipRetry)
	}
	return &p, nil
}
