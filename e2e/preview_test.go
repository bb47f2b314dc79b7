package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	_ "image/jpeg"
	"image/png"
	"io"
	"math"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/image/draw"

	"github.com/augment-ml/augment/internal/testenv"
)

// preview is the answer to POST /api/v1/previews, as a client reads it.
type preview struct {
	ID     string `json:"id"`
	Seed   int64  `json:"seed"`
	Source struct {
		Width      int    `json:"width"`
		Height     int    `json:"height"`
		Format     string `json:"format"`
		JobID      string `json:"job_id"`
		Upload     string `json:"upload"`
		MaskUpload string `json:"mask_upload"`
	} `json:"source"`
	Variants []struct {
		Index      int             `json:"index"`
		Href       string          `json:"href"`
		Width      int             `json:"width"`
		Height     int             `json:"height"`
		FullWidth  int             `json:"full_width"`
		FullHeight int             `json:"full_height"`
		Ops        json.RawMessage `json:"ops"`
		Labels     json.RawMessage `json:"labels"`
	} `json:"variants"`
	Error *struct {
		Code    string `json:"code"`
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"error"`
}

// postPreview POSTs a JSON preview request.
func (s *stack) postPreview(body string) (int, preview) {
	s.t.Helper()
	return s.postPreviewAs("application/json", strings.NewReader(body))
}

// postPreviewAs POSTs a preview request of content type ct (a form's, with
// files).
func (s *stack) postPreviewAs(ct string, body io.Reader) (int, preview) {
	s.t.Helper()
	resp, err := http.Post(s.URL+"/api/v1/previews", ct, body)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var p preview
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		s.t.Fatalf("POST preview: decoding: %v", err)
	}
	return resp.StatusCode, p
}

// previewPipelines are held to preview-equals-final: crops, rotations,
// randaugment, labels through all of them.
var previewPipelines = []string{
	`[{"op": "random_resized_crop", "size": [320, 240], "scale": [0.3, 1]}, {"op": "hflip", "p": 0.5}]`,
	`[{"op": "rotate", "degrees": [-30, 30], "expand": true}, {"op": "rot90", "p": 0.5}]`,
	`[{"op": "randaugment", "n": 2, "m": 10}]`,
	`[{"op": "center_crop", "size": [900, 700]}, {"op": "color_jitter", "brightness": 0.3, "saturation": 0.3}]`,
}

// TestPreviewEqualsFinal: tile i of a preview has exactly the ops and labels
// of variant i of the job with the same source, pipeline and seed, and shows
// that variant scaled to the tile. Both for the job's own source (by job id)
// and for the same URL sent again.
func TestPreviewEqualsFinal(t *testing.T) {
	s := startStack(t)
	img := images(t)
	labels := `{"width": 1920, "height": 1080, "objects": [{"id": "bird", "class": "cardinal", "bbox": [700, 250, 600, 600], "polygon": [[700, 250], [1300, 300], [1000, 850]]}]}`
	for n, pipeline := range previewPipelines {
		j := s.postJob(fmt.Sprintf(`{"url": "%s/cardinal.jpg", "variants": 3, "seed": %d, "pipeline": %s, "labels": %s}`, img.URL, 40+n, pipeline, labels))
		var done struct {
			Status   string `json:"status"`
			Variants []struct {
				Href   string          `json:"href"`
				Width  int             `json:"width"`
				Height int             `json:"height"`
				Ops    json.RawMessage `json:"ops"`
				Labels json.RawMessage `json:"labels"`
			} `json:"variants"`
		}
		s.waitJob(j.ID, 2*time.Minute)
		s.getJSON("/api/v1/jobs/"+j.ID, &done)
		if done.Status != "done" || len(done.Variants) != 3 {
			t.Fatalf("pipeline %d: job %s %s with %d variants", n, j.ID, done.Status, len(done.Variants))
		}
		for _, src := range []string{fmt.Sprintf(`{"job_id": %q}`, j.ID), fmt.Sprintf(`{"url": "%s/cardinal.jpg"}`, img.URL)} {
			body := fmt.Sprintf(`{"source": %s, "variants": 3, "seed": %d, "pipeline": %s, "size": 256}`, src, 40+n, pipeline)
			if strings.Contains(src, "url") {
				body = strings.TrimSuffix(body, "}") + `, "labels": ` + labels + "}"
			}
			st, p := s.postPreview(body)
			if st != http.StatusOK || len(p.Variants) != 3 {
				t.Fatalf("pipeline %d, source %s: %d %+v", n, src, st, p.Error)
			}
			for i, v := range p.Variants {
				want := done.Variants[i]
				if !jsonEqual(v.Ops, want.Ops) {
					t.Errorf("pipeline %d, source %s, tile %d: ops %s, the job's variant %s", n, src, i, v.Ops, want.Ops)
				}
				if !jsonEqual(withoutMask(v.Labels), withoutMask(want.Labels)) {
					t.Errorf("pipeline %d, source %s, tile %d: labels %s, the job's variant %s", n, src, i, v.Labels, want.Labels)
				}
				if v.FullWidth != want.Width || v.FullHeight != want.Height || max(v.Width, v.Height) > 256 {
					t.Errorf("pipeline %d, tile %d: %d×%d of a %d×%d variant, the job's is %d×%d", n, i, v.Width, v.Height, v.FullWidth, v.FullHeight, want.Width, want.Height)
				}
				tile := decodeImage(t, download(t, s.URL+v.Href, "image/jpeg"))
				variant := decodeImage(t, download(t, s.URL+want.Href, "image/jpeg"))
				if d := meanDiffScaled(tile, variant); d > 8 {
					t.Errorf("pipeline %d, source %s, tile %d: %.2f from the job's variant scaled to it", n, src, i, d)
				}
			}
		}
	}
}

// TestPreviewOfAMaskedJob: the preview of a job with a mask (by its id)
// has each tile's mask at the tile's size, the job's variant's mask scaled
// to it, and draws the job's labels as its variants have them.
func TestPreviewOfAMaskedJob(t *testing.T) {
	s := startStack(t)
	img := images(t)
	mask := rocketMask(t)
	maskURL := serveMask(t, mask)
	pipeline := `[{"op": "rotate", "degrees": [-30, 30], "expand": true}, {"op": "random_resized_crop", "size": [400, 300], "scale": [0.5, 1]}, {"op": "hflip", "p": 0.5}]`
	j := s.postJob(fmt.Sprintf(`{"url": "%s/rocket.jpg", "variants": 4, "seed": 8, "pipeline": %s, "mask_url": "%s", "labels": %s}`, img.URL, pipeline, maskURL, rocketLabels))
	s.waitJob(j.ID, 2*time.Minute)
	var done struct {
		Variants []struct {
			Labels struct {
				MaskHref string `json:"mask_href"`
			} `json:"labels"`
		} `json:"variants"`
	}
	var raw struct {
		Variants []struct {
			Labels json.RawMessage `json:"labels"`
		} `json:"variants"`
	}
	s.getJSON("/api/v1/jobs/"+j.ID, &done)
	s.getJSON("/api/v1/jobs/"+j.ID, &raw)
	st, p := s.postPreview(fmt.Sprintf(`{"source": {"job_id": %q}, "variants": 4, "seed": 8, "pipeline": %s, "size": 160}`, j.ID, pipeline))
	if st != http.StatusOK || len(p.Variants) != 4 || len(done.Variants) != 4 {
		t.Fatalf("preview: %d %+v, job's variants %d", st, p.Error, len(done.Variants))
	}
	for i, v := range p.Variants {
		var l struct {
			MaskHref string `json:"mask_href"`
		}
		if err := json.Unmarshal(v.Labels, &l); err != nil || l.MaskHref != v.Href+"/mask" {
			t.Fatalf("tile %d: labels %s", i, v.Labels)
		}
		if !jsonEqual(withoutMask(v.Labels), withoutMask(raw.Variants[i].Labels)) {
			t.Errorf("tile %d: labels %s, the job's variant %s", i, v.Labels, raw.Variants[i].Labels)
		}
		tile := decodeImage(t, download(t, s.URL+l.MaskHref, "image/png"))
		full := decodeImage(t, download(t, s.URL+done.Variants[i].Labels.MaskHref, "image/png"))
		if view := decodeImage(t, download(t, s.URL+l.MaskHref+"?view", "image/png")); view.Bounds() != tile.Bounds() {
			t.Errorf("tile %d: its mask's view is %v, the mask %v", i, view.Bounds(), tile.Bounds())
		}
		tb, fb := tile.Bounds(), full.Bounds()
		if tb.Dx() != v.Width || tb.Dy() != v.Height || fb.Dx() != v.FullWidth || fb.Dy() != v.FullHeight {
			t.Fatalf("tile %d: mask %v for a %d×%d tile; the variant's %v for %d×%d", i, tb, v.Width, v.Height, fb, v.FullWidth, v.FullHeight)
		}
		agree := 0
		for y := range tb.Dy() {
			for x := range tb.Dx() {
				fx, fy := (2*x+1)*fb.Dx()/(2*tb.Dx()), (2*y+1)*fb.Dy()/(2*tb.Dy())
				if tile.At(x, y) == full.At(fx, fy) {
					agree++
				}
			}
		}
		if share := float64(agree) / float64(tb.Dx()*tb.Dy()); share < 0.97 {
			t.Errorf("tile %d: %.3f of its mask is the job's variant's mask scaled to it", i, share)
		}
	}
	// Labels sent with the preview replace the job's; the mask stays.
	st, p = s.postPreview(fmt.Sprintf(`{"source": {"job_id": %q}, "variants": 1, "pipeline": [], "size": 160,
		"labels": {"objects": [{"id": "sent", "class": "c", "bbox": [10, 10, 100, 100]}]}}`, j.ID))
	if st != http.StatusOK || len(p.Variants) != 1 {
		t.Fatalf("preview with labels: %d %+v", st, p.Error)
	}
	if l := string(p.Variants[0].Labels); !strings.Contains(l, `"sent"`) || strings.Contains(l, `"rocket"`) || !strings.Contains(l, `"mask_href"`) {
		t.Errorf("a preview with its own labels draws %s", l)
	}
}

// TestPreviewWithItsOwnMask: a mask sent with a preview (by URL, as a file
// beside an uploaded image, then by the id the answer gave it) moves with
// the tiles exactly as the same mask of a job with the same image does; a
// mask of another size than the image is a 422 that says so.
func TestPreviewWithItsOwnMask(t *testing.T) {
	s := startStack(t)
	img := images(t)
	mask := rocketMask(t)
	maskURL := serveMask(t, mask)
	const pipeline = `[{"op": "rotate", "degrees": [-30, 30], "expand": true}, {"op": "hflip", "p": 0.5}]`
	j := s.postJob(fmt.Sprintf(`{"url": "%s/rocket.jpg", "variants": 3, "seed": 8, "pipeline": %s, "mask_url": %q}`, img.URL, pipeline, maskURL))
	s.waitJob(j.ID, time.Minute)
	masksOf := func(what string, p preview) [][]byte {
		t.Helper()
		var out [][]byte
		for i, v := range p.Variants {
			var l struct {
				MaskHref string `json:"mask_href"`
			}
			if json.Unmarshal(v.Labels, &l); l.MaskHref == "" {
				t.Fatalf("%s: tile %d has no mask: %s", what, i, v.Labels)
			}
			out = append(out, download(t, s.URL+l.MaskHref, "image/png"))
		}
		return out
	}
	st, byJob := s.postPreview(fmt.Sprintf(`{"source": {"job_id": %q}, "variants": 3, "seed": 8, "pipeline": %s, "size": 160}`, j.ID, pipeline))
	if st != http.StatusOK {
		t.Fatalf("by the job: %d %+v", st, byJob.Error)
	}
	want := masksOf("by the job", byJob)
	same := func(what string, p preview) {
		t.Helper()
		for i, m := range masksOf(what, p) {
			if !bytes.Equal(m, want[i]) {
				t.Errorf("%s: tile %d's mask is not the job's preview's", what, i)
			}
		}
	}
	st, byURL := s.postPreview(fmt.Sprintf(`{"source": {"url": "%s/rocket.jpg"}, "mask_url": %q, "variants": 3, "seed": 8, "pipeline": %s, "size": 160}`, img.URL, maskURL, pipeline))
	if st != http.StatusOK {
		t.Fatalf("by URL: %d %+v", st, byURL.Error)
	}
	same("by URL", byURL)

	form := func(mask []byte) (string, *bytes.Buffer) {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		f, _ := w.CreateFormFile("image", "rocket.jpg")
		f.Write(corpusFile(t, "rocket.jpg"))
		f, _ = w.CreateFormFile("mask", "rocket-mask.png")
		f.Write(mask)
		for k, v := range map[string]string{"variants": "3", "seed": "8", "size": "160", "pipeline": pipeline} {
			w.WriteField(k, v)
		}
		w.Close()
		return w.FormDataContentType(), &buf
	}
	st, up := s.postPreviewAs(form(mask))
	if st != http.StatusOK {
		t.Fatalf("files: %d %+v", st, up.Error)
	}
	if up.Source.Upload == "" || up.Source.MaskUpload == "" {
		t.Fatalf("the answer names the image %q and the mask %q", up.Source.Upload, up.Source.MaskUpload)
	}
	same("as files", up)
	st, again := s.postPreview(fmt.Sprintf(`{"source": {"upload": %q, "mask_upload": %q}, "variants": 3, "seed": 8, "pipeline": %s, "size": 160}`,
		up.Source.Upload, up.Source.MaskUpload, pipeline))
	if st != http.StatusOK {
		t.Fatalf("by the uploads' ids: %d %+v", st, again.Error)
	}
	same("by the uploads' ids", again)
	st, other := s.postPreview(fmt.Sprintf(`{"source": {"url": "%s/coffee.png", "mask_upload": %q}, "variants": 1, "size": 160}`, img.URL, up.Source.MaskUpload))
	if st != 422 || other.Error == nil || other.Error.Code != "labels_size_mismatch" {
		t.Errorf("the same mask beside another image: %d %+v", st, other.Error)
	}
	st, wrong := s.postPreview(fmt.Sprintf(`{"source": {"upload": %q, "mask_upload": %q}}`, up.Source.Upload, up.Source.Upload))
	if st != 422 || wrong.Error == nil || wrong.Error.Code != "invalid_spec" || wrong.Error.Field != "source.mask_upload" {
		t.Errorf("an image's id as the mask's: %d %+v", st, wrong.Error)
	}

	small := image.NewGray(image.Rect(0, 0, 100, 80))
	var b bytes.Buffer
	png.Encode(&b, small)
	ct, body := form(b.Bytes())
	resp, err := http.Post(s.URL+"/api/v1/previews", ct, body)
	if err != nil {
		t.Fatal(err)
	}
	checkError(t, resp, 422, "labels_size_mismatch", "The mask is 100×80, but the image is 640×427")
}

// TestPreviewRequests: bad requests answer 422 (or 400) naming the step or
// the parameter, as jobs do; a preview records nothing in PostgreSQL; a
// tile is served from its href, an unknown one is 404; with Redis gone,
// 503.
func TestPreviewRequests(t *testing.T) {
	s := startStack(t)
	img := images(t)
	src := fmt.Sprintf(`"source": {"url": "%s/rocket.jpg"}`, img.URL)
	for _, tc := range []struct {
		body   string
		status int
		code   string
		says   string
	}{
		{`{` + src + `, "pipeline": [{"op": "rotate", "degrees": [0, 400]}]}`, 422, "invalid_spec", `step 1`},
		{`{` + src + `, "pipeline": [{"op": "spin"}]}`, 422, "invalid_spec", `unknown operation "spin"`},
		{`{` + src + `, "variants": 17}`, 422, "invalid_spec", `at most 16`},
		{`{` + src + `, "size": 20}`, 422, "invalid_spec", `size`},
		{`{` + src + `, "preset": "nope"}`, 422, "invalid_spec", `nope`},
		{`{"source": {}, "variants": 2}`, 400, "invalid_request", `one source`},
		{`{"source": {"url": "ftp://x/y.jpg"}}`, 400, "invalid_url", `http`},
		{`{"source": {"job_id": "00000000-0000-0000-0000-000000000000"}}`, 404, "not_found", ``},
		{`{` + src + `, "labels": {"objects": [{"bbox": [1, 2, "x", 4]}]}}`, 422, "invalid_spec", `bbox`},
		{`{` + src + `, "mask_url": "ftp://127.0.0.1/m.png"}`, 400, "invalid_url", `http`},
		{`{` + strings.TrimSuffix(src, "}") + `, "mask_upload": "0123abcd"}}`, 404, "not_found", `upload it again`},
	} {
		resp, err := http.Post(s.URL+"/api/v1/previews", "application/json", strings.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		checkError(t, resp, tc.status, tc.code, tc.says)
	}

	jobsBefore := countJobs(t, s)
	st, p := s.postPreview(`{` + src + `, "variants": 4, "preset": "heavy", "size": 128}`)
	if st != http.StatusOK || len(p.Variants) != 4 || p.Source.Width != 640 {
		t.Fatalf("preview: %d %+v", st, p)
	}
	for _, v := range p.Variants {
		tile := decodeImage(t, download(t, s.URL+v.Href, "image/jpeg"))
		if b := tile.Bounds(); b.Dx() != v.Width || b.Dy() != v.Height || max(v.Width, v.Height) > 128 {
			t.Errorf("tile %d is %v, the answer says %d×%d", v.Index, b, v.Width, v.Height)
		}
	}
	if n := countJobs(t, s); n != jobsBefore {
		t.Errorf("a preview recorded %d jobs", n-jobsBefore)
	}
	resp, err := http.Get(s.URL + "/api/v1/previews/" + p.ID + "/tiles/9")
	if err != nil {
		t.Fatal(err)
	}
	checkError(t, resp, 404, "not_found", "no tile 9")

	// the same seed again: the same ops
	_, again := s.postPreview(fmt.Sprintf(`{%s, "variants": 4, "preset": "heavy", "size": 128, "seed": %d}`, src, p.Seed))
	for i := range again.Variants {
		if !jsonEqual(again.Variants[i].Ops, p.Variants[i].Ops) {
			t.Errorf("tile %d: the same seed drew %s, then %s", i, p.Variants[i].Ops, again.Variants[i].Ops)
		}
	}
}

// TestPreviewOfAnUpload: an uploaded image is previewed, kept, and
// previewed again by the id the answer gives, drawing the same ops.
func TestPreviewOfAnUpload(t *testing.T) {
	s := startStack(t)
	ct, body := multipartBody(t, "image", "coffee.png", corpusFile(t, "coffee.png"), map[string]string{
		"variants": "3", "seed": "8", "size": "200", "pipeline": `[{"op": "rotate", "degrees": [-30, 30]}, {"op": "hflip", "p": 0.5}]`,
	})
	st, first := s.postPreviewAs(ct, body)
	if st != http.StatusOK {
		t.Fatalf("an upload: %d %+v", st, first.Error)
	}
	if first.Source.Upload == "" || first.Source.Width != 600 || first.Source.Format != "png" || len(first.Variants) != 3 {
		t.Fatalf("the upload's preview: %+v", first)
	}
	download(t, s.URL+first.Variants[0].Href, "image/png") // tiles of a PNG are PNG, as its variants
	st, again := s.postPreview(`{"source": {"upload": "` + first.Source.Upload + `"}, "variants": 3, "seed": 8, "size": 200,
		"pipeline": [{"op": "rotate", "degrees": [-30, 30]}, {"op": "hflip", "p": 0.5}]}`)
	if st != http.StatusOK {
		t.Fatalf("the kept upload: %d %+v", st, again.Error)
	}
	for i := range again.Variants {
		if !jsonEqual(again.Variants[i].Ops, first.Variants[i].Ops) {
			t.Errorf("tile %d: %s, then %s", i, first.Variants[i].Ops, again.Variants[i].Ops)
		}
	}
	resp, err := http.Post(s.URL+"/api/v1/previews", "application/json", strings.NewReader(`{"source": {"upload": "0123abcd"}}`))
	if err != nil {
		t.Fatal(err)
	}
	checkError(t, resp, 404, "not_found", "upload it again")
}

// TestPreviewWithoutRedis: with Redis gone, a preview answers 503 at once.
func TestPreviewWithoutRedis(t *testing.T) {
	testenv.Redis(t, redisDB)
	rp := newProxy(t, testenv.RedisAddr())
	s := startStack(t, "REDIS_URL=redis://"+rp.l.Addr().String()+fmt.Sprintf("/%d", redisDB))
	img := images(t)
	body := fmt.Sprintf(`{"source": {"url": "%s/rocket.jpg"}, "variants": 2}`, img.URL)
	if st, p := s.postPreview(body); st != http.StatusOK {
		t.Fatalf("before the outage: %d %+v", st, p.Error)
	}
	rp.cut()
	start := time.Now()
	resp, err := http.Post(s.URL+"/api/v1/previews", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	checkError(t, resp, 503, "unavailable", "unavailable")
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the 503 took %v", d)
	}
}

func countJobs(t *testing.T, s *stack) int {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), envOf(s.env, "DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(context.Background(), "SELECT (SELECT count(*) FROM jobs) + (SELECT count(*) FROM variants)").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func jsonEqual(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	ja, _ := json.Marshal(x)
	jb, _ := json.Marshal(y)
	return bytes.Equal(ja, jb)
}

// withoutMask drops a variant's mask_href: a tile's is its own.
func withoutMask(raw json.RawMessage) json.RawMessage {
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return raw
	}
	delete(m, "mask_href")
	b, _ := json.Marshal(m)
	return b
}

func decodeImage(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// meanDiffScaled is the mean absolute channel difference between tile and
// the variant scaled to the tile's size.
func meanDiffScaled(tile, variant image.Image) float64 {
	b := tile.Bounds()
	scaled := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.CatmullRom.Scale(scaled, scaled.Bounds(), variant, variant.Bounds(), draw.Src, nil)
	sum := 0.0
	for y := range b.Dy() {
		for x := range b.Dx() {
			r1, g1, b1, _ := tile.At(b.Min.X+x, b.Min.Y+y).RGBA()
			r2, g2, b2, _ := scaled.At(x, y).RGBA()
			sum += math.Abs(float64(r1>>8)-float64(r2>>8)) + math.Abs(float64(g1>>8)-float64(g2>>8)) + math.Abs(float64(b1>>8)-float64(b2>>8))
		}
	}
	return sum / float64(3*b.Dx()*b.Dy())
}
