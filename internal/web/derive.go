package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/augment-ml/augment/internal/domain"
)

// A job's page offers new jobs made from it: a re-roll (the same source and
// pipeline with a new seed), a pinned variant (the variant's recorded ops
// as a fixed pipeline, one variant: the same pixels again) and an edit (the
// home form filled in with the job's inputs).

// derive records and queues a new job of spec on j's source: a copy of its
// stored bytes when they are kept (so the new job sees the same image even
// if its URL changed), else its URL; and its mask.
func (s *Server) derive(ctx context.Context, j *domain.Job, spec domain.Spec) (*domain.Job, error) {
	n := &domain.Job{ID: uuid.NewString(), Spec: spec, Priority: domain.PriorityInteractive,
		Source: domain.Source{URL: j.Source.URL, Name: j.Source.Name}}
	if b, err := s.keptSource(ctx, j); err != nil {
		return nil, err
	} else if b != nil {
		n.Source.Key = "jobs/" + n.ID + "/source"
		if err := s.Blobs.Put(ctx, n.Source.Key, bytes.NewReader(b), int64(len(b)), "image/"+j.Source.Format); err != nil {
			return nil, domain.Wrap(err, domain.EUnavailable, "The image could not be stored; try again shortly.")
		}
	}
	if spec.Mask != nil {
		if err := s.copyBlobTo(ctx, domain.MaskKey(j.ID), domain.MaskKey(n.ID), "image/png"); err != nil {
			return nil, domain.Wrap(err, domain.ENotFound, "The mask of job %s is no longer kept; send it again with a new job.", j.ID)
		}
	}
	if err := s.record(ctx, n, spec.Mask != nil, false); err != nil {
		return nil, err
	}
	return n, nil
}

// keptSource is j's stored source, nil when it has only its URL; an error
// when it has neither.
func (s *Server) keptSource(ctx context.Context, j *domain.Job) ([]byte, error) {
	if j.Source.Key != "" {
		r, _, err := s.Blobs.Get(ctx, j.Source.Key)
		if err == nil {
			defer r.Close()
			b, err := io.ReadAll(r)
			if err != nil {
				return nil, domain.Wrap(err, domain.EUnavailable, "The image of job %s could not be read; try again shortly.", j.ID)
			}
			return b, nil
		}
		if domain.ErrorCode(err) != domain.ENotFound {
			return nil, err
		}
	}
	if j.Source.URL == "" {
		return nil, domain.Errorf(domain.ENotFound, "The image of job %s is no longer kept; upload it again with a new job.", j.ID)
	}
	return nil, nil
}

func (s *Server) copyBlobTo(ctx context.Context, from, to, contentType string) error {
	r, size, err := s.Blobs.Get(ctx, from)
	if err != nil {
		return err
	}
	defer r.Close()
	return s.Blobs.Put(ctx, to, r, size, contentType)
}

// rerollSpec is j's spec with a new seed.
func rerollSpec(j *domain.Job) domain.Spec {
	spec := j.Spec
	spec.Seed = rand.Int64N(maxSeed)
	return spec
}

// pinSpec is one variant of the recorded ops of j's variant index (as the
// path gives it), as a pipeline.
func pinSpec(j *domain.Job, index string) (domain.Spec, error) {
	v, err := variantOf(j, index)
	if err != nil {
		return domain.Spec{}, err
	}
	spec := j.Spec
	spec.Pipeline, spec.Preset, spec.Variants = v.Ops, "", 1
	return spec, nil
}

// variantOf finds a recorded variant by its index as the path gives it.
func variantOf(j *domain.Job, param string) (domain.Variant, error) {
	// NOTE: a person's job records its variants as they are made, side by
	// side: variant 1 may be recorded before variant 0.
	if i, err := strconv.Atoi(param); err == nil {
		for _, v := range j.Variants {
			if v.Index == i {
				return v, nil
			}
		}
	}
	return domain.Variant{}, domain.Errorf(domain.ENotFound, "Job %s has no variant %q (yet).", j.ID, param)
}

// deriveFrom answers a request for a new job made from the job in the
// path: a page is sent to the new job's page, the API answers 202 with it.
func (s *Server) deriveFrom(make func(*domain.Job) (domain.Spec, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx := c.Request.Context()
		j, err := s.Jobs.Job(ctx, c.Param("id"))
		var spec domain.Spec
		if err == nil {
			spec, err = make(j)
		}
		var n *domain.Job
		if err == nil {
			n, err = s.derive(ctx, j, spec)
		}
		if err != nil {
			s.fail(c, err)
			return
		}
		if !isAPI(c.Request.URL.Path) {
			c.Redirect(http.StatusSeeOther, "/jobs/"+n.ID)
			return
		}
		c.Header("Location", "/api/v1/jobs/"+n.ID)
		c.JSON(http.StatusAccepted, jobView(n))
	}
}

func (s *Server) reroll(c *gin.Context) {
	s.deriveFrom(func(j *domain.Job) (domain.Spec, error) { return rerollSpec(j), nil })(c)
}

func (s *Server) pin(c *gin.Context) {
	s.deriveFrom(func(j *domain.Job) (domain.Spec, error) { return pinSpec(j, c.Param("index")) })(c)
}

// EditHref is the home form filled in with the job's inputs: its image (by
// the job), pipeline or preset, variants, seed and format.
func (j jobJSON) EditHref() string {
	q := url.Values{"from": {j.ID}, "variants": {strconv.Itoa(j.Spec.Variants)}, "seed": {strconv.FormatInt(j.Spec.Seed, 10)}}
	if j.Spec.Preset != "" {
		q.Set("preset", j.Spec.Preset)
	} else {
		q.Set("pipeline", string(j.Spec.Pipeline))
	}
	if f := j.Spec.Output.Format; f != "" {
		q.Set("format", f)
	}
	return "/?" + q.Encode() + "#job-form"
}

// PipelineJSON is the job's pipeline as indented JSON, for the copy button.
func (j jobJSON) PipelineJSON() string {
	b, err := json.MarshalIndent(j.Spec.Pipeline, "", "  ")
	if err != nil {
		return string(j.Spec.Pipeline)
	}
	return string(b)
}

// fromJob makes req's image that of job id (the home form's "from", an
// edit): its kept bytes, else its URL.
func (s *Server) fromJob(ctx context.Context, id string, req *jobRequest) error {
	j, err := s.Jobs.Job(ctx, id)
	if err != nil {
		return err
	}
	b, err := s.keptSource(ctx, j)
	if err != nil {
		return err
	}
	if b == nil {
		req.URL = j.Source.URL
		return nil
	}
	req.upload, req.name, req.size = b, j.Source.Name, headerSize(b)
	return nil
}
