package web

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/augment-ml/augment/internal/domain"
)

// resultsPerPage is how many finished images a page of a batch's results
// shows, each with all its variants' thumbnails.
const resultsPerPage = 24

// batchResults pages through a batch's finished images in submission order:
// /batches/{id}/results?page=N.
func (s *Server) batchResults(c *gin.Context) {
	ctx := c.Request.Context()
	b, err := s.Batches.Batch(ctx, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	page := 1
	if p := c.Query("page"); p != "" {
		if page, err = strconv.Atoi(p); err != nil || page < 1 {
			s.fail(c, domain.Errorf(domain.EInvalid, "page must be a whole number from 1, not %q.", p))
			return
		}
	}
	after := ""
	if skip := (page - 1) * resultsPerPage; skip > 0 {
		// NOTE: the store pages by the last job seen; the jobs before this
		// page are read without their variants to find it.
		before, err := s.Jobs.Jobs(ctx, domain.JobFilter{BatchID: b.ID, Status: domain.StatusDone, Limit: skip})
		if err != nil {
			s.fail(c, err)
			return
		}
		if len(before) < skip {
			s.fail(c, domain.Errorf(domain.ENotFound, "This batch has %d finished images: page %d is past its last page.", len(before), page))
			return
		}
		after = before[len(before)-1].ID
	}
	jobs, err := s.Jobs.Jobs(ctx, domain.JobFilter{BatchID: b.ID, Status: domain.StatusDone, Limit: resultsPerPage + 1, After: after, Variants: true})
	if err != nil {
		s.fail(c, err)
		return
	}
	more := len(jobs) > resultsPerPage
	if more {
		jobs = jobs[:resultsPerPage]
	}
	views := make([]jobJSON, len(jobs))
	for i, j := range jobs {
		views[i] = jobView(j)
	}
	data := gin.H{"Batch": batchView(b), "Jobs": views, "Page": page, "First": (page-1)*resultsPerPage + 1}
	if page > 1 {
		data["PrevPage"] = page - 1
	}
	if more {
		data["NextPage"] = page + 1
	}
	s.page(c, http.StatusOK, "results.html", "Batch results · page "+strconv.Itoa(page), data)
}
