package web

import (
	"encoding/json"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/augment-ml/augment/internal/augment"
	"github.com/augment-ml/augment/internal/domain"
)

// TestOpsPageShowsTheRegistry: every op and every parameter of the
// catalogue is on the reference, and every preset links to the form with
// its own pipeline.
func TestOpsPageShowsTheRegistry(t *testing.T) {
	h := pagesOnly("").Handler()
	w := get(t, h, "GET", "/ops")
	if w.Code != 200 {
		t.Fatalf("/ops: %d", w.Code)
	}
	page := w.Body.String()
	for _, op := range augment.Catalogue() {
		i := strings.Index(page, `id="op-`+op.Name+`"`)
		if i < 0 {
			t.Errorf("op %s is not on the reference", op.Name)
			continue
		}
		section := page[i:]
		if end := strings.Index(section[1:], "<article"); end > 0 {
			section = section[:end]
		}
		for _, p := range op.Params {
			if !strings.Contains(section, "<code>"+p.Name+"</code>") {
				t.Errorf("%s: parameter %s is not shown", op.Name, p.Name)
			}
			if p.Jitter != nil && !strings.Contains(html.UnescapeString(section), describeParam(p).Type) {
				t.Errorf("%s: what a number stands for in %s is not shown (%q)", op.Name, p.Name, describeParam(p).Type)
			}
		}
	}
	if got := describeParam(param(t, "color_jitter", "brightness")).Type; !strings.Contains(got, "a number x draws from [max(0, 1−x), 1+x]") {
		t.Errorf("color_jitter's brightness reads %q", got)
	}
	if got := describeParam(param(t, "affine", "translate")).Type; !strings.Contains(got, "each x draws from [−x, x], recorded as offset") {
		t.Errorf("affine's translate reads %q", got)
	}
	links := regexp.MustCompile(`href="(/\?pipeline=[^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(links) != len(augment.Presets()) {
		t.Fatalf("%d edit links for %d presets", len(links), len(augment.Presets()))
	}
	for i, p := range augment.Presets() {
		u, _ := url.Parse(html.UnescapeString(links[i][1]))
		if got := u.Query().Get("pipeline"); got != string(p.Pipeline) {
			t.Errorf("edit %s opens %s, want its pipeline %s", p.Name, got, p.Pipeline)
		}
		// The home page takes that link with the pipeline filled in and "custom" chosen.
		home := get(t, h, "GET", u.String()).Body.String()
		if !strings.Contains(home, html.EscapeString(string(p.Pipeline))) || !strings.Contains(home, `<option value="" selected>custom pipeline</option>`) {
			t.Errorf("the home page opened from edit %s does not hold its pipeline as custom", p.Name)
		}
	}
}

func param(t *testing.T, op, name string) augment.Param {
	t.Helper()
	for _, o := range augment.Catalogue() {
		for _, p := range o.Params {
			if o.Name == op && p.Name == name {
				return p
			}
		}
	}
	t.Fatalf("no %s.%s", op, name)
	return augment.Param{}
}

func TestEveryCodeHasAHeadline(t *testing.T) {
	codes := []string{domain.EInternal}
	for code := range statusOf {
		codes = append(codes, code)
	}
	for _, code := range codes {
		h, ok := headlines[code]
		if !ok || h == "" {
			t.Errorf("error code %s has no headline", code)
		}
		if regexp.MustCompile(`^\d+$`).MatchString(h) {
			t.Errorf("the headline of %s is a bare number", code)
		}
	}
	w := get(t, pagesOnly("").Handler(), "GET", "/nothing/here", "Accept", "text/html")
	if w.Code != 404 || !strings.Contains(w.Body.String(), "<h1>Not found</h1>") || !strings.Contains(w.Body.String(), "/nothing/here") {
		t.Errorf("404 page: %d\n%s", w.Code, w.Body.String())
	}
}

func TestPageChoice(t *testing.T) {
	for _, tc := range []struct {
		name, preset, pipeline string
		presetSent             bool
		wantPreset, wantField  string
		wantPipeline           bool
	}{
		{"a pipeline wins over the preset", "default", `[{"op": "hflip"}]`, true, "", "", true},
		{"the preset alone", "heavy", ``, true, "heavy", "", false},
		{"custom and empty is a mistake", "", ``, true, "", "pipeline", false},
		{"custom and [] is a mistake too", "", ` [ ] `, true, "", "pipeline", false},
		{"a preset and [] is the preset", "classic", `[]`, true, "classic", "", false},
		{"no preset field at all (?url=) is the default", "", ``, false, "", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := specRequest{Preset: tc.preset}
			if tc.pipeline != "" {
				r.Pipeline = json.RawMessage(tc.pipeline)
			}
			err := pageChoice(&r, tc.presetSent)
			if fieldOf(err) != tc.wantField || (err != nil) != (tc.wantField != "") {
				t.Fatalf("error %v in field %q, want field %q", err, fieldOf(err), tc.wantField)
			}
			if err != nil && domain.ErrorCode(err) != domain.EInvalidSpec {
				t.Errorf("code %s, want invalid_spec (422)", domain.ErrorCode(err))
			}
			if err == nil && (r.Preset != tc.wantPreset || (len(r.Pipeline) > 0) != tc.wantPipeline) {
				t.Errorf("preset %q pipeline %s, want preset %q, pipeline kept %v", r.Preset, r.Pipeline, tc.wantPreset, tc.wantPipeline)
			}
		})
	}
}
