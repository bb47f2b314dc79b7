package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/google/go-cmp/cmp"
)

// tiles is what the explorer shows: each tile's image address, caption and
// ops, and the seed.
type explorerState struct {
	Seed     string   `json:"seed"`
	Srcs     []string `json:"srcs"`
	Captions []string `json:"captions"`
	Ops      []string `json:"ops"`
	Pipeline string   `json:"pipeline"`
}

func explorer(t *testing.T, ctx context.Context) explorerState {
	t.Helper()
	return eval[explorerState](t, ctx, `(() => {
		const tiles = [...document.querySelectorAll("#explore-grid figure.tile")];
		return { seed: document.getElementById("explore-seed").value, pipeline: document.getElementById("explore-pipeline").value,
			srcs: tiles.map((f) => f.querySelector("img").getAttribute("src")),
			captions: tiles.map((f) => f.querySelector(".caption").textContent), ops: tiles.map((f) => f.dataset.ops) }; })()`)
}

// waitTiles waits until the explorer shows n tiles that differ from before
// (no image address in common) and it is not rendering.
func waitTiles(t *testing.T, ctx context.Context, s *stack, n int, before explorerState) explorerState {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		st := explorer(t, ctx)
		busy := eval[string](t, ctx, `document.getElementById("explore-grid").getAttribute("aria-busy")`)
		fresh := len(st.Srcs) == n && busy == "false"
		for _, a := range st.Srcs {
			for _, b := range before.Srcs {
				fresh = fresh && a != b
			}
		}
		if fresh {
			return st
		}
		if time.Now().After(deadline) {
			msg := eval[string](t, ctx, `document.getElementById("explore-status").textContent + " | " + document.getElementById("explore-error").textContent`)
			t.Fatalf("the explorer never showed %d new tiles: %d, busy %s, %q\nlogs:\n%s", n, len(st.Srcs), busy, msg, s.logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// setSelect chooses a value in a select as a person does: the change event
// follows.
func setSelect(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`(() => { const e = document.querySelector(` + jsString(sel) + `); e.value = ` + jsString(value) + `; e.dispatchEvent(new Event("change", {bubbles: true})); })()`)
}

// TestBrowserExplorer: a person opens the explorer on an image and sees 8
// tiles with their values; every change renders new ones (a quick second
// change wins over the first); re-roll changes only the seed; extremes
// shows one step at both ends of its ranges; the copied job makes the
// variants the tiles showed; "run on a dataset" opens the batch form with
// the pipeline in it.
func TestBrowserExplorer(t *testing.T) {
	s := startStack(t)
	img := images(t)
	ctx := browser(t)
	src := img.URL + "/cardinal.jpg"
	run(t, ctx, s, "opening the explorer", chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(s.URL+"/explore?url="+url.QueryEscape(src)+"&seed=5"))
	first := waitTiles(t, ctx, s, 8, explorerState{})
	shot(t, ctx, "explore-1280")
	if first.Seed != "5" || len(first.Captions) != 8 || first.Captions[0] == "" {
		t.Fatalf("the first tiles: %+v", first)
	}
	// the tiles are those of the API with the same spec
	st, p := s.postPreview(`{"source": {"url": "` + src + `"}, "variants": 8, "seed": 5, "preset": "default"}`)
	if st != http.StatusOK {
		t.Fatal(st)
	}
	for i, v := range p.Variants {
		if !jsonEqual(json.RawMessage(first.Ops[i]), v.Ops) {
			t.Errorf("tile %d shows %s, the API draws %s", i, first.Ops[i], v.Ops)
		}
	}

	// a change renders again: another preset
	run(t, ctx, s, "choosing a preset", setSelect("#explore-preset", "geometric"))
	geo := waitTiles(t, ctx, s, 8, first)
	if !cmp.Equal(asJSON(t, geo.Pipeline), asJSON(t, string(mustPreset(t, s, "geometric")))) {
		t.Errorf("after choosing geometric the pipeline reads %s", geo.Pipeline)
	}
	// two quick changes: the tiles are the second's
	run(t, ctx, s, "changing the number of tiles twice",
		typeInto("#explore-variants", "3"), chromedp.Sleep(400*time.Millisecond), typeInto("#explore-variants", "5"))
	five := waitTiles(t, ctx, s, 5, geo)
	time.Sleep(500 * time.Millisecond)
	if n := len(explorer(t, ctx).Srcs); n != 5 {
		t.Errorf("after asking for 3 then 5 tiles the explorer shows %d", n)
	}

	// re-roll: a new seed, the same pipeline
	run(t, ctx, s, "re-rolling", chromedp.Click(chromedp.CSS("#explore-reroll")))
	rolled := waitTiles(t, ctx, s, 5, five)
	if rolled.Seed == five.Seed || rolled.Pipeline != five.Pipeline {
		t.Errorf("re-roll: seed %s → %s, pipeline %s → %s", five.Seed, rolled.Seed, five.Pipeline, rolled.Pipeline)
	}
	if cmp.Equal(rolled.Ops, five.Ops) {
		t.Error("re-roll drew the same ops")
	}

	// extremes of the rotate step (step 3 of geometric is one_of: pick step 1 of a custom one)
	run(t, ctx, s, "a custom pipeline", chromedp.Click(chromedp.CSS("details.json summary")),
		typeInto("#explore-pipeline", `[{"op": "rotate", "degrees": [-30, 30], "p": 0.5}, {"op": "brightness", "factor": [0.5, 1.5]}, {"one_of": [{"op": "identity"}, {"op": "color_jitter", "brightness": 0.2}]}]`))
	custom := waitTiles(t, ctx, s, 5, rolled)
	run(t, ctx, s, "extremes of step 2", setSelect("#explore-extreme-step", "1"), chromedp.Click(chromedp.CSS("#explore-extremes")))
	ext := waitTiles(t, ctx, s, 2, custom)
	if !jsonEqual(json.RawMessage(ext.Ops[0]), json.RawMessage(`[{"op":"brightness","factor":0.5}]`)) ||
		!jsonEqual(json.RawMessage(ext.Ops[1]), json.RawMessage(`[{"op":"brightness","factor":1.5}]`)) {
		t.Errorf("the extremes of brightness drew %v", ext.Ops)
	}
	notes := eval[[]string](t, ctx, `[...document.querySelectorAll("figure.tile strong")].map((e) => e.textContent)`)
	if len(notes) != 2 || !strings.Contains(notes[0], "low ends of factor") || !strings.Contains(notes[1], "high ends of factor") {
		t.Errorf("the extremes are titled %q", notes)
	}

	// a single-number jitter inside a one_of: 0.2 is the range [0.8, 1.2]
	listed := eval[[]string](t, ctx, `[...document.querySelectorAll("#explore-extreme-step option")].map((o) => o.value + " " + o.textContent)`)
	if !cmp.Equal(listed, []string{"0 step 1, rotate", "1 step 2, brightness", "2.1 step 3 › one_of 2, color_jitter"}) {
		t.Errorf("extremes are offered for %q", listed)
	}
	run(t, ctx, s, "extremes of the jitter", setSelect("#explore-extreme-step", "2.1"), chromedp.Click(chromedp.CSS("#explore-extremes")))
	jit := waitTiles(t, ctx, s, 2, ext)
	for k, want := range []float64{0.8, 1.2} {
		var rec []struct {
			Op         string     `json:"op"`
			Brightness [2]float64 `json:"brightness"`
		}
		if err := json.Unmarshal([]byte(jit.Ops[k]), &rec); err != nil || len(rec) != 1 || rec[0].Op != "color_jitter" || rec[0].Brightness != [2]float64{want, want} {
			t.Errorf("extreme %d of color_jitter brightness 0.2 drew %s, not brightness %g", k, jit.Ops[k], want)
		}
	}

	// copy: the pipeline, and a job whose variants are the tiles
	run(t, ctx, s, "back to the pipeline", typeInto("#explore-seed", "9"))
	tiles := waitTiles(t, ctx, s, 5, jit)
	run(t, ctx, s, "copying", chromedp.Click(chromedp.CSS("#explore-use summary")),
		chromedp.Click(chromedp.CSS(`button[data-copy="copy-pipeline"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#copy-job`)))
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("explore-copied").textContent !== "" || undefined`,
		chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		t.Errorf("Copy said nothing: %v", err)
	}
	if said := eval[string](t, ctx, `document.getElementById("explore-copied").textContent`); !strings.HasPrefix(said, "Copied") && !strings.HasPrefix(said, "Selected") {
		t.Errorf("after Copy the page says %q", said)
	}
	copied := eval[string](t, ctx, `document.getElementById("copy-pipeline").textContent`)
	if !cmp.Equal(asJSON(t, copied), asJSON(t, tiles.Pipeline)) {
		t.Errorf("the copied pipeline is %s, the page's %s", copied, tiles.Pipeline)
	}
	curl := eval[string](t, ctx, `document.getElementById("copy-job").textContent`)
	body := curlBody(t, curl)
	if !strings.Contains(curl, s.URL+"/api/v1/jobs") || !strings.Contains(body, src) {
		t.Fatalf("the job's curl: %s", curl)
	}
	j := s.postJob(body)
	var done struct {
		Variants []struct {
			Ops json.RawMessage `json:"ops"`
		} `json:"variants"`
	}
	s.waitJob(j.ID, time.Minute)
	s.getJSON("/api/v1/jobs/"+j.ID, &done)
	for i, v := range done.Variants {
		if !jsonEqual(v.Ops, json.RawMessage(tiles.Ops[i])) {
			t.Errorf("the copied job's variant %d has %s, its tile showed %s", i, v.Ops, tiles.Ops[i])
		}
	}
	batchCurl := eval[string](t, ctx, `document.getElementById("copy-batch").textContent`)
	if status, _, raw := s.postBatch("application/json", strings.NewReader(curlBody(t, batchCurl))); status != http.StatusAccepted || !strings.Contains(batchCurl, "/api/v1/batches") {
		t.Errorf("the batch's curl %s: %d %s", batchCurl, status, raw)
	}

	// run on a dataset: the batch form with the pipeline
	run(t, ctx, s, "running on a dataset", chromedp.Click(chromedp.CSS("#explore-dataset")),
		chromedp.WaitVisible(chromedp.CSS(`#batch-form li.step`)))
	if !cmp.Equal(pipelineIn(t, ctx, "batch-form"), asJSON(t, tiles.Pipeline)) {
		t.Errorf("the batch form's pipeline is %v", pipelineIn(t, ctx, "batch-form"))
	}
	if seed := eval[string](t, ctx, `document.getElementById("batch-seed").value`); seed != "9" {
		t.Errorf("the batch form's seed is %q", seed)
	}
}

// curlBody is the JSON a curl command line sends with -d '…'.
func curlBody(t *testing.T, curl string) string {
	t.Helper()
	_, after, ok := strings.Cut(curl, "-d '")
	if !ok || !strings.HasSuffix(after, "'") {
		t.Fatalf("no -d '…' in %s", curl)
	}
	return strings.ReplaceAll(strings.TrimSuffix(after, "'"), `'\''`, `'`)
}

func mustPreset(t *testing.T, s *stack, name string) json.RawMessage {
	t.Helper()
	var presets struct {
		Presets []struct {
			Name     string          `json:"name"`
			Pipeline json.RawMessage `json:"pipeline"`
		} `json:"presets"`
	}
	s.getJSON("/api/v1/presets", &presets)
	for _, p := range presets.Presets {
		if p.Name == name {
			return p.Pipeline
		}
	}
	t.Fatalf("no preset %s", name)
	return nil
}

// TestBrowserExplorerFromAJob: "open in explorer" on a job's page shows the
// job's image, its pipeline and seed, and tiles with the job's variants' ops
// and their labels drawn, its mask too: each tile's at the tile's size.
func TestBrowserExplorerFromAJob(t *testing.T) {
	s := startStack(t)
	img := images(t)
	ctx := browser(t)
	mask := rocketMask(t)
	maskURL := serveMask(t, mask)
	j := s.postJob(`{"url": "` + img.URL + `/rocket.jpg", "variants": 3, "seed": 21, "pipeline": [{"op": "random_resized_crop", "size": [200, 150]}, {"op": "hflip", "p": 0.5}],
		"mask_url": "` + maskURL + `", "labels": {"objects": [{"id": "r", "class": "rocket", "bbox": [280, 60, 80, 330]}]}}`)
	s.waitJob(j.ID, time.Minute)
	var done struct {
		Variants []struct {
			Ops json.RawMessage `json:"ops"`
		} `json:"variants"`
	}
	s.getJSON("/api/v1/jobs/"+j.ID, &done)
	run(t, ctx, s, "opening the job", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(s.URL+"/jobs/"+j.ID),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/explore?job=`+j.ID+`"]`)),
		chromedp.Click(chromedp.CSS(`a[href="/explore?job=`+j.ID+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#explore-seed`)))
	st := waitTiles(t, ctx, s, 3, explorerState{})
	shot(t, ctx, "explore-job-1280")
	if st.Seed != "21" {
		t.Errorf("the explorer's seed is %s, the job's 21", st.Seed)
	}
	for i, v := range done.Variants {
		if !jsonEqual(v.Ops, json.RawMessage(st.Ops[i])) {
			t.Errorf("tile %d shows %s, the job's variant %s", i, st.Ops[i], v.Ops)
		}
	}
	drawn := eval[int](t, ctx, `document.querySelectorAll("#explore-grid .frame .labels-svg g.object").length`)
	if drawn < 2 { // on the original and at least one tile
		t.Errorf("%d labelled objects drawn", drawn)
	}
	if src := eval[string](t, ctx, `document.getElementById("explore-original-img").getAttribute("src")`); src != "/api/v1/jobs/"+j.ID+"/source" {
		t.Errorf("the original shown is %s", src)
	}
	// the masks are tinted on canvases as their PNGs arrive
	until(t, ctx, "the masks to be drawn", `document.querySelectorAll("#explore-grid figure:not(#explore-original) .frame canvas.labels-mask").length == 3 && !!document.querySelector("#explore-original canvas.labels-mask")`)
	sizes := eval[[]string](t, ctx, `[...document.querySelectorAll("#explore-grid figure:not(#explore-original) .frame")].map((f) => { const c = f.querySelector("canvas.labels-mask"), i = f.querySelector("img"); return c ? c.width + "×" + c.height + " " + i.naturalWidth + "×" + i.naturalHeight : "none"; })`)
	for i, sz := range sizes {
		if f := strings.Fields(sz); len(f) != 2 || f[0] != f[1] {
			t.Errorf("tile %d: mask × tile %s", i, sz)
		}
	}
	if sz := eval[string](t, ctx, `(() => { const c = document.querySelector("#explore-original canvas.labels-mask"); return c.width + "×" + c.height; })()`); sz != "640×427" {
		t.Errorf("the original's mask is drawn at %s", sz)
	}
	shot(t, ctx, "explore-job-mask-1280")
}

// TestBrowserExplorerPhoneAndKeyboard: at 390 px the explorer never scrolls
// sideways, and Tab reaches every control of it; every control has a name.
func TestBrowserExplorerPhoneAndKeyboard(t *testing.T) {
	s := startStack(t)
	img := images(t)
	ctx := browser(t)
	run(t, ctx, s, "opening the explorer on a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
		chromedp.Navigate(s.URL+"/explore?url="+url.QueryEscape(img.URL+"/large.jpg")))
	waitTiles(t, ctx, s, 8, explorerState{})
	run(t, ctx, s, "opening the copies", chromedp.Click(chromedp.CSS("#explore-use summary")))
	if w := eval[int64](t, ctx, `document.documentElement.scrollWidth`); w > 390 {
		wide := eval[[]string](t, ctx, `[...document.querySelectorAll("body *")].filter((e) => e.getBoundingClientRect().right > 391).slice(0, 5).map((e) => e.outerHTML.slice(0, 100))`)
		t.Errorf("the explorer at 390 px is %d px wide; widest:\n%s", w, strings.Join(wide, "\n"))
	}
	shot(t, ctx, "explore-390")

	// the tiles are below the pipeline: a strip of them stays in sight, and
	// a change shows in it at once; it leads to the tiles, by keyboard too
	run(t, ctx, s, "scrolling to the top", chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
	type strip struct {
		Shown    bool     `json:"shown"`
		Top      float64  `json:"top"`
		Bottom   float64  `json:"bottom"`
		GridTop  float64  `json:"gridTop"`
		Srcs     []string `json:"srcs"`
		Text     string   `json:"text"`
		Tiles    []string `json:"tiles"`
		ScrollY  float64  `json:"scrollY"`
		Focused  string   `json:"focused"`
		ViewSize float64  `json:"viewSize"`
	}
	peek := func() strip {
		return eval[strip](t, ctx, `(() => { const p = document.getElementById("explore-peek"), r = p.getBoundingClientRect();
			return { shown: p.getClientRects().length > 0, top: r.top, bottom: r.bottom, viewSize: innerHeight, scrollY,
				gridTop: document.getElementById("explore-grid").getBoundingClientRect().top, text: p.textContent, focused: document.activeElement.id,
				srcs: [...p.querySelectorAll("img")].map((i) => i.getAttribute("src")),
				tiles: [...document.querySelectorAll("#explore-grid figure.tile img")].slice(0, 4).map((i) => i.getAttribute("src")) }; })()`)
	}
	inSight := func(what string, p strip) {
		t.Helper()
		if p.GridTop < p.ViewSize {
			t.Fatalf("%s: the tiles begin at %.0f px, in sight of an %.0f px screen: nothing to check", what, p.GridTop, p.ViewSize)
		}
		if !p.Shown || p.Bottom > p.ViewSize+1 || p.Top < p.ViewSize-120 || !cmp.Equal(p.Srcs, p.Tiles) || len(p.Srcs) != 4 {
			t.Errorf("%s: the strip of tiles: %+v", what, p)
		}
	}
	before := explorer(t, ctx)
	// the strip follows an IntersectionObserver, whose news of the scroll
	// comes with a later frame
	settled := func() strip {
		p := peek()
		for deadline := time.Now().Add(3 * time.Second); !p.Shown && time.Now().Before(deadline); p = peek() {
			time.Sleep(20 * time.Millisecond)
		}
		return p
	}
	inSight("after the first tiles", settled())
	run(t, ctx, s, "changing the seed", typeInto("#explore-seed", "77"))
	waitTiles(t, ctx, s, 8, before)
	changed := settled()
	inSight("after a change", changed)
	if !strings.Contains(changed.Text, "8 new tiles") || cmp.Equal(changed.Srcs, before.Srcs[:4]) {
		t.Errorf("after a change the strip shows %q, %v (before: %v)", changed.Text, changed.Srcs, before.Srcs[:4])
	}
	shotView(t, ctx, "explore-390-strip")
	for range 300 {
		if peek().Focused == "explore-peek" {
			break
		}
		run(t, ctx, s, "pressing Tab", chromedp.KeyEvent(kb.Tab))
	}
	run(t, ctx, s, "following the strip", chromedp.KeyEvent(kb.Enter))
	// NOTE: the page scrolls smoothly, and the strip hides on the
	// IntersectionObserver's news of the tiles in sight, frames later.
	followed := func(p strip) bool {
		return !p.Shown && p.GridTop >= 0 && p.GridTop <= p.ViewSize/2 && p.ScrollY > 0
	}
	p := peek()
	for deadline := time.Now().Add(3 * time.Second); !followed(p) && time.Now().Before(deadline); p = peek() {
		time.Sleep(20 * time.Millisecond)
	}
	if !followed(p) {
		t.Errorf("after Enter on the strip (focused: %v): %+v", p.Focused, p)
	}
	shotView(t, ctx, "explore-390-tiles")
	nameless := eval[[]string](t, ctx, `[...document.querySelectorAll("main :is(button, input, select, textarea)")].filter((e) =>
		!(e.labels?.length || e.getAttribute("aria-label") || e.getAttribute("aria-labelledby") || (e.tagName === "BUTTON" && e.textContent.trim()))).map((e) => e.outerHTML.slice(0, 100))`)
	if len(nameless) > 0 {
		t.Errorf("controls without an accessible name:\n%s", strings.Join(nameless, "\n"))
	}

	run(t, ctx, s, "a desktop", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(s.URL+"/explore?url="+url.QueryEscape(img.URL+"/rocket.jpg")))
	waitTiles(t, ctx, s, 8, explorerState{})
	run(t, ctx, s, "opening the folds", chromedp.Evaluate[chromedp.Void](`document.querySelectorAll("main details").forEach((d) => d.open = true)`))
	n := eval[int](t, ctx, `(() => {
		const sel = "a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea, summary, pre[tabindex]";
		const all = [...document.querySelectorAll("main :is(" + sel + ")")].filter((e) => e.getClientRects().length > 0);
		all.forEach((e, i) => { e.dataset.kbd = "x-" + i; });
		return all.length; })()`)
	if n < 30 {
		t.Fatalf("only %d controls found in the explorer", n)
	}
	reached := map[string]bool{}
	for range 600 {
		run(t, ctx, s, "pressing Tab", chromedp.KeyEvent(kb.Tab))
		if id := eval[string](t, ctx, `document.activeElement.dataset.kbd || ""`); id != "" {
			reached[id] = true
		}
		if len(reached) == n {
			break
		}
	}
	if len(reached) != n {
		missed := eval[[]string](t, ctx, `[...document.querySelectorAll("main [data-kbd]")].map((e) => e.dataset.kbd).filter((k) => !`+jsonSet(reached)+`.includes(k)).map((k) => document.querySelector("[data-kbd='" + k + "']").outerHTML.slice(0, 120))`)
		t.Errorf("Tab reached %d of %d controls; missed:\n%s", len(reached), n, strings.Join(missed, "\n"))
	}
}

// TestBrowserExplorerDrawsAChosenMask: an image and a mask chosen as files
// in the explorer show the mask tinted over the original and over every
// tile, at the tile's size; a re-roll (the files then named by the ids the
// first answer gave them) still draws the mask.
func TestBrowserExplorerDrawsAChosenMask(t *testing.T) {
	s := startStack(t)
	ctx := browser(t)
	dir := t.TempDir()
	image, maskFile := filepath.Join(dir, "rocket.jpg"), filepath.Join(dir, "rocket-mask.png")
	if err := os.WriteFile(image, corpusFile(t, "rocket.jpg"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(maskFile, rocketMask(t), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, ctx, s, "choosing the image", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(s.URL+"/explore"),
		chromedp.WaitVisible(chromedp.CSS("#explore-seed")),
		chromedp.SetUploadFiles(chromedp.CSS("#explore-image"), []string{image}))
	n, _ := strconv.Atoi(eval[string](t, ctx, `document.getElementById("explore-variants").value`))
	st := waitTiles(t, ctx, s, n, explorerState{})
	run(t, ctx, s, "choosing the mask", chromedp.Click(chromedp.CSS("fieldset details.labels-fields summary")),
		chromedp.SetUploadFiles(chromedp.CSS("#explore-mask"), []string{maskFile}))
	drawn := func(what string) {
		t.Helper()
		until(t, ctx, what, `document.querySelectorAll("#explore-grid figure.tile .frame canvas.labels-mask").length == `+strconv.Itoa(n)+
			` && !!document.querySelector("#explore-original canvas.labels-mask")`)
		sizes := eval[[]string](t, ctx, `[...document.querySelectorAll("#explore-grid figure.tile .frame")].map((f) => { const c = f.querySelector("canvas.labels-mask"), i = f.querySelector("img"); return c ? c.width + "×" + c.height + " " + i.naturalWidth + "×" + i.naturalHeight : "none"; })`)
		for i, sz := range sizes {
			if f := strings.Fields(sz); len(f) != 2 || f[0] != f[1] {
				t.Errorf("%s: tile %d: mask × tile %s", what, i, sz)
			}
		}
	}
	st = waitTiles(t, ctx, s, n, st)
	drawn("the masks to be drawn")
	shot(t, ctx, "explore-chosen-mask-1280")
	run(t, ctx, s, "re-rolling", chromedp.Click(chromedp.CSS("#explore-reroll")))
	waitTiles(t, ctx, s, n, st)
	drawn("the masks to be drawn after a re-roll")
}
