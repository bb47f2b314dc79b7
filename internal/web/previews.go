package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/fetch"
)

// Previews: POST /api/v1/previews renders a spec's variants small, on the
// interactive queue, and answers once they are done; their tiles are kept
// for minutes (domain.Previewer) and nothing is recorded in the job store.

// Preview bounds.
const (
	maxPreviewVariants = 16
	defaultPreviewSize = 512
	minPreviewSize     = 64
	maxPreviewSize     = 1024
)

// previewSource is where a preview's source comes from.
type previewSource struct {
	JobID      string `json:"job_id"`
	URL        string `json:"url"`
	Upload     string `json:"upload"`      // the id an earlier preview's answer gave an uploaded image
	MaskUpload string `json:"mask_upload"` // and an uploaded mask
}

// previewRequest is the body of POST /api/v1/previews: a job request's
// spec and labels (checked as a job's are), its source, the tiles' size.
type previewRequest struct {
	Source previewSource `json:"source"`
	Size   *int          `json:"size"`
	specRequest
	labelRequest
	upload []byte // multipart only
	name   string
}

func (s *Server) createPreview(c *gin.Context) {
	if s.Previews == nil {
		s.fail(c, domain.Errorf(domain.EUnavailable, "Previews are not available on this server."))
		return
	}
	req, err := s.readPreviewRequest(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	p, err := s.preview(c, req)
	if err != nil {
		s.fail(c, err)
		return
	}
	res, err := s.Previews.Preview(c.Request.Context(), p)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, previewView(p, res))
}

// preview checks req as a job request is checked and makes the Preview.
func (s *Server) preview(c *gin.Context, req previewRequest) (*domain.Preview, error) {
	spec, err := req.spec(false)
	if err != nil {
		return nil, err
	}
	if spec.Variants > maxPreviewVariants {
		return nil, inField("variants", domain.Errorf(domain.EInvalidSpec, "A preview has at most %d variants, not %d.", maxPreviewVariants, spec.Variants))
	}
	p := &domain.Preview{ID: uuid.NewString(), Spec: spec, Size: defaultPreviewSize}
	if req.Size != nil {
		p.Size = *req.Size
	}
	if p.Size < minPreviewSize || p.Size > maxPreviewSize {
		return nil, inField("size", domain.Errorf(domain.EInvalidSpec, "size (the tiles' longest side) must be from %d to %d pixels, not %d.", minPreviewSize, maxPreviewSize, p.Size))
	}
	src := req.Source
	n := 0
	for _, v := range []bool{src.JobID != "", src.URL != "", src.Upload != "", req.upload != nil} {
		if v {
			n++
		}
	}
	if n != 1 {
		return nil, inField("source", domain.Errorf(domain.EInvalid, "Give one source: a source.url, a source.job_id, a source.upload or an image file."))
	}
	ctx := c.Request.Context()
	switch {
	case req.upload != nil:
		id, err := s.Previews.PutUpload(ctx, req.upload)
		if err != nil {
			return nil, err
		}
		p.Source = domain.PreviewSource{Upload: id, Name: req.name}
	case src.Upload != "":
		p.Source = domain.PreviewSource{Upload: src.Upload}
	case src.URL != "":
		if _, err := fetch.ValidateURL(src.URL); err != nil {
			return nil, inField("source.url", err)
		}
		p.Source = domain.PreviewSource{URL: src.URL}
	default:
		j, err := s.Jobs.Job(ctx, src.JobID)
		if err != nil {
			return nil, inField("source.job_id", err)
		}
		if j.Source.Key == "" {
			return nil, inField("source.job_id", domain.Errorf(domain.ENotFound, "Job %s's source is not kept (not fetched yet, or the job failed).", j.ID))
		}
		p.Source = domain.PreviewSource{BlobKey: j.Source.Key, JobID: j.ID, Name: j.Source.Name, URL: j.Source.URL, SeedKey: j.SeedKey}
		if err := s.jobLabels(&req, j, p); err != nil {
			return nil, err
		}
	}
	kept := src.MaskUpload != "" && req.mask == nil && req.MaskURL == ""
	if kept {
		if req.mask, err = s.Previews.Upload(ctx, src.MaskUpload); err != nil {
			return nil, inField("source.mask_upload", err)
		}
	}
	if err := s.labelSpec(req.labelRequest, [2]int{}, &p.Spec); err != nil {
		if kept && fieldOf(err) == "mask" {
			err = inField("source.mask_upload", err)
		}
		return nil, err
	}
	// NOTE: a mask sent, as an upload's id too, is kept (again) for the
	// worker and the next preview; the answer names it (source.mask_upload).
	switch {
	case req.MaskURL != "":
		p.Source.MaskURL = req.MaskURL
	case req.mask != nil:
		if p.Source.MaskUpload, err = s.Previews.PutUpload(ctx, req.mask); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// jobLabels gives a preview of job j the job's labels, mask and label
// options, each unless the request sends its own.
func (s *Server) jobLabels(req *previewRequest, j *domain.Job, p *domain.Preview) error {
	if j.Spec.Mask != nil && req.mask == nil && req.MaskURL == "" && req.Source.MaskUpload == "" {
		p.Source.MaskKey = domain.MaskKey(j.ID)
		p.Spec.Mask = j.Spec.Mask // labelSpec then takes label_options without labels
	}
	if !given(req.Labels) {
		p.Spec.Labels = j.Spec.Labels // parsed when the job was made; labelSpec keeps them
	}
	if !given(req.LabelOptions) && j.Spec.LabelOptions != nil {
		raw, err := json.Marshal(j.Spec.LabelOptions)
		if err != nil {
			return err
		}
		req.LabelOptions = raw
	}
	return nil
}

// readPreviewRequest reads a preview request from JSON or multipart/form-data
// (an image file, the spec as form values, source_url or source_job_id).
func (s *Server) readPreviewRequest(c *gin.Context) (previewRequest, error) {
	var req previewRequest
	switch ct := c.ContentType(); ct {
	case "application/json":
		if err := readJSON(c, &req); err != nil {
			return req, err
		}
	case "multipart/form-data":
		var err error
		if req.specRequest, req.labelRequest, err = s.readSpecForm(c); err != nil {
			return req, err
		}
		if v := strings.TrimSpace(c.PostForm("size")); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return req, inField("size", domain.Errorf(domain.EInvalidSpec, "size must be a whole number, not %q.", v))
			}
			req.Size = &n
		}
		req.Source = previewSource{URL: strings.TrimSpace(c.PostForm("source_url")), JobID: c.PostForm("source_job_id"),
			Upload: c.PostForm("source_upload"), MaskUpload: c.PostForm("source_mask_upload")}
		if fh, ferr := c.FormFile("image"); ferr == nil {
			if req.upload, _, err = s.readUpload(fh); err != nil {
				return req, inField("image", err)
			}
			req.name = fetch.SafeName(fh.Filename)
		}
	default:
		return req, domain.Errorf(domain.EInvalid, "Send the preview as application/json or multipart/form-data, not %q.", ct)
	}
	return req, nil
}

