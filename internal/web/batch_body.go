package web

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/augment-ml/augment/internal/domain"
)

// A batch body is read as it arrives and refused as soon as it goes past a
// limit: URLs are checked and counted one by one (a list of a million is
// refused at the first URL past BATCH_MAX_URLS, without reading the rest), an
// archive goes to a temporary file, never to memory.

// readBatchJSON reads {"urls": [...], "variants": …}, adding each URL as it is
// decoded.
func (s *Server) readBatchJSON(r io.Reader, nb *newBatch) (batchRequest, error) {
	var spec batchRequest
	dec := json.NewDecoder(r)
	t, err := dec.Token()
	if err != nil {
		return spec, jsonError(err)
	}
	if t != json.Delim('{') {
		return spec, domain.Errorf(domain.EInvalid, "The request body must be a JSON object, not %s.", jsonKind(t))
	}
	rest := map[string]json.RawMessage{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return spec, jsonError(err)
		}
		key, _ := t.(string)
		if key == "urls" {
			if err := s.readURLArray(dec, nb); err != nil {
				return spec, err
			}
			continue
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return spec, jsonError(err)
		}
		rest[key] = v
	}
	if _, err := dec.Token(); err != nil {
		return spec, jsonError(err)
	}
	// The spec's fields are few and small: decode them as one object, so
	// unknown fields and wrong types are refused as for a job.
	b, _ := json.Marshal(rest)
	sd := json.NewDecoder(bytes.NewReader(b))
	sd.DisallowUnknownFields()
	if err := sd.Decode(&spec); err != nil {
		return spec, jsonError(err)
	}
	return spec, nil
}

func (s *Server) readURLArray(dec *json.Decoder, nb *newBatch) error {
	t, err := dec.Token()
	if err != nil {
		return jsonError(err)
	}
	if t == nil {
		return nil
	}
	if t != json.Delim('[') {
		return domain.Errorf(domain.EInvalidSpec, "urls must be a list of strings, not %s.", jsonKind(t))
	}
	for i := 1; dec.More(); i++ {
		var raw string
		if err := dec.Decode(&raw); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				return domain.Errorf(domain.EInvalidSpec, "urls[%d] must be a string, not %s.", i, te.Value)
			}
			return jsonError(err)
		}
		if err := s.addURL(nb, raw, fmt.Sprintf("urls[%d]", i)); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return jsonError(err)
	}
	return nil
}

func jsonKind(t json.Token) string {
	switch t {
	case json.Delim('['):
		return "a JSON array"
	case json.Delim('{'):
		return "a JSON object"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%v", t)
}

// readBatchForm reads a multipart batch part by part: the archive into a
// temporary file (read once every field is known, since the fields say how),
// a URL list (a file or the form's text) line by line, and the spec's
// fields, each at most maxJSONBody bytes.
func (s *Server) readBatchForm(c *gin.Context, nb *newBatch) (batchRequest, error) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.Limits.MaxTotalBytes+maxJSONBody)
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return batchRequest{}, formError(err)
	}
	fields := url.Values{}
	gave := map[string]bool{} // the parts that gave images
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return batchRequest{}, formError(err)
		}
		jobs, skipped := len(nb.jobs), nb.batch.Skipped.Total
		switch name := part.FormName(); name {
		case "archive":
			err = inField("archive", nb.keepArchive(part))
		case "urls":
			err = inField("urls", s.readURLLines(nb, part, fields))
		default:
			var v []byte
			v, err = io.ReadAll(io.LimitReader(part, maxJSONBody+1))
			if len(v) > maxJSONBody {
				err = domain.Errorf(domain.ETooLarge, "The form field %q is larger than the limit of %d bytes.", name, maxJSONBody)
			}
			fields.Add(name, string(v))
		}
		if err != nil {
			// NOTE: no part.Close(): it would read the rest of the part.
			if domain.ErrorCode(err) != domain.ETooLarge {
				keepFields(mr, fields) // so the form comes back with what was typed
				c.Request.PostForm, c.Request.Form = fields, fields
			}
			return batchRequest{}, formError(err)
		}
		part.Close()
		if len(nb.jobs) > jobs || nb.batch.Skipped.Total > skipped || part.FormName() == "archive" && nb.archive != nil {
			gave[part.FormName()] = true
		}
		if len(gave) > 1 {
			return batchRequest{}, domain.Errorf(domain.EInvalid, "Give either an archive or a list of URLs, not both.")
		}
	}
	// NOTE: formSpec and the home page read the fields through the request's form.
	c.Request.PostForm, c.Request.Form = fields, fields
	return batchFormRequest(c)
}

// keepArchive keeps the uploaded archive in a temporary file, since a zip
// is read from its end; an empty file field (no archive chosen) keeps none.
func (nb *newBatch) keepArchive(part io.Reader) error {
	f, err := os.CreateTemp("", "augment-archive-*")
	if err != nil {
		return fmt.Errorf("web: archive: %w", err)
	}
	n, err := io.Copy(f, part)
	if err != nil || n == 0 {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	nb.dropArchive()
	nb.archive, nb.archiveSize = f, n
	return nil
}

// dropArchive removes the kept archive, if any.
func (nb *newBatch) dropArchive() {
	if nb.archive != nil {
		nb.archive.Close()
		os.Remove(nb.archive.Name())
		nb.archive = nil
	}
}

// readURLLines adds the URLs of a list, one a line; blank lines and lines
// starting with # are skipped. Text typed into the form is kept in fields
// (up to maxJSONBody) so a refused form can show it again.
func (s *Server) readURLLines(nb *newBatch, part io.Reader, fields url.Values) error {
	var typed strings.Builder
	defer func() { fields.Set("urls", typed.String()) }()
	limit := s.Limits.MaxURLs*2100 + maxJSONBody
	lr := &io.LimitedReader{R: part, N: limit + 1}
	sc := bufio.NewScanner(io.TeeReader(lr, limitedWriter{&typed, maxJSONBody}))
	sc.Buffer(make([]byte, 4096), 1<<16)
	for line := 1; sc.Scan(); line++ {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			if err := s.addURL(nb, l, fmt.Sprintf("line %d", line)); err != nil {
				return err
			}
		}
	}
	if lr.N <= 0 {
		return domain.Errorf(domain.ETooLarge, "The URL list is larger than the limit of %d bytes.", limit)
	}
	if err := sc.Err(); err != nil {
		return domain.Errorf(domain.EInvalid, "The URL list could not be read: %v.", err)
	}
	return nil
}

// limitedWriter keeps the first n bytes written to it and drops the rest.
type limitedWriter struct {
	b *strings.Builder
	n int
}

func (w limitedWriter) Write(p []byte) (int, error) {
	if room := w.n - w.b.Len(); room > 0 {
		w.b.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

// keepFields reads the small fields left in a refused form, skipping files,
// so that the form can be shown again as it was sent.
func keepFields(mr *multipart.Reader, fields url.Values) {
	for {
		part, err := mr.NextPart()
		if err != nil {
			return
		}
		if part.FileName() == "" && part.FormName() != "archive" && part.FormName() != "urls" {
			v, _ := io.ReadAll(io.LimitReader(part, maxJSONBody))
			fields.Add(part.FormName(), string(v))
		}
		part.Close()
	}
}
