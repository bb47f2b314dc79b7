package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/augment-ml/augment/internal/augment"
	"github.com/augment-ml/augment/internal/domain"
)

// fieldError ties a problem to the form field it is about, so that a page
// can show the message beside that field.
type fieldError struct {
	field string
	err   error
}

func (e *fieldError) Error() string { return e.err.Error() }
func (e *fieldError) Unwrap() error { return e.err }

// inField marks err as a problem with field; nil stays nil.
func inField(field string, err error) error {
	if err == nil {
		return nil
	}
	return &fieldError{field: field, err: err}
}

// fieldOf is the field err is about, or "" for the request as a whole.
func fieldOf(err error) string {
	var fe *fieldError
	if errors.As(err, &fe) {
		return fe.field
	}
	return ""
}

// formState is one of the home page's forms as it should show: the values
// sent, kept after an error, and the error beside its field.
type formState struct {
	Values url.Values
	Field  string
	Error  string
}

// Get returns the value sent for name, or def when none was.
func (f formState) Get(name, def string) string {
	if v, ok := f.Values[name]; ok && len(v) > 0 {
		return v[0]
	}
	return def
}

// Checked says whether a checkbox was ticked: the last value sent counts
// (a hidden "false" comes before it), def when nothing was sent.
func (f formState) Checked(name string, def bool) bool {
	v := f.Values[name]
	if len(v) == 0 {
		return def
	}
	return v[len(v)-1] == "true"
}

// ErrorFor returns the message about field name, if that is where the error is.
func (f formState) ErrorFor(name string) string {
	if f.Error != "" && f.Field == name {
		return f.Error
	}
	return ""
}

// General returns the message about the form as a whole.
func (f formState) General() string {
	if f.Field == "" {
		return f.Error
	}
	return ""
}

// pageChoice applies the forms' rule on preset and pipeline: a pipeline that
// is not empty wins over the preset, and choosing "custom pipeline" (an
// empty preset) with an empty pipeline is a mistake, never a silent default.
// The JSON API keeps its own rule: both at once is refused.
func pageChoice(r *specRequest, presetSent bool) error {
	var steps []json.RawMessage
	if json.Unmarshal(r.Pipeline, &steps) == nil && len(steps) == 0 {
		r.Pipeline = nil // "[]", all steps removed in the editor
	}
	if len(r.Pipeline) > 0 {
		r.Preset = ""
		return nil
	}
	if presetSent && r.Preset == "" {
		return inField("pipeline", domain.Errorf(domain.EInvalidSpec,
			"The custom pipeline is empty: add a step, or choose a preset."))
	}
	return nil
}

// home serves the forms, or runs the synchronous ?url= flow.
func (s *Server) home(c *gin.Context) {
	if c.Query("url") != "" {
		if c.Request.Method == http.MethodHead {
			// NOTE: ?url= queues a job; a HEAD must not.
			c.Header("Allow", "GET")
			c.Status(http.StatusMethodNotAllowed)
			return
		}
		// NOTE: a GET, but it queues a job: a write, counted after the token.
		if s.allowToken(c) && s.allowRate(c) {
			s.syncFlow(c)
		}
		return
	}
	// Links may fill the forms in: /?pipeline=[…] (an "edit this preset"),
	// /?tab=batch&pipeline=[…] (a pipeline for a dataset), /?from=ID&… (a
	// job's "edit": its image, by the job, and its settings).
	prefill := url.Values{}
	for _, k := range []string{"pipeline", "preset", "variants", "seed", "format", "from"} {
		if v := c.Query(k); v != "" {
			prefill.Set(k, v)
		}
	}
	if prefill.Get("pipeline") != "" && prefill.Get("preset") == "" {
		prefill.Set("preset", "")
	}
	tab := "image"
	if c.Query("tab") == "batch" {
		tab = "batch"
	}
	s.renderHome(c, http.StatusOK, tab, formState{Values: prefill})
}

// renderHome shows the forms, the one on tab holding state.
func (s *Server) renderHome(c *gin.Context, status int, tab string, state formState) {
	job, batch := formState{}, formState{}
	if tab == "batch" {
		batch = state
	} else {
		job = state
	}
	presets := augment.Presets()
	pipelines := make(map[string]json.RawMessage, len(presets))
	for _, p := range presets {
		pipelines[p.Name] = p.Pipeline
	}
	s.page(c, status, "home.html", "Augment images", gin.H{
		"Presets": presets, "Tab": tab, "Job": job, "Batch": batch,
		"Catalogue": gin.H{"ops": augment.Catalogue(), "presets": pipelines},
	})
}

// formFailed shows the form again with what was sent and the problem, or
// the error page when the problem is not the form's (a service down).
func (s *Server) formFailed(c *gin.Context, tab string, err error) {
	status := statusFor(domain.ErrorCode(err))
	if status >= 500 || !acceptsHTML(c) {
		s.fail(c, err)
		return
	}
	values := url.Values{}
	if c.Request.PostForm != nil {
		values = c.Request.PostForm
	}
	s.renderHome(c, status, tab, formState{Values: values, Field: fieldOf(err), Error: domain.ErrorMessage(err)})
}

// presetSent reports whether the form had a preset field, empty or not.
func presetSent(c *gin.Context) bool {
	_, ok := c.Request.PostForm["preset"]
	return ok
}

// specForm is what the fields shared by the two forms need: the form's id
// prefix, its state and the presets.
type specForm struct {
	ID      string
	Form    formState
	Presets []augment.PresetInfo
}

func specFields(id string, f formState, presets []augment.PresetInfo) specForm {
	return specForm{ID: id, Form: f, Presets: presets}
}
