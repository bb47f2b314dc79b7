package e2e

import (
	"bytes"
	"encoding/json"
	"image"
	"image/jpeg"
	_ "image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/augment-ml/augment/internal/augment"
	"github.com/augment-ml/augment/internal/domain"
)

var jobIDInPage = regexp.MustCompile(`class="job-id">([0-9a-f-]{36})<`)

// TestSyncFlow opens /?url= as a person would and gets the page of variants.
func TestSyncFlow(t *testing.T) {
	s := startStack(t)
	img := images(t)
	src := img.URL + "/cardinal.jpg"

	page := func(query string) (int, string) {
		resp, err := http.Get(s.URL + "/?" + query)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	status, body := page("url=" + url.QueryEscape(src))
	if status != http.StatusOK {
		t.Fatalf("GET /?url= = %d:\n%s", status, body)
	}
	if n := strings.Count(body, `class="variant"`); n != 4 {
		t.Fatalf("page shows %d variants, want the default 4", n)
	}
	if !strings.Contains(body, `alt="original`) {
		t.Error("page does not show the original")
	}

	// n, seed and preset give the same variants every time.
	q := "url=" + url.QueryEscape(src) + "&n=8&seed=42&preset=classic"
	var ops [2][]string
	for i := range 2 {
		status, body = page(q)
		if status != http.StatusOK {
			t.Fatalf("GET /?%s = %d", q, status)
		}
		if n := strings.Count(body, `class="variant"`); n != 8 {
			t.Fatalf("page shows %d variants, want 8", n)
		}
		m := jobIDInPage.FindStringSubmatch(body)
		if m == nil {
			t.Fatal("page does not contain the job id")
		}
		var j job
		s.getJSON("/api/v1/jobs/"+m[1], &j)
		if j.Status != "done" || len(j.Variants) != 8 || j.Spec.Seed != 42 {
			t.Fatalf("job %s: status %s, %d variants, seed %d", j.ID, j.Status, len(j.Variants), j.Spec.Seed)
		}
		for _, v := range j.Variants {
			if len(v.Ops) > 1 {
				t.Fatalf("classic applies at most one op, variant %d has %s", v.Index, v.Ops)
			}
			b, _ := json.Marshal(v.Ops)
			ops[i] = append(ops[i], string(b))
		}
	}
	if strings.Join(ops[0], "|") != strings.Join(ops[1], "|") {
		t.Fatalf("same seed, different ops:\n%v\n%v", ops[0], ops[1])
	}
}

// TestSyncFlowRefusesBadInput answers 4xx pages that say what is wrong.
func TestSyncFlowRefusesBadInput(t *testing.T) {
	s := startStack(t)
	img := images(t)
	for _, tc := range []struct {
		query  string
		status int
		says   string
	}{
		{"url=" + url.QueryEscape(img.URL+"/bad/not-an-image.jpg"), 415, "not"},
		{"url=" + url.QueryEscape(img.URL+"/bad/vector.svg"), 415, "svg"},
		{"url=" + url.QueryEscape(img.URL+"/bad/bomb-900mp.png"), 413, "pixels"},
		{"url=" + url.QueryEscape(img.URL+"/nope.jpg"), 400, "404"},
		{"url=ftp://example.com/x.jpg", 400, "http"},
		{"url=" + url.QueryEscape(img.URL+"/rocket.jpg") + "&n=65", 422, "variants"},
		{"url=" + url.QueryEscape(img.URL+"/rocket.jpg") + "&preset=nope", 422, "preset"},
		{"url=" + url.QueryEscape(img.URL+"/rocket.jpg") + "&n=abc", 422, "n must"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, s.URL+"/?"+tc.query, nil)
			req.Header.Set("Accept", "text/html")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status || !strings.Contains(string(body), tc.says) {
				t.Fatalf("status %d (want %d), page says:\n%s", resp.StatusCode, tc.status, body)
			}
			if !strings.Contains(resp.Header.Get("Content-Type"), "text/html") {
				t.Fatalf("Content-Type %q, want a page", resp.Header.Get("Content-Type"))
			}
		})
	}
}

