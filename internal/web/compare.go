package web

import (
	"fmt"
	"path"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/augment-ml/augment/internal/domain"
)

// compareView is one variant beside its job's original.
type compareView struct {
	Job                  jobJSON
	Variant              variantJSON
	Prev, Next           string // the neighbouring variants' compare pages; "" at the ends
	PrevIndex, NextIndex int
	Download             string // the file name a download is saved as
}

// comparePage shows a variant beside the original, with its ops, the
// neighbouring variants and a download.
func (s *Server) comparePage(c *gin.Context) {
	j, v, ok := s.jobVariant(c)
	if !ok {
		return
	}
	jv := jobView(j)
	cv := compareView{Job: jv, Variant: jv.Variants[v.Index],
		Download: fmt.Sprintf("%s-%d.%s", safeStem(strings.TrimSuffix(sourceLabel(j.Source), path.Ext(sourceLabel(j.Source))), "image"), v.Index, domain.Ext(v.Format))}
	if v.Index > 0 {
		cv.PrevIndex = v.Index - 1
		cv.Prev = fmt.Sprintf("/jobs/%s/compare/%d", j.ID, cv.PrevIndex)
	}
	if v.Index+1 < len(j.Variants) {
		cv.NextIndex = v.Index + 1
		cv.Next = fmt.Sprintf("/jobs/%s/compare/%d", j.ID, cv.NextIndex)
	}
	s.pageOK(c, "compare.html", fmt.Sprintf("%s · variant %d of %d", sourceLabel(j.Source), v.Index, len(j.Variants)), gin.H{"Compare": cv})
}
