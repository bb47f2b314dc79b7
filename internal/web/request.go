package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"image"
	_ "image/gif" // header probes of uploads
	_ "image/jpeg"
	_ "image/png"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/augment-ml/augment/internal/augment"
	"github.com/augment-ml/augment/internal/dataset"
	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/fetch"
	"github.com/augment-ml/augment/internal/sample"
)

// specRequest is the part of a job or batch request that says what to make.
type specRequest struct {
	Variants *int            `json:"variants"`
	Pipeline json.RawMessage `json:"pipeline"`
	Preset   string          `json:"preset"`
	Seed     *int64          `json:"seed"`
	Output   domain.Output   `json:"output"`
}

// jobRequest is the body of POST /api/v1/jobs.
type jobRequest struct {
	URL string `json:"url"`
	specRequest
	labelRequest
	upload []byte // multipart only
	name   string
	size   image.Point // the upload's width and height as displayed, when its header told them
	// waited: the request answers once the job has ended (?url=), so
	// nobody learns of the job before its end is on disk.
	waited bool
}

const maxJSONBody = 1 << 20

// maxSeed keeps seeds exact in JavaScript numbers.
const maxSeed = 1<<53 - 1

// spec validates r and fills in defaults: 4 variants, the default preset,
// a random seed. With baseline, 0 variants are allowed (a dataset's
// originals only).
func (r specRequest) spec(baseline bool) (domain.Spec, error) {
	sp := domain.Spec{Variants: 4, Output: r.Output}
	if r.Variants != nil {
		sp.Variants = *r.Variants
	}
	least := 1
	if baseline {
		least = 0
	}
	if sp.Variants < least || sp.Variants > 64 {
		return sp, inField("variants", domain.Errorf(domain.EInvalidSpec, "variants must be between %d and 64, not %d.", least, sp.Variants))
	}
	if r.Seed != nil {
		if *r.Seed < 0 || *r.Seed > maxSeed {
			return sp, inField("seed", domain.Errorf(domain.EInvalidSpec, "seed must be between 0 and %d.", int64(maxSeed)))
		}
		sp.Seed = *r.Seed
	} else {
		sp.Seed = rand.Int64N(maxSeed)
	}
	if err := augment.ValidateOutput(r.Output); err != nil {
		return sp, inField("format", err)
	}
	if sp.Output.Chroma == "" && sp.Output.Format != "png" && sp.Output.Format != "webp" {
		sp.Output.Chroma = domain.ChromaHalf
	}
	hasPipeline := len(bytes.TrimSpace(r.Pipeline)) > 0 && string(bytes.TrimSpace(r.Pipeline)) != "null"
	var (
		p   *augment.Pipeline
		err error
	)
	switch {
	case hasPipeline && r.Preset != "":
		return sp, domain.Errorf(domain.EInvalidSpec, "Give either a pipeline or a preset, not both.")
	case hasPipeline:
		p, err = augment.Parse(r.Pipeline)
		err = inField("pipeline", err)
	default:
		sp.Preset = r.Preset
		if sp.Preset == "" {
			sp.Preset = "default"
		}
		p, err = augment.Preset(sp.Preset)
		err = inField("preset", err)
	}
	if err != nil {
		return sp, err
	}
	sp.Pipeline = p.JSON()
	return sp, nil
}

// readJobRequest reads a job request from JSON or multipart/form-data.
func (s *Server) readJobRequest(c *gin.Context) (jobRequest, error) {
	var req jobRequest
	ct := c.ContentType()
	switch ct {
	case "application/json":
		if err := readJSON(c, &req); err != nil {
			return req, err
		}
	case "multipart/form-data", "application/x-www-form-urlencoded":
		var err error
		if req.specRequest, req.labelRequest, err = s.readSpecForm(c); err != nil {
			return req, err
		}
		if !isAPI(c.Request.URL.Path) {
			if err := pageChoice(&req.specRequest, presetSent(c)); err != nil {
				return req, err
			}
			if c.PostForm("sample") != "" { // the "try it" button: the bundled photo, no network
				req.upload, req.name = sample.Image, sample.Name
				req.size = headerSize(req.upload)
				return req, nil
			}
		}
		req.URL = strings.TrimSpace(c.PostForm("url"))
		if fh, ferr := c.FormFile("image"); ferr == nil {
			if req.upload, req.size, err = s.readUpload(fh); err != nil {
				return req, inField("image", err)
			}
			req.name = fetch.SafeName(fh.Filename)
		}
		if from := c.PostForm("from"); from != "" && req.URL == "" && req.upload == nil && !isAPI(c.Request.URL.Path) {
			if err := s.fromJob(c.Request.Context(), from, &req); err != nil {
				return req, inField("url", err)
			}
		}
	default:
		return req, domain.Errorf(domain.EInvalid, "Send the job as application/json or multipart/form-data, not %q.", ct)
	}
	if req.URL != "" && req.upload != nil {
		return req, inField("url", domain.Errorf(domain.EInvalid, "Give either a url or an image file, not both."))
	}
	if req.URL == "" && req.upload == nil {
		return req, inField("url", domain.Errorf(domain.EInvalid, "Give a url or an image file."))
	}
	if req.URL != "" {
		if _, err := fetch.ValidateURL(req.URL); err != nil {
			return req, inField("url", err)
		}
	}
	return req, nil
}

