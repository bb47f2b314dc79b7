package e2e

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// TestAPIRefusesBadRequests checks that bad input gets the error shape with
// the right status and a sentence naming the problem — never a 500.
func TestAPIRefusesBadRequests(t *testing.T) {
	s := startStack(t)
	img := images(t)
	good := img.URL + "/rocket.jpg"
	for _, tc := range []struct {
		name, body string
		status     int
		code, says string
	}{
		{"malformed JSON", `{"url": `, 400, "invalid_request", "JSON"},
		{"not an object", `[1, 2]`, 400, "invalid_request", "JSON"},
		{"unknown field", `{"url": "` + good + `", "colour": 1}`, 400, "invalid_request", "colour"},
		{"no source", `{"variants": 2}`, 400, "invalid_request", "url"},
		{"non-http scheme", `{"url": "file:///etc/passwd"}`, 400, "invalid_url", "http"},
		{"javascript scheme", `{"url": "javascript:alert(1)"}`, 400, "invalid_url", "http"},
		{"variants zero", `{"url": "` + good + `", "variants": 0}`, 422, "invalid_spec", "variants"},
		{"variants 65", `{"url": "` + good + `", "variants": 65}`, 422, "invalid_spec", "variants"},
		{"variants wrong type", `{"url": "` + good + `", "variants": "eight"}`, 422, "invalid_spec", "variants"},
		{"unknown op", `{"url": "` + good + `", "pipeline": [{"op": "melt"}]}`, 422, "invalid_spec", "melt"},
		{"wrong param type", `{"url": "` + good + `", "pipeline": [{"op": "rotate", "degrees": "lots"}]}`, 422, "invalid_spec", "degrees"},
		{"out of range", `{"url": "` + good + `", "pipeline": [{"op": "hflip"}, {"op": "brightness", "factor": [0.5, 99]}]}`, 422, "invalid_spec", "step 2"},
		{"p out of range", `{"url": "` + good + `", "pipeline": [{"op": "hflip", "p": 1.5}]}`, 422, "invalid_spec", "p"},
		{"unknown preset", `{"url": "` + good + `", "preset": "wild"}`, 422, "invalid_spec", "wild"},
		{"pipeline and preset", `{"url": "` + good + `", "preset": "classic", "pipeline": [{"op": "hflip"}]}`, 422, "invalid_spec", "either"},
		{"bad output format", `{"url": "` + good + `", "output": {"format": "bmp"}}`, 422, "invalid_spec", "format"},
		{"bad output chroma", `{"url": "` + good + `", "output": {"chroma": "4:2:2"}}`, 422, "invalid_spec", "chroma"},
		{"chroma for PNG", `{"url": "` + good + `", "output": {"format": "png", "chroma": "4:4:4"}}`, 422, "invalid_spec", "JPEG only"},
		{"negative seed", `{"url": "` + good + `", "seed": -1}`, 422, "invalid_spec", "seed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := http.Post(s.URL+"/api/v1/jobs", "application/json", strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			checkError(t, resp, tc.status, tc.code, tc.says)
		})
	}
	t.Run("unknown job", func(t *testing.T) {
		for _, p := range []string{"/api/v1/jobs/00000000-0000-4000-8000-000000000000", "/api/v1/jobs/nope", "/api/v1/jobs/nope/variants/0"} {
			resp, err := http.Get(s.URL + p)
			if err != nil {
				t.Fatal(err)
			}
			checkError(t, resp, 404, "not_found", "")
		}
	})
	t.Run("wrong content type", func(t *testing.T) {
		resp, err := http.Post(s.URL+"/api/v1/jobs", "text/plain", strings.NewReader("hello"))
		if err != nil {
			t.Fatal(err)
		}
		checkError(t, resp, 400, "invalid_request", "application/json")
	})
	for _, tc := range []struct{ file, code, says string }{
		{"empty.jpg", "not_an_image", "empty"}, {"not-an-image.jpg", "not_an_image", "not a supported image"},
		{"vector.svg", "not_an_image", "vector.svg"}, {"document.pdf", "not_an_image", "document.pdf"},
		{"bomb-900mp.png", "too_many_pixels", "30000×30000"},
	} {
		t.Run("upload "+tc.file, func(t *testing.T) {
			data, err := os.ReadFile("../testdata/corpus/bad/" + tc.file)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			w := multipart.NewWriter(&buf)
			f, _ := w.CreateFormFile("image", tc.file)
			f.Write(data)
			w.Close()
			resp, err := http.Post(s.URL+"/api/v1/jobs", w.FormDataContentType(), &buf)
			if err != nil {
				t.Fatal(err)
			}
			status := map[string]int{"not_an_image": 415, "too_many_pixels": 413}[tc.code]
			checkError(t, resp, status, tc.code, tc.says)
		})
	}
}

