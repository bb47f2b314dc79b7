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
