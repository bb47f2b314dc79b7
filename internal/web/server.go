// Package web is augment's HTTP face: the JSON API under /api/v1, the HTML
// pages with their embedded templates and assets, and health endpoints.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/augment-ml/augment/internal/dataset"
	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/events"
)

// Server holds what the handlers need. Build it, then serve Handler().
type Server struct {
	Jobs           domain.JobStore
	Batches        domain.BatchStore
	Versions       domain.VersionStore // what the workers run on, for dataset reports; nil: unknown
	Queue          domain.Enqueuer
	Thumbs         domain.ThumbAsker // nil: thumbnails not found are not asked for
	Blobs          domain.Blobs
	Previews       domain.Previewer // the explorer's tiles; nil: previews answer 503
	Events         *events.Hub      // news of changed jobs and batches; nil: a hub nothing feeds (reads every second)
	Ready          []Check          // what /readyz asks: Redis and PostgreSQL
	SyncTimeout    time.Duration
	MaxUploadBytes int64
	MaxPixels      int
	MaxCost        float64 // JOB_MAX_COST: largest estimated seconds of one job; 0 is no limit
	Limits         Limits
	Token          string       // API_TOKEN; empty leaves writes open
	RateLimit      int          // writes per minute per client; 0 is no limit
	Monitor        http.Handler // the asynqmon dashboard, mounted at /monitoring
	Metrics        http.Handler // Prometheus metrics at /metrics
	Log            *slog.Logger
	// TrustedProxies may say, in X-Forwarded-Proto, that the browser came
	// over HTTPS; the login cookie is then marked Secure.
	TrustedProxies []netip.Prefix

	limits *limiter
	logins *limiter // login attempts per client address
}

// Limits bound what one batch may hold.
type Limits struct {
	MaxURLs       int64 // URLs per batch
	MaxEntries    int   // images per archive
	MaxEntryBytes int64 // one archive entry, decompressed
	MaxTotalBytes int64 // an archive upload, and all its entries decompressed
}

// Archive returns the limits that apply to reading an archive.
func (l Limits) Archive() dataset.Limits {
	return dataset.Limits{MaxEntries: l.MaxEntries, MaxEntryBytes: l.MaxEntryBytes, MaxTotalBytes: l.MaxTotalBytes}
}

// Handler returns the routes; text answers are compressed for clients that
// accept it.
func (s *Server) Handler() http.Handler { return compress(s.routes()) }

