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
	"runtime/debug"
	"sync"
	"syscall"
	"time"

	"github.com/h2non/bimg"
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
	MaxCost         float64
	JobTimeout      time.Duration
	Concurrency     int
	Interactive     int // slots kept for the interactive queue, beside Concurrency
	ShutdownTimeout time.Duration
	MetricsAddr     string
	CheckInterval   time.Duration
	SweepInterval   time.Duration
	Retention       time.Duration // 0: keep ended jobs for good
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
		MaxCost:         float64(e.Int("JOB_MAX_COST", 600, 0)),
		JobTimeout:      e.Duration("JOB_TIMEOUT", 10*time.Minute),
		Concurrency:     int(e.Int("WORKER_CONCURRENCY", int64(runtime.NumCPU()), 1)),
		Interactive:     int(e.Int("INTERACTIVE_CONCURRENCY", 1, 0)),
		ShutdownTimeout: e.Duration("SHUTDOWN_TIMEOUT", 25*time.Second),
		MetricsAddr:     e.String("METRICS_ADDR", ":9101"),
		CheckInterval:   e.Duration("QUEUE_CHECK_INTERVAL", 100*time.Millisecond),
		SweepInterval:   e.Duration("SWEEP_INTERVAL", time.Minute),
		Retention:       e.Duration("RETENTION", 0),
	}
	if c.JobTimeout > queue.Timeout-queue.TimeoutMargin {
		e.Check("JOB_TIMEOUT", fmt.Errorf("%v is longer than the most a job may run, %v", c.JobTimeout, queue.Timeout-queue.TimeoutMargin))
	}
	_, err := redis.ParseURL(c.RedisURL)
	e.Check("REDIS_URL", err)
	return c, e.Err()
}

// gcPercent is the worker's GOGC unless the environment sets one. Its Go
// heap holds only bytes (sources, encoded variants; the pixels are
// libvips'), 2 MB live at rest, so at Go's 100 it was collected during 7
// jobs in 10 of 1-variant ?url= requests, ~1 ms each; at 400 it grows to
// five times what is live before a collection (~10 MB at rest; peak RSS at
// the limits unchanged, BenchmarkBigSource).
const gcPercent = 400

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	cfg, err := LoadConfig(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "worker: configuration:", err)
		os.Exit(2)
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := Main(ctx, cfg, log); err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		os.Exit(1)
	}
}

