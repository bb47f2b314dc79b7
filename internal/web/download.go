package web

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/augment-ml/augment/internal/dataset"
	"github.com/augment-ml/augment/internal/domain"
)

// archivePage is how many jobs the archive reads from the database at once,
// so memory stays flat however large the batch.
const archivePage = 200

type manifestLine struct {
	JobID  string          `json:"job_id"`
	Source string          `json:"source"`
	Index  int             `json:"index"`
	Path   string          `json:"path"`
	Seed   int64           `json:"seed"`
	Ops    json.RawMessage `json:"ops"`
	Width  int             `json:"width"`
	Height int             `json:"height"`
}

type failureLine struct {
	JobID   string `json:"job_id"`
	Source  string `json:"source"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// batchArchive streams a zip of every finished variant, laid out
// <stem>/<index>.<ext>, with manifest.jsonl and failures.jsonl first.
func (s *Server) batchArchive(c *gin.Context) {
	ctx := c.Request.Context()
	b, err := s.Batches.Batch(ctx, c.Param("id"))
	var rec *dataset.Record
	if err == nil {
		rec, err = s.datasetRecord(ctx, b.ID)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	if rec != nil && rec.Output() != dataset.Images {
		s.datasetArchive(c, b, rec)
		return
	}
	c.Header("Content-Type", "application/zip")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="batch-%s.zip"`, b.ID))
	c.Status(http.StatusOK)
	zw := zip.NewWriter(c.Writer)
	err = s.writeLines(c, zw, "manifest.jsonl", b.ID, domain.StatusDone, func(j *domain.Job, enc *json.Encoder) error {
		for _, v := range j.Variants {
			if err := enc.Encode(manifestLine{
				JobID: j.ID, Source: sourceOf(j), Index: v.Index, Path: variantPath(j, v),
				Seed: j.Spec.Seed, Ops: v.Ops, Width: v.Width, Height: v.Height,
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		err = s.writeLines(c, zw, "failures.jsonl", b.ID, domain.StatusFailed, func(j *domain.Job, enc *json.Encoder) error {
			e := j.Error
			if e == nil {
				e = &domain.Error{}
			}
			return enc.Encode(failureLine{JobID: j.ID, Source: sourceOf(j), Code: e.Code, Message: e.Message})
		})
	}
	if err == nil {
		err = s.eachJob(c, b.ID, domain.StatusDone, func(j *domain.Job) error {
			for _, v := range j.Variants {
				if err := s.copyBlob(c, zw, variantPath(j, v), v.Key); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		// NOTE: the status line is gone already; a cut-short zip has no central
		// directory, so the client sees a broken archive rather than a wrong one.
		s.Log.Error("batch archive", "batch_id", b.ID, "err", err)
		_ = c.Error(err)
	}
}

func (s *Server) writeLines(c *gin.Context, zw *zip.Writer, name, batchID string, status domain.Status,
	write func(*domain.Job, *json.Encoder) error) error {
	w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	return s.eachJob(c, batchID, status, func(j *domain.Job) error { return write(j, enc) })
}

func (s *Server) copyBlob(c *gin.Context, zw *zip.Writer, name, key string) error {
	r, _, err := s.Blobs.Get(c.Request.Context(), key)
	if err != nil {
		return err
	}
	defer r.Close()
	// NOTE: images are compressed already; storing them spares the CPU.
	w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
	if err != nil {
		return err
	}
	_, err = io.Copy(w, r)
	return err
}

// eachJob calls fn for every job of the batch in status ("" for every
// job), page by page.
func (s *Server) eachJob(c *gin.Context, batchID string, status domain.Status, fn func(*domain.Job) error) error {
	after := ""
	for {
		jobs, err := s.Jobs.Jobs(c.Request.Context(), domain.JobFilter{
			BatchID: batchID, Status: status, Limit: archivePage, After: after, Variants: status != domain.StatusFailed,
		})
		if err != nil {
			return err
		}
		for _, j := range jobs {
			if err := fn(j); err != nil {
				return err
			}
		}
		if len(jobs) < archivePage {
			return nil
		}
		after = jobs[len(jobs)-1].ID
	}
}

func variantPath(j *domain.Job, v domain.Variant) string {
	return fmt.Sprintf("%s/%d.%s", j.Stem, v.Index, domain.Ext(v.Format))
}

func sourceOf(j *domain.Job) string {
	if j.Source.URL != "" {
		return j.Source.URL
	}
	return j.Source.Name
}
