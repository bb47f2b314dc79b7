package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/augment-ml/augment/internal/augment"
	"github.com/augment-ml/augment/internal/domain"
)

// groupOrder is the order of the reference's sections, as a pipeline is
// usually built; a group not named here follows, by name.
var groupOrder = []string{"geometric", "photometric", "blur, noise, quality", "occlusion", "composition", "policy"}

// opGroup is one section of the operations reference.
type opGroup struct {
	Name string
	Ops  []opDoc
}

type opDoc struct {
	augment.OpInfo
	Params  []paramDoc
	Example string // the home form with the op's example pipeline filled in
}

// paramDoc is a parameter as the reference shows it.
type paramDoc struct {
	augment.Param
	Type, Default, Range string
}

type presetDoc struct {
	augment.PresetInfo
	Pretty string
	Edit   string // the home form with this pipeline filled in
}

// opsPage is the HTML operations reference, made from the registry.
func (s *Server) opsPage(c *gin.Context) {
	byGroup := map[string][]opDoc{}
	for _, op := range augment.Catalogue() {
		d := opDoc{OpInfo: op}
		if raw, err := augment.Example(op.Name); err == nil {
			d.Example = "/?pipeline=" + url.QueryEscape(string(raw)) + "#job-form"
		}
		for _, p := range op.Params {
			d.Params = append(d.Params, describeParam(p))
		}
		byGroup[op.Group] = append(byGroup[op.Group], d)
	}
	names := make([]string, 0, len(byGroup))
	for g := range byGroup {
		names = append(names, g)
	}
	rank := func(g string) int {
		if i := slices.Index(groupOrder, g); i >= 0 {
			return i
		}
		return len(groupOrder)
	}
	slices.SortFunc(names, func(a, b string) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		return strings.Compare(a, b)
	})
	groups := make([]opGroup, len(names))
	for i, g := range names {
		groups[i] = opGroup{Name: g, Ops: byGroup[g]}
	}
	var presets []presetDoc
	for _, p := range augment.Presets() {
		pretty, _ := json.MarshalIndent(json.RawMessage(p.Pipeline), "", "  ")
		presets = append(presets, presetDoc{PresetInfo: p, Pretty: string(pretty),
			Edit: "/?pipeline=" + url.QueryEscape(string(p.Pipeline)) + "#job-form"})
	}
	s.pageOK(c, "ops.html", "Operations", gin.H{"Groups": groups, "Presets": presets, "Examples": s.haveExamples(c)})
}

// haveExamples reports whether a worker has drawn the ops' examples (each
// does at start); the page leaves the pictures out until one has.
func (s *Server) haveExamples(c *gin.Context) bool {
	if s.Blobs == nil {
		return false
	}
	r, _, err := s.Blobs.Get(c.Request.Context(), domain.OpExampleKey("identity"))
	if err != nil {
		return false
	}
	r.Close()
	return true
}

// opExample serves an op's example: the bundled photo through a one-step
// pipeline of it (augment.Example), as the worker drew it.
func (s *Server) opExample(c *gin.Context) {
	name := c.Param("op")
	if !slices.ContainsFunc(augment.Catalogue(), func(o augment.OpInfo) bool { return o.Name == name }) {
		s.fail(c, domain.Errorf(domain.ENotFound, "There is no operation %q; /ops lists them.", name))
		return
	}
	r, size, err := s.Blobs.Get(c.Request.Context(), domain.OpExampleKey(name))
	if domain.ErrorCode(err) == domain.ENotFound {
		err = domain.Errorf(domain.ENotFound, "The example of %s has not been drawn yet: a worker draws them when it starts.", name)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	defer r.Close()
	// NOTE: a worker of a newer release draws them again, so not immutable.
	c.Header("Cache-Control", "public, max-age=3600")
	c.DataFromReader(http.StatusOK, size, "image/webp", r, nil)
}

func describeParam(p augment.Param) paramDoc {
	d := paramDoc{Param: p}
	switch p.Kind {
	case augment.KindRange:
		d.Type = "number, or [min, max] drawn per variant"
	case augment.KindInt:
		d.Type = "whole number, or [min, max] drawn per variant"
	case augment.KindSize:
		d.Type = "[width, height] in pixels"
	case augment.KindBool:
		d.Type = "true or false"
	case augment.KindEnum:
		d.Type = "one of " + strings.Join(p.Enum, ", ")
	case augment.KindPair:
		d.Type = "[x, y]"
	default:
		d.Type = string(p.Kind)
	}
	if p.Name == "p" {
		d.Type = "number" // a probability is never drawn
	}
	if j := p.Jitter; j != nil {
		lo, hi := fmt.Sprintf("%g−x", j.Around), fmt.Sprintf("%g+x", j.Around)
		if j.Around == 0 {
			lo, hi = "−x", "x"
		}
		if j.Floor != nil {
			lo = fmt.Sprintf("max(%g, %s)", *j.Floor, lo)
		}
		if j.Into != "" {
			d.Type += fmt.Sprintf("; each x draws from [%s, %s], recorded as %s", lo, hi, j.Into)
		} else {
			d.Type += fmt.Sprintf("; a number x draws from [%s, %s]", lo, hi)
		}
	}
	switch {
	case p.Required:
		d.Default = "required"
	case p.Default == nil:
		d.Default = "—"
	default:
		if s, ok := p.Default.(string); ok {
			d.Default = s
		} else {
			b, _ := json.Marshal(p.Default)
			d.Default = strings.ReplaceAll(string(b), ",", ", ")
		}
	}
	switch {
	case p.Min != nil && p.Max != nil:
		d.Range = fmt.Sprintf("%g – %g", *p.Min, *p.Max)
	case p.Min != nil:
		d.Range = fmt.Sprintf("≥ %g", *p.Min)
	case p.Max != nil:
		d.Range = fmt.Sprintf("≤ %g", *p.Max)
	}
	return d
}