// Main runs the worker until ctx is cancelled, then lets running tasks
// finish (or hands them back to the queue) before it returns.
func Main(ctx context.Context, cfg Config, log *slog.Logger) error {
	imaging.Init(imaging.Config{})
	db, err := postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := checkSchema(ctx, db, 2*time.Minute, log); err != nil {
		return err
	}
	// The report of a dataset batch names the libvips its variants came from.
	if err := db.SetVersion(ctx, "libvips", bimg.VipsVersion); err != nil {
		log.Warn("recording libvips' version", "err", err)
	}
	blobs, err := storage.Open(ctx, cfg.StorageURL)
	if err != nil {
		return err
	}
	go func() { // NOTE: beside the first jobs, not before them
		if err := worker.WriteOpExamples(ctx, blobs, log); err != nil && ctx.Err() == nil {
			log.Warn("the operations reference's examples", "err", err)
		}
	}()
	ropt, _ := redis.ParseURL(cfg.RedisURL)
	rdb := redis.NewClient(ropt)
	defer rdb.Close()
	h := &worker.Handler{
		Jobs:       db,
		Blobs:      blobs,
		Fetcher:    fetch.New(fetch.Config{AllowPrivate: cfg.AllowPrivate, MaxBytes: cfg.FetchMaxBytes}),
		MaxPixels:  cfg.MaxPixels,
		MaxCost:    cfg.MaxCost,
		JobTimeout: cfg.JobTimeout,
		Parallel:   runtime.NumCPU(),
		Log:        log,
	}
	// NOTE: an idle server looks for tasks every check interval (asynq has no
	// wake-up on enqueue), which a ?url= page would wait before its job
	// starts. The interactive slots are not a server's: they block on a
	// wake-up the api sends with each interactive job (queue.Taker), so the
	// job starts at once and the servers may look only every 100 ms. They
	// take only interactive jobs, so one is always free for a person's job
	// while the others are busy with a long batch.
	servers := []*asynq.Server{newServer(rdb, cfg, cfg.Concurrency, queue.Queues, cfg.CheckInterval, log)}
	sweeper := &worker.Sweeper{
		Jobs: db, Tasks: queue.NewEnqueuer(rdb), Age: 2 * cfg.SweepInterval, Every: cfg.SweepInterval,
		Blobs: blobs, MaxRequeues: 3, Log: log,
	}
	go sweeper.Run(ctx)
	if cfg.Retention > 0 {
		r := &worker.Retention{Store: db, Blobs: blobs, After: cfg.Retention, Log: log}
		go r.Run(ctx, cfg.SweepInterval)
	}
	mux := asynq.NewServeMux()
	mux.Handle(queue.TypeAugment, h)
	mux.Handle(queue.TypePreview, &worker.Previewer{
		Store: queue.NewPreviews(rdb), Blobs: blobs, Fetcher: h.Fetcher, MaxPixels: cfg.MaxPixels, Log: log,
	})
	thumbs := &worker.ThumbMaker{Jobs: db, Blobs: blobs, At: runtime.NumCPU(), Log: log}
	mux.Handle(queue.TypeThumb, thumbs)
	interactive := &worker.Interactive{
		Handler: mux, Tasks: queue.NewTaker(rdb), Slots: cfg.Interactive,
		Lease: worker.LeaseTime, Grace: cfg.ShutdownTimeout, Log: log,
	}
	for _, srv := range servers {
		if err := srv.Start(mux); err != nil {
			return fmt.Errorf("worker: start: %w", err)
		}
	}
	slots := make(chan struct{})
	go func() { interactive.Run(ctx); close(slots) }()
	log.Info("worker started", "concurrency", cfg.Concurrency, "interactive", cfg.Interactive)
	ms := serveMetrics(cfg.MetricsAddr, log)
	<-ctx.Done()
	log.Info("worker shutting down")
	var wg sync.WaitGroup
	for _, srv := range servers {
		wg.Go(srv.Shutdown) // waits up to ShutdownTimeout; unfinished tasks go back to the queue
	}
	wg.Wait()
	<-slots // NOTE: they stop with ctx, giving their jobs ShutdownTimeout too
	thumbs.Wait()
	_ = ms.Close()
	return nil
}

// newServer returns an asynq server running n tasks at once from queues,
// looking for one every check when idle.
func newServer(rdb redis.UniversalClient, cfg Config, n int, queues map[string]int, check time.Duration, log *slog.Logger) *asynq.Server {
	return asynq.NewServerFromRedisClient(rdb, asynq.Config{
		Concurrency:       n,
		Queues:            queues,
		StrictPriority:    true,
		ShutdownTimeout:   cfg.ShutdownTimeout,
		TaskCheckInterval: check,
		Logger:            queue.Logger(log),
	})
}

// checkSchema refuses a database this worker cannot work with: one that
// does not exist (only the api creates and migrates databases), or one
// migrated past what this build knows. A database behind is waited for, up to
// patience, since the api migrates it at start.
func checkSchema(ctx context.Context, db *postgres.DB, patience time.Duration, log *slog.Logger) error {
	deadline := time.Now().Add(patience)
	for {
		current, known, err := db.SchemaVersion(ctx)
		switch {
		case err != nil:
			return fmt.Errorf("DATABASE_URL: %w; the worker never creates or migrates a database: start the api, which does, or correct DATABASE_URL", err)
		case current > known:
			return fmt.Errorf("DATABASE_URL: the database's schema is at version %d, newer than this worker knows (%d): run the worker of the api's release", current, known)
		case current == known:
			return nil
		case time.Now().After(deadline):
			return fmt.Errorf("DATABASE_URL: the database's schema is at version %d and this worker needs %d: the api applies the migrations at start (or run `api migrate`)", current, known)
		}
		log.Info("waiting for the api to migrate the database", "version", current, "needs", known)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2 * time.Second):
		}
	}
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