// TestJSONAPI scripts a job: POST, poll, download.
func TestJSONAPI(t *testing.T) {
	s := startStack(t)
	img := images(t)
	body := `{"url": "` + img.URL + `/logo-alpha.png", "variants": 3, "seed": 7,
		"pipeline": [{"op": "hflip"}, {"op": "rotate", "degrees": [-20, 20]}, {"op": "grayscale", "p": 0.5}],
		"output": {"format": "png"}}`
	resp, err := http.Post(s.URL+"/api/v1/jobs", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var created job
	_ = json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted || resp.Header.Get("Location") != "/api/v1/jobs/"+created.ID {
		t.Fatalf("POST = %d, Location %q, id %q", resp.StatusCode, resp.Header.Get("Location"), created.ID)
	}
	j := s.waitJob(created.ID, 60*time.Second)
	if j.Status != "done" || len(j.Variants) != 3 {
		t.Fatalf("job = %+v", j)
	}
	if j.Source.Width != 500 || j.Source.Height != 500 || j.Source.Format != "png" || j.Source.Name != "logo-alpha.png" {
		t.Errorf("source = %+v", j.Source)
	}
	for _, v := range j.Variants {
		if v.Format != "png" || v.Bytes == 0 || len(v.Ops) < 2 {
			t.Errorf("variant %d = %+v", v.Index, v)
		}
		b := download(t, s.URL+v.Href, "image/png")
		cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
		if err != nil || format != "png" || cfg.Width != v.Width || cfg.Height != v.Height {
			t.Errorf("variant %d: decodes as %s %dx%d (%v), record says %dx%d", v.Index, format, cfg.Width, cfg.Height, err, v.Width, v.Height)
		}
	}
	orig, _ := os.ReadFile("../testdata/corpus/logo-alpha.png")
	if got := download(t, s.URL+j.Source.Href, "image/png"); !bytes.Equal(got, orig) {
		t.Error("source download differs from the original")
	}
	var list struct{ Jobs []job }
	s.getJSON("/api/v1/jobs?limit=5", &list)
	if len(list.Jobs) != 1 || list.Jobs[0].ID != j.ID {
		t.Errorf("job list = %+v", list.Jobs)
	}
}

// TestUpload sends the image itself as multipart/form-data.
func TestUpload(t *testing.T) {
	s := startStack(t)
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	f, _ := w.CreateFormFile("image", "rocket.jpg")
	data, _ := os.ReadFile("../testdata/corpus/rocket.jpg")
	f.Write(data)
	w.WriteField("variants", "2")
	w.WriteField("preset", "grayscale")
	w.WriteField("seed", "3")
	w.Close()
	resp, err := http.Post(s.URL+"/api/v1/jobs", w.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	var created job
	_ = json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("POST = %d", resp.StatusCode)
	}
	j := s.waitJob(created.ID, 60*time.Second)
	if j.Status != "done" || len(j.Variants) != 2 || j.Source.Name != "rocket.jpg" || j.Source.Width != 640 {
		t.Fatalf("job = %+v", j)
	}
	for _, v := range j.Variants {
		b := download(t, s.URL+v.Href, "image/jpeg")
		im, _, err := image.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		r, g, bl, _ := im.At(320, 200).RGBA()
		if max(r, g, bl)-min(r, g, bl) > 3<<8 {
			t.Errorf("variant %d of the grayscale preset is not gray at the centre: %d %d %d", v.Index, r>>8, g>>8, bl>>8)
		}
	}
}

func download(t *testing.T, u, wantType string) []byte {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != wantType {
		t.Fatalf("GET %s = %d %s, want 200 %s", u, resp.StatusCode, resp.Header.Get("Content-Type"), wantType)
	}
	b, _ := io.ReadAll(resp.Body)
	return b
}

// TestSyncFlowRedirectsOnTimeout: a job that outlasts SYNC_TIMEOUT leaves
// the person on its page, which fills in later.
func TestSyncFlowRedirectsOnTimeout(t *testing.T) {
	s := startStack(t, "SYNC_TIMEOUT=1s", "WORKER_CONCURRENCY=1")
	img := images(t)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(s.URL + "/?url=" + url.QueryEscape(img.URL+"/large.jpg") + "&n=32&preset=heavy")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/jobs/") {
		t.Fatalf("GET /?url= of a long job = %d → %q, want 303 to its page", resp.StatusCode, loc)
	}
	if j := s.waitJob(strings.TrimPrefix(loc, "/jobs/"), 5*time.Minute); j.Status != "done" || len(j.Variants) != 32 {
		t.Fatalf("the job ended %s with %d variants", j.Status, len(j.Variants))
	}
}

