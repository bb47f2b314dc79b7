package dataset

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/augment-ml/augment/internal/domain"
)

func TestVariantPath(t *testing.T) {
	for _, tc := range []struct{ in, ext, want string }{
		{"train/images/a.jpg", "jpg", "train/images/a_aug00.jpg"},
		{"val/chat/b.png", "", "val/chat/b_aug00.png"},
		{"x.v2.jpeg", "webp", "x.v2_aug00.webp"},
	} {
		if got := VariantPath(tc.in, 0, tc.ext); got != tc.want {
			t.Errorf("VariantPath(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := VariantPath("a.jpg", 12, "jpg"); got != "a_aug12.jpg" {
		t.Errorf("index 12: %s", got)
	}
}

// TestReportShape: report.json and a manifest line have the fields of the
// contract, lists empty rather than null.
func TestReportShape(t *testing.T) {
	ds := readDS(t, Dir(roboflowYOLO(t)), "")
	r := &Report{Format: ds.Format, Dropped: map[string]int{}, Warnings: ds.Warnings}
	for _, im := range ds.Images {
		r.Source(im)
	}
	r.After.Add("train", "", []domain.Object{{Class: "猫"}})
	r.Drop("visibility 0.04 < 0.1")
	r.Drop("visibility 0.01 < 0.1")
	r.Seed, r.Pipeline, r.Versions = 7, json.RawMessage(`[{"op":"hflip"}]`), Versions{Augment: "dev", Libvips: "8.14.1"}
	var b bytes.Buffer
	if err := r.Write(&b); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"format", "before", "after", "dropped", "warnings", "losses", "skipped", "pipeline", "seed", "versions", "sources"} {
		if _, ok := got[k]; !ok {
			t.Errorf("report.json lacks %s: %s", k, b.String())
		}
	}
	if jsonOf(got["dropped"]) != `{"visibility":2}` || !strings.Contains(b.String(), `"猫": 1`) || jsonOf(got["losses"]) != "[]" {
		t.Errorf("report = %s", b.String())
	}
	before := got["before"].(map[string]any)["images"].(map[string]any)
	if before["train"] != 3.0 || before["valid"] != 1.0 || len(got["sources"].([]any)) != 4 {
		t.Errorf("before = %v, sources %v", before, got["sources"])
	}
	var m bytes.Buffer
	i := 2
	if err := json.NewEncoder(&m).Encode(ManifestLine{Source: "train/images/a.jpg", Split: "train", Path: "train/images/a_aug02.jpg", Index: &i,
		Seed: 7, Width: 64, Height: 48, Labels: &ManifestLabels{Objects: []domain.Object{}, Dropped: []domain.Dropped{{ID: "1", Reason: "area 2 < 4"}}}}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(m.String(), "}\n") || strings.Count(m.String(), "\n") != 1 || !strings.Contains(m.String(), `"index":2`) {
		t.Errorf("manifest line = %s", m.String())
	}
}
