package web

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/augment-ml/augment/internal/augment"
	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/fetch"
	"github.com/augment-ml/augment/internal/labels"
)

// labelRequest is what a job request says of its labels: the labels and
// their options as JSON, and a semantic mask by URL or (in a form) as a
// file.
type labelRequest struct {
	Labels       json.RawMessage `json:"labels"`
	LabelOptions json.RawMessage `json:"label_options"`
	MaskURL      string          `json:"mask_url"`
	mask         []byte          // the form's mask file
	maskName     string
}

// given reports whether a JSON field was sent with a value.
func given(raw json.RawMessage) bool {
	v := bytes.TrimSpace(raw)
	return len(v) > 0 && !bytes.Equal(v, []byte("null"))
}

// formLabels reads the label fields of a form: labels and label_options
// as JSON text, mask_url, and the mask file.
func (s *Server) formLabels(c *gin.Context) (labelRequest, error) {
	r := labelRequest{MaskURL: strings.TrimSpace(c.PostForm("mask_url"))}
	if v := strings.TrimSpace(c.PostForm("labels")); v != "" {
		r.Labels = json.RawMessage(v)
	}
	if v := strings.TrimSpace(c.PostForm("label_options")); v != "" {
		r.LabelOptions = json.RawMessage(v)
	}
	fh, err := c.FormFile("mask")
	if err != nil {
		return r, nil // none chosen
	}
	if fh.Size > s.MaxUploadBytes {
		return r, inField("mask", domain.Errorf(domain.ETooLarge, "The mask is %d bytes; the limit is %d bytes.", fh.Size, s.MaxUploadBytes))
	}
	f, err := fh.Open()
	if err != nil {
		return r, inField("mask", domain.Wrap(err, domain.EInvalid, "The mask file could not be read."))
	}
	defer f.Close()
	if r.mask, err = io.ReadAll(io.LimitReader(f, s.MaxUploadBytes+1)); err != nil {
		return r, inField("mask", domain.Wrap(err, domain.EInvalid, "The mask file could not be read."))
	}
	if len(r.mask) == 0 {
		r.mask = nil // an empty file field: nothing chosen
		return r, nil
	}
	r.maskName = fetch.SafeName(fh.Filename)
	return r, nil
}

// labelSpec checks what the request says of labels and puts it in sp: the
// labels (422 naming the object and the field), the options (defaults for
// those left out), the mask (a one-band PNG of the upload's size, when its
// header told it; or a URL the worker fetches). A pipeline that can mirror
// keypoints without known flip pairs is refused, naming the step.
func (s *Server) labelSpec(r labelRequest, size [2]int, sp *domain.Spec) error {
	var err error
	if given(r.Labels) {
		if sp.Labels, err = labels.Parse(r.Labels); err != nil {
			return inField("labels", err)
		}
	}
	opt := domain.DefaultLabelOptions()
	if given(r.LabelOptions) {
		if opt, err = labels.ParseOptions(r.LabelOptions); err != nil {
			return inField("label_options", err)
		}
	}
	switch {
	case r.mask != nil && r.MaskURL != "":
		return inField("mask_url", domain.Errorf(domain.EInvalid, "Give either a mask_url or a mask file, not both."))
	case r.MaskURL != "":
		if _, err := fetch.ValidateURL(r.MaskURL); err != nil {
			return inField("mask_url", err)
		}
		sp.Mask = &domain.MaskSource{URL: r.MaskURL}
	case r.mask != nil:
		w, h := size[0], size[1]
		if w == 0 && sp.Labels != nil { // the size the labels declare, when the image's is not known yet
			w, h = sp.Labels.Width, sp.Labels.Height
		}
		if err := labels.CheckMask(r.mask, w, h, s.MaxPixels, opt.MaskFill); err != nil {
			return inField("mask", err)
		}
		sp.Mask = &domain.MaskSource{Name: r.maskName}
	}
	if sp.Labels == nil && sp.Mask == nil {
		if given(r.LabelOptions) {
			return inField("label_options", domain.Errorf(domain.EInvalidSpec, "label_options apply to labels or a mask; send them with labels or a mask."))
		}
		return nil
	}
	sp.LabelOptions = &opt
	p, err := augment.Parse(sp.Pipeline)
	if err != nil {
		return err
	}
	return inField("labels", labels.CheckPipeline(sp.Labels, p))
}
