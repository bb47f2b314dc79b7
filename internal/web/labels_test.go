package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/postgres"
	"github.com/augment-ml/augment/internal/storage"
	"github.com/augment-ml/augment/internal/testenv"
)

// queued records the jobs queued, and runs none.
type queued []string

func (q *queued) Enqueue(_ context.Context, j *domain.Job) error {
	id := j.ID
	*q = append(*q, id)
	return nil
}

type labelServer struct {
	*httptest.Server
	db    *postgres.DB
	blobs domain.Blobs
}

func newLabelServer(t *testing.T) *labelServer {
	t.Helper()
	ctx := context.Background()
	db, err := postgres.Open(ctx, testenv.Database(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	blobs, err := storage.Open(ctx, "file://"+t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Jobs: db, Batches: db, Queue: &queued{}, Blobs: blobs, MaxUploadBytes: 10 << 20, MaxPixels: 50_000_000,
		Log: slog.New(slog.DiscardHandler)}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return &labelServer{Server: srv, db: db, blobs: blobs}
}

// pngOf encodes img.
func pngOf(t *testing.T, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// form posts a multipart form with files (field → file bytes) to path.
func (s *labelServer) form(t *testing.T, path string, fields map[string]string, files map[string][]byte, header ...string) *http.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for k, v := range files {
		fw, _ := mw.CreateFormFile(k, k+".png")
		fw.Write(v)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, s.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func (s *labelServer) postJSON(t *testing.T, body string) *http.Response {
	t.Helper()
	resp, err := http.Post(s.URL+"/api/v1/jobs", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func errorOf(t *testing.T, resp *http.Response) (code, field, message string) {
	t.Helper()
	var e struct {
		Error struct{ Code, Field, Message string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
		t.Fatal(err)
	}
	return e.Error.Code, e.Error.Field, e.Error.Message
}

// TestBadLabelsAreRefused: malformed labels, options out of range, a mask
// that is no one-band PNG of the image's size, and a pipeline that can
// mirror keypoints without flip pairs answer 422 (400 for two masks) with
// a sentence naming the object, the field, the option or the step.
func TestBadLabelsAreRefused(t *testing.T) {
	s := newLabelServer(t)
	photo := pngOf(t, image.NewGray(image.Rect(0, 0, 64, 48)))
	mask := pngOf(t, image.NewGray(image.Rect(0, 0, 64, 48)))
	kp := `{"objects": [{"keypoints": [[1, 2, 2], [3, 4, 2]]}]}`
	many := `{"objects": [` + strings.Repeat(`{"bbox": [0, 0, 1, 1]},`, 10000) + `{"bbox": [0, 0, 1, 1]}]}`
	for _, tc := range []struct {
		name   string
		fields map[string]string
		files  map[string][]byte
		status int
		field  string
		says   string
	}{
		{"not JSON", map[string]string{"labels": `{"objects": [`}, nil, 422, "labels", "labels must be an object"},
		{"a polygon of two points", map[string]string{"labels": `{"objects": [{"bbox": [1, 1, 2, 2]}, {"polygon": [[0, 0], [5, 5]]}]}`}, nil, 422, "labels", "labels.objects[1].polygon has 2 points"},
		{"not finite", map[string]string{"labels": `{"objects": [{"bbox": [0, 1e999, 1, 1]}]}`}, nil, 422, "labels", "labels.objects[0].bbox[1] 1e999 is not a finite number"},
		{"a box of text", map[string]string{"labels": `{"objects": [{"bbox": "big"}]}`}, nil, 422, "labels", "labels.objects[0].bbox must be a list of 4 numbers"},
		{"slots differ", map[string]string{"labels": `{"objects": [{"class": "p", "keypoints": [[1, 2, 2]]}, {"class": "p", "keypoints": [[1, 2, 2], [3, 4, 2]]}]}`}, nil, 422, "labels", "labels.objects[1].keypoints has 2 slots"},
		{"too many", map[string]string{"labels": many}, nil, 422, "labels", "holds 10001 objects; the limit is 10000"},
		{"visibility over 1", map[string]string{"labels": kp, "label_options": `{"min_visibility": 1.5}`}, nil, 422, "label_options", "label_options.min_visibility must be a number from 0 to 1, not 1.5"},
		{"negative area", map[string]string{"labels": kp, "label_options": `{"min_area": -1}`}, nil, 422, "label_options", "label_options.min_area must be a number from 0 up"},
		{"fill of text", map[string]string{"labels": kp, "label_options": `{"mask_fill": "sky"}`}, nil, 422, "label_options", "label_options.mask_fill must be a number"},
		{"hides of text", map[string]string{"labels": kp, "label_options": `{"cutout_hides_keypoints": "yes"}`}, nil, 422, "label_options", "cutout_hides_keypoints must be true or false"},
		{"unknown option", map[string]string{"labels": kp, "label_options": `{"min_visible": 0.5}`}, nil, 422, "label_options", "label_options.min_visible is not an option"},
		{"options alone", map[string]string{"label_options": `{"min_area": 1}`}, nil, 422, "label_options", "send them with labels or a mask"},
		{"colour mask", nil, map[string][]byte{"mask": pngOf(t, image.NewRGBA(image.Rect(0, 0, 64, 48)))}, 422, "mask", "one band of class ids"},
		{"mask of another size", nil, map[string][]byte{"mask": pngOf(t, image.NewGray(image.Rect(0, 0, 48, 64)))}, 422, "mask", "The mask is 48×64, but the image is 64×48"},
		{"mask not a PNG", nil, map[string][]byte{"mask": []byte("GIF89a nothing")}, 422, "mask", "The mask must be a PNG image"},
		{"fill past the palette", map[string]string{"label_options": `{"mask_fill": 3}`}, map[string][]byte{"mask": pngOf(t, image.NewPaletted(image.Rect(0, 0, 64, 48), color.Palette{color.Black, color.White}))}, 422, "mask", "mask_fill 3 is not a class of the mask"},
		{"fill past 8 bits", map[string]string{"label_options": `{"mask_fill": 300}`}, map[string][]byte{"mask": mask}, 422, "mask", "does not fit the 8-bit mask"},
		{"two masks", map[string]string{"mask_url": "http://example.test/m.png"}, map[string][]byte{"mask": mask}, 400, "mask_url", "either a mask_url or a mask file"},
		{"hflip without pairs", map[string]string{"labels": kp, "pipeline": `[{"op": "rotate"}, {"op": "hflip", "p": 0.5}]`}, nil, 422, "labels", "step 2 (hflip) can mirror the image, but the labels' keypoints have no flip pairs"},
		{"vflip in a one_of", map[string]string{"labels": kp, "pipeline": `[{"one_of": [{"op": "rot90"}, {"op": "vflip"}]}]`}, nil, 422, "labels", "step 1 > one_of[2] (vflip) can mirror"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string][]byte{"image": photo}
			for k, v := range tc.files {
				files[k] = v
			}
			resp := s.form(t, "/api/v1/jobs", tc.fields, files)
			code, field, message := errorOf(t, resp)
			if resp.StatusCode != tc.status || field != tc.field || !strings.Contains(message, tc.says) {
				t.Errorf("%d %s (field %q): %s; want %d on %q saying %q", resp.StatusCode, code, field, message, tc.status, tc.field, tc.says)
			}
		})
	}
	// Pairs, derived or given, let flips through; so does a pipeline that
	// cannot mirror.
	for _, l := range []string{
		`{"objects": [{"keypoints": [[1, 2, 2], [3, 4, 2]]}], "flip_pairs": []}`,
		`{"objects": [{"keypoints": [[1, 2, 2], [3, 4, 2]]}], "keypoint_names": ["left_eye", "right_eye"]}`,
	} {
		if resp := s.form(t, "/api/v1/jobs", map[string]string{"labels": l, "pipeline": `[{"op": "hflip"}]`}, map[string][]byte{"image": photo}); resp.StatusCode != 202 {
			t.Errorf("%s with hflip: %d", l, resp.StatusCode)
		}
	}
	if resp := s.form(t, "/api/v1/jobs", map[string]string{"labels": kp, "pipeline": `[{"op": "rot90"}, {"op": "hflip", "p": 0}]`}, map[string][]byte{"image": photo}); resp.StatusCode != 202 {
		t.Errorf("a pipeline that cannot mirror: %d", resp.StatusCode)
	}
}

// TestLabelsAreTakenAndShown: a job with labels and a mask, by JSON (the
// mask by URL) and by form (the mask a file, kept for the worker), keeps
// them with the options' defaults filled in; its JSON gives each variant's
// labels in API.md's shape and the masks' addresses, which serve PNG (and
// answer HEAD), and 404 for a job without a mask.
func TestLabelsAreTakenAndShown(t *testing.T) {
	ctx := context.Background()
	s := newLabelServer(t)
	resp := s.postJSON(t, `{"url": "http://example.test/a.jpg", "pipeline": [{"op": "hflip"}],
		"labels": {"width": 640, "height": 480, "objects": [{"id": "7", "class": "cat", "bbox": [1, 2, 30, 40], "attributes": {"pose": "sitting"}}]},
		"label_options": {"min_area": 9}, "mask_url": "http://example.test/a.png"}`)
	if resp.StatusCode != 202 {
		_, _, m := errorOf(t, resp)
		t.Fatalf("JSON with labels: %d %s", resp.StatusCode, m)
	}
	id := strings.TrimPrefix(resp.Header.Get("Location"), "/api/v1/jobs/")
	j, err := s.db.Job(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	want := domain.DefaultLabelOptions()
	want.MinArea = 9
	if j.Spec.Labels == nil || j.Spec.Labels.Objects[0].Class != "cat" || *j.Spec.LabelOptions != want || j.Spec.Mask.URL != "http://example.test/a.png" {
		t.Fatalf("spec %+v, options %+v, mask %+v", j.Spec.Labels, j.Spec.LabelOptions, j.Spec.Mask)
	}

	mask := image.NewGray(image.Rect(0, 0, 64, 48))
	mask.Pix[5] = 3
	maskPNG := pngOf(t, mask)
	resp = s.form(t, "/api/v1/jobs", map[string]string{"labels": `{"objects": [{"bbox": [0, 0, 10, 10]}]}`},
		map[string][]byte{"image": pngOf(t, image.NewGray(image.Rect(0, 0, 64, 48))), "mask": maskPNG})
	if resp.StatusCode != 202 {
		_, _, m := errorOf(t, resp)
		t.Fatalf("form with a mask: %d %s", resp.StatusCode, m)
	}
	id = strings.TrimPrefix(resp.Header.Get("Location"), "/api/v1/jobs/")
	// the worker's part, as the worker records it
	vmask := []byte("\x89PNG variant mask")
	if err := s.blobs.Put(ctx, "jobs/"+id+"/variants/0.mask.png", bytes.NewReader(vmask), int64(len(vmask)), "image/png"); err != nil {
		t.Fatal(err)
	}
	if err := s.db.PutVariant(ctx, id, domain.Variant{Index: 0, Width: 64, Height: 48, Format: "png", Ops: json.RawMessage(`[]`), Key: "k",
		Labels: &domain.VariantLabels{Objects: []domain.Object{{ID: "0", BBox: &domain.Box{54, 0, 10, 10}}},
			Dropped: []domain.Dropped{{ID: "1", Reason: "outside the image"}}, MaskKey: "jobs/" + id + "/variants/0.mask.png"}}); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Source struct {
			MaskHref string `json:"mask_href"`
		}
		Variants []struct {
			Labels struct {
				Objects  []domain.Object
				Dropped  []domain.Dropped
				MaskHref string `json:"mask_href"`
			}
		}
	}
	r, err := http.Get(s.URL + "/api/v1/jobs/" + id)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	if err := json.NewDecoder(r.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	v := got.Variants[0].Labels
	if *v.Objects[0].BBox != (domain.Box{54, 0, 10, 10}) || v.Dropped[0].Reason != "outside the image" || v.MaskHref != "/api/v1/jobs/"+id+"/variants/0/mask" {
		t.Errorf("variant labels %+v", v)
	}
	if got.Source.MaskHref != "/api/v1/jobs/"+id+"/mask" {
		t.Errorf("source mask_href %q", got.Source.MaskHref)
	}
	for href, body := range map[string][]byte{got.Source.MaskHref: maskPNG, v.MaskHref: vmask} {
		for _, method := range []string{"GET", "HEAD"} {
			req, _ := http.NewRequest(method, s.URL+href, nil)
			r, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(r.Body)
			r.Body.Close()
			if r.StatusCode != 200 || r.Header.Get("Content-Type") != "image/png" || (method == "GET" && !bytes.Equal(b, body)) {
				t.Errorf("%s %s: %d %s, %d bytes", method, href, r.StatusCode, r.Header.Get("Content-Type"), len(b))
			}
		}
	}
	plain := s.postJSON(t, `{"url": "http://example.test/b.jpg"}`)
	pid := strings.TrimPrefix(plain.Header.Get("Location"), "/api/v1/jobs/")
	for _, path := range []string{"/api/v1/jobs/" + pid + "/mask", "/api/v1/jobs/" + pid + "/variants/0/mask"} {
		if r, err := http.Get(s.URL + path); err != nil || r.StatusCode != 404 {
			t.Errorf("GET %s: %v %v, want 404", path, r.StatusCode, err)
		}
	}
}

// TestFormKeepsLabelsOnError: a refused form comes back with the labels
// typed, the message beside the labels field, and the labels' fields open.
func TestFormKeepsLabelsOnError(t *testing.T) {
	s := newLabelServer(t)
	bad := `{"objects": [{"polygon": [[0, 0], [5, 5]]}]}`
	resp := s.form(t, "/jobs", map[string]string{"url": "http://example.test/a.jpg", "labels": bad, "label_options": `{"min_area": 2}`}, nil, "Accept", "text/html")
	body, _ := io.ReadAll(resp.Body)
	page := string(body)
	if resp.StatusCode != 422 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, want := range []string{
		`<details class="labels-fields" open>`,
		`id="job-labels-error">labels.objects[0].polygon has 2 points`,
		`{&#34;objects&#34;: [{&#34;polygon&#34;: [[0, 0], [5, 5]]}]}</textarea>`,
		`value="{&#34;min_area&#34;: 2}"`,
		`value="http://example.test/a.jpg"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if t.Failed() {
		i := strings.Index(page, "labels-fields")
		fmt.Println(page[max(0, i-200):min(len(page), i+3000)])
	}
}

// TestMaskForTheView: a 16-bit mask is served as given, and with ?view (as
// the page draws it) at 8 bits, its classes kept apart from 0.
func TestMaskForTheView(t *testing.T) {
	s := newLabelServer(t)
	m := image.NewGray16(image.Rect(0, 0, 64, 48))
	m.SetGray16(3, 2, color.Gray16{Y: 300})
	m.SetGray16(4, 2, color.Gray16{Y: 256})
	mask := pngOf(t, m)
	resp := s.form(t, "/api/v1/jobs", nil, map[string][]byte{"image": pngOf(t, image.NewGray(image.Rect(0, 0, 64, 48))), "mask": mask})
	if resp.StatusCode != 202 {
		t.Fatalf("POST %d", resp.StatusCode)
	}
	href := s.URL + resp.Header.Get("Location") + "/mask"
	for _, tc := range []struct {
		query string
		check func(image.Image) bool
	}{
		{"", func(img image.Image) bool { g, ok := img.(*image.Gray16); return ok && g.Gray16At(3, 2).Y == 300 }},
		{"?view", func(img image.Image) bool {
			g, ok := img.(*image.Gray)
			return ok && g.GrayAt(3, 2).Y == 1+299%255 && g.GrayAt(4, 2).Y == 1 && // 256: past 255, not 0
				g.GrayAt(0, 0).Y == 0
		}},
	} {
		r, err := http.Get(href + tc.query)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(r.Body)
		r.Body.Close()
		if err != nil || r.Header.Get("Content-Type") != "image/png" || !tc.check(img) {
			t.Errorf("GET mask%s: %T %v %s", tc.query, img, err, r.Header.Get("Content-Type"))
		}
	}
}
