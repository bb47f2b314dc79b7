package web

import (
	"encoding/json"
	"math/rand/v2"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/augment-ml/augment/internal/augment"
)

// explorePage serves /explore: a source (?url=, an upload, or ?job=ID), a
// pipeline (?pipeline=[…] or ?preset=, else the default preset) and its
// tiles, which explore.js asks POST /api/v1/previews for.
func (s *Server) explorePage(c *gin.Context) {
	presets := augment.Presets()
	pipelines := make(map[string]json.RawMessage, len(presets))
	for _, p := range presets {
		pipelines[p.Name] = p.Pipeline
	}
	preset := c.DefaultQuery("preset", "default")
	pipeline := c.Query("pipeline")
	if pipeline != "" {
		preset = ""
	}
	seed := rand.Int64N(1_000_000)
	if v, err := strconv.ParseInt(c.Query("seed"), 10, 64); err == nil && v >= 0 && v <= maxSeed {
		seed = v
	}
	s.pageOK(c, "explore.html", "Explore a pipeline", gin.H{
		"Presets": presets, "Preset": preset, "Pipeline": pipeline, "URL": c.Query("url"), "JobID": c.Query("job"),
		"Seed":      seed,
		"Catalogue": gin.H{"ops": augment.Catalogue(), "presets": pipelines},
		"Start":     gin.H{"job": c.Query("job"), "url": c.Query("url"), "seedGiven": c.Query("seed") != ""},
		"Copies": []gin.H{
			{"ID": "pipeline", "Title": "The pipeline (JSON)"},
			{"ID": "job", "Title": "A job of this image (curl)"},
			{"ID": "batch", "Title": "A batch of image URLs (curl)"},
		},
	})
}
