package web

import (
	"fmt"
	"net/http"

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
		s.serveThumb(c, domain.ThumbKey(j.ID, v.Index), fmt.Sprintf("/api/v1/jobs/%s/variants/%d", j.ID, v.Index))
	}
}

// getSourceThumb serves the source's thumbnail.
func (s *Server) getSourceThumb(c *gin.Context) {
	if j := s.jobSource(c); j != nil {
		s.serveThumb(c, domain.SourceThumbKey(j.ID), "/api/v1/jobs/"+j.ID+"/source")
	}
}

// serveThumb serves the thumbnail under key; a job made before the worker
// wrote thumbnails has none, and the browser is sent to the full image.
func (s *Server) serveThumb(c *gin.Context, key, full string) {
	r, size, err := s.Blobs.Get(c.Request.Context(), key)
	if domain.ErrorCode(err) == domain.ENotFound {
		c.Header("Cache-Control", "public, max-age=3600")
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
