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
		s.serveThumb(c, j, domain.ThumbRequest{JobID: j.ID, Key: domain.ThumbKey(j.ID, v.Index), From: v.Key},
			fmt.Sprintf("/api/v1/jobs/%s/variants/%d", j.ID, v.Index))
	}
}

// getSourceThumb serves the source's thumbnail.
func (s *Server) getSourceThumb(c *gin.Context) {
	if j := s.jobSource(c); j != nil {
		s.serveThumb(c, j, domain.ThumbRequest{JobID: j.ID, Key: domain.SourceThumbKey(j.ID), From: j.Source.Key},
			"/api/v1/jobs/"+j.ID+"/source")
	}
}

// thumbWait is how long a thumbnail not made yet is waited for.
const thumbWait = 2 * time.Second

// serveThumb serves the thumbnail t of job j. One not there yet is asked
// for (a job a person waited on has them made only when asked for, an
// ended job's may have failed or come before thumbnails were; another
// job's are made as it runs) and waited for briefly; one that is not there
// then sends the browser to the full image, uncached, so that the
// thumbnail is served once it exists.
func (s *Server) serveThumb(c *gin.Context, j *domain.Job, t domain.ThumbRequest, full string) {
	ctx := c.Request.Context()
	r, size, err := s.Blobs.Get(ctx, t.Key)
	if domain.ErrorCode(err) == domain.ENotFound {
		if s.Thumbs != nil && (j.Priority == domain.PriorityInteractive || j.Status.Ended()) {
			if aerr := s.Thumbs.AskThumb(ctx, t); aerr != nil {
				s.Log.Warn("asking for a thumbnail", "key", t.Key, "err", aerr)
			}
		}
		// NOTE: the worker announces each thumbnail it makes; the hub's
		// fallback looks again should the news be lost.
		wctx, cancel := context.WithTimeout(ctx, thumbWait)
		defer cancel()
		_ = s.Events.Follow(wctx, j.ID, 0, func(context.Context) (bool, error) {
			r, size, err = s.Blobs.Get(ctx, t.Key)
			return domain.ErrorCode(err) != domain.ENotFound, nil
		})
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
