package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/google/go-cmp/cmp"
)

// shot saves what the browser shows when SCREENSHOTS names a directory, so
// that a person can look at the pages the tests went through.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("SCREENSHOTS")
	if dir == "" {
		return
	}
	b, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	_ = os.WriteFile(filepath.Join(dir, name+".png"), b, 0o644)
}

// shotView saves what the screen shows (not the whole page: a strip fixed to
// the screen's bottom shows where it is).
func shotView(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("SCREENSHOTS")
	if dir == "" {
		return
	}
	b, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	_ = os.WriteFile(filepath.Join(dir, name+".png"), b, 0o644)
}

// run does steps, failing the test with the services' logs.
func run(t *testing.T, ctx context.Context, s *stack, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v\nlogs:\n%s", what, err, s.logs.String())
	}
}

// follow runs steps that start a navigation (a click on a link, a key the
// page turns into one) and returns when the new page has loaded, its
// scripts run: a selector the old page also holds cannot answer for it.
func follow(t *testing.T, ctx context.Context, s *stack, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	r, err := chromedp.RunResponse(ctx, steps...)
	if err == nil && r.Status >= 400 {
		err = fmt.Errorf("%s answered %d", r.URL, r.Status)
	}
	if err != nil {
		t.Fatalf("%s: %v\nlogs:\n%s", what, err, s.logs.String())
	}
}

// until evaluates js every 50 ms until it is true, for at most 10 s; what
// says what it waits for.
func until(t *testing.T, ctx context.Context, what, js string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !eval[bool](t, ctx, js); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Errorf("waited 10 s for %s", what)
			return
		}
	}
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluating %s: %v", js, err)
	}
	return v
}

// pipelineIn reads a form's pipeline field as JSON values.
func pipelineIn(t *testing.T, ctx context.Context, form string) any {
	t.Helper()
	text := eval[string](t, ctx, `document.querySelector("#`+form+` [name=pipeline]").value`)
	var v any
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		t.Fatalf("the %s pipeline field holds %q: %v", form, text, err)
	}
	return v
}

