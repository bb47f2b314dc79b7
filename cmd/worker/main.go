// Command worker runs augment's asynq workers: it fetches sources and renders
// their variants with libvips.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/augment-ml/augment/internal/config"
	"github.com/augment-ml/augment/internal/fetch"
	"github.com/augment-ml/augment/internal/imaging"
	"github.com/augment-ml/augment/internal/metrics"
	"github.com/augment-ml/augment/internal/postgres"
	"github.com/augment-ml/augment/internal/queue"
	"github.com/augment-ml/augment/internal/storage"
	"github.com/augment-ml/augment/internal/worker"
)

// Config is everything the worker reads from its environment.
type Config struct {
	RedisURL        string
	DatabaseURL     string
	StorageURL      string
	AllowPrivate    bool
	FetchMaxBytes   int64
	MaxPixels       int
	Concurrency     int
	ShutdownTimeout time.Duration
	MetricsAddr     string
	CheckInterval   time.Duration
}

// LoadConfig reads the worker's configuration through getenv.
func LoadConfig(getenv func(string) string) (Config, error) {
	e := config.New(getenv)
	c := Config{
		RedisURL:        e.String("REDIS_URL", "redis://127.0.0.1:6379/0"),
		DatabaseURL:     e.String("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/augment?sslmode=disable"),
		StorageURL:      e.String("STORAGE_URL", "file://./data"),
		AllowPrivate:    e.Bool("FETCH_ALLOW_PRIVATE", false),
		FetchMaxBytes:   e.Int("FETCH_MAX_BYTES", 20<<20, 1),
		MaxPixels:       int(e.Int("MAX_PIXELS", 50_000_000, 1)),
		Concurrency:     int(e.Int("WORKER_CONCURRENCY", int64(runtime.NumCPU()), 1)),
		ShutdownTimeout: e.Duration("SHUTDOWN_TIMEOUT", 25*time.Second),
		MetricsAddr:     e.String("METRICS_ADDR", ":9101"),
		CheckInterval:   e.Duration("QUEUE_CHECK_INTERVAL", 5*time.Millisecond),
	}
	_, err := redis.ParseURL(c.RedisURL)
	e.Check("REDIS_URL", err)
	return c, e.Err()
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	cfg, err := LoadConfig(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "worker: configuration:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := Main(ctx, cfg, log); err != nil {
		log.Error("worker stopped", "err", err)
		os.Exit(1)
	}
}

// Main runs the worker until ctx is cancelled, then lets running tasks
// finish (or hands them back to the queue) before it returns.
func Main(ctx context.Context, cfg Config, log *slog.Logger) error {
	imaging.Init(imaging.Config{})
	if err := postgres.CreateDatabase(ctx, cfg.DatabaseURL); err != nil {
		return err
	}
	db, err := postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	blobs, err := storage.Open(ctx, cfg.StorageURL)
	if err != nil {
		return err
	}
	ropt, _ := redis.ParseURL(cfg.RedisURL)
	rdb := redis.NewClient(ropt)
	defer rdb.Close()
	h := &worker.Handler{
		Jobs:      db,
		Blobs:     blobs,
		Fetcher:   fetch.New(fetch.Config{AllowPrivate: cfg.AllowPrivate, MaxBytes: cfg.FetchMaxBytes}),
		MaxPixels: cfg.MaxPixels,
		Log:       log,
	}
	srv := asynq.NewServerFromRedisClient(rdb, asynq.Config{
		Concurrency:     cfg.Concurrency,
		Queues:          queue.Queues,
		StrictPriority:  true,
		ShutdownTimeout: cfg.ShutdownTimeout,
		// NOTE: an idle worker looks for tasks this often (asynq has no wake-up
		// on enqueue), so it is what a ?url= page waits before its job starts:
		// half of it on average. asynq's default of 1 s would add up to a second
		// to every page; 5 ms costs Redis about 1,600 commands a second per idle
		// worker (README, Performance).
		TaskCheckInterval: cfg.CheckInterval,
		Logger:            queue.Logger(log),
	})
	sweeper := &worker.Sweeper{Jobs: db, Queue: queue.NewEnqueuer(rdb), Age: 2 * time.Minute, Every: time.Minute, Log: log}
	go sweeper.Run(ctx)
	mux := asynq.NewServeMux()
	mux.Handle(queue.TypeAugment, h)
	if err := srv.Start(mux); err != nil {
		return fmt.Errorf("worker: start: %w", err)
	}
	log.Info("worker started", "concurrency", cfg.Concurrency)
	ms := serveMetrics(cfg.MetricsAddr, log)
	<-ctx.Done()
	log.Info("worker shutting down")
	srv.Shutdown() // waits up to ShutdownTimeout; unfinished tasks go back to the queue
	_ = ms.Close()
	return nil
}

// serveMetrics serves /metrics and /healthz for the worker; "off" disables it.
func serveMetrics(addr string, log *slog.Logger) *http.Server {
	mux := http.NewServeMux()
	mux.Handle("/metrics", metrics.Handler())
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	hs := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	if addr == "off" {
		return hs
	}
	go func() {
		if err := hs.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics server", "err", err)
		}
	}()
	return hs
}
