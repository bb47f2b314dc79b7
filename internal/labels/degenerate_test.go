package labels

import (
	"testing"

	"github.com/augment-ml/augment/internal/domain"
)

// TestOutlinesLeftWithNoAreaAreDropped: a polygon is clipped as a polygon;
// what is left of it with under 3 vertices or no area is dropped, with its
// reason, and a part of a multi-part outline that is cut away goes while
// the rest stays (DATASETS.md, imgaug#310).
func TestOutlinesLeftWithNoAreaAreDropped(t *testing.T) {
	l := &domain.Labels{Objects: []domain.Object{
		// touches the crop's edge x = 150 along one side only: a segment is left
		{ID: "edge", Class: "a", Polygon: domain.Polygon{{{150, 10}, {200, 30}, {150, 50}}}},
		// three points on a line: no area from the start
		{ID: "line", Class: "a", Polygon: domain.Polygon{{{10, 10}, {20, 20}, {30, 30}}}},
		// two parts, the second cut away
		{ID: "parts", Class: "a", BBox: &domain.Box{10, 100, 330, 40}, Polygon: domain.Polygon{{{10, 100}, {50, 100}, {50, 140}}, {{300, 100}, {340, 100}, {340, 140}}}},
	}}
	got := Apply(l, []Move{cropStep(0, 0, 150, H)}, domain.DefaultLabelOptions())
	reasons := map[string]string{}
	for _, d := range got.Dropped {
		reasons[d.ID] = d.Reason
	}
	if reasons["edge"] != "outside the image" || reasons["line"] != "zero area" || len(got.Dropped) != 2 {
		t.Errorf("dropped %+v", got.Dropped)
	}
	if len(got.Objects) != 1 || got.Objects[0].ID != "parts" || len(got.Objects[0].Polygon) != 1 || *got.Objects[0].BBox != (domain.Box{10, 100, 40, 40}) {
		t.Errorf("kept %+v", got.Objects)
	}
}
