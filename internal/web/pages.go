package web

import (
	"embed"
	"encoding/json"
	"html/template"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/augment-ml/augment/internal/augment"
	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/fetch"
	"github.com/augment-ml/augment/internal/metrics"
)

//go:embed templates static
var assets embed.FS

var funcs = template.FuncMap{
	"opsText": opsText,
	"json": func(v any) string {
		b, _ := json.MarshalIndent(v, "", "  ")
		return string(b)
	},
}

// home serves the form, or runs the synchronous ?url= flow.
func (s *Server) home(c *gin.Context) {
	if c.Query("url") != "" {
		// NOTE: a GET, but it queues a job: a write.
		if s.allowToken(c) && s.allowRate(c) {
			s.syncFlow(c)
		}
		return
	}
	s.renderHome(c, http.StatusOK, "")
}

func (s *Server) renderHome(c *gin.Context, status int, problem string) {
	tab := "image"
	if strings.HasPrefix(c.Request.URL.Path, "/batches") {
		tab = "batch"
	}
	c.HTML(status, "home.html", gin.H{"Presets": augment.Presets(), "Ops": augment.Catalogue(), "Error": problem, "Form": c.Request.PostForm, "Tab": tab})
}

// syncFlow queues the job at interactive priority and waits for it; a job
// that outlasts SyncTimeout is left to its own page.
func (s *Server) syncFlow(c *gin.Context) {
	req := jobRequest{URL: strings.TrimSpace(c.Query("url"))}
	req.Preset = c.Query("preset")
	req.Output.Format = c.Query("format")
	if p := c.Query("pipeline"); p != "" {
		req.Pipeline = json.RawMessage(p)
	}
	var err error
	if req.Variants, err = queryInt[int](c, "n"); err != nil {
		s.fail(c, err)
		return
	}
	if req.Seed, err = queryInt[int64](c, "seed"); err != nil {
		s.fail(c, err)
		return
	}
	if _, err := fetch.ValidateURL(req.URL); err != nil {
		s.fail(c, err)
		return
	}
	j, err := s.submit(c.Request.Context(), req, domain.PriorityInteractive)
	if err != nil {
		s.fail(c, err)
		return
	}
	start := time.Now()
	j, err = s.waitEnded(c.Request.Context(), j.ID, s.SyncTimeout)
	metrics.Since(metrics.SyncWaitSeconds, start)
	if err != nil {
		s.fail(c, err)
		return
	}
	switch j.Status {
	case domain.StatusDone:
		c.HTML(http.StatusOK, "job.html", gin.H{"Job": jobView(j)})
	case domain.StatusFailed:
		c.HTML(statusFor(j.Error.Code), "job.html", gin.H{"Job": jobView(j)})
	default:
		c.Redirect(http.StatusSeeOther, "/jobs/"+j.ID)
	}
}

// submitForm takes the home page's form and sends the browser to the job.
func (s *Server) submitForm(c *gin.Context) {
	req, err := s.readJobRequest(c)
	if err == nil {
		var j *domain.Job
		if j, err = s.submit(c.Request.Context(), req, domain.PriorityInteractive); err == nil {
			c.Redirect(http.StatusSeeOther, "/jobs/"+j.ID)
			return
		}
	}
	status := statusFor(domain.ErrorCode(err))
	if status >= 500 {
		s.fail(c, err)
		return
	}
	s.renderHome(c, status, domain.ErrorMessage(err))
}

func (s *Server) jobPage(c *gin.Context) {
	j, err := s.Jobs.Job(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.HTML(http.StatusOK, "job.html", gin.H{"Job": jobView(j)})
}

func (s *Server) ops(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"ops": augment.Catalogue()}) }

func (s *Server) presets(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"presets": augment.Presets()})
}

// opsText renders recorded ops for people: "rotate angle=12.7 fill=black".
func opsText(raw json.RawMessage) []string {
	var ops []augment.Op
	if err := json.Unmarshal(raw, &ops); err != nil {
		return nil
	}
	out := make([]string, len(ops))
	for i, op := range ops {
		parts := []string{op.Name}
		for _, k := range slices.Sorted(maps.Keys(op.Args)) {
			v, _ := json.Marshal(op.Args[k])
			parts = append(parts, k+"="+string(v))
		}
		out[i] = strings.Join(parts, " ")
	}
	return out
}

// queryInt reads an optional whole-number query parameter.
func queryInt[T int | int64](c *gin.Context, name string) (*T, error) {
	v := c.Query(name)
	if v == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return nil, domain.Errorf(domain.EInvalidSpec, "%s must be a whole number, not %q.", name, v)
	}
	t := T(n)
	return &t, nil
}