// TestCatalogue: the ops and presets the API describes are the ones the
// operations reference shows, the home page offers and a job accepts, and
// every preset renders on the worker.
func TestCatalogue(t *testing.T) {
	s := startStack(t)
	img := images(t)
	var ops struct {
		Ops []struct {
			Name   string            `json:"name"`
			Group  string            `json:"group"`
			Params []json.RawMessage `json:"params"`
		} `json:"ops"`
	}
	if st := s.getJSON("/api/v1/ops", &ops); st != http.StatusOK {
		t.Fatalf("GET /api/v1/ops = %d", st)
	}
	var presets struct {
		Presets []struct {
			Name     string          `json:"name"`
			Pipeline json.RawMessage `json:"pipeline"`
		} `json:"presets"`
	}
	if st := s.getJSON("/api/v1/presets", &presets); st != http.StatusOK {
		t.Fatalf("GET /api/v1/presets = %d", st)
	}
	resp, err := http.Get(s.URL + "/ops")
	if err != nil {
		t.Fatal(err)
	}
	reference, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp, err = http.Get(s.URL + "/"); err != nil {
		t.Fatal(err)
	}
	home, _ := io.ReadAll(resp.Body)
	resp.Body.Close()

	var want []string // the registry's
	for _, o := range augment.Catalogue() {
		want = append(want, o.Name)
	}
	got := map[string]bool{}
	for _, o := range ops.Ops {
		got[o.Name] = true
		if !strings.Contains(string(reference), "<code>"+o.Name+"</code>") {
			t.Errorf("the operations reference does not show %s", o.Name)
		}
	}
	for _, name := range want {
		if !got[name] {
			t.Errorf("GET /api/v1/ops lacks %s", name)
		}
	}
	if len(ops.Ops) != len(want) {
		t.Errorf("GET /api/v1/ops lists %d operations; the registry has %d", len(ops.Ops), len(want))
	}

	// Each preset, as its own pipeline, is accepted and renders.
	var ids []string
	for _, p := range presets.Presets {
		if !strings.Contains(string(home), `value="`+p.Name+`"`) {
			t.Errorf("the home page does not offer the preset %s", p.Name)
		}
		body := `{"url": "` + img.URL + `/chelsea.png", "variants": 2, "seed": 3, "pipeline": ` + string(p.Pipeline) + `}`
		resp, err := http.Post(s.URL+"/api/v1/jobs", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		var created job
		_ = json.NewDecoder(resp.Body).Decode(&created)
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("preset %s as a pipeline: POST = %d", p.Name, resp.StatusCode)
		}
		ids = append(ids, created.ID)
	}
	if len(presets.Presets) != 6 {
		t.Errorf("%d presets, want default, classic, grayscale, geometric, photometric and heavy", len(presets.Presets))
	}
	for _, id := range ids {
		if j := s.waitJob(id, 90*time.Second); j.Status != "done" || len(j.Variants) != 2 {
			t.Errorf("job %s: %s, %d variants", id, j.Status, len(j.Variants))
		}
	}
}

// TestJPEGChroma: a new job's JPEG variants keep their colour at half
// resolution unless full is asked for, through the API, the ?url= page and
// the home page's form; the job records which.
func TestJPEGChroma(t *testing.T) {
	s := startStack(t)
	img := images(t)
	src := img.URL + "/cardinal.jpg"
	resp, err := http.Get(s.URL + "/?n=1&preset=classic&url=" + url.QueryEscape(src))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var list struct{ Jobs []job }
	s.getJSON("/api/v1/jobs?limit=1", &list)
	jobs := map[string]string{list.Jobs[0].ID: domain.ChromaHalf}
	form, err := noRedirects.PostForm(s.URL+"/jobs", url.Values{"url": {src}, "variants": {"1"}, "preset": {"classic"}, "chroma": {"4:4:4"}})
	if err != nil {
		t.Fatal(err)
	}
	form.Body.Close()
	if loc := form.Header.Get("Location"); form.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/jobs/") {
		t.Fatalf("the form: %d to %q", form.StatusCode, loc)
	}
	jobs[strings.TrimPrefix(form.Header.Get("Location"), "/jobs/")] = domain.ChromaFull
	for body, want := range map[string]string{
		`{"url": "` + src + `", "variants": 2}`:                                                  domain.ChromaHalf,
		`{"url": "` + src + `", "variants": 2, "output": {"chroma": "4:4:4", "quality": 75}}`:    domain.ChromaFull,
		`{"url": "` + src + `", "variants": 2, "output": {"format": "jpeg", "chroma": "4:2:0"}}`: domain.ChromaHalf,
	} {
		jobs[s.postJob(body).ID] = want
	}
	for id, want := range jobs {
		j := s.waitJob(id, time.Minute)
		if j.Status != "done" || j.Spec.Output.Chroma != want {
			t.Fatalf("job %s: %s, chroma %q; want done, %q", id, j.Status, j.Spec.Output.Chroma, want)
		}
		for _, v := range j.Variants {
			im, err := jpeg.Decode(bytes.NewReader(download(t, s.URL+v.Href, "image/jpeg")))
			if err != nil {
				t.Fatal(err)
			}
			ratio := image.YCbCrSubsampleRatio420
			if want == domain.ChromaFull {
				ratio = image.YCbCrSubsampleRatio444
			}
			if got := im.(*image.YCbCr).SubsampleRatio; got != ratio {
				t.Errorf("job %s variant %d: %v, want %v", id, v.Index, got, ratio)
			}
		}
	}
}
