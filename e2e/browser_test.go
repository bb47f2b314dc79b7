package e2e

import (
	"context"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browser starts headless Chromium for the test. Chromium is required: the
// test fails, not skips, when it is missing (scripts/services.sh installs it).
func browser(t *testing.T, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("chromium is required for browser tests (apt-get install chromium): %v", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	opts = append(opts, extra...)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	// NOTE: the first Run allocates the browser and must not carry a timeout.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	ctx, cancel3 := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancel3)
	return ctx
}

// TestBrowserSubmitsForm fills in the home page's form and watches the job
// page fill in its variants.
func TestBrowserSubmitsForm(t *testing.T) {
	s := startStack(t)
	img := images(t)
	ctx := browser(t)
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#job-form`)),
		chromedp.SetValue(chromedp.CSS(`input[name=url]`), img.URL+"/coffee.png"),
		chromedp.SetValue(chromedp.CSS(`input[name=variants]`), "5"),
		chromedp.SetValue(chromedp.CSS(`select[name=preset]`), "classic"),
		chromedp.SetValue(chromedp.CSS(`input[name=seed]`), "11"),
		chromedp.Click(chromedp.CSS(`#job-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#live.job[data-status=done]`)),
	)
	if err != nil {
		t.Fatalf("browser: %v\nlogs:\n%s", err, s.logs.String())
	}
	count, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#live figure.variant img").length`))
	if err != nil || count != 5 {
		t.Fatalf("job page shows %d variant images (%v), want 5", count, err)
	}
	ops, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#live figure.variant .caption`)))
	if err != nil || ops == "" {
		t.Fatalf("the first variant lists no ops: %q, %v", ops, err)
	}
	loaded, err := chromedp.Run(ctx, chromedp.Poll[bool](
		`Array.from(document.querySelectorAll("#live img")).every(i => i.complete && i.naturalWidth > 0) || undefined`,
		chromedp.WithPollingTimeout(20*time.Second)))
	if err != nil || !loaded {
		t.Fatalf("images on the job page did not load: %v", err)
	}
}
