package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// fetch GETs path from the api without following redirects.
func (s *stack) fetch(path string) (*http.Response, []byte) {
	s.t.Helper()
	resp, err := noRedirects.Get(s.URL + path)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// postAPI POSTs to the API with no body and reads the job it answers.
func (s *stack) postAPI(path string) (int, job) {
	s.t.Helper()
	resp, err := http.Post(s.URL+path, "application/json", nil)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var j job
	_ = json.NewDecoder(resp.Body).Decode(&j)
	return resp.StatusCode, j
}

// TestThumbnails: every variant and the source have a WebP thumbnail whose
// longest side is 480 (never enlarged), cached for good. An API job's are
// made as it runs; a ?url= job's are not made until a page asks for them,
// and then served at once; a job whose thumbnails are missing (made before
// there were any) has them made when they are asked for.
func TestThumbnails(t *testing.T) {
	s := startStack(t)
	img := images(t)
	j := s.postJob(`{"url": "` + img.URL + `/rocket.jpg", "variants": 3, "preset": "heavy", "seed": 5}`)
	j = s.waitJob(j.ID, time.Minute)
	if j.Status != "done" {
		t.Fatalf("job: %+v", j)
	}
	var raw struct {
		Source struct {
			Thumb struct {
				Href          string
				Width, Height int
			}
		}
		Variants []struct {
			Href          string
			Width, Height int
			Thumb         struct {
				Href          string
				Width, Height int
			}
		}
	}
	s.getJSON("/api/v1/jobs/"+j.ID, &raw)
	thumbs := []thumb{{raw.Source.Thumb.Href, j.Source.Href, raw.Source.Thumb.Width, raw.Source.Thumb.Height, j.Source.Width, j.Source.Height}}
	for _, v := range raw.Variants {
		thumbs = append(thumbs, thumb{v.Thumb.Href, v.Href, v.Thumb.Width, v.Thumb.Height, v.Width, v.Height})
	}
	checkThumbs(t, s, thumbs)
	// The operations reference's pictures, drawn by the worker as it starts.
	var ops struct{ Ops []struct{ Name string } }
	s.getJSON("/api/v1/ops", &ops)
	deadline := time.Now().Add(30 * time.Second)
	for _, op := range ops.Ops {
		for {
			resp, _ := s.fetch("/ops/" + op.Name + "/example")
			if resp.StatusCode == 200 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("/ops/%s/example: %d 30 s after the worker started", op.Name, resp.StatusCode)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	if resp, b := s.fetch("/ops/hflip/example"); resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/webp" {
		t.Errorf("/ops/hflip/example: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	} else if w, h := webpSize(t, b); max(w, h) != 240 {
		t.Errorf("hflip's example is %d×%d", w, h)
	}
	if resp, _ := s.fetch("/ops/nope/example"); resp.StatusCode != 404 {
		t.Errorf("/ops/nope/example: %d", resp.StatusCode)
	}
	if _, page := s.fetch("/ops"); strings.Count(string(page), `<figure class="op-example">`) != len(ops.Ops) {
		t.Errorf("/ops shows %d pictures for %d ops", strings.Count(string(page), `<figure class="op-example">`), len(ops.Ops))
	}
	// An older job: its thumbnails are not there, and are made when asked for.
	if err := os.RemoveAll(filepath.Join(s.Storage, "jobs", j.ID, "thumbs")); err != nil {
		t.Fatal(err)
	}
	checkThumbs(t, s, thumbs)
	// A job a person waits on: none is made until a page asks.
	page, err := http.Get(s.URL + "/?n=2&url=" + url.QueryEscape(img.URL+"/cardinal.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	page.Body.Close()
	var list struct{ Jobs []job }
	s.getJSON("/api/v1/jobs?limit=1", &list)
	var p job
	s.getJSON("/api/v1/jobs/"+list.Jobs[0].ID, &p)
	if page.StatusCode != 200 || p.Status != "done" || !strings.Contains(p.Source.URL, "cardinal.jpg") {
		t.Fatalf("?url= page %d, newest job %+v", page.StatusCode, p)
	}
	time.Sleep(300 * time.Millisecond)
	if files, _ := os.ReadDir(filepath.Join(s.Storage, "jobs", p.ID, "thumbs")); len(files) > 0 {
		t.Errorf("the ?url= job's thumbnails were made before a page asked: %d files", len(files))
	}
	var praw struct {
		Source   struct{ Thumb struct{ Href string } }
		Variants []struct{ Thumb struct{ Href string } }
	}
	s.getJSON("/api/v1/jobs/"+p.ID, &praw)
	pthumbs := []thumb{{praw.Source.Thumb.Href, p.Source.Href, 0, 0, p.Source.Width, p.Source.Height}}
	for i, v := range praw.Variants {
		pthumbs = append(pthumbs, thumb{v.Thumb.Href, p.Variants[i].Href, 0, 0, p.Variants[i].Width, p.Variants[i].Height})
	}
	checkThumbs(t, s, pthumbs)
}

type thumb struct {
	href, full   string
	w, h, fw, fh int // the size the API gives (0: not checked), the full image's
}

// checkThumbs GETs each thumbnail: a WebP of its size, fitting 480 px,
// cached for good, well under its full image.
func checkThumbs(t *testing.T, s *stack, thumbs []thumb) {
	t.Helper()
	for _, th := range thumbs {
		resp, b := s.fetch(th.href)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/webp" || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
			t.Fatalf("%s: %d %s %q", th.href, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"))
		}
		w, h := webpSize(t, b)
		if th.w > 0 && (w != th.w || h != th.h) || max(w, h) != min(480, max(th.fw, th.fh)) {
			t.Errorf("%s is %d×%d; the API says %d×%d, of a %d×%d image", th.href, w, h, th.w, th.h, th.fw, th.fh)
		}
		if _, full := s.fetch(th.full); len(b) >= len(full)/2 {
			t.Errorf("%s: %d bytes, the full image %d", th.href, len(b), len(full))
		}
	}
}

// webpSize reads a lossy or lossless WebP's size from its header.
func webpSize(t *testing.T, b []byte) (int, int) {
	t.Helper()
	if len(b) < 30 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WEBP" {
		t.Fatalf("not a WebP: % x", b[:min(16, len(b))])
	}
	switch string(b[12:16]) {
	case "VP8 ":
		return int(b[26]) | int(b[27]&0x3f)<<8, int(b[28]) | int(b[29]&0x3f)<<8
	case "VP8L":
		bits := uint32(b[21]) | uint32(b[22])<<8 | uint32(b[23])<<16 | uint32(b[24])<<24
		return int(bits&0x3fff) + 1, int(bits>>14&0x3fff) + 1
	case "VP8X":
		return 1 + (int(b[24]) | int(b[25])<<8 | int(b[26])<<16), 1 + (int(b[27]) | int(b[28])<<8 | int(b[29])<<16)
	}
	t.Fatalf("a WebP of an unknown kind %q", b[12:16])
	return 0, 0
}

// TestPinAndRerollByAPI: a pinned variant is a new job of one variant whose
// pixels are the pinned variant's, byte for byte; a re-roll is a new job of
// the same image and pipeline with another seed; a variant that does not
// exist is a 404 naming it.
func TestPinAndRerollByAPI(t *testing.T) {
	s := startStack(t)
	img := images(t)
	j := s.postJob(`{"url": "` + img.URL + `/cardinal.jpg", "variants": 4, "preset": "heavy", "seed": 11}`)
	j = s.waitJob(j.ID, time.Minute)
	for _, i := range []int{0, 3} {
		status, p := s.postAPI(fmt.Sprintf("/api/v1/jobs/%s/variants/%d/pin", j.ID, i))
		if status != http.StatusAccepted {
			t.Fatalf("pin: %d", status)
		}
		p = s.waitJob(p.ID, time.Minute)
		if p.Status != "done" || len(p.Variants) != 1 {
			t.Fatalf("the pinned job: %+v", p)
		}
		_, want := s.fetch(j.Variants[i].Href)
		_, got := s.fetch(p.Variants[0].Href)
		if !bytes.Equal(got, want) {
			t.Errorf("the pin of variant %d: %d bytes differ from the variant's %d", i, len(got), len(want))
		}
	}
	status, r := s.postAPI("/api/v1/jobs/" + j.ID + "/reroll")
	if status != http.StatusAccepted {
		t.Fatalf("reroll: %d", status)
	}
	r = s.waitJob(r.ID, time.Minute)
	if r.Spec.Seed == j.Spec.Seed || string(r.Spec.Pipeline) != string(j.Spec.Pipeline) || len(r.Variants) != 4 {
		t.Errorf("the re-roll: seed %d (was %d), pipeline %s (was %s), %d variants", r.Spec.Seed, j.Spec.Seed, r.Spec.Pipeline, j.Spec.Pipeline, len(r.Variants))
	}
	_, a := s.fetch(j.Source.Href)
	_, b := s.fetch(r.Source.Href)
	if !bytes.Equal(a, b) || r.Source.Name != j.Source.Name {
		t.Errorf("the re-roll's source differs: %d bytes %q, was %d %q", len(b), r.Source.Name, len(a), j.Source.Name)
	}
	if status, _ := s.postAPI("/api/v1/jobs/" + j.ID + "/variants/9/pin"); status != http.StatusNotFound {
		t.Errorf("pinning variant 9 of 4: %d", status)
	}
}

// TestBatchResultsPages: a batch's results come 24 images a page, in the
// order they were sent, each with every variant's thumbnail.
func TestBatchResultsPages(t *testing.T) {
	s := startStack(t)
	img := images(t)
	var urls []string
	for i := range 26 {
		urls = append(urls, fmt.Sprintf(`"%s/cardinal.jpg?n=%d"`, img.URL, i))
	}
	status, b, raw := s.postBatch("application/json", strings.NewReader(`{"urls": [`+strings.Join(urls, ",")+`], "variants": 2, "seed": 1, "pipeline": [{"op": "hflip"}]}`))
	if status != http.StatusAccepted {
		t.Fatalf("batch: %d %s", status, raw)
	}
	s.waitBatch(b.ID, 3*time.Minute)
	count := func(page, what string) int { return strings.Count(page, what) }
	resp, p1 := s.fetch("/batches/" + b.ID + "/results")
	if resp.StatusCode != 200 || count(string(p1), `class="result"`) != 24 || count(string(p1), `/thumb"`) != 24*3 || !strings.Contains(string(p1), `href="?page=2"`) {
		t.Fatalf("page 1: %d, %d results, %d thumbnails", resp.StatusCode, count(string(p1), `class="result"`), count(string(p1), `/thumb"`))
	}
	resp, p2 := s.fetch("/batches/" + b.ID + "/results?page=2")
	if resp.StatusCode != 200 || count(string(p2), `class="result"`) != 2 || strings.Contains(string(p2), `href="?page=3"`) || !strings.Contains(string(p2), `href="?page=1"`) {
		t.Fatalf("page 2: %d, %d results", resp.StatusCode, count(string(p2), `class="result"`))
	}
	for q, want := range map[string]int{"?page=3": 404, "?page=0": 400, "?page=x": 400} {
		if resp, _ := s.fetch("/batches/" + b.ID + "/results" + q); resp.StatusCode != want {
			t.Errorf("results%s: %d, want %d", q, resp.StatusCode, want)
		}
	}
	if _, page := s.fetch("/batches/" + b.ID); !strings.Contains(string(page), "/batches/"+b.ID+"/results") {
		t.Errorf("the batch page does not link its results")
	}
}

// TestBrowserCompareAndJobTools: from a job page a person opens a variant's
// compare view, moves through the variants with the buttons and the arrow
// keys, drags the slider by keyboard, downloads, pins the variant (the same
// bytes again), re-rolls the job, edits it from the home form (its image
// and settings filled in) and copies its pipeline; every control is reached
// with Tab.
func TestBrowserCompareAndJobTools(t *testing.T) {
	s := startStack(t)
	img := images(t)
	j := s.postJob(`{"url": "` + img.URL + `/cardinal.jpg", "variants": 8, "preset": "heavy", "seed": 21}`)
	j = s.waitJob(j.ID, time.Minute)
	ctx := browser(t)
	run(t, ctx, s, "opening the job", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(s.URL+"/jobs/"+j.ID),
		chromedp.WaitVisible(chromedp.CSS(`#variant-7 img`)))
	// The grid shows thumbnails, lazily, their sizes given, each linking to its full image.
	imgs := eval[[]map[string]any](t, ctx, `[...document.querySelectorAll("figure.variant img")].map((i) => ({src: i.getAttribute("src"), loading: i.loading, w: i.getAttribute("width"), h: i.getAttribute("height"), link: i.closest("a").getAttribute("href")}))`)
	for i, m := range imgs {
		if m["src"] != j.Variants[i].Href+"/thumb" || m["loading"] != "lazy" || m["w"] == nil || m["h"] == nil || m["link"] != j.Variants[i].Href {
			t.Errorf("variant %d's image: %v", i, m)
		}
	}
	run(t, ctx, s, "scrolling the thumbnails in", chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, document.body.scrollHeight)`))
	until(t, ctx, "the 8 thumbnails to load at their size",
		`[...document.querySelectorAll("figure.variant img")].filter((i) => i.complete && i.naturalWidth == Number(i.getAttribute("width"))).length == 8`)
	run(t, ctx, s, "back to the top", chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
	shot(t, ctx, "job-tools-1280") // docs/screenshot.png, cropped to 1280×1180
	tabReaches(t, ctx, s, "#live", "#reroll", "#edit", "#copy-pipeline", "#variant-0 .frame a", "#variant-0 a.compare-link",
		"#variant-0 a[download]", "#variant-0 button.pin", "#variant-7 button.pin")
	follow(t, ctx, s, "opening the compare view", chromedp.Click(chromedp.CSS(`#variant-1 a.compare-link`)))
	at := func(want string) {
		t.Helper()
		if p := eval[string](t, ctx, `location.pathname`); p != "/jobs/"+j.ID+"/compare/"+want {
			t.Fatalf("at %s, want variant %s", p, want)
		}
	}
	at("1")
	if c := eval[string](t, ctx, `document.querySelector(".caption.ops").textContent`); c == "" {
		t.Errorf("the compare view names no ops")
	}
	dl := eval[map[string]string](t, ctx, `(() => { const a = document.querySelector("a[download]"); return {href: a.getAttribute("href"), name: a.getAttribute("download")}; })()`)
	if dl["href"] != j.Variants[1].Href || dl["name"] != "cardinal-1.jpg" {
		t.Errorf("download: %v", dl)
	}
	follow(t, ctx, s, "next by button", chromedp.Click(chromedp.CSS(`#next`)))
	at("2")
	follow(t, ctx, s, "next by key", chromedp.KeyEvent(kb.ArrowRight))
	at("3")
	follow(t, ctx, s, "previous by key", chromedp.KeyEvent(kb.ArrowLeft))
	at("2")
	follow(t, ctx, s, "previous by button", chromedp.Click(chromedp.CSS(`#prev`)))
	at("1")
	run(t, ctx, s, "the last variant", chromedp.Navigate(s.URL+"/jobs/"+j.ID+"/compare/7"), chromedp.WaitVisible(chromedp.CSS(`main.compare`)),
		chromedp.KeyEvent(kb.ArrowRight), chromedp.Sleep(300*time.Millisecond))
	at("7")
	if eval[bool](t, ctx, `!!document.querySelector("#next")`) {
		t.Errorf("the last variant has a next link")
	}
	run(t, ctx, s, "back to variant 1", chromedp.Navigate(s.URL+"/jobs/"+j.ID+"/compare/1"), chromedp.WaitVisible(chromedp.CSS(`main.compare`)))
	// The slider: chosen, then moved by keyboard; the arrows then move it, not the page.
	run(t, ctx, s, "the slider", chromedp.Click(chromedp.CSS(`input[name=view][value=slider]`)), chromedp.WaitVisible(chromedp.CSS(`#slider`)))
	if eval[bool](t, ctx, `getComputedStyle(document.getElementById("side")).display != "none"`) {
		t.Errorf("side by side is still shown with the slider")
	}
	clip := func() string {
		return eval[string](t, ctx, `getComputedStyle(document.querySelector("#slider .over")).clipPath`)
	}
	before := clip()
	run(t, ctx, s, "moving the slider", chromedp.Focus(chromedp.CSS(`#slider-at`)), chromedp.KeyEvent(kb.ArrowRight), chromedp.KeyEvent(kb.ArrowRight), chromedp.KeyEvent(kb.End))
	at("1")
	if after := clip(); after == before || !strings.Contains(after, "100%") {
		t.Errorf("the slider's edge: %q, then %q; want it at 100%%", before, after)
	}
	// Dragging: a press a quarter of the way across puts the edge there.
	box := eval[map[string]float64](t, ctx, `(() => { const r = document.getElementById("slider").getBoundingClientRect(); return {x: r.x, y: r.y, w: r.width, h: r.height}; })()`)
	run(t, ctx, s, "pressing on the slider", chromedp.MouseClickXY(box["x"]+box["w"]/4, box["y"]+box["h"]/2))
	if v := eval[int](t, ctx, `Number(document.getElementById("slider-at").value)`); v < 23 || v > 27 {
		t.Errorf("a press a quarter of the way across moved the slider to %d%%", v)
	}
	// Keyboard: every control of the page is reached with Tab.
	tabReaches(t, ctx, s, "main.compare", "#prev", "#next", "input[name=view]:checked", "a[download]", "form button", "details summary")
	shot(t, ctx, "compare-1280")

	// Pin, from the compare view: the new job's variant is the same file.
	follow(t, ctx, s, "pinning", chromedp.Click(chromedp.CSS(`form[action$="/pin"] button`)))
	run(t, ctx, s, "the pinned job's page", chromedp.WaitVisible(chromedp.CSS(`#live.job[data-status=done]`)))
	pinned := strings.TrimPrefix(eval[string](t, ctx, `location.pathname`), "/jobs/")
	p := s.waitJob(pinned, time.Minute)
	_, want := s.fetch(j.Variants[1].Href)
	if _, got := s.fetch(p.Variants[0].Href); len(p.Variants) != 1 || !bytes.Equal(got, want) {
		t.Errorf("the pinned job (%d variants) does not reproduce variant 1's bytes", len(p.Variants))
	}
	// Re-roll.
	run(t, ctx, s, "re-rolling", chromedp.Navigate(s.URL+"/jobs/"+j.ID), chromedp.WaitVisible(chromedp.CSS(`#reroll`)),
		chromedp.Click(chromedp.CSS(`#reroll`)))
	for i := 0; eval[string](t, ctx, `location.pathname`) == "/jobs/"+j.ID; i++ {
		if i == 100 {
			t.Fatal("Re-roll stayed on the job's page")
		}
		time.Sleep(100 * time.Millisecond)
	}
	run(t, ctx, s, "the re-roll's page", chromedp.WaitVisible(chromedp.CSS(`#live.job[data-status=done]`)))
	rr := s.waitJob(strings.TrimPrefix(eval[string](t, ctx, `location.pathname`), "/jobs/"), time.Minute)
	if rr.ID == j.ID || rr.Spec.Seed == j.Spec.Seed || string(rr.Spec.Pipeline) != string(j.Spec.Pipeline) || len(rr.Variants) != 8 {
		t.Errorf("the re-roll: %s seed %d, %d variants", rr.ID, rr.Spec.Seed, len(rr.Variants))
	}
	// Copy pipeline.
	run(t, ctx, s, "copying the pipeline", chromedp.Navigate(s.URL+"/jobs/"+j.ID), chromedp.WaitVisible(chromedp.CSS(`#copy-pipeline`)),
		chromedp.Click(chromedp.CSS(`#copy-pipeline`)))
	until(t, ctx, "Copy pipeline to say so", `document.querySelector(".job-actions .copied")?.textContent == "Pipeline copied."`)
	if got := asJSON(t, eval[string](t, ctx, `document.getElementById("copy-pipeline").dataset.pipeline`)); fmt.Sprint(got) != fmt.Sprint(asJSON(t, string(j.Spec.Pipeline))) {
		t.Errorf("the copied pipeline %v is not the job's", got)
	}
	// Edit: the home form with this job's image and settings.
	follow(t, ctx, s, "editing", chromedp.Click(chromedp.CSS(`#edit`))) // home.js has filled the preset's steps in
	run(t, ctx, s, "the edit form", chromedp.WaitVisible(chromedp.CSS(`#from-job`)))
	if got, want := pipelineIn(t, ctx, "job-form"), asJSON(t, string(j.Spec.Pipeline)); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("the form's pipeline %v, want %v", got, want)
	}
	fields := eval[map[string]string](t, ctx, `Object.fromEntries(["variants", "seed", "from"].map((n) => [n, document.querySelector("#job-form [name=" + n + "]").value]))`)
	if fields["variants"] != "8" || fields["seed"] != "21" || fields["from"] != j.ID {
		t.Errorf("the form's fields: %v", fields)
	}
	run(t, ctx, s, "sending the edit", typeInto(`#job-form [name=variants]`, "2"),
		chromedp.Click(chromedp.CSS(`#job-form button[type=submit]:not([name])`)), chromedp.WaitVisible(chromedp.CSS(`#live.job[data-status=done]`)))
	ed := s.waitJob(strings.TrimPrefix(eval[string](t, ctx, `location.pathname`), "/jobs/"), time.Minute)
	_, a := s.fetch(j.Source.Href)
	_, b := s.fetch(ed.Source.Href)
	if len(ed.Variants) != 2 || ed.Spec.Seed != 21 || !bytes.Equal(a, b) {
		t.Errorf("the edited job: %d variants, seed %d, same image %v", len(ed.Variants), ed.Spec.Seed, bytes.Equal(a, b))
	}
	for i := range 2 {
		_, x := s.fetch(j.Variants[i].Href)
		if _, y := s.fetch(ed.Variants[i].Href); !bytes.Equal(x, y) {
			t.Errorf("the edit with the same seed and pipeline: variant %d differs", i)
		}
	}
}

// tabReaches presses Tab from the top of the page until each selector's
// element inside within has had the focus.
func tabReaches(t *testing.T, ctx context.Context, s *stack, within string, sels ...string) {
	t.Helper()
	mark := `(() => { const sels = ` + jsonList(sels) + `; sels.forEach((q, i) => { const e = document.querySelector("` + within + ` " + q); if (e) e.dataset.reach = String(i); }); return sels.filter((q) => !document.querySelector("` + within + ` " + q)); })()`
	if missing := eval[[]string](t, ctx, mark); len(missing) > 0 {
		t.Fatalf("not on the page: %v", missing)
	}
	run(t, ctx, s, "to the top", chromedp.Evaluate[chromedp.Void](`document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)`))
	reached := map[string]bool{}
	for range 80 {
		run(t, ctx, s, "pressing Tab", chromedp.KeyEvent(kb.Tab))
		if r := eval[string](t, ctx, `document.activeElement.dataset.reach || ""`); r != "" {
			reached[r] = true
		}
		if len(reached) == len(sels) {
			return
		}
	}
	for i, q := range sels {
		if !reached[fmt.Sprint(i)] {
			t.Errorf("Tab never reached %s", q)
		}
	}
}

func jsonList(v []string) string { b, _ := json.Marshal(v); return string(b) }
