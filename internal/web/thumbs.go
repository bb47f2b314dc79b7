package web

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/augment-ml/augment/internal/domain"
)

// thumbJSON is where a small WebP of an image is, and its size: pages that
// show many images show these (the worker writes one beside each variant
// and the source).
type thumbJSON struct {
	Href   string `json:"href"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
}

func thumbOf(href string, w, h int) *thumbJSON {
	tw, th := domain.ThumbFit(w, h)
	return &thumbJSON{Href: href + "/thumb", Width: tw, Height: th}
}

// getVariantThumb serves a variant's thumbnail.
func (s *Server) getVariantThumb(c *gin.Context) {
	if j, v, ok := s.jobVariant(c); ok {
		s.serveThumb(c, j, domain.ThumbKey(j.ID, v.Index), fmt.Sprintf("/api/v1/jobs/%s/variants/%d", j.ID, v.Index))
	}
}

// getSourceThumb serves the source's thumbnail.
func (s *Server) getSourceThumb(c *gin.Context) {
	if j := s.jobSource(c); j != nil {
		s.serveThumb(c, j, domain.SourceThumbKey(j.ID), "/api/v1/jobs/"+j.ID+"/source")
	}
}

// thumbWait is how long a thumbnail asked for while its job runs, or just
// after it ended, is waited for: the worker makes them after the job's end.
const thumbWait = 2 * time.Second

// serveThumb serves job j's thumbnail under key. One not made yet (the
// worker makes them after the job's end) is waited for briefly; one that
// is not there then (a job made before the worker wrote thumbnails, or
// one still being made) sends the browser to the full image, uncached, so
// that the thumbnail is served once it exists.
func (s *Server) serveThumb(c *gin.Context, j *domain.Job, key, full string) {
	ctx := c.Request.Context()
	r, size, err := s.Blobs.Get(ctx, key)
	if domain.ErrorCode(err) == domain.ENotFound && (j.FinishedAt == nil || time.Since(*j.FinishedAt) < thumbWait) {
		wctx, cancel := context.WithTimeout(ctx, thumbWait)
		defer cancel()
		for domain.ErrorCode(err) == domain.ENotFound && wctx.Err() == nil {
			select {
			case <-wctx.Done():
			case <-time.After(20 * time.Millisecond):
				r, size, err = s.Blobs.Get(ctx, key)
			}
		}
	}
	if domain.ErrorCode(err) == domain.ENotFound {
		c.Header("Cache-Control", "no-store")
		c.Redirect(http.StatusFound, full)
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	defer r.Close()
	c.Header("Cache-Control", "public, max-age=31536000, immutable")
	c.DataFromReader(http.StatusOK, size, "image/webp", r, nil)
}