func (s *Server) getPreviewTile(c *gin.Context) {
	id, i, ok := s.previewTile(c)
	if !ok {
		return
	}
	buf, format, err := s.Previews.Tile(c.Request.Context(), id, i)
	if err != nil {
		s.fail(c, err)
		return
	}
	// NOTE: a tile never changes, but lives only minutes.
	c.Header("Cache-Control", "private, max-age=600")
	c.Data(http.StatusOK, "image/"+format, buf)
}

// previewTile reads the preview and the tile a tile's address names; false
// when it has answered with the error.
func (s *Server) previewTile(c *gin.Context) (string, int, bool) {
	if s.Previews == nil {
		s.fail(c, domain.Errorf(domain.EUnavailable, "Previews are not available on this server."))
		return "", 0, false
	}
	i, err := strconv.Atoi(c.Param("index"))
	if err != nil || i < 0 {
		s.fail(c, domain.Errorf(domain.ENotFound, "Preview %s has no tile %q.", c.Param("id"), c.Param("index")))
		return "", 0, false
	}
	return c.Param("id"), i, true
}

// getPreviewTileMask serves a tile's mask: a PNG at the tile's size, its
// classes as the job's masks have them, or (?view) at 8 bits a class, as
// the explorer draws it.
func (s *Server) getPreviewTileMask(c *gin.Context) {
	id, i, ok := s.previewTile(c)
	if !ok {
		return
	}
	buf, err := s.Previews.TileMask(c.Request.Context(), id, i)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.sendMask(c, buf, "private, max-age=600")
}

// previewJSON is the answer to POST /api/v1/previews.
type previewJSON struct {
	ID       string            `json:"id"`
	Seed     int64             `json:"seed"`
	Size     int               `json:"size"`
	Pipeline json.RawMessage   `json:"pipeline"`
	Source   previewSourceJSON `json:"source"`
	Variants []tileJSON        `json:"variants"`
	Millis   float64           `json:"render_ms"`
}

type previewSourceJSON struct {
	domain.Source
	JobID      string `json:"job_id,omitempty"`
	Upload     string `json:"upload,omitempty"`
	MaskUpload string `json:"mask_upload,omitempty"`
	Href       string `json:"href,omitempty"`
}

type tileJSON struct {
	Index      int             `json:"index"`
	Href       string          `json:"href"`
	Width      int             `json:"width"`
	Height     int             `json:"height"`
	Format     string          `json:"format"`
	FullWidth  int             `json:"full_width"`
	FullHeight int             `json:"full_height"`
	Ops        json.RawMessage `json:"ops"`
	Caption    string          `json:"caption"` // the ops in words, as the job page says them
	Labels     *labelsJSON     `json:"labels,omitempty"`
}

func previewView(p *domain.Preview, res *domain.PreviewResult) previewJSON {
	out := previewJSON{ID: p.ID, Seed: p.Spec.Seed, Size: p.Size, Pipeline: p.Spec.Pipeline, Millis: res.Millis,
		Source: previewSourceJSON{Source: res.Source, JobID: p.Source.JobID, Upload: p.Source.Upload, MaskUpload: p.Source.MaskUpload}}
	if out.Source.Name == "" {
		out.Source.Name = p.Source.Name
	}
	if p.Source.JobID != "" {
		out.Source.Href = "/api/v1/jobs/" + p.Source.JobID + "/source"
	}
	for _, t := range res.Tiles {
		tj := tileJSON{
			Index: t.Index, Href: fmt.Sprintf("/api/v1/previews/%s/tiles/%d", p.ID, t.Index),
			Width: t.Width, Height: t.Height, Format: t.Format, FullWidth: t.Full[0], FullHeight: t.Full[1],
			Ops: t.Ops, Caption: caption(t.Ops),
		}
		if l := t.Labels; l != nil {
			tj.Labels = &labelsJSON{Objects: l.Objects, Dropped: l.Dropped}
			if t.Mask {
				tj.Labels.MaskHref = tj.Href + "/mask"
			}
		}
		out.Variants = append(out.Variants, tj)
	}
	return out
}