// readJSON decodes a JSON request body of at most maxJSONBody into v,
// refusing fields v does not have.
func readJSON(c *gin.Context, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(c.Writer, c.Request.Body, maxJSONBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	return nil
}

// readSpecForm reads a job's form (multipart, or urlencoded without files):
// its spec and its labels.
func (s *Server) readSpecForm(c *gin.Context) (specRequest, labelRequest, error) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.MaxUploadBytes+maxJSONBody)
	if err := c.Request.ParseMultipartForm(8 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return specRequest{}, labelRequest{}, formError(err)
	}
	spec, err := formSpec(c, "format")
	if err != nil {
		return spec, labelRequest{}, err
	}
	lr, err := s.formLabels(c)
	return spec, lr, err
}

// formSpec reads the spec fields of a form: variants, preset, pipeline (JSON
// text), seed, and output as JSON text or as quality and an image format
// field (format for a job, output_format for a batch).
func formSpec(c *gin.Context, formatField string) (specRequest, error) {
	var r specRequest
	if v := strings.TrimSpace(c.PostForm("variants")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return r, inField("variants", domain.Errorf(domain.EInvalidSpec, "variants must be a whole number, not %q.", v))
		}
		r.Variants = &n
	}
	if v := strings.TrimSpace(c.PostForm("seed")); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return r, inField("seed", domain.Errorf(domain.EInvalidSpec, "seed must be a whole number, not %q.", v))
		}
		r.Seed = &n
	}
	r.Preset = strings.TrimSpace(c.PostForm("preset"))
	if v := strings.TrimSpace(c.PostForm("pipeline")); v != "" {
		r.Pipeline = json.RawMessage(v)
	}
	if v := strings.TrimSpace(c.PostForm("output")); v != "" {
		if err := json.Unmarshal([]byte(v), &r.Output); err != nil {
			return r, inField("output", domain.Errorf(domain.EInvalidSpec, "output must be a JSON object such as {\"format\": \"png\"}."))
		}
	}
	if v := c.PostForm(formatField); v != "" {
		r.Output.Format = v
	}
	if v := strings.TrimSpace(c.PostForm("quality")); v != "" {
		q, err := strconv.Atoi(v)
		if err != nil {
			return r, inField("quality", domain.Errorf(domain.EInvalidSpec, "quality must be a whole number, not %q.", v))
		}
		r.Output.Quality = q
	}
	if v := c.PostForm("chroma"); v != "" {
		r.Output.Chroma = v
	}
	return r, nil
}

// readUpload reads an uploaded image, refusing what is not a supported image
// or is too large, in bytes or (for JPEG, PNG and GIF headers) in pixels, and
// returns its size when the header told it.
func (s *Server) readUpload(fh *multipart.FileHeader) ([]byte, image.Point, error) {
	var size image.Point
	if fh.Size > s.MaxUploadBytes {
		return nil, size, domain.Errorf(domain.ETooLarge, "The image is %d bytes; the limit is %d bytes.", fh.Size, s.MaxUploadBytes)
	}
	f, err := fh.Open()
	if err != nil {
		return nil, size, domain.Wrap(err, domain.EInvalid, "The uploaded file could not be read.")
	}
	defer f.Close()
	buf, err := io.ReadAll(io.LimitReader(f, s.MaxUploadBytes+1))
	if err != nil {
		return nil, size, domain.Wrap(err, domain.EInvalid, "The uploaded file could not be read.")
	}
	if len(buf) == 0 {
		return nil, size, domain.Errorf(domain.ENotImage, "The uploaded file %q is empty.", fh.Filename)
	}
	if fetch.Sniff(buf) == "" {
		return nil, size, domain.Errorf(domain.ENotImage,
			"The uploaded file %q is not a supported image (JPEG, PNG, WebP, GIF, TIFF, HEIF/AVIF).", fh.Filename)
	}
	size = headerSize(buf)
	if size.X*size.Y > s.MaxPixels {
		return nil, size, domain.Errorf(domain.ETooManyPixels, "The image is %d×%d pixels; the limit is %d pixels.",
			size.X, size.Y, s.MaxPixels)
	}
	return buf, size, nil
}

// headerSize is an image's width and height as displayed (a JPEG's EXIF
// orientation applied, as the worker's decoding does), from its header;
// zero for formats only the worker can read (HEIF/AVIF).
func headerSize(buf []byte) image.Point {
	w, h, _ := dataset.DisplayedSize(buf)
	return image.Pt(w, h)
}

func jsonError(err error) error {
	var mbe *http.MaxBytesError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &mbe):
		return err
	case errors.As(err, &te) && te.Field == "":
		return domain.Errorf(domain.EInvalid, "The request body must be a JSON object, not a JSON %s.", te.Value)
	case errors.As(err, &te):
		return domain.Errorf(domain.EInvalidSpec, "%s must be of type %s, not %s.", te.Field, jsonType(te.Type.String()), te.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return domain.Errorf(domain.EInvalid, "The request has an %s.", strings.TrimPrefix(err.Error(), "json: "))
	}
	return domain.Errorf(domain.EInvalid, "The request body is not valid JSON: %v.", err)
}

func jsonType(goType string) string {
	switch {
	case strings.Contains(goType, "int"):
		return "integer"
	case goType == "string":
		return "string"
	}
	return strings.TrimPrefix(goType, "*")
}

func formError(err error) error {
	var (
		mbe *http.MaxBytesError
		de  *domain.Error
	)
	if errors.As(err, &mbe) || errors.As(err, &de) {
		return err
	}
	return domain.Errorf(domain.EInvalid, "The form could not be read: %v.", err)
}