// TestBadSourcesFailWithReason: sources only the worker can judge end as
// failed jobs with a code and a sentence.
func TestBadSourcesFailWithReason(t *testing.T) {
	s := startStack(t)
	img := images(t)
	for _, tc := range []struct{ path, code string }{
		{"/bad/truncated.jpg", "not_an_image"},
		{"/bad/empty.jpg", "not_an_image"},
		{"/bad/document.pdf", "not_an_image"},
		{"/bad/bomb-900mp.png", "too_many_pixels"},
		{"/missing.png", "fetch_failed"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			resp, err := http.Post(s.URL+"/api/v1/jobs", "application/json",
				strings.NewReader(`{"url": "`+img.URL+tc.path+`"}`))
			if err != nil {
				t.Fatal(err)
			}
			var j job
			_ = json.NewDecoder(resp.Body).Decode(&j)
			resp.Body.Close()
			if resp.StatusCode != 202 {
				t.Fatalf("POST = %d", resp.StatusCode)
			}
			j = s.waitJob(j.ID, 30*time.Second)
			if j.Status != "failed" || j.Error == nil || j.Error.Code != tc.code || len(j.Error.Message) < 10 {
				t.Fatalf("job = %s, error %+v; want failed with %s", j.Status, j.Error, tc.code)
			}
		})
	}
	t.Run("upload of a truncated JPEG", func(t *testing.T) {
		data, err := os.ReadFile("../testdata/corpus/bad/truncated.jpg")
		if err != nil {
			t.Fatal(err)
		}
		ct, body := multipartBody(t, "image", "truncated.jpg", data, nil)
		resp, err := http.Post(s.URL+"/api/v1/jobs", ct, body)
		if err != nil {
			t.Fatal(err)
		}
		var j job
		_ = json.NewDecoder(resp.Body).Decode(&j)
		resp.Body.Close()
		if resp.StatusCode != 202 {
			t.Fatalf("POST = %d", resp.StatusCode)
		}
		if j = s.waitJob(j.ID, 30*time.Second); j.Status != "failed" || j.Source.Href != "" {
			t.Fatalf("job = %s, source %q; want failed with no source kept", j.Status, j.Source.Href)
		}
	})
	// A failed job keeps no files: no variants, and its source (downloaded or
	// uploaded) is deleted, since no retry will read it.
	entries, _ := os.ReadDir(s.Storage + "/jobs")
	for _, e := range entries {
		if files, _ := os.ReadDir(s.Storage + "/jobs/" + e.Name()); len(files) > 0 {
			t.Errorf("failed job %s left files: %v", e.Name(), files)
		}
	}
}

// TestCostBudget: a job estimated over JOB_MAX_COST is refused with 422 and
// the figure when its size is known at submission (an upload), and fails
// with the same reason once the worker has read it (a URL).
func TestCostBudget(t *testing.T) {
	s := startStack(t)
	img := images(t)
	blurs := `[{"op": "gaussian_blur", "sigma": 50}]`
	data, err := os.ReadFile("../testdata/corpus/large.jpg")
	if err != nil {
		t.Fatal(err)
	}
	ct, body := multipartBody(t, "image", "large.jpg", data, map[string]string{"variants": "64", "pipeline": blurs})
	resp, err := http.Post(s.URL+"/api/v1/jobs", ct, body)
	if err != nil {
		t.Fatal(err)
	}
	checkError(t, resp, 422, "too_costly", "64 variants of 4096×4096, 16.8 MP; gaussian_blur sigma=50 costs the most); the limit is 600 s")

	resp, err = http.Post(s.URL+"/api/v1/jobs", "application/json", strings.NewReader(
		`{"url": "`+img.URL+`/large.jpg", "variants": 64, "pipeline": `+blurs+`}`))
	if err != nil {
		t.Fatal(err)
	}
	var j job
	_ = json.NewDecoder(resp.Body).Decode(&j)
	resp.Body.Close()
	if j = s.waitJob(j.ID, 30*time.Second); j.Status != "failed" || j.Error == nil || j.Error.Code != "too_costly" ||
		!strings.Contains(j.Error.Message, "limit is 600 s") || len(j.Variants) != 0 {
		t.Fatalf("URL job: %s with %d variants, %+v", j.Status, len(j.Variants), j.Error)
	}
	t.Log(j.Error.Message)

	ct, body = multipartBody(t, "image", "large.jpg", data, map[string]string{"variants": "64", "preset": "heavy"})
	if resp, err = http.Post(s.URL+"/api/v1/jobs", ct, body); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 202 {
		t.Fatalf("64 heavy variants of large.jpg: %d, want accepted", resp.StatusCode)
	}
}

func checkError(t *testing.T, resp *http.Response, status int, code, says string) {
	t.Helper()
	defer resp.Body.Close()
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
		t.Fatalf("status %d, body is not the error shape: %v", resp.StatusCode, err)
	}
	if resp.StatusCode != status || e.Error.Code != code || !strings.Contains(e.Error.Message, says) {
		t.Fatalf("got %d %s %q; want %d %s mentioning %q", resp.StatusCode, e.Error.Code, e.Error.Message, status, code, says)
	}
}
