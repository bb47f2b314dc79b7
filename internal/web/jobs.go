package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/augment-ml/augment/internal/cost"
	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/labels"
	"github.com/augment-ml/augment/internal/metrics"
	"github.com/augment-ml/augment/internal/queue"
)

// submit records a job, keeps its upload and queues it. When queueing fails
// the job is removed again, so no job exists that nothing will run.
func (s *Server) submit(ctx context.Context, req jobRequest, p domain.Priority) (*domain.Job, error) {
	spec, err := req.spec(false)
	if err != nil {
		return nil, err
	}
	if err := s.labelSpec(req.labelRequest, [2]int{req.size.X, req.size.Y}, &spec); err != nil {
		return nil, err
	}
	if err := cost.Check(spec, req.size.X, req.size.Y, s.MaxCost); err != nil {
		return nil, err
	}
	j := &domain.Job{ID: uuid.NewString(), Spec: spec, Priority: p, Source: domain.Source{URL: req.URL, Name: req.name}}
	if req.upload != nil {
		j.Source.Key = "jobs/" + j.ID + "/source"
		if err := s.Blobs.Put(ctx, j.Source.Key, bytes.NewReader(req.upload), int64(len(req.upload)), ""); err != nil {
			return nil, domain.Wrap(err, domain.EUnavailable, "The upload could not be stored; try again shortly.")
		}
	}
	if req.mask != nil {
		if err := s.Blobs.Put(ctx, domain.MaskKey(j.ID), bytes.NewReader(req.mask), int64(len(req.mask)), "image/png"); err != nil {
			return nil, domain.Wrap(err, domain.EUnavailable, "The mask could not be stored; try again shortly.")
		}
	}
	if err := s.record(ctx, j, req.mask != nil, req.waited); err != nil {
		return nil, err
	}
	return j, nil
}

// record records a job whose files are stored and queues it; a waited one
// (jobRequest.waited) lazily. When queueing fails the job and its files are
// removed again, so no job exists that nothing will run.
func (s *Server) record(ctx context.Context, j *domain.Job, hasMask, waited bool) error {
	create := s.Jobs.CreateJob
	if waited {
		create = s.Jobs.CreateWaitedJob
	}
	if err := create(ctx, j); err != nil {
		return domain.Wrap(err, domain.EUnavailable, "The job could not be recorded; try again shortly.")
	}
	if err := s.Queue.Enqueue(ctx, j); err != nil {
		ctx := context.WithoutCancel(ctx)
		if derr := s.Jobs.DeleteJob(ctx, j.ID); derr != nil {
			s.Log.Error("removing an unqueued job", "job_id", j.ID, "err", derr)
		}
		if j.Source.Key != "" {
			_ = s.Blobs.Delete(ctx, j.Source.Key)
		}
		if hasMask {
			_ = s.Blobs.Delete(ctx, domain.MaskKey(j.ID))
		}
		return err
	}
	metrics.JobsSubmitted.WithLabelValues(queue.QueueName(j.Priority)).Inc()
	s.Log.Info("job queued", "job_id", j.ID, "variants", j.Spec.Variants, "priority", j.Priority)
	return nil
}

func (s *Server) createJob(c *gin.Context) {
	req, err := s.readJobRequest(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	j, err := s.submit(c.Request.Context(), req, domain.PriorityDefault)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/jobs/"+j.ID)
	c.JSON(http.StatusAccepted, jobView(j))
}

func (s *Server) getJob(c *gin.Context) {
	j, err := s.Jobs.Job(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, jobView(j))
}

func (s *Server) listJobs(c *gin.Context) {
	limit, err := strconv.Atoi(c.DefaultQuery("limit", "50"))
	if err != nil || limit < 1 || limit > 500 {
		s.fail(c, domain.Errorf(domain.EInvalid, "limit must be a whole number from 1 to 500."))
		return
	}
	jobs, err := s.Jobs.Jobs(c.Request.Context(), domain.JobFilter{Limit: limit, Before: c.Query("before")})
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]jobJSON, len(jobs))
	for i, j := range jobs {
		out[i] = jobView(j)
	}
	c.JSON(http.StatusOK, gin.H{"jobs": out})
}

// jobSource is the job in the path when its source is stored; else it has
// answered 404 and is nil.
func (s *Server) jobSource(c *gin.Context) *domain.Job {
	j, err := s.Jobs.Job(c.Request.Context(), c.Param("id"))
	if err == nil && j.Source.Key == "" {
		err = domain.Errorf(domain.ENotFound, "The source of job %s has not been fetched yet.", j.ID)
	}
	if err != nil {
		s.fail(c, err)
		return nil
	}
	return j
}

