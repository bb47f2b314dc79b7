package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/augment-ml/augment/internal/augment"
	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/labels"
)

// labelledJob is a job's JSON with its labels.
type labelledJob struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Error  *struct{ Code, Message string }
	Source struct {
		Width       int    `json:"width"`
		Height      int    `json:"height"`
		Orientation int    `json:"orientation"`
		MaskHref    string `json:"mask_href"`
	} `json:"source"`
	Spec struct {
		Labels       *domain.Labels       `json:"labels"`
		LabelOptions *domain.LabelOptions `json:"label_options"`
	} `json:"spec"`
	Variants []struct {
		Index  int             `json:"index"`
		Width  int             `json:"width"`
		Height int             `json:"height"`
		Ops    json.RawMessage `json:"ops"`
		Labels *struct {
			Objects  []domain.Object  `json:"objects"`
			Dropped  []domain.Dropped `json:"dropped"`
			MaskHref string           `json:"mask_href"`
		} `json:"labels"`
	} `json:"variants"`
}

// serveMask serves mask from 127.0.0.1 for the length of the test and
// returns its URL.
func serveMask(t testing.TB, mask []byte) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(mask) }))
	t.Cleanup(srv.Close)
	return srv.URL + "/mask.png"
}

// rocketMask is a 640×427 mask of rocket.jpg: class 1 on a band across the
// middle, 2 in a square, 0 elsewhere.
func rocketMask(t testing.TB) []byte {
	m := image.NewGray(image.Rect(0, 0, 640, 427))
	for y := range 427 {
		for x := range 640 {
			switch {
			case x >= 300 && x < 400 && y >= 50 && y < 150:
				m.Pix[y*640+x] = 2
			case y >= 180 && y < 260:
				m.Pix[y*640+x] = 1
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const rocketLabels = `{"width": 640, "height": 427, "keypoint_names": ["left_fin", "right_fin", "tip"],
	"objects": [
		{"id": "rocket", "class": "rocket", "bbox": [280, 20, 90, 390], "polygon": [[325, 20], [370, 380], [280, 380]],
		 "keypoints": [[285, 400, 2], [365, 400, 2], [325, 22, 2]], "attributes": {"stage": 1}},
		{"id": "pad", "class": "pad", "bbox": [200, 390, 240, 37]},
		{"id": "edge", "class": "cloud", "bbox": [600, 0, 40, 40]}]}`

// TestLabelsThroughTheStack: a job with labels and a mask (by URL, and as
// an upload) runs through the api and the worker: each variant records the
// labels its recorded ops give, and its mask is a PNG of its size holding
// only the mask's classes and mask_fill; a declared size that is not the
// image's fails the job with labels_size_mismatch and its headline.
func TestLabelsThroughTheStack(t *testing.T) {
	s := startStack(t)
	img := images(t)
	mask := rocketMask(t)
	maskURL := serveMask(t, mask)

	body := fmt.Sprintf(`{"url": "%s/rocket.jpg", "variants": 4, "seed": 5, "mask_url": "%s",
		"pipeline": [{"op": "hflip", "p": 0.5}, {"op": "rotate", "degrees": [-30, 30]}, {"op": "random_resized_crop", "size": [320, 240], "scale": [0.3, 1]}, {"op": "cutout"}],
		"label_options": {"mask_fill": 9}, "labels": %s}`, img.URL, maskURL, rocketLabels)
	var created labelledJob
	resp, err := http.Post(s.URL+"/api/v1/jobs", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("POST = %d %+v", resp.StatusCode, created.Error)
	}
	j := waitLabelled(t, s, created.ID)
	if j.Status != "done" || len(j.Variants) != 4 {
		t.Fatalf("job %s %+v\n%s", j.Status, j.Error, s.logs.String())
	}
	if got := download(t, s.URL+j.Source.MaskHref, "image/png"); !bytes.Equal(got, mask) {
		t.Error("the source's mask is not the one given")
	}
	checkVariants(t, s, j, map[uint8]bool{0: true, 1: true, 2: true, 9: true})

	// The same as an upload, with the mask as a file.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("image", "rocket.jpg")
	photo, _ := os.ReadFile("../testdata/corpus/rocket.jpg")
	fw.Write(photo)
	fw, _ = mw.CreateFormFile("mask", "rocket-mask.png")
	fw.Write(mask)
	mw.WriteField("labels", rocketLabels)
	mw.WriteField("pipeline", `[{"op": "vflip"}, {"op": "zoom"}]`)
	mw.WriteField("variants", "2")
	mw.Close()
	if resp, err = http.Post(s.URL+"/api/v1/jobs", mw.FormDataContentType(), &buf); err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("upload POST = %d %+v", resp.StatusCode, created.Error)
	}
	j = waitLabelled(t, s, created.ID)
	if j.Status != "done" {
		t.Fatalf("upload job %s %+v", j.Status, j.Error)
	}
	checkVariants(t, s, j, map[uint8]bool{0: true, 1: true, 2: true})

	// Labels for another size fail the job, with a headline on its page.
	bad := strings.Replace(body, `"width": 640, "height": 427`, `"width": 427, "height": 640`, 1)
	if resp, err = http.Post(s.URL+"/api/v1/jobs", "application/json", strings.NewReader(bad)); err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()
	j = waitLabelled(t, s, created.ID)
	if j.Status != "failed" || j.Error.Code != domain.ELabelsSizeMismatch || !strings.Contains(j.Error.Message, "427×640, but it is 640×427") {
		t.Fatalf("labels of another size: %s %+v", j.Status, j.Error)
	}
	page := getPage(t, s.URL+"/jobs/"+j.ID)
	if !strings.Contains(page, "The labels do not fit the image") {
		t.Error("the failed job's page has no headline for labels_size_mismatch")
	}

	// Malformed labels never make a job.
	for _, tc := range []struct{ labels, says string }{
		{`{"objects": [{"polygon": [[0, 0], [1, 1]]}]}`, "labels.objects[0].polygon has 2 points"},
		{`{"objects": [{"keypoints": [[1, 1, 2], [2, 2, 2]]}]}`, "step 1 (hflip) can mirror the image"},
	} {
		resp, err := http.Post(s.URL+"/api/v1/jobs", "application/json",
			strings.NewReader(fmt.Sprintf(`{"url": "%s/rocket.jpg", "pipeline": [{"op": "hflip"}], "labels": %s}`, img.URL, tc.labels)))
		if err != nil {
			t.Fatal(err)
		}
		checkError(t, resp, http.StatusUnprocessableEntity, domain.EInvalidSpec, tc.says)
	}
}

func waitLabelled(t *testing.T, s *stack, id string) labelledJob {
	t.Helper()
	s.waitJob(id, 90*time.Second)
	var j labelledJob
	s.getJSON("/api/v1/jobs/"+id, &j)
	return j
}

// checkVariants: each variant's labels are those its recorded ops give the
// source's labels, and its mask is a PNG of its size with classes of want
// only.
func checkVariants(t *testing.T, s *stack, j labelledJob, want map[uint8]bool) {
	t.Helper()
	opt := domain.DefaultLabelOptions()
	if j.Spec.LabelOptions != nil {
		opt = *j.Spec.LabelOptions
	}
	for _, v := range j.Variants {
		if v.Labels == nil {
			t.Fatalf("variant %d has no labels", v.Index)
		}
		ops, err := augment.ParseOps(v.Ops)
		if err != nil {
			t.Fatal(err)
		}
		moves, err := labels.MovesOf(ops, j.Source.Width, j.Source.Height)
		if err != nil {
			t.Fatal(err)
		}
		replayed := labels.Apply(j.Spec.Labels, moves, opt)
		got := domain.VariantLabels{Objects: v.Labels.Objects, Dropped: v.Labels.Dropped}
		if d := cmp.Diff(replayed, got, cmpopts.EquateApprox(0, 1e-9), cmpopts.EquateEmpty()); d != "" {
			t.Errorf("variant %d: its labels are not those its ops give:\n%s", v.Index, d)
		}
		b := download(t, s.URL+v.Labels.MaskHref, "image/png")
		m, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		gray, ok := m.(*image.Gray)
		if !ok || m.Bounds().Dx() != v.Width || m.Bounds().Dy() != v.Height {
			t.Fatalf("variant %d: mask %T %v, variant %d×%d", v.Index, m, m.Bounds(), v.Width, v.Height)
		}
		for _, c := range gray.Pix {
			if !want[c] {
				t.Fatalf("variant %d: the mask holds class %d", v.Index, c)
			}
		}
	}
}

func getPage(t *testing.T, u string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Accept", "text/html")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// TestBrowserDrawsLabels opens a labelled job's page before the job runs:
// as the variants arrive, the original and each variant get their boxes and
// their tinted mask, each box where its label says, and the toggles hide a
// kind everywhere.
func TestBrowserDrawsLabels(t *testing.T) {
	s := startStack(t)
	img := images(t)
	mask := rocketMask(t)
	maskURL := serveMask(t, mask)
	s.KillWorker() // the job waits until the page is open
	body := fmt.Sprintf(`{"url": "%s/rocket.jpg", "variants": 3, "seed": 2, "mask_url": "%s",
		"pipeline": [{"op": "hflip"}, {"op": "rotate", "degrees": [-20, 20]}], "labels": %s}`, img.URL, maskURL, rocketLabels)
	var created labelledJob
	resp, err := http.Post(s.URL+"/api/v1/jobs", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()

	ctx := browser(t)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/jobs/"+created.ID),
		chromedp.WaitVisible(chromedp.CSS(`#live[data-status=queued]`)),
	); err != nil {
		t.Fatalf("browser: %v", err)
	}
	s.StartWorker()
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`#live[data-status=done]`))); err != nil {
		t.Fatalf("the page never showed the job done: %v\n%s", err, s.logs.String())
	}
	j := waitLabelled(t, s, created.ID)
	// every frame: its boxes as rects at its labels' places, and its mask
	type frame struct {
		Boxes [][4]float64
		Mask  bool
	}
	got, err := chromedp.Run(ctx, chromedp.Poll[[]frame](`(() => {
		const frames = Array.from(document.querySelectorAll("#live .frame"));
		const out = frames.map(f => ({
			Boxes: Array.from(f.querySelectorAll(".labels-svg rect.box")).map(r => ["x", "y", "width", "height"].map(a => Number(r.getAttribute(a)))),
			Mask: !!f.querySelector("canvas.labels-mask"),
		}));
		return frames.length === 4 && out.every(f => f.Mask && f.Boxes.length > 0) ? out : undefined;
	})()`, chromedp.WithPollingTimeout(20*time.Second)))
	if err != nil {
		t.Fatalf("the overlays are not all drawn: %v", err)
	}
	boxes := func(objs []domain.Object) [][4]float64 {
		var out [][4]float64
		for _, o := range objs {
			if o.BBox != nil {
				out = append(out, *o.BBox)
			}
		}
		return out
	}
	want := []frame{{Boxes: boxes(j.Spec.Labels.Objects), Mask: true}}
	for _, v := range j.Variants {
		want = append(want, frame{Boxes: boxes(v.Labels.Objects), Mask: true})
	}
	if d := cmp.Diff(want, got, cmpopts.EquateApprox(0, 1e-6)); d != "" {
		t.Errorf("the page's boxes are not the labels':\n%s", d)
	}
	shot(t, ctx, "job-labels")
	hidden, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => {
		document.querySelector(".label-toggles input[data-hide=boxes]").click();
		document.querySelector(".label-toggles input[data-hide=mask]").click();
		const shown = (sel) => Array.from(document.querySelectorAll(sel)).some(e => getComputedStyle(e).display !== "none");
		return [shown("#live rect.box") ? "boxes shown" : "boxes hidden", shown("#live canvas.labels-mask") ? "mask shown" : "mask hidden",
			shown("#live polygon.polygon") ? "polygons shown" : "polygons hidden"];
	})()`))
	if err != nil || !cmp.Equal(hidden, []string{"boxes hidden", "mask hidden", "polygons shown"}) {
		t.Errorf("after unticking boxes and mask: %v %v", hidden, err)
	}
	names, err := chromedp.Run(ctx, chromedp.Evaluate[string](`Array.from(document.querySelectorAll("#original .keypoint-name")).map(e => e.textContent).join(",")`))
	if err != nil || names != "left_fin,right_fin,tip" {
		t.Errorf("keypoint names on the original: %q %v", names, err)
	}
}

// TestBrowserFormSendsLabels: on the home page a person opens the labels'
// fields, types labels with a mistake and chooses a mask: the message shows
// beside the labels, nothing typed is lost; corrected, the job carries the
// labels and the mask, and its page draws them.
func TestBrowserFormSendsLabels(t *testing.T) {
	s := startStack(t)
	img := images(t)
	maskFile := filepath.Join(t.TempDir(), "rocket-mask.png")
	if err := os.WriteFile(maskFile, rocketMask(t), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := browser(t)
	bad := `{"objects": [{"class": "rocket", "bbox": [280, 20, 90]}]}`
	run(t, ctx, s, "filling the form with labels",
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(s.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#job-form li.step`)),
		chromedp.SendKeys(chromedp.CSS(`#job-url`), img.URL+"/rocket.jpg"),
		chromedp.Click(chromedp.CSS(`#job-form details.labels-fields summary`)),
		typeInto(`#job-labels`, bad),
		chromedp.SetUploadFiles(chromedp.CSS(`#job-mask`), []string{maskFile}),
		chromedp.Click(chromedp.CSS(`#job-form .actions button:not([name])`)),
		chromedp.WaitVisible(chromedp.CSS(`#job-labels-error`)),
	)
	shot(t, ctx, "form-labels-error")
	got := eval[map[string]any](t, ctx, `(() => { const f = document.getElementById("job-form"); return {
		message: document.getElementById("job-labels-error").textContent, labels: f.labels.value,
		open: f.querySelector("details.labels-fields").open, invalid: f.labels.getAttribute("aria-invalid"), url: f.url.value } })()`)
	want := map[string]any{"message": "labels.objects[0].bbox must be a list of 4 numbers, not [280, 20, 90].", "labels": bad,
		"open": true, "invalid": "true", "url": img.URL + "/rocket.jpg"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("the form after the error (-want +got):\n%s", d)
	}
	run(t, ctx, s, "correcting the labels",
		typeInto(`#job-labels`, `{"objects": [{"class": "rocket", "bbox": [280, 20, 90, 390]}]}`),
		chromedp.Click(chromedp.CSS(`#job-form .actions button:not([name])`)),
		chromedp.WaitVisible(chromedp.CSS(`#live.job[data-status=done]`)),
	)
	id := eval[string](t, ctx, `document.getElementById("live").dataset.id`)
	j := waitLabelled(t, s, id)
	if j.Spec.Labels == nil || len(j.Spec.Labels.Objects) != 1 || j.Source.MaskHref == "" || j.Variants[0].Labels.MaskHref == "" {
		t.Fatalf("the job from the form: labels %+v, mask %q", j.Spec.Labels, j.Source.MaskHref)
	}
	drawn, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelectorAll("#live .frame canvas.labels-mask").length === document.querySelectorAll("#live .frame").length || undefined`,
		chromedp.WithPollingTimeout(20*time.Second)))
	if err != nil || !drawn {
		t.Errorf("the job page does not draw every mask: %v", err)
	}
}
