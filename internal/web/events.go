package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

const (
	// keepAlive is how long a stream stays silent at most: a comment line
	// then tells proxies, and the server, that the reader is still there.
	keepAlive = 15 * time.Second
	// batchEventGap spaces a batch's events: a large batch changes many
	// times a second, and each read counts all its jobs.
	batchEventGap = 500 * time.Millisecond
)

// jobEvents streams a job as server-sent events: `event: job` with the job's
// JSON (as GET /api/v1/jobs/{id} answers it) at once and again each time it
// changes, until it ends.
func (s *Server) jobEvents(c *gin.Context) {
	id := c.Param("id")
	s.stream(c, "job", id, 0, func(ctx context.Context) (any, bool, error) {
		j, err := s.Jobs.Job(ctx, id)
		if err != nil {
			return nil, false, err
		}
		return jobView(j), j.Status.Ended(), nil
	})
}

// batchEvents streams a batch likewise (`event: batch`, at most one every
// batchEventGap) until every job of it has ended.
func (s *Server) batchEvents(c *gin.Context) {
	id := c.Param("id")
	s.stream(c, "batch", id, batchEventGap, func(ctx context.Context) (any, bool, error) {
		b, err := s.Batches.Batch(ctx, id)
		if err != nil {
			return nil, false, err
		}
		return batchView(b), b.Status.Ended(), nil
	})
}

// stream follows the job or batch id, sending what read returns whenever it
// differs from what was sent last. An error before the first event answers
// as any error does (404 for an unknown id); after it, the stream ends and
// the reader's EventSource connects again.
func (s *Server) stream(c *gin.Context, event, id string, gap time.Duration, read func(context.Context) (any, bool, error)) {
	var last []byte
	var sent time.Time
	err := s.Events.Follow(c.Request.Context(), id, gap, func(ctx context.Context) (bool, error) {
		v, done, err := read(ctx)
		if err != nil {
			return false, err
		}
		b, err := json.Marshal(v)
		if err != nil {
			return false, err
		}
		if last == nil {
			// NOTE: a stream outlives the write timeout meant for ordinary answers.
			_ = http.NewResponseController(c.Writer).SetWriteDeadline(time.Time{})
			c.Header("Cache-Control", "no-store")
			c.Header("X-Accel-Buffering", "no") // nginx would hold the events back
		}
		switch {
		case !bytes.Equal(b, last):
			c.SSEvent(event, json.RawMessage(b))
		case time.Since(sent) >= keepAlive:
			_, _ = io.WriteString(c.Writer, ": keep-alive\n\n")
		default:
			return done, nil
		}
		last, sent = b, time.Now()
		c.Writer.Flush()
		return done || c.Request.Method == http.MethodHead, nil // HEAD: the headers are the answer
	})
	switch {
	case err == nil || c.Request.Context().Err() != nil || errors.Is(err, context.Canceled):
	case last == nil:
		s.fail(c, err)
	default:
		s.Log.Warn("event stream ended", "id", id, "err", err)
	}
}
