// Command api serves augment's pages and JSON API and queues jobs for the
// workers. It never links libvips.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/hibiken/asynq"
	asynqmetrics "github.com/hibiken/asynq/x/metrics"
	"github.com/hibiken/asynqmon"
	"github.com/redis/go-redis/v9"

	"github.com/augment-ml/augment/internal/config"
	"github.com/augment-ml/augment/internal/events"
	"github.com/augment-ml/augment/internal/metrics"
	"github.com/augment-ml/augment/internal/postgres"
	"github.com/augment-ml/augment/internal/queue"
	"github.com/augment-ml/augment/internal/storage"
	"github.com/augment-ml/augment/internal/web"
)

// Config is everything the api reads from its environment.
type Config struct {
	HTTPAddr       string
	RedisURL       string
	DatabaseURL    string
	StorageURL     string
	SyncTimeout    time.Duration
	MaxUploadBytes int64
	MaxPixels      int
	MaxCost        float64
	APIToken       string
	RateLimit      int
	TrustedProxies []netip.Prefix
	Limits         web.Limits
	HTTP           web.HTTPLimits
}

// LoadConfig reads the api's configuration through getenv.
func LoadConfig(getenv func(string) string) (Config, error) {
	e := config.New(getenv)
	c := Config{
		HTTPAddr:       e.String("HTTP_ADDR", ":8000"),
		RedisURL:       e.String("REDIS_URL", "redis://127.0.0.1:6379/0"),
		DatabaseURL:    e.String("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/augment?sslmode=disable"),
		StorageURL:     e.String("STORAGE_URL", "file://./data"),
		SyncTimeout:    e.Duration("SYNC_TIMEOUT", 30*time.Second),
		MaxUploadBytes: e.Int("FETCH_MAX_BYTES", 20<<20, 1),
		MaxPixels:      int(e.Int("MAX_PIXELS", 50_000_000, 1)),
		MaxCost:        float64(e.Int("JOB_MAX_COST", 600, 0)),
		APIToken:       getenv("API_TOKEN"),
		RateLimit:      int(e.Int("RATE_LIMIT", 120, 0)),
		TrustedProxies: e.Prefixes("TRUSTED_PROXIES", "127.0.0.1,::1"),
	}
	c.Limits = web.Limits{
		MaxURLs:       e.Int("BATCH_MAX_URLS", 100_000, 1),
		MaxEntries:    int(e.Int("ARCHIVE_MAX_ENTRIES", 10_000, 1)),
		MaxEntryBytes: c.MaxUploadBytes,
		MaxTotalBytes: e.Int("ARCHIVE_MAX_BYTES", 1<<30, 1),
	}
	c.HTTP = web.HTTPLimits{
		ReadTimeout:  e.Duration("HTTP_READ_TIMEOUT", 10*time.Second),
		MinBodyRate:  e.Int("HTTP_MIN_BODY_RATE", 16<<10, 1),
		WriteTimeout: e.Duration("HTTP_WRITE_TIMEOUT", time.Minute),
		IdleTimeout:  e.Duration("HTTP_IDLE_TIMEOUT", time.Minute),
		MaxConns:     int(e.Int("HTTP_MAX_CONNS", 1024, 1)),
	}
	_, err := redis.ParseURL(c.RedisURL)
	e.Check("REDIS_URL", err)
	return c, e.Err()
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	cfg, err := LoadConfig(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "api: configuration:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if len(os.Args) > 1 && os.Args[1] == "migrate" {
		err = migrate(ctx, cfg)
	} else {
		err = Main(ctx, cfg, log)
	}
	if err != nil {
		log.Error("api stopped", "err", err)
		os.Exit(1)
	}
}

func migrate(ctx context.Context, cfg Config) error {
	if err := postgres.CreateDatabase(ctx, cfg.DatabaseURL); err != nil {
		return err
	}
	db, err := postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Migrate(ctx)
}

// Main serves until ctx is cancelled, then drains requests in flight.
func Main(ctx context.Context, cfg Config, log *slog.Logger) error {
	if err := migrate(ctx, cfg); err != nil {
		return err
	}
	db, err := postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	blobs, err := storage.Open(ctx, cfg.StorageURL)
	if err != nil {
		return err
	}
	ropt, _ := redis.ParseURL(cfg.RedisURL)
	rdb := redis.NewClient(ropt)
	defer rdb.Close()
	enq := queue.NewEnqueuer(rdb)
	inspector := asynq.NewInspectorFromRedisClient(rdb)
	monOpt, _ := asynq.ParseRedisURI(cfg.RedisURL)
	monitor := asynqmon.New(asynqmon.Options{RootPath: "/monitoring", RedisConnOpt: monOpt})
	defer monitor.Close()

	// NOTE: waiters read again every second without news, and a lost listening
	// connection is retried every second: lost news costs at most a second.
	hub := events.New(time.Second)
	go func() {
		_ = db.Listen(ctx, hub, time.Second, func(err error) { log.Warn("job news", "err", err) })
	}()

	srv := &web.Server{
		Jobs: db, Batches: db, Versions: db, Queue: enq, Thumbs: enq, Blobs: blobs, Events: hub, Limits: cfg.Limits,
		Previews: queue.NewPreviews(rdb),
		Ready: []web.Check{
			{Name: "Redis", Ping: func(ctx context.Context) error { return rdb.Ping(ctx).Err() }},
			{Name: "PostgreSQL", Ping: db.Ping},
		},
		SyncTimeout:    cfg.SyncTimeout,
		MaxUploadBytes: cfg.MaxUploadBytes,
		MaxPixels:      cfg.MaxPixels,
		MaxCost:        cfg.MaxCost,
		Token:          cfg.APIToken,
		RateLimit:      cfg.RateLimit,
		TrustedProxies: cfg.TrustedProxies,
		Monitor:        monitor,
		Metrics:        metrics.Handler(asynqmetrics.NewQueueMetricsCollector(inspector)),
		Log:            log,
	}
	ln, err := web.Listen(cfg.HTTPAddr, cfg.HTTP)
	if err != nil {
		return err
	}
	hs := web.NewHTTPServer(srv.Handler(), cfg.HTTP)
	hs.RegisterOnShutdown(hub.Close) // event streams end, so shutdown need not wait for them
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	log.Info("api listening", "addr", cfg.HTTPAddr)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("api shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.SyncTimeout+5*time.Second)
	defer cancel()
	return hs.Shutdown(sctx)
}
