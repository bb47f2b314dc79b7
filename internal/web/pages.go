package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/augment-ml/augment/internal/augment"
	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/fetch"
	"github.com/augment-ml/augment/internal/metrics"
)

// syncFlow queues the job at interactive priority and waits for it; a job
// that outlasts SyncTimeout is left to its own page.
func (s *Server) syncFlow(c *gin.Context) {
	req := jobRequest{URL: strings.TrimSpace(c.Query("url")), waited: true}
	req.Preset = c.Query("preset")
	req.Output.Format = c.Query("format")
	if p := c.Query("pipeline"); p != "" {
		req.Pipeline = json.RawMessage(p)
	}
	if err := pageChoice(&req.specRequest, false); err != nil {
		s.fail(c, err)
		return
	}
	var err error
	if req.Variants, err = queryInt[int](c, "n"); err != nil {
		s.fail(c, err)
		return
	}
	if req.Seed, err = queryInt[int64](c, "seed"); err != nil {
		s.fail(c, err)
		return
	}
	if _, err := fetch.ValidateURL(req.URL); err != nil {
		s.fail(c, err)
		return
	}
	j, err := s.submit(c.Request.Context(), req, domain.PriorityInteractive)
	if err != nil {
		s.fail(c, err)
		return
	}
	start := time.Now()
	j, err = s.waitEnded(c.Request.Context(), j.ID, s.SyncTimeout)
	metrics.Since(metrics.SyncWaitSeconds, start)
	if err != nil {
		s.fail(c, err)
		return
	}
	switch j.Status {
	case domain.StatusDone:
		s.pageOK(c, "job.html", jobTitle(j), gin.H{"Job": jobView(j)})
	case domain.StatusFailed:
		s.page(c, statusFor(j.Error.Code), "job.html", jobTitle(j), jobFailure(j))
	default:
		c.Redirect(http.StatusSeeOther, "/jobs/"+j.ID)
	}
}

// submitForm takes the home page's form and sends the browser to the job.
func (s *Server) submitForm(c *gin.Context) {
	req, err := s.readJobRequest(c)
	if err == nil {
		var j *domain.Job
		if j, err = s.submit(c.Request.Context(), req, domain.PriorityInteractive); err == nil {
			c.Redirect(http.StatusSeeOther, "/jobs/"+j.ID)
			return
		}
	}
	s.formFailed(c, "image", err)
}

func (s *Server) jobPage(c *gin.Context) {
	j, err := s.Jobs.Job(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	if j.Status == domain.StatusFailed {
		s.pageOK(c, "job.html", jobTitle(j), jobFailure(j))
		return
	}
	s.pageOK(c, "job.html", jobTitle(j), gin.H{"Job": jobView(j)})
}

// jobTitle names a job's page after its source.
func jobTitle(j *domain.Job) string {
	name := sourceLabel(j.Source)
	switch j.Status {
	case domain.StatusFailed:
		return name + " · failed"
	case domain.StatusDone:
		return name + " · " + strconv.Itoa(len(j.Variants)) + " variants"
	}
	return name + " · " + string(j.Status)
}

// jobFailure is a failed job's page data: the job, and a headline saying
// what went wrong.
func jobFailure(j *domain.Job) gin.H {
	return gin.H{"Job": jobView(j), "Headline": headline(j.Error.Code)}
}

func (s *Server) ops(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"ops": augment.Catalogue()}) }

func (s *Server) presets(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"presets": augment.Presets()})
}

// queryInt reads an optional whole-number query parameter.
func queryInt[T int | int64](c *gin.Context, name string) (*T, error) {
	v := c.Query(name)
	if v == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return nil, domain.Errorf(domain.EInvalidSpec, "%s must be a whole number, not %q.", name, v)
	}
	t := T(n)
	return &t, nil
}

// sourceLabel is what a source is called on a page: its name, else the
// last part of its URL.
func sourceLabel(src domain.Source) string {
	if src.Name != "" {
		return src.Name
	}
	if u, err := url.Parse(src.URL); err == nil && path.Base(u.Path) != "/" && path.Base(u.Path) != "." {
		return path.Base(u.Path)
	}
	return "image"
}
