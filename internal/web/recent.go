package web

import (
	"github.com/gin-gonic/gin"

	"github.com/augment-ml/augment/internal/domain"
)

// recentPage is how many jobs and batches the Recent page lists at once.
const recentPage = 20

// recent lists the newest jobs (those of no batch) and batches, each
// list paged on its own with ?jobs_before= and ?batches_before=.
func (s *Server) recent(c *gin.Context) {
	ctx := c.Request.Context()
	jobs, err := s.Jobs.Jobs(ctx, domain.JobFilter{Limit: recentPage + 1, Before: c.Query("jobs_before"), Alone: true})
	if err != nil {
		s.fail(c, err)
		return
	}
	batches, err := s.Batches.Batches(ctx, recentPage+1, c.Query("batches_before"))
	if err != nil {
		s.fail(c, err)
		return
	}
	data := gin.H{}
	if len(jobs) > recentPage {
		jobs = jobs[:recentPage]
		data["MoreJobs"] = jobs[recentPage-1].ID
	}
	if len(batches) > recentPage {
		batches = batches[:recentPage]
		data["MoreBatches"] = batches[recentPage-1].ID
	}
	jv := make([]jobJSON, len(jobs))
	for i, j := range jobs {
		jv[i] = jobView(j)
	}
	bv := make([]batchJSON, len(batches))
	for i, b := range batches {
		bv[i] = batchView(b)
	}
	data["Jobs"], data["Batches"] = jv, bv
	data["JobsBefore"], data["BatchesBefore"] = c.Query("jobs_before"), c.Query("batches_before")
	s.pageOK(c, "recent.html", "Recent jobs and batches", data)
}
