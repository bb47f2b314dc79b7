package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// noRedirects is a client that shows redirects instead of following them.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// postForm sends the home page's form as a browser without JavaScript does.
func (s *stack) postForm(path string, fields map[string]string, header ...string) (*http.Response, string) {
	s.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, s.URL+path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Accept", "text/html")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// postJob sends a job to the JSON API and returns it as it was accepted.
func (s *stack) postJob(body string) job {
	s.t.Helper()
	resp, err := http.Post(s.URL+"/api/v1/jobs", "application/json", strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var j job
	if err := json.NewDecoder(resp.Body).Decode(&j); err != nil || resp.StatusCode != http.StatusAccepted {
		s.t.Fatalf("POST job: %d, %v", resp.StatusCode, err)
	}
	return j
}

// TestFormsWithoutJavaScript: the forms work as plain HTML forms too: an
// error shows the page again with every value and the message beside its
// field; a non-empty pipeline wins over the preset; an empty custom
// pipeline is an error; "try it" makes a job of the bundled photo.
func TestFormsWithoutJavaScript(t *testing.T) {
	s := startStack(t)
	img := images(t)
	bad := `[{"op": "rotate", "degrees": [-20, 999]}]`
	resp, page := s.postForm("/jobs", map[string]string{
		"url": img.URL + "/rocket.jpg", "variants": "3", "seed": "77", "format": "png", "preset": "", "pipeline": bad,
	})
	if resp.StatusCode != 422 {
		t.Fatalf("a bad pipeline: %d, want the form again with 422", resp.StatusCode)
	}
	for _, want := range []string{
		`value="` + img.URL + `/rocket.jpg"`, `name="variants" min="1" max="64" value="3"`, `value="77"`,
		`<option selected>png</option>`, `<option value="" selected>custom pipeline</option>`,
		html.EscapeString(bad) + `</textarea>`, `<details class="json" open>`,
		`id="job-pipeline-error" data-role="pipeline-error">step 1 (rotate): parameter &#34;degrees&#34;`,
		`aria-describedby="job-pipeline-error"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the form shown again lacks %s", want)
		}
	}

	resp, page = s.postForm("/jobs", map[string]string{"url": img.URL + "/rocket.jpg", "preset": "", "pipeline": "  "})
	if resp.StatusCode != 422 || !strings.Contains(page, `id="job-pipeline-error" data-role="pipeline-error">The custom pipeline is empty`) {
		t.Errorf("an empty custom pipeline: %d; want 422 with the message beside the pipeline", resp.StatusCode)
	}

	resp, _ = s.postForm("/jobs", map[string]string{"url": img.URL + "/rocket.jpg", "variants": "2", "preset": "heavy", "pipeline": `[{"op": "vflip"}]`})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("preset and pipeline from the form: %d, want 303 to the job", resp.StatusCode)
	}
	j := s.waitJob(strings.TrimPrefix(resp.Header.Get("Location"), "/jobs/"), 30*time.Second)
	if string(j.Spec.Pipeline) != `[{"op":"vflip"}]` || j.Status != "done" {
		t.Errorf("the pipeline did not win over the preset: %s, %s", j.Spec.Pipeline, j.Status)
	}

	resp, page = s.postForm("/batches", map[string]string{"urls": "ftp://example.com/a.jpg", "variants": "5", "seed": "9", "preset": "classic"})
	if resp.StatusCode != 400 || !strings.Contains(page, `id="batch-urls-error"`) || !strings.Contains(page, `name="variants" min="0" max="64" value="5"`) ||
		!strings.Contains(page, `<option value="classic" selected>classic</option>`) || !strings.Contains(page, `id="tab-batch" class="sr-only" checked`) {
		t.Errorf("the batch form shown again: %d, without its values or the message beside the URLs", resp.StatusCode)
	}

	resp, _ = s.postForm("/jobs", map[string]string{"sample": "1", "variants": "2", "preset": "grayscale"})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("try it: %d", resp.StatusCode)
	}
	j = s.waitJob(strings.TrimPrefix(resp.Header.Get("Location"), "/jobs/"), 30*time.Second)
	if j.Status != "done" || j.Source.Name != "cardinal.jpg" || j.Source.Width != 800 || len(j.Variants) != 2 {
		t.Errorf("the sample job: %s, %s %d px wide, %d variants", j.Status, j.Source.Name, j.Source.Width, len(j.Variants))
	}
}

// TestPagesForPeople: titles name the source, a failed job says what went
// wrong and which URL, captions read as sentences with the JSON beside,
// images load lazily with their size, HEAD answers like GET.
func TestPagesForPeople(t *testing.T) {
	s := startStack(t)
	img := images(t)
	page := func(method, path string) (*http.Response, string) {
		req, _ := http.NewRequest(method, s.URL+path, nil)
		req.Header.Set("Accept", "text/html")
		resp, err := noRedirects.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	post := func(body string) job { return s.waitJob(s.postJob(body).ID, 30*time.Second) }
	done := post(`{"url": "` + img.URL + `/rocket.jpg", "variants": 2, "seed": 5, "pipeline": [{"op": "rotate", "degrees": [-10, 10]}, {"op": "brightness", "factor": [0.8, 1.2]}]}`)
	_, body := page("GET", "/jobs/"+done.ID)
	if !strings.Contains(body, "<title>rocket.jpg · 2 variants · augment</title>") {
		t.Errorf("the job page's title does not name its source")
	}
	caption := regexp.MustCompile(`<p class="caption">rotate (−)?\d+(\.\d)?°, brightness ×\d\.\d+</p>`)
	if n := len(caption.FindAllString(body, -1)); n != 2 {
		t.Errorf("%d captions read like \"rotate −4.8°, brightness ×1.18\", want 2", n)
	}
	if strings.Count(body, `<details class="raw"><summary>JSON</summary>`) != 2 {
		t.Errorf("the raw ops are not on demand beside each caption")
	}
	// Thumbnails: 480 px on the longest side of a 640×427 variant.
	if strings.Count(body, `loading="lazy"`) != 2 || !strings.Contains(body, fmt.Sprintf(`src="%s/thumb" alt=`, done.Variants[0].Href)) ||
		!strings.Contains(body, `width="480" height="320" loading="lazy"`) {
		t.Errorf("variant images are not lazy thumbnails with their size")
	}

	failed := post(`{"url": "` + img.URL + `/gone.jpg"}`)
	resp, body := page("GET", "/jobs/"+failed.ID)
	if resp.StatusCode != 200 || !strings.Contains(body, "The image could not be downloaded") || !strings.Contains(body, `>`+img.URL+`/gone.jpg</a>`) ||
		!strings.Contains(body, "<title>gone.jpg · failed · augment</title>") {
		t.Errorf("the failed job's page does not say what failed and where:\n%s", body)
	}
	resp, body = page("GET", "/jobs/00000000-0000-4000-8000-000000000000")
	if resp.StatusCode != 404 || !strings.Contains(body, "<h1>Not found</h1>") {
		t.Errorf("an unknown job: %d, want a page headed Not found", resp.StatusCode)
	}

	var listed struct{ Jobs []job }
	s.getJSON("/api/v1/jobs", &listed)
	for _, path := range []string{"/", "/ops", "/recent", "/login", "/jobs/" + done.ID, "/api/v1/jobs/" + done.ID,
		"/api/v1/jobs/" + done.ID + "/variants/0", "/api/v1/jobs/" + done.ID + "/source", "/favicon.ico", "/healthz", "/readyz"} {
		resp, body := page("HEAD", path)
		if resp.StatusCode != 200 || body != "" {
			t.Errorf("HEAD %s: %d with %d bytes", path, resp.StatusCode, len(body))
		}
	}
	resp, _ = page("HEAD", "/?url="+url.QueryEscape(img.URL+"/rocket.jpg"))
	var after struct{ Jobs []job }
	s.getJSON("/api/v1/jobs", &after)
	if resp.StatusCode != 405 || len(after.Jobs) != len(listed.Jobs) {
		t.Errorf("HEAD /?url=: %d, jobs %d → %d; want 405 and no job", resp.StatusCode, len(listed.Jobs), len(after.Jobs))
	}
}

// TestRecentPage pages through jobs and batches; a batch's jobs are listed
// with their batch, not among the jobs.
func TestRecentPage(t *testing.T) {
	s := startStack(t, "API_TOKEN=team-token")
	img := images(t)
	auth := func(req *http.Request) *http.Request {
		req.Header.Set("Authorization", "Bearer team-token")
		return req
	}
	var ids []string
	for i := range 23 {
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/api/v1/jobs", strings.NewReader(fmt.Sprintf(`{"url": "%s/rocket.jpg?n=%d", "variants": 1, "preset": "grayscale"}`, img.URL, i)))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(auth(req))
		if err != nil {
			t.Fatal(err)
		}
		var j job
		_ = json.NewDecoder(resp.Body).Decode(&j)
		resp.Body.Close()
		ids = append(ids, j.ID)
	}
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/api/v1/batches", strings.NewReader(`{"urls": ["`+img.URL+`/coffee.png", "`+img.URL+`/chelsea.png"], "variants": 1}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(auth(req))
	if err != nil || resp.StatusCode != 202 {
		t.Fatalf("batch: %v %v", resp.Status, err)
	}
	var b batch
	_ = json.NewDecoder(resp.Body).Decode(&b)
	resp.Body.Close()

	for _, path := range []string{"/api/v1/jobs", "/api/v1/batches"} {
		resp, err := http.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 401 {
			t.Errorf("GET %s without the token: %d, want 401", path, resp.StatusCode)
		}
		resp, err = http.DefaultClient.Do(auth(must(http.NewRequest(http.MethodGet, s.URL+path, nil))))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("GET %s with the token: %d", path, resp.StatusCode)
		}
	}
	get := func(path string) (int, string) {
		resp, err := http.DefaultClient.Do(auth(must(http.NewRequest(http.MethodGet, s.URL+path, nil))))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	jobLink := regexp.MustCompile(`<td><a href="/jobs/([0-9a-f-]{36})">`)
	status, first := get("/recent")
	got := jobLink.FindAllStringSubmatch(first, -1)
	if status != 200 || len(got) != 20 || got[0][1] != ids[22] {
		t.Fatalf("/recent: %d, %d jobs, first %v; want the 20 newest, newest first", status, len(got), got[:min(1, len(got))])
	}
	if !strings.Contains(first, `href="/batches/`+b.ID+`"`) || strings.Contains(first, "coffee") {
		t.Errorf("the batch is not listed, or its jobs are listed among the jobs")
	}
	older := regexp.MustCompile(`href="(/recent\?jobs_before=[^"]+)" rel="next"`).FindStringSubmatch(first)
	if older == nil {
		t.Fatal("no link to older jobs")
	}
	_, second := get(html.UnescapeString(older[1]))
	got = jobLink.FindAllStringSubmatch(second, -1)
	if len(got) != 3 || got[2][1] != ids[0] {
		t.Errorf("the second page has %d jobs, want the 3 oldest", len(got))
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
