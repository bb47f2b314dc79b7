package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserJobPageFillsInLive opens a queued job's page, opens its Spec,
// then lets the job run: the placeholders fill in with the variants in place
// (the same elements, not a redrawn page) and the Spec stays open. The news
// comes from the job's event stream: the page never polls the job's JSON.
func TestBrowserJobPageFillsInLive(t *testing.T) {
	s := startStack(t)
	img := images(t)
	s.KillWorker() // the job waits until the page is open
	resp, err := http.Post(s.URL+"/api/v1/jobs", "application/json",
		strings.NewReader(`{"url": "`+img.URL+`/cardinal.jpg", "variants": 6, "seed": 9}`))
	if err != nil {
		t.Fatal(err)
	}
	var created job
	_ = json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()

	ctx := browser(t)
	err = chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/jobs/"+created.ID),
		chromedp.WaitVisible(chromedp.CSS(`#live[data-status=queued]`)),
		chromedp.Click(chromedp.CSS(`details.spec > summary`)),
	)
	if err != nil {
		t.Fatalf("browser: %v\nlogs:\n%s", err, s.logs.String())
	}
	pending, err := chromedp.Run(ctx, chromedp.Evaluate[int](`
		window.spec = document.querySelector("details.spec");
		window.slots = Array.from(document.querySelectorAll("#live figure.variant"));
		document.querySelectorAll("#live figure.variant.pending .placeholder").length`))
	if err != nil || pending != 6 {
		t.Fatalf("the queued job's page shows %d placeholders (%v), want 6", pending, err)
	}

	s.StartWorker()
	err = chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`#live[data-status=done]`)))
	if err != nil {
		t.Fatalf("the page never showed the job done: %v\nlogs:\n%s", err, s.logs.String())
	}
	type state struct {
		SpecKept, SpecOpen, SlotsKept, Polled bool
		Pending, Images                       int
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[state](`({
		SpecKept: document.querySelector("details.spec") === window.spec,
		SpecOpen: window.spec.open,
		SlotsKept: Array.from(document.querySelectorAll("#live figure.variant")).every((f, i) => f === window.slots[i]),
		Pending: document.querySelectorAll("#live .pending").length,
		Images: document.querySelectorAll("#live figure.variant img").length,
		Polled: performance.getEntriesByType("resource").some(e => e.name.endsWith("/api/v1/jobs/`+created.ID+`")),
	})`))
	if err != nil {
		t.Fatal(err)
	}
	want := state{SpecKept: true, SpecOpen: true, SlotsKept: true, Pending: 0, Images: 6}
	if got != want {
		t.Fatalf("after the job ran the page is %+v, want %+v", got, want)
	}
	loaded, err := chromedp.Run(ctx, chromedp.Poll[bool](
		`Array.from(document.querySelectorAll("#live img")).every(i => i.complete && i.naturalWidth > 0) || undefined`,
		chromedp.WithPollingTimeout(20*time.Second)))
	if err != nil || !loaded {
		t.Fatalf("images on the job page did not load: %v", err)
	}
}

// TestBrowserBatchPageFillsInLive opens a batch's page before its jobs run:
// its progress bar moves to 100% in place and the thumbnails arrive.
func TestBrowserBatchPageFillsInLive(t *testing.T) {
	s := startStack(t)
	img := images(t)
	s.KillWorker()
	status, b, raw := s.postBatch("application/json", strings.NewReader(`{"urls": [`+
		urlList(img.URL, "cardinal.jpg", "coffee.png", "rocket.jpg")+`], "variants": 1}`))
	if status != http.StatusAccepted {
		t.Fatalf("POST batch = %d: %s", status, raw)
	}
	ctx := browser(t)
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/batches/"+b.ID),
		chromedp.WaitVisible(chromedp.CSS(`#live[data-status=running]`)),
	)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.bar = document.querySelector(".progress"); true`)); err != nil {
		t.Fatal(err)
	}
	s.StartWorker()
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`#live[data-status=done]`))); err != nil {
		t.Fatalf("the page never showed the batch done: %v\nlogs:\n%s", err, s.logs.String())
	}
	type state struct {
		BarKept        bool
		Percent        string
		Thumbs, Polled int
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[state](`({
		BarKept: document.querySelector(".progress") === window.bar,
		Percent: window.bar.getAttribute("aria-valuenow"),
		Thumbs: document.querySelectorAll("#live .thumbs img").length,
		Polled: performance.getEntriesByType("resource").filter(e => e.name.endsWith("/api/v1/batches/`+b.ID+`")).length,
	})`))
	if want := (state{BarKept: true, Percent: "100", Thumbs: 3}); err != nil || got != want {
		t.Fatalf("after the batch ran the page is %+v (%v), want %+v", got, err, want)
	}
}