// routes maps every path to its handlers. Every GET answers HEAD too.
func (s *Server) routes() *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	if s.RateLimit > 0 {
		s.limits = newLimiter(s.RateLimit)
	}
	if s.Events == nil {
		s.Events = events.New(time.Second)
	}
	s.logins = newLimiter(loginsPerMinute)
	r := gin.New()
	_ = r.SetTrustedProxies(nil) // NOTE: rate limits key on the peer address, never on a forgeable header
	r.Use(gin.CustomRecovery(func(c *gin.Context, err any) {
		s.Log.Error("panic", "err", err, "path", c.Request.URL.Path)
		s.fail(c, domain.Errorf(domain.EInternal, "An internal error occurred."))
	}), s.logRequests)
	r.SetHTMLTemplate(templates())
	get := func(path string, h ...gin.HandlerFunc) {
		r.Match([]string{http.MethodGet, http.MethodHead}, path, h...)
	}

	get("/static/*path", s.serveStatic)
	get("/favicon.ico", s.favicon)
	get("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	get("/readyz", s.readyz)
	if s.Metrics != nil {
		get("/metrics", gin.WrapH(s.Metrics))
	}
	if s.Monitor != nil {
		get("/monitoring", s.guard, gin.WrapH(s.Monitor))
		r.Any("/monitoring/*any", s.guard, gin.WrapH(s.Monitor))
	}
	get("/login", s.loginPage)
	r.POST("/login", s.login)
	r.POST("/logout", s.logout)

	get("/", s.home)
	get("/ops", s.opsPage)
	get("/ops/:op/example", s.opExample)
	get("/explore", s.explorePage)
	get("/recent", s.needToken, s.recent)
	r.POST("/jobs", s.guard, s.submitForm)
	get("/jobs/:id", s.jobPage)
	get("/jobs/:id/compare/:index", s.comparePage)
	r.POST("/jobs/:id/reroll", s.guard, s.reroll)
	r.POST("/jobs/:id/variants/:index/pin", s.guard, s.pin)
	r.POST("/batches", s.guard, s.submitBatchForm)
	get("/batches/:id", s.batchPage)
	get("/batches/:id/results", s.batchResults)

	api := r.Group("/api/v1")
	aget := func(path string, h ...gin.HandlerFunc) {
		api.Match([]string{http.MethodGet, http.MethodHead}, path, h...)
	}
	api.POST("/jobs", s.guard, s.createJob)
	aget("/jobs", s.needToken, s.listJobs)
	aget("/jobs/:id", s.getJob)
	aget("/jobs/:id/events", s.jobEvents)
	api.POST("/jobs/:id/reroll", s.guard, s.reroll)
	api.POST("/jobs/:id/variants/:index/pin", s.guard, s.pin)
	aget("/jobs/:id/source", s.getSource)
	aget("/jobs/:id/source/thumb", s.getSourceThumb)
	aget("/jobs/:id/variants/:index", s.getVariant)
	aget("/jobs/:id/variants/:index/thumb", s.getVariantThumb)
	aget("/jobs/:id/mask", s.getMask)
	aget("/jobs/:id/variants/:index/mask", s.getVariantMask)
	api.POST("/batches", s.guard, s.createBatch)
	aget("/batches", s.needToken, s.listBatches)
	aget("/batches/:id", s.getBatch)
	aget("/batches/:id/events", s.batchEvents)
	aget("/batches/:id/jobs", s.batchJobs)
	aget("/batches/:id/archive", s.batchArchive)
	api.POST("/previews", s.guard, s.createPreview)
	aget("/previews/:id/tiles/:index", s.getPreviewTile)
	aget("/previews/:id/tiles/:index/mask", s.getPreviewTileMask)
	aget("/ops", s.ops)
	aget("/presets", s.presets)

	r.NoRoute(func(c *gin.Context) {
		s.fail(c, domain.Errorf(domain.ENotFound, "Nothing is served at %s.", c.Request.URL.Path))
	})
	return r
}

// Check is one dependency /readyz asks, by the name a person knows it by.
type Check struct {
	Name string
	Ping func(context.Context) error
}

// readyz asks every dependency at once and answers JSON naming each one's
// state: 200 when all answer, else 503 saying which do not.
func (s *Server) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 3*time.Second)
	defer cancel()
	errs := make([]error, len(s.Ready))
	var wg sync.WaitGroup
	for i, chk := range s.Ready {
		wg.Go(func() { errs[i] = chk.Ping(ctx) })
	}
	wg.Wait()
	checks := gin.H{}
	var down []string
	for i, chk := range s.Ready {
		key := strings.ToLower(chk.Name)
		if errs[i] != nil {
			s.Log.Warn("not ready", "dependency", chk.Name, "err", errs[i])
			checks[key] = "down"
			down = append(down, chk.Name)
			continue
		}
		checks[key] = "ok"
	}
	if len(down) > 0 {
		verb := " does not answer."
		if len(down) > 1 {
			verb = " do not answer."
		}
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "checks": checks, "error": gin.H{
			"code": domain.EUnavailable, "message": "Not ready: " + strings.Join(down, " and ") + verb,
		}})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready", "checks": checks})
}

func (s *Server) logRequests(c *gin.Context) {
	start := time.Now()
	c.Next()
	if strings.HasPrefix(c.Request.URL.Path, "/static/") {
		return
	}
	s.Log.Info("request", "method", c.Request.Method, "path", c.Request.URL.Path,
		"status", c.Writer.Status(), "ms", time.Since(start).Milliseconds())
}