// jobVariant is the job in the path and its variant of the path's index;
// else it has answered 404 and ok is false.
func (s *Server) jobVariant(c *gin.Context) (j *domain.Job, v domain.Variant, ok bool) {
	j, err := s.Jobs.Job(c.Request.Context(), c.Param("id"))
	if err == nil {
		v, err = variantOf(j, c.Param("index"))
	}
	if err != nil {
		s.fail(c, err)
		return nil, v, false
	}
	return j, v, true
}

func (s *Server) getSource(c *gin.Context) {
	if j := s.jobSource(c); j != nil {
		s.serveBlob(c, j.Source.Key, j.Source.Format)
	}
}

func (s *Server) getVariant(c *gin.Context) {
	if _, v, ok := s.jobVariant(c); ok {
		s.serveBlob(c, v.Key, v.Format)
	}
}

// getMask serves the semantic mask a job was given, as PNG.
func (s *Server) getMask(c *gin.Context) {
	j, err := s.Jobs.Job(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	if j.Spec.Mask == nil {
		s.fail(c, domain.Errorf(domain.ENotFound, "Job %s has no mask.", j.ID))
		return
	}
	s.serveMask(c, domain.MaskKey(j.ID))
}

// getVariantMask serves a variant's mask, as PNG.
func (s *Server) getVariantMask(c *gin.Context) {
	j, v, ok := s.jobVariant(c)
	if !ok {
		return
	}
	if v.Labels == nil || v.Labels.MaskKey == "" {
		s.fail(c, domain.Errorf(domain.ENotFound, "Variant %d of job %s has no mask: the job was given none.", v.Index, j.ID))
		return
	}
	s.serveMask(c, v.Labels.MaskKey)
}

// serveMask serves a mask PNG as kept or, with ?view, as the page draws it:
// a 16-bit one at 8 bits a class (see labels.Mask.ForView), since browsers
// read 16-bit PNGs at 8 and most classes would read as 0.
func (s *Server) serveMask(c *gin.Context, key string) {
	if _, ok := c.GetQuery("view"); !ok {
		s.serveBlob(c, key, "png")
		return
	}
	r, _, err := s.Blobs.Get(c.Request.Context(), key)
	if err != nil {
		s.fail(c, err)
		return
	}
	defer r.Close()
	buf, err := io.ReadAll(r)
	if err != nil {
		s.fail(c, domain.Wrap(err, domain.EUnavailable, "The mask could not be read; try again shortly."))
		return
	}
	s.sendMask(c, buf, "public, max-age=86400, immutable")
}

// sendMask answers a PNG mask as it is, or (?view) at 8 bits a class.
func (s *Server) sendMask(c *gin.Context, buf []byte, cache string) {
	if _, ok := c.GetQuery("view"); ok {
		m, err := labels.DecodeMask(buf)
		if err == nil && m.Depth() == 16 {
			buf, err = m.ForView().PNG()
		}
		if err != nil {
			s.fail(c, domain.Wrap(err, domain.EInternal, "The mask could not be shown."))
			return
		}
	}
	c.Header("Cache-Control", cache)
	c.Data(http.StatusOK, "image/png", buf)
}

func (s *Server) serveBlob(c *gin.Context, key, format string) {
	r, size, err := s.Blobs.Get(c.Request.Context(), key)
	if err != nil {
		s.fail(c, err)
		return
	}
	defer r.Close()
	ct := "application/octet-stream"
	if format != "" {
		ct = "image/" + format
	}
	// NOTE: a job's files never change once written, so they may be cached for long.
	c.Header("Cache-Control", "public, max-age=86400, immutable")
	c.DataFromReader(http.StatusOK, size, ct, r, nil)
}

// waitEnded waits until the job ends or d passes, and returns it as it
// stands then. It reads the job at once, when the store announces its end
// (its other news does not wake it), every fallback interval, in case news
// was lost, and once more when d has passed.
func (s *Server) waitEnded(ctx context.Context, id string, d time.Duration) (*domain.Job, error) {
	wctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var j *domain.Job
	err := s.Events.FollowEnd(wctx, id, func(ctx context.Context) (bool, error) {
		read, err := s.Jobs.Job(ctx, id)
		if err != nil {
			return false, err
		}
		j = read
		return j.Status.Ended(), nil
	})
	switch {
	case err == nil:
		return j, nil
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case j != nil && (wctx.Err() != nil || errors.Is(err, context.Canceled)):
		// time is up, or the server stops: the job's page takes over, or
		// the finished page should the job have ended since the last read
		return s.Jobs.Job(ctx, id)
	default:
		return nil, err
	}
}
