package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/augment-ml/augment/internal/domain"
)

// TestThumbnailMadeAfterTheJob: the worker makes thumbnails after a job's
// end. One asked for before it exists is waited for and served once it is
// stored, cached for good; one still missing then sends the browser to the
// full image, uncached, so the thumbnail is served once it exists.
func TestThumbnailMadeAfterTheJob(t *testing.T) {
	s := newLabelServer(t)
	ctx := context.Background()
	j := doneJob(t, s, domain.Spec{Variants: 2, Seed: 9, Pipeline: json.RawMessage(`[{"op": "hflip"}]`)})
	go func() {
		time.Sleep(200 * time.Millisecond)
		_ = s.blobs.Put(ctx, domain.ThumbKey(j.ID, 0), strings.NewReader("RIFF"), 4, "image/webp")
	}()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string) *http.Response {
		t.Helper()
		resp, err := client.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	base := "/api/v1/jobs/" + j.ID + "/variants/"
	if resp := get(base + "0/thumb"); resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/webp" ||
		!strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("a thumbnail stored while it was asked for: %d %s %q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"))
	}
	resp := get(base + "1/thumb")
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != base+"1" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("a thumbnail not made: %d to %q, %q; want 302 to %s, no-store", resp.StatusCode, resp.Header.Get("Location"), resp.Header.Get("Cache-Control"), base+"1")
	}
	if err := s.blobs.Put(ctx, domain.ThumbKey(j.ID, 1), strings.NewReader("RIFF"), 4, "image/webp"); err != nil {
		t.Fatal(err)
	}
	if resp := get(base + "1/thumb"); resp.StatusCode != http.StatusOK {
		t.Errorf("a thumbnail made later: %d", resp.StatusCode)
	}
}
