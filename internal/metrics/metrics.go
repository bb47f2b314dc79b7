// Package metrics defines augment's Prometheus metrics. The api serves them
// at /metrics with asynq's queue metrics; the worker serves its own at
// METRICS_ADDR.
package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

var (
	// JobsFinished counts jobs by outcome: done, or the failure's error code.
	JobsFinished = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "augment_jobs_finished_total", Help: "Jobs finished, by outcome (done or the error code).",
	}, []string{"outcome"})
	// JobsSubmitted counts jobs the api accepted, by queue.
	JobsSubmitted = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "augment_jobs_submitted_total", Help: "Jobs accepted by the api, by queue.",
	}, []string{"queue"})
	// RenderSeconds times the rendering and encoding of one variant.
	RenderSeconds = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "augment_variant_render_seconds", Help: "Time to render and encode one variant.",
		Buckets: prometheus.ExponentialBuckets(0.002, 2, 12),
	})
	// DecodeSeconds times decoding a job's source once.
	DecodeSeconds = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "augment_source_decode_seconds", Help: "Time to decode a job's source image.",
		Buckets: prometheus.ExponentialBuckets(0.002, 2, 12),
	})
	// ThumbSeconds times making one thumbnail from an encoded image.
	ThumbSeconds = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "augment_thumbnail_seconds", Help: "Time to make one thumbnail from an encoded image.",
		Buckets: prometheus.ExponentialBuckets(0.002, 2, 12),
	})
	// FetchSeconds times downloads of source URLs.
	FetchSeconds = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "augment_fetch_seconds", Help: "Time to download a source URL.",
		Buckets: prometheus.ExponentialBuckets(0.01, 2, 12),
	})
	// FetchBytes sizes downloads of source URLs.
	FetchBytes = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "augment_fetch_bytes", Help: "Size of downloaded sources.",
		Buckets: prometheus.ExponentialBuckets(16<<10, 2, 12),
	})
	// Swept counts what the worker's sweeper did to unfinished jobs whose task
	// would not run: requeued_gone, requeued_archived, requeued_completed, failed.
	Swept = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "augment_sweeper_jobs_total", Help: "Unfinished jobs whose task would not run, by what the sweeper did.",
	}, []string{"action"})
	// SyncWaitSeconds times how long GET /?url= waited for its job.
	SyncWaitSeconds = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "augment_sync_wait_seconds", Help: "Time GET /?url= waited for its job, by how it ended.",
		Buckets: prometheus.ExponentialBuckets(0.05, 2, 11),
	})
)

// Handler serves the default registry plus extra collectors.
func Handler(extra ...prometheus.Collector) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		JobsFinished, JobsSubmitted, Swept, RenderSeconds, DecodeSeconds, ThumbSeconds, FetchSeconds, FetchBytes, SyncWaitSeconds)
	reg.MustRegister(extra...)
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}

// Since observes the seconds since start on h.
func Since(h prometheus.Observer, start time.Time) { h.Observe(time.Since(start).Seconds()) }
