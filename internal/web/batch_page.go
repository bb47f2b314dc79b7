package web

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/augment-ml/augment/internal/domain"
)

// batchProgress is what the batch page shows beside the counts.
type batchProgress struct {
	Percent  int
	PerSec   float64 // jobs finished per second so far
	TimeLeft string
}

func progressOf(b *domain.Batch, now time.Time) batchProgress {
	ended := b.Counts.Done + b.Counts.Failed
	p := batchProgress{}
	if b.Total > 0 {
		p.Percent = ended * 100 / b.Total
	}
	end := now
	if b.FinishedAt != nil {
		end = *b.FinishedAt
	}
	if secs := end.Sub(b.CreatedAt).Seconds(); secs > 0 {
		p.PerSec = float64(ended) / secs
	}
	if b.Status != domain.StatusDone && p.PerSec > 0 {
		left := time.Duration(float64(b.Total-ended) / p.PerSec * float64(time.Second))
		p.TimeLeft = left.Round(time.Second).String()
	}
	return p
}

func (s *Server) batchPage(c *gin.Context) {
	ctx := c.Request.Context()
	b, err := s.Batches.Batch(ctx, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	recent, err := s.Jobs.Jobs(ctx, domain.JobFilter{BatchID: b.ID, Status: domain.StatusDone, Recent: true, Limit: 12, Variants: true})
	if err != nil {
		s.fail(c, err)
		return
	}
	failed, err := s.Jobs.Jobs(ctx, domain.JobFilter{BatchID: b.ID, Status: domain.StatusFailed, Limit: 50})
	if err != nil {
		s.fail(c, err)
		return
	}
	var thumbs []jobJSON
	for _, j := range recent {
		thumbs = append(thumbs, jobView(j))
	}
	var failures []jobJSON
	for _, j := range failed {
		failures = append(failures, jobView(j))
	}
	s.pageOK(c, "batch.html", batchTitle(b), gin.H{
		"Batch": batchDetail(b), "Progress": progressOf(b, time.Now()), "Recent": thumbs, "Failures": failures,
		"Dataset": datasetView(b.Dataset),
	})
}

// submitBatchForm takes the home page's batch form and sends the browser to
// the batch page.
func (s *Server) submitBatchForm(c *gin.Context) {
	nb, err := s.readBatch(c)
	if err == nil {
		if err = s.submitBatch(c.Request.Context(), nb); err == nil {
			c.Redirect(http.StatusSeeOther, "/batches/"+nb.batch.ID)
			return
		}
	}
	s.formFailed(c, "batch", err)
}

// batchTitle names a batch's page by its size and progress.
func batchTitle(b *domain.Batch) string {
	return fmt.Sprintf("Batch of %d · %d%% · %s", b.Total, progressOf(b, time.Now()).Percent, b.Status)
}