func asJSON(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// typeInto replaces a field's text by typing, as a person would.
func typeInto(sel, text string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(chromedp.Evaluate[chromedp.Void](`document.querySelector(`+jsString(sel)+`).value = ""`),
		chromedp.SendKeys(chromedp.CSS(sel), text))
}

func jsString(s string) string { b, _ := json.Marshal(s); return string(b) }

// TestBrowserFormKeepsItsState: after an error every field is as it was and
// the message is beside the pipeline, with its step outlined; corrected, the
// same form makes the job.
func TestBrowserFormKeepsItsState(t *testing.T) {
	s := startStack(t)
	img := images(t)
	ctx := browser(t)
	bad := `[{"op": "rotate", "degrees": [-20, 999]}]`
	run(t, ctx, s, "filling the form",
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(s.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#job-form li.step`)),
		chromedp.SendKeys(chromedp.CSS(`#job-url`), img.URL+"/rocket.jpg"),
		typeInto(`#job-variants`, "3"),
		chromedp.SendKeys(chromedp.CSS(`#job-seed`), "77"),
		chromedp.SetValue(chromedp.CSS(`#job-format`), "png"),
		chromedp.Click(chromedp.CSS(`#job-form details.json summary`)),
		typeInto(`#job-pipeline`, bad),
		chromedp.Click(chromedp.CSS(`#job-form .actions button:not([name])`)),
		chromedp.WaitVisible(chromedp.CSS(`#job-pipeline-error`)),
	)
	shot(t, ctx, "form-error-1280")
	msg := eval[string](t, ctx, `document.getElementById("job-pipeline-error").textContent`)
	if !strings.Contains(msg, "step 1 (rotate)") || !strings.Contains(msg, "degrees") {
		t.Errorf("the message beside the pipeline is %q", msg)
	}
	kept := eval[map[string]any](t, ctx, `(() => { const f = document.getElementById("job-form"); return {
		url: f.url.value, variants: f.variants.value, seed: f.seed.value, format: f.format.value, preset: f.preset.value,
		pipeline: f.pipeline.value, path: location.pathname, open: f.querySelector("details.json").open,
		marked: !!f.querySelector("li.step.invalid[data-index='0']"), invalid: f.pipeline.getAttribute("aria-invalid") } })()`)
	want := map[string]any{"url": img.URL + "/rocket.jpg", "variants": "3", "seed": "77", "format": "png", "preset": "",
		"pipeline": bad, "path": "/", "open": true, "marked": true, "invalid": "true"}
	if d := cmp.Diff(want, kept); d != "" {
		t.Errorf("the form after the error (-want +got):\n%s", d)
	}

	good := `[{"op": "rotate", "degrees": [-20, 20]}]`
	run(t, ctx, s, "correcting the pipeline",
		typeInto(`#job-pipeline`, good),
		chromedp.WaitNotPresent(chromedp.CSS(`#job-pipeline-error`)),
		chromedp.Click(chromedp.CSS(`#job-form .actions button:not([name])`)),
		chromedp.WaitVisible(chromedp.CSS(`#live.job[data-status=done]`)),
	)
	id := eval[string](t, ctx, `document.getElementById("live").dataset.id`)
	var j struct {
		Spec struct {
			Variants int             `json:"variants"`
			Seed     int64           `json:"seed"`
			Pipeline json.RawMessage `json:"pipeline"`
			Output   struct{ Format string }
		} `json:"spec"`
	}
	s.getJSON("/api/v1/jobs/"+id, &j)
	if j.Spec.Variants != 3 || j.Spec.Seed != 77 || j.Spec.Output.Format != "png" || !cmp.Equal(asJSON(t, string(j.Spec.Pipeline)), asJSON(t, good)) {
		t.Errorf("the job made from the kept form: %+v", j.Spec)
	}
}

// TestBrowserPipelineEditor drives the editor's controls and reads the JSON
// they write; then builds a custom pipeline for a dataset on the batch tab.
func TestBrowserPipelineEditor(t *testing.T) {
	s := startStack(t)
	img := images(t)
	ctx := browser(t)
	step := func(op string) string { return `#job-form li.step[data-op=` + op + `]` }
	run(t, ctx, s, "opening a pipeline to edit",
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(s.URL+"/?pipeline="+url.QueryEscape(`[{"op":"rotate","degrees":[-20,20]}]`)),
		chromedp.WaitVisible(chromedp.CSS(step("rotate"))),
	)
	if p := eval[string](t, ctx, `document.getElementById("job-preset").value`); p != "" {
		t.Errorf("a pipeline opened to edit shows preset %q, want custom", p)
	}
	// The lowest handle pushed to the end stops at the highest.
	run(t, ctx, s, "the two-handled slider",
		chromedp.Focus(chromedp.CSS(step("rotate")+` [data-param=degrees] .dual input:first-of-type`)),
		chromedp.KeyEvent(kb.End))
	if got := pipelineIn(t, ctx, "job-form"); !cmp.Equal(got, asJSON(t, `[{"op":"rotate","degrees":[20,20]}]`)) {
		t.Errorf("after the slider: %v", got)
	}
	run(t, ctx, s, "the range switch, a checkbox and a select",
		chromedp.Click(chromedp.CSS(step("rotate")+` [data-param=degrees] label.mode input`)),
		chromedp.Click(chromedp.CSS(step("rotate")+` [data-param=expand] input[type=checkbox]`)),
		chromedp.Focus(chromedp.CSS(step("rotate")+` [data-param=fill] select`)),
		chromedp.KeyEvent("m"),
		chromedp.SetValue(chromedp.CSS(`#pe1-add-op`), "grayscale"),
		chromedp.Click(chromedp.CSS(`#pe1-add`)),
		chromedp.Click(chromedp.CSS(`button[aria-label="Move step 2 (grayscale) up"]`)),
	)
	want := `[{"op":"grayscale"},{"op":"rotate","degrees":20,"expand":true,"fill":"mirror"}]`
	if got := pipelineIn(t, ctx, "job-form"); !cmp.Equal(got, asJSON(t, want)) {
		t.Errorf("after editing: %v, want %s", got, want)
	}
	run(t, ctx, s, "removing a step",
		chromedp.Click(chromedp.CSS(`button[aria-label="Remove step 1 (grayscale)"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(step("grayscale"))))
	if n := eval[int](t, ctx, `document.querySelectorAll("#job-form li.step").length`); n != 1 {
		t.Errorf("%d steps after removing one of two", n)
	}
	// Typing JSON redraws the controls.
	if !eval[bool](t, ctx, `document.querySelector("#job-form details.json").open`) {
		t.Errorf("a pipeline opened to edit does not show its JSON")
	}
	run(t, ctx, s, "typing JSON",
		typeInto(`#job-pipeline`, `[{"op":"hflip"},{"op":"cutout","holes":[1,2]},{"one_of":[{"op":"vflip"},{"op":"invert"}]}]`),
		chromedp.WaitVisible(chromedp.CSS(`#job-form li.step[data-op=one_of] textarea`)))
	if n := eval[int](t, ctx, `document.querySelectorAll("#job-form li.step").length`); n != 3 {
		t.Errorf("%d steps drawn from the typed JSON, want 3", n)
	}
	shot(t, ctx, "editor-1280")

	// The dataset tab has the same editor: a custom pipeline for a batch.
	first := `#batch-form li.step:first-child button[aria-label^="Remove"]`
	run(t, ctx, s, "a custom pipeline on the batch tab",
		chromedp.Click(chromedp.CSS(`label[for=tab-batch]`)),
		chromedp.WaitVisible(chromedp.CSS(`#batch-form li.step`)),
		chromedp.SetValue(chromedp.CSS(`#batch-urls`), img.URL+"/coffee.png\n"+img.URL+"/chelsea.png"),
		chromedp.SetValue(chromedp.CSS(`#pe2-add-op`), "hflip"),
		chromedp.Click(chromedp.CSS(`#pe2-add`)),
	)
	for eval[int](t, ctx, `document.querySelectorAll("#batch-form li.step").length`) > 1 {
		run(t, ctx, s, "removing a preset step", chromedp.Click(chromedp.CSS(first)))
	}
	run(t, ctx, s, "setting p and sending the batch",
		typeInto(`#batch-form li.step[data-op=hflip] [data-param=p] input[type=number]`, "0.5"),
		chromedp.Click(chromedp.CSS(`#batch-form .actions button`)),
		chromedp.WaitVisible(chromedp.CSS(`#live.batch`)),
	)
	id := eval[string](t, ctx, `document.getElementById("live").dataset.id`)
	var b struct {
		Spec struct {
			Preset   string          `json:"preset"`
			Pipeline json.RawMessage `json:"pipeline"`
		} `json:"spec"`
	}
	s.getJSON("/api/v1/batches/"+id, &b)
	if b.Spec.Preset != "" || !cmp.Equal(asJSON(t, string(b.Spec.Pipeline)), asJSON(t, `[{"op":"hflip","p":0.5}]`)) {
		t.Errorf("the batch's spec: preset %q, pipeline %s", b.Spec.Preset, b.Spec.Pipeline)
	}
	s.waitBatch(id, 60*time.Second)
}

// TestBrowserKeyboardReachesEveryControl tabs through the home page: every
// control of the image form, then (switching tabs with the arrow keys)
// every control of the batch form.
func TestBrowserKeyboardReachesEveryControl(t *testing.T) {
	s := startStack(t)
	ctx := browser(t)
	run(t, ctx, s, "opening the home page", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(s.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#job-form li.step`)))
	mark := func(form string) int {
		return eval[int](t, ctx, `(() => {
			const sel = "a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select, textarea, summary";
			const all = [...document.querySelectorAll("#`+form+` :is(" + sel + ")")].filter((e) =>
				e.getClientRects().length > 0 && !e.closest("details:not([open]) > :not(summary)"));
			all.forEach((e, i) => { e.dataset.kbd = "`+form+`-" + i; });
			return all.length; })()`)
	}
	tabThrough := func(form string, want int, until string) {
		reached := map[string]bool{}
		for range 400 {
			run(t, ctx, s, "pressing Tab", chromedp.KeyEvent(kb.Tab))
			id := eval[string](t, ctx, `document.activeElement.dataset.kbd || document.activeElement.id || ""`)
			if strings.HasPrefix(id, form+"-") {
				reached[id] = true
			}
			if (want > 0 && len(reached) == want) || (until != "" && id == until) {
				break
			}
		}
		if until == "" && len(reached) != want {
			missed := eval[[]string](t, ctx, `[...document.querySelectorAll("#`+form+` [data-kbd]")].map((e) => e.dataset.kbd).filter((k) => !`+jsonSet(reached)+`.includes(k)).map((k) => document.querySelector("[data-kbd='" + k + "']").outerHTML.slice(0, 120))`)
			t.Errorf("%s: Tab reached %d of %d controls; missed:\n%s", form, len(reached), want, strings.Join(missed, "\n"))
		}
	}
	n := mark("job-form")
	if n < 25 {
		t.Fatalf("only %d controls found in the image form", n)
	}
	tabThrough("job-form", n, "")
	// Back to the tabs by keyboard, then the arrow key to the batch tab.
	run(t, ctx, s, "back to the top", chromedp.Navigate(s.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`#job-form li.step`)))
	tabThrough("", 0, "tab-image")
	if id := eval[string](t, ctx, `document.activeElement.id`); id != "tab-image" {
		t.Fatalf("Tab never reached the tabs (at %q)", id)
	}
	run(t, ctx, s, "switching tabs", chromedp.KeyEvent(kb.ArrowRight), chromedp.WaitVisible(chromedp.CSS(`#batch-form li.step`)))
	n = mark("batch-form")
	tabThrough("batch-form", n, "")
}

func jsonSet(m map[string]bool) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	b, _ := json.Marshal(keys)
	return string(b)
}

// TestBrowserPhoneLayout opens every page at 390×844 and at 1280×900: no
// page scrolls sideways. With SCREENSHOTS set it keeps a picture of each.
func TestBrowserPhoneLayout(t *testing.T) {
	s := startStack(t)
	img := images(t)
	ctx := browser(t)
	// A job from the "try it" button, as a first visitor would make one.
	run(t, ctx, s, "trying the sample", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
		chromedp.Navigate(s.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`#job-form li.step`)),
		chromedp.Click(chromedp.CSS(`#job-form button[name=sample]`)),
		chromedp.WaitVisible(chromedp.CSS(`#live.job[data-status=done]`)))
	jobPath := eval[string](t, ctx, `location.pathname`)
	if title := eval[string](t, ctx, `document.title`); !strings.HasPrefix(title, "cardinal.jpg") {
		t.Errorf("the sample job's page is titled %q", title)
	}
	failed := s.postJob(`{"url": "` + img.URL + `/missing/a-rather-long-file-name-that-could-push-the-page-sideways.jpg"}`)
	s.waitJob(failed.ID, 30*time.Second)
	status, b, _ := s.postBatch("application/json", strings.NewReader(`{"urls": ["`+img.URL+`/coffee.png", "`+img.URL+`/chelsea.png", "`+img.URL+`/nope.png"], "variants": 2}`))
	if status != 202 {
		t.Fatalf("batch: %d", status)
	}
	s.waitBatch(b.ID, 60*time.Second)

	pages := map[string]string{
		"home": "/", "home-batch": "/?tab=batch", "ops": "/ops", "recent": "/recent", "login": "/login?next=/recent",
		"job": jobPath, "job-failed": "/jobs/" + failed.ID, "batch": "/batches/" + b.ID, "not-found": "/jobs/nope",
		"compare": jobPath + "/compare/0", "batch-results": "/batches/" + b.ID + "/results",
		"edit-heavy": "/?pipeline=" + url.QueryEscape(`[{"op":"affine","degrees":[-30,30],"translate":[0.15,0.15]},{"some_of":[{"op":"gaussian_blur"},{"op":"posterize"}],"n":[1,2]},{"op":"random_resized_crop","size":[512,512]}]`),
	}
	for _, size := range []struct {
		name string
		w, h int64
		opts []chromedp.EmulateViewportOption
	}{{"390", 390, 844, []chromedp.EmulateViewportOption{chromedp.EmulateMobile}}, {"1280", 1280, 900, nil}} {
		for name, path := range pages {
			run(t, ctx, s, "opening "+path, chromedp.EmulateViewport(size.w, size.h, size.opts...), chromedp.Navigate(s.URL+path),
				chromedp.WaitReady(chromedp.CSS(`footer`)), chromedp.Sleep(150*time.Millisecond))
			if w := eval[int64](t, ctx, `document.documentElement.scrollWidth`); w > size.w {
				wide := eval[[]string](t, ctx, `[...document.querySelectorAll("body *")].filter((e) => e.getBoundingClientRect().right > `+fmt.Sprint(size.w)+` + 1).slice(0, 5).map((e) => e.outerHTML.slice(0, 100))`)
				t.Errorf("%s at %s px is %d px wide; widest:\n%s", path, size.name, w, strings.Join(wide, "\n"))
			}
			shot(t, ctx, name+"-"+size.name)
		}
	}
	run(t, ctx, s, "the batch page", chromedp.Navigate(s.URL+"/batches/"+b.ID), chromedp.WaitReady(chromedp.CSS(`[role=progressbar]`)))
	if name := eval[string](t, ctx, `document.querySelector("[role=progressbar]").getAttribute("aria-label") || ""`); name == "" {
		t.Errorf("the progress bar has no accessible name")
	}
}

// TestBrowserLoginKeepsTheForm: with API_TOKEN set, a visitor on a LAN
// host name over plain HTTP fills the form, is sent to log in, comes back
// to the form as they left it, and makes the job; then logs out.
func TestBrowserLoginKeepsTheForm(t *testing.T) {
	s := startStack(t, "API_TOKEN=team-token")
	img := images(t)
	// NOTE: augment.lan resolves to 127.0.0.1 inside this browser only; to
	// Chromium it is a plain-HTTP origin, where a Secure cookie is dropped.
	ctx := browser(t, chromedp.Flag("host-resolver-rules", "MAP augment.lan 127.0.0.1"))
	base := strings.Replace(s.URL, "127.0.0.1", "augment.lan", 1)
	pipeline := `[{"op": "vflip"}]`
	run(t, ctx, s, "a visitor fills the form",
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#login-hint`)),
		chromedp.WaitVisible(chromedp.CSS(`#job-form li.step`)),
		chromedp.SendKeys(chromedp.CSS(`#job-url`), img.URL+"/rocket.jpg"),
		typeInto(`#job-variants`, "2"),
		chromedp.Click(chromedp.CSS(`#job-form details.json summary`)),
		typeInto(`#job-pipeline`, pipeline),
		chromedp.Click(chromedp.CSS(`#job-form .actions button:not([name])`)),
		chromedp.WaitVisible(chromedp.CSS(`#login-token`)),
	)
	if loc := eval[string](t, ctx, `location.pathname + location.search`); loc != "/login?next=%2F" {
		t.Errorf("the visitor was sent to %s", loc)
	}
	shot(t, ctx, "login-1280")
	run(t, ctx, s, "logging in",
		chromedp.SendKeys(chromedp.CSS(`#login-token`), "team-token"),
		chromedp.Click(chromedp.CSS(`#login-form button`)),
		chromedp.WaitVisible(chromedp.CSS(`#job-form li.step[data-op=vflip]`)),
	)
	kept := eval[map[string]any](t, ctx, `(() => { const f = document.getElementById("job-form"); return {
		url: f.url.value, variants: f.variants.value, preset: f.preset.value, pipeline: JSON.parse(f.pipeline.value),
		note: f.querySelector("[data-role=general-error]").textContent, hint: !!document.getElementById("login-hint") } })()`)
	want := map[string]any{"url": img.URL + "/rocket.jpg", "variants": "2", "preset": "", "pipeline": asJSON(t, pipeline),
		"note": "Your form is as you left it: send it again.", "hint": false}
	if d := cmp.Diff(want, kept); d != "" {
		t.Errorf("the form after logging in (-want +got):\n%s", d)
	}
	run(t, ctx, s, "sending it",
		chromedp.Click(chromedp.CSS(`#job-form .actions button:not([name])`)),
		chromedp.WaitVisible(chromedp.CSS(`#live.job[data-status=done]`)))
	if n := eval[int](t, ctx, `document.querySelectorAll("#live figure.variant").length`); n != 2 {
		t.Errorf("the job shows %d variants, want 2", n)
	}
	run(t, ctx, s, "logging out",
		chromedp.Click(chromedp.CSS(`form.logout button`)),
		chromedp.WaitVisible(chromedp.CSS(`#login-hint`)))
}
