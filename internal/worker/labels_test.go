package worker

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/augment-ml/augment/internal/augment"
	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/labels"
)

// halves is a w×h 8-bit mask: class 1 on the left half, 2 on the right.
func halves(t *testing.T, w, h int) []byte {
	t.Helper()
	m := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.Pix[y*m.Stride+x] = uint8(1 + 2*x/w)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// labelled is a job on url with labels and, when mask is not nil, an
// uploaded mask kept where the api keeps it.
func (f *fixture) labelled(t *testing.T, url, pipeline string, l *domain.Labels, mask []byte, maskURL string) *domain.Job {
	t.Helper()
	p, err := augment.Parse([]byte(pipeline))
	if err != nil {
		t.Fatal(err)
	}
	j := &domain.Job{ID: uuid.NewString(), Priority: domain.PriorityDefault, Source: domain.Source{URL: url},
		Spec: domain.Spec{Variants: 2, Seed: 9, Pipeline: p.JSON(), Labels: l}}
	if mask != nil || maskURL != "" {
		j.Spec.Mask = &domain.MaskSource{URL: maskURL, Name: "mask.png"}
	}
	if mask != nil {
		if err := f.blobs.Put(context.Background(), domain.MaskKey(j.ID), bytes.NewReader(mask), int64(len(mask)), "image/png"); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.db.CreateJob(context.Background(), j); err != nil {
		t.Fatal(err)
	}
	return j
}

func (f *fixture) run(t *testing.T, j *domain.Job) *domain.Job {
	t.Helper()
	if err := f.h.ProcessTask(context.Background(), task(j.ID)); err != nil {
		t.Fatal(err)
	}
	got, err := f.db.Job(context.Background(), j.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestVariantsCarryLabelsAndMasks: each variant records its labels in its
// own pixels and stores its mask beside it, moved as its pixels were; a job
// without labels records none.
func TestVariantsCarryLabelsAndMasks(t *testing.T) {
	f := newFixture(t)
	l := &domain.Labels{Width: 640, Height: 427, KeypointNames: []string{"left_eye", "right_eye"}, Objects: []domain.Object{
		{ID: "a", Class: "sign", BBox: &domain.Box{0, 0, 100, 50}},
		{ID: "b", Class: "face", Keypoints: []domain.Keypoint{{10, 10, 2}, {30, 10, 2}}},
		{ID: "c", Class: "tiny", BBox: &domain.Box{5, 5, 1, 1}},
	}}
	j := f.labelled(t, f.img.URL+"/rocket.jpg", `[{"op": "hflip"}]`, l, halves(t, 640, 427), "")
	got := f.run(t, j)
	if got.Status != domain.StatusDone || len(got.Variants) != 2 {
		t.Fatalf("job = %s %+v", got.Status, got.Error)
	}
	v := got.Variants[0]
	want := &domain.VariantLabels{
		Objects: []domain.Object{
			{ID: "a", Class: "sign", BBox: &domain.Box{540, 0, 100, 50}},
			{ID: "b", Class: "face", Keypoints: []domain.Keypoint{{610, 10, 2}, {630, 10, 2}}}, // mirrored, and the eyes swapped
		},
		Dropped: []domain.Dropped{{ID: "c", Reason: "area 1 px² < 4"}},
		MaskKey: "jobs/" + j.ID + "/variants/0.mask.png",
	}
	if d := cmp.Diff(want, v.Labels); d != "" {
		t.Errorf("variant labels:\n%s", d)
	}
	m, err := labels.DecodeMask(read(t, f.blobs, v.Labels.MaskKey))
	if err != nil {
		t.Fatal(err)
	}
	if m.W != 640 || m.H != 427 || m.Pix[0] != 2 || m.Pix[639] != 1 {
		t.Errorf("mask %d×%d, corners %d %d; want 640×427, the halves swapped", m.W, m.H, m.Pix[0], m.Pix[639])
	}
	plain := f.run(t, f.job(t, f.img.URL+"/rocket.jpg", 1, `[{"op": "hflip"}]`))
	if plain.Variants[0].Labels != nil {
		t.Errorf("a job without labels records %+v", plain.Variants[0].Labels)
	}
}

// TestLabelsOfAnotherSizeFailTheJob: labels or a mask of another size than
// the decoded source fail the job with labels_size_mismatch and a sentence
// saying both sizes; a mask URL is fetched and kept, or fails the job
// saying it was the mask.
func TestLabelsOfAnotherSizeFailTheJob(t *testing.T) {
	f := newFixture(t)
	masks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/mask.png" {
			http.NotFound(w, r)
			return
		}
		w.Write(halves(t, 640, 427))
	}))
	t.Cleanup(masks.Close)
	box := []domain.Object{{BBox: &domain.Box{1, 1, 10, 10}}}
	for _, tc := range []struct {
		name          string
		l             *domain.Labels
		mask          []byte
		maskURL       string
		code, message string
	}{
		{"declared size", &domain.Labels{Width: 427, Height: 640, Objects: box}, nil, "", domain.ELabelsSizeMismatch, "The labels say the image is 427×640, but it is 640×427"},
		{"mask size", nil, halves(t, 64, 42), "", domain.ELabelsSizeMismatch, "The mask is 64×42, but the image is 640×427"},
		{"mask URL", &domain.Labels{Objects: box}, nil, masks.URL + "/mask.png", "", ""},
		{"mask URL missing", &domain.Labels{Objects: box}, nil, masks.URL + "/gone.png", domain.EFetchFailed, "The mask could not be fetched"},
		{"mask a bomb", nil, nil, f.img.URL + "/bad/bomb-900mp.png", domain.ELabelsSizeMismatch, "The mask is 30000×30000, but the image is 640×427"},
		{"mask no PNG", nil, nil, f.img.URL + "/rocket.jpg", domain.EInvalidSpec, "The mask must be a PNG image"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j := f.labelled(t, f.img.URL+"/rocket.jpg", `[{"op": "vflip"}]`, tc.l, tc.mask, tc.maskURL)
			got := f.run(t, j)
			if tc.code == "" {
				if got.Status != domain.StatusDone {
					t.Fatalf("job %s: %+v", got.Status, got.Error)
				}
				if !bytes.Equal(read(t, f.blobs, domain.MaskKey(j.ID)), halves(t, 640, 427)) {
					t.Error("the fetched mask is not kept at its key")
				}
				return
			}
			if got.Status != domain.StatusFailed || got.Error.Code != tc.code || !strings.Contains(got.Error.Message, tc.message) {
				t.Fatalf("job %s %+v; want failed with %s saying %q", got.Status, got.Error, tc.code, tc.message)
			}
			if _, _, err := f.blobs.Get(context.Background(), domain.MaskKey(j.ID)); domain.ErrorCode(err) != domain.ENotFound {
				t.Errorf("the failed job's mask is kept (%v)", err)
			}
		})
	}
}

// TestEXIFRotatedSourceLabelsAreAsDisplayed: a source with EXIF
// orientation 6 (stored 1200×1600) is 1600×1200 as displayed, its labels
// are in that space, and the job says the orientation was applied.
func TestEXIFRotatedSourceLabelsAreAsDisplayed(t *testing.T) {
	f := newFixture(t)
	l := &domain.Labels{Width: 1600, Height: 1200, Objects: []domain.Object{{ID: "x", BBox: &domain.Box{0, 0, 400, 100}}}}
	got := f.run(t, f.labelled(t, f.img.URL+"/exif-orientation-6.jpg", `[{"op": "hflip"}]`, l, nil, ""))
	if got.Status != domain.StatusDone {
		t.Fatalf("job %s %+v", got.Status, got.Error)
	}
	if s := got.Source; s.Width != 1600 || s.Height != 1200 || s.Orientation != 6 {
		t.Errorf("source %d×%d orientation %d; want 1600×1200, 6", s.Width, s.Height, s.Orientation)
	}
	if b := *got.Variants[0].Labels.Objects[0].BBox; b != (domain.Box{1200, 0, 400, 100}) {
		t.Errorf("box after hflip = %v; want [1200 0 400 100], mirrored across the displayed width", b)
	}
}
