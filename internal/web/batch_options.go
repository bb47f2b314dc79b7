package web

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/augment-ml/augment/internal/dataset"
	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/labels"
)

// batchRequest is the body of POST /api/v1/batches: the spec, and what to
// make of an archive's dataset.
type batchRequest struct {
	specRequest
	batchOptions
}

// batchOptions say how an archive is read and written back. For a batch,
// format is the dataset's format; the variants' image format is
// output_format (or output.format). A format that names an image format
// (jpeg, png, webp) is read as output_format, as batches once took it.
type batchOptions struct {
	Format           string   `json:"format"`
	AugmentSplits    []string `json:"augment_splits"`
	IncludeOriginals *bool    `json:"include_originals"`
	Export           string   `json:"export"`
	AllowLossy       bool     `json:"allow_lossy"`
	OutputFormat     string   `json:"output_format"`
	// LabelOptions are the labels' options (min_visibility, mask_fill, …)
	// for every image of the dataset.
	LabelOptions json.RawMessage `json:"label_options"`
}

// imageFormats are the output formats a batch's format once named.
var imageFormats = map[string]string{"jpeg": "jpeg", "jpg": "jpeg", "png": "png", "webp": "webp"}

// legacyFormat moves an image format given as format to the output, and
// output_format there too.
func (r *batchRequest) legacyFormat() error {
	if f, ok := imageFormats[strings.ToLower(r.Format)]; ok {
		if r.OutputFormat != "" && r.OutputFormat != f {
			return inField("format", domain.Errorf(domain.EInvalidSpec,
				"format is the dataset's format (coco, yolo, voc, masks, imagefolder, images); the variants' image format is output_format."))
		}
		r.OutputFormat, r.Format = f, ""
	}
	if r.OutputFormat == "" {
		return nil
	}
	if r.Output.Format != "" && r.Output.Format != r.OutputFormat {
		return inField("output_format", domain.Errorf(domain.EInvalidSpec, "output_format is %q and output.format %q; give one.", r.OutputFormat, r.Output.Format))
	}
	r.Output.Format = r.OutputFormat
	return nil
}

// spec is the batch's spec; an archive may ask for no variants.
func (r batchRequest) spec(archive bool) (domain.Spec, error) {
	sp, err := r.specRequest.spec(archive)
	if fieldOf(err) == "format" {
		err = inField("output_format", err)
	}
	return sp, err
}

// datasetAsked says that the request names a dataset format or an export,
// which a list of URLs cannot give.
func (o batchOptions) datasetAsked() bool {
	return o.Format != "" && !strings.EqualFold(o.Format, string(dataset.Images)) || o.Export != "" || given(o.LabelOptions)
}

// labelOptions reads label_options, nil when none were sent.
func (o batchOptions) labelOptions() (*domain.LabelOptions, error) {
	if !given(o.LabelOptions) {
		return nil, nil
	}
	lo, err := labels.ParseOptions(o.LabelOptions)
	if err != nil {
		return nil, inField("label_options", err)
	}
	return &lo, nil
}

// plan is what the batch makes of its dataset, defaults filled in.
func (o batchOptions) plan() (dataset.Plan, error) {
	p := dataset.DefaultPlan()
	if len(o.AugmentSplits) > 0 {
		p.AugmentSplits = o.AugmentSplits
	}
	if o.IncludeOriginals != nil {
		p.IncludeOriginals = *o.IncludeOriginals
	}
	p.AllowLossy = o.AllowLossy
	var err error
	p.Export, err = dataset.ParseExport(o.Export)
	return p, inField("export", err)
}

// batchFormRequest reads a batch form's fields: the spec (the variants'
// image format is output_format), and the dataset's options.
func batchFormRequest(c *gin.Context) (batchRequest, error) {
	spec, err := formSpec(c, "output_format")
	r := batchRequest{specRequest: spec}
	if err != nil {
		return r, err
	}
	r.Format = strings.TrimSpace(c.PostForm("format"))
	if v := strings.TrimSpace(c.PostForm("label_options")); v != "" {
		r.LabelOptions = json.RawMessage(v)
	}
	r.Export = strings.TrimSpace(c.PostForm("export"))
	for _, v := range c.PostFormArray("augment_splits") {
		v = strings.TrimSpace(v)
		var list []string
		if strings.HasPrefix(v, "[") {
			if err := json.Unmarshal([]byte(v), &list); err != nil {
				return r, inField("augment_splits", domain.Errorf(domain.EInvalidSpec, "augment_splits must be split names, comma-separated, or a JSON list of them."))
			}
		} else {
			list = strings.Split(v, ",")
		}
		for _, s := range list {
			if s = strings.TrimSpace(s); s != "" {
				r.AugmentSplits = append(r.AugmentSplits, s)
			}
		}
	}
	if r.IncludeOriginals, err = formBool(c, "include_originals"); err != nil {
		return r, err
	}
	lossy, err := formBool(c, "allow_lossy")
	r.AllowLossy = lossy != nil && *lossy
	return r, err
}

// formBool reads a yes-or-no field: the last value sent counts (a page's
// checkbox follows a hidden "false"); nil when none was sent.
func formBool(c *gin.Context, name string) (*bool, error) {
	vs := c.PostFormArray(name)
	if len(vs) == 0 {
		return nil, nil
	}
	v := strings.TrimSpace(vs[len(vs)-1])
	if strings.EqualFold(v, "on") {
		v = "true"
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return nil, inField(name, domain.Errorf(domain.EInvalidSpec, "%s must be true or false, not %q.", name, v))
	}
	return &b, nil
}
