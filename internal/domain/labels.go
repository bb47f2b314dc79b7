package domain

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Labels are the annotations a source carries: boxes, polygons, keypoints
// and (beside them, as a file) a semantic mask. Coordinates are float pixels
// of the source as displayed (EXIF orientation applied), origin at the
// top-left corner of the top-left pixel: a box over a W×H image is
// [0, 0, W, H].
type Labels struct {
	Width         int      `json:"width,omitempty"`  // when given, must match the decoded source
	Height        int      `json:"height,omitempty"` // idem
	Objects       []Object `json:"objects"`
	KeypointNames []string `json:"keypoint_names,omitempty"`
	// FlipPairs says which keypoint slots swap under a flip. Nil means
	// "derive them from KeypointNames"; an empty, non-nil list means none swap.
	FlipPairs [][2]int `json:"flip_pairs,omitempty"`
}

// Object is one labelled thing. It has a BBox, a Polygon, a Mask (RLE),
// Keypoints, or several of them.
type Object struct {
	ID         string          `json:"id,omitempty"`
	Class      string          `json:"class,omitempty"` // UTF-8, kept as written
	BBox       *Box            `json:"bbox,omitempty"`
	Polygon    Polygon         `json:"polygon,omitempty"`
	Mask       *RLE            `json:"mask,omitempty"`      // an instance mask (COCO iscrowd)
	Keypoints  []Keypoint      `json:"keypoints,omitempty"` // fixed slots
	Attributes json.RawMessage `json:"attributes,omitempty"`
}

// Box is [x, y, w, h] in pixels.
type Box [4]float64

// Point is [x, y] in pixels.
type Point [2]float64

// Ring is a closed outline: the last point joins the first.
type Ring []Point

// Keypoint is [x, y, v]: v 0 not labelled, 1 labelled but hidden, 2 visible
// (COCO). A keypoint that leaves the image is [0, 0, 0].
type Keypoint [3]float64

// Polygon is an outline of one or more rings (a multi-part object). In JSON
// a single ring may be written as a list of points.
type Polygon []Ring

// RLE is a binary mask as COCO run lengths: Size is [height, width], Counts
// alternate 0s and 1s in column-major order, starting with 0s.
type RLE struct {
	Size   [2]int `json:"size"`
	Counts []int  `json:"counts"`
}

// LabelOptions say which objects a variant keeps and how masks are filled.
type LabelOptions struct {
	MinVisibility        float64 `json:"min_visibility"` // visible area over area before clipping
	MinArea              float64 `json:"min_area"`       // px²
	MinSize              float64 `json:"min_size"`       // px, width and height
	MaskFill             int     `json:"mask_fill"`      // class id of uncovered mask areas
	CutoutHidesKeypoints bool    `json:"cutout_hides_keypoints"`
}

// DefaultLabelOptions are the options a spec without label_options gets.
func DefaultLabelOptions() LabelOptions {
	return LabelOptions{MinVisibility: 0.1, MinArea: 4, MinSize: 1, CutoutHidesKeypoints: true}
}

// VariantLabels are one variant's labels, in its output pixels.
type VariantLabels struct {
	Objects []Object  `json:"objects"`
	Dropped []Dropped `json:"dropped"`
	MaskKey string    `json:"-"` // where its mask is kept, when the job had one
}

// Dropped is an object a variant left out, and why.
type Dropped struct {
	ID     string `json:"id"`
	Reason string `json:"reason"`
}

// UnmarshalJSON reads one ring ([[x, y], …]) or a list of rings.
func (p *Polygon) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*p = nil
		return nil
	}
	var rings []Ring
	if err := json.Unmarshal(b, &rings); err == nil {
		*p = rings
		return nil
	}
	var ring Ring
	if err := json.Unmarshal(b, &ring); err != nil {
		return fmt.Errorf("a polygon is a list of [x, y] points, or a list of such lists")
	}
	*p = Polygon{ring}
	return nil
}

// MarshalJSON writes a single ring as a list of points, several as a list
// of rings.
func (p Polygon) MarshalJSON() ([]byte, error) {
	if p == nil {
		return []byte("null"), nil
	}
	if len(p) == 1 {
		return json.Marshal([]Point(p[0]))
	}
	return json.Marshal([]Ring(p))
}
