package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/augment-ml/augment/internal/domain"
)

// doneJob records a finished job of an upload with two variants, its
// source stored under its key.
func doneJob(t *testing.T, s *labelServer, spec domain.Spec) *domain.Job {
	t.Helper()
	ctx := context.Background()
	j := &domain.Job{ID: uuid.NewString(), Spec: spec, Source: domain.Source{Name: "cat.png"}}
	j.Source.Key = "jobs/" + j.ID + "/source"
	if err := s.blobs.Put(ctx, j.Source.Key, strings.NewReader("pixels"), 6, "image/png"); err != nil {
		t.Fatal(err)
	}
	if err := s.db.CreateJob(ctx, j); err != nil {
		t.Fatal(err)
	}
	src := j.Source
	src.Width, src.Height, src.Format = 640, 480, "png"
	if err := s.db.SetSource(ctx, j.ID, src); err != nil {
		t.Fatal(err)
	}
	for i, ops := range []string{`[{"op": "hflip"}]`, `[{"op": "rotate", "degrees": 7.5, "fill": "black"}]`} {
		if err := s.db.PutVariant(ctx, j.ID, domain.Variant{Index: i, Width: 640, Height: 480, Format: "png", Bytes: 1,
			Ops: json.RawMessage(ops), Key: "jobs/" + j.ID + "/variants/" + string(rune('0'+i)) + ".png"}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.db.Job(ctx, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func sameJSON(a, b json.RawMessage) bool {
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && cmp.Equal(x, y)
}

func (s *labelServer) post(t *testing.T, path string) (*http.Response, jobJSON) {
	t.Helper()
	resp, err := http.Post(s.URL+path, "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var j jobJSON
	_ = json.NewDecoder(resp.Body).Decode(&j)
	return resp, j
}

// TestDerivedJobs: a re-roll keeps the image (a copy of its bytes) and the
// pipeline and draws a new seed; a pin is one variant of the variant's ops;
// a job whose upload is no longer kept cannot be re-rolled, and says so.
func TestDerivedJobs(t *testing.T) {
	s := newLabelServer(t)
	ctx := context.Background()
	j := doneJob(t, s, domain.Spec{Variants: 2, Seed: 9, Preset: "default", Pipeline: json.RawMessage(`[{"op": "hflip", "p": 0.5}]`)})

	resp, r := s.post(t, "/api/v1/jobs/"+j.ID+"/reroll")
	if resp.StatusCode != http.StatusAccepted || r.Spec.Seed == 9 || !sameJSON(r.Spec.Pipeline, j.Spec.Pipeline) ||
		r.Spec.Preset != "default" || r.Spec.Variants != 2 || r.Source.Name != "cat.png" {
		t.Fatalf("re-roll: %d %+v", resp.StatusCode, r)
	}
	nj, err := s.db.Job(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	rd, _, err := s.blobs.Get(ctx, nj.Source.Key)
	if err != nil || nj.Source.Key == j.Source.Key {
		t.Fatalf("the re-roll's source %q: %v", nj.Source.Key, err)
	}
	b, _ := io.ReadAll(rd)
	rd.Close()
	if string(b) != "pixels" {
		t.Errorf("the re-roll's source holds %q", b)
	}

	resp, p := s.post(t, "/api/v1/jobs/"+j.ID+"/variants/1/pin")
	if resp.StatusCode != http.StatusAccepted || p.Spec.Variants != 1 || p.Spec.Preset != "" ||
		!sameJSON(p.Spec.Pipeline, json.RawMessage(`[{"op": "rotate", "degrees": 7.5, "fill": "black"}]`)) {
		t.Fatalf("pin: %d %+v %s", resp.StatusCode, p.Spec, p.Spec.Pipeline)
	}
	for _, path := range []string{"/api/v1/jobs/" + j.ID + "/variants/2/pin", "/api/v1/jobs/" + j.ID + "/variants/x/pin", "/api/v1/jobs/nope/reroll"} {
		if resp, _ := s.post(t, path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d", path, resp.StatusCode)
		}
	}
	// The page's form is sent to the new job's page.
	resp = s.form(t, "/jobs/"+j.ID+"/reroll", nil, nil, "Accept", "text/html")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/jobs/") {
		t.Errorf("the re-roll form: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	if err := s.blobs.Delete(ctx, j.Source.Key); err != nil {
		t.Fatal(err)
	}
	resp, err = http.Post(s.URL+"/api/v1/jobs/"+j.ID+"/reroll", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if code, _, msg := errorOf(t, resp); resp.StatusCode != http.StatusNotFound || code != domain.ENotFound || !strings.Contains(msg, "no longer kept") {
		t.Errorf("re-rolling a job whose upload is gone: %d %s %q", resp.StatusCode, code, msg)
	}
}

// TestEditFillsTheForm: a job's Edit link opens the form with its image (by
// the job), pipeline, variants and seed; sending it makes a job of the same
// image.
func TestEditFillsTheForm(t *testing.T) {
	s := newLabelServer(t)
	j := doneJob(t, s, domain.Spec{Variants: 2, Seed: 9, Pipeline: json.RawMessage(`[{"op": "hflip"}]`)})
	href := jobView(j).EditHref()
	resp, err := http.Get(s.URL + href)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`name="from" value="` + j.ID + `"`, `value="9"`, `[{&#34;op&#34;: &#34;hflip&#34;}]`} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the edit form lacks %s", want)
		}
	}
	resp = s.form(t, "/jobs", map[string]string{"from": j.ID, "variants": "1", "preset": "", "pipeline": `[{"op": "vflip"}]`}, nil, "Accept", "text/html")
	if resp.StatusCode != http.StatusSeeOther {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("sending the edit: %d %s", resp.StatusCode, b)
	}
	n, err := s.db.Job(context.Background(), strings.TrimPrefix(resp.Header.Get("Location"), "/jobs/"))
	if err != nil || n.Source.Name != "cat.png" || n.Source.Key == "" || n.Spec.Variants != 1 {
		t.Errorf("the edited job: %+v, %v", n, err)
	}
}
