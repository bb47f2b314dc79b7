package web

import (
	"encoding/json"

	"github.com/augment-ml/augment/internal/domain"
)

// labelKinds says which kinds of label a job's page draws, one toggle each.
type labelKinds struct {
	Boxes, Polygons, Keypoints, Mask bool
}

// Any reports whether there is anything to draw.
func (k labelKinds) Any() bool { return k.Boxes || k.Polygons || k.Keypoints || k.Mask }

// LabelKinds are the kinds of label the job's source carries.
func (j jobJSON) LabelKinds() labelKinds {
	k := labelKinds{Mask: j.Spec.Mask != nil}
	if j.Spec.Labels != nil {
		for _, o := range j.Spec.Labels.Objects {
			k.Boxes = k.Boxes || o.BBox != nil
			k.Polygons = k.Polygons || o.Polygon != nil || o.Mask != nil
			k.Keypoints = k.Keypoints || len(o.Keypoints) > 0
		}
	}
	return k
}

// overlay is what labels.js draws over one image: objects in its pixels
// and its mask.
type overlay struct {
	Objects  []domain.Object `json:"objects"`
	MaskHref string          `json:"mask_href,omitempty"`
}

// SourceLabels is the source's overlay as JSON for the page, "" when there
// is none or its size is not known yet.
func (j jobJSON) SourceLabels() string {
	if !j.LabelKinds().Any() || j.Source.Width == 0 {
		return ""
	}
	o := overlay{Objects: []domain.Object{}, MaskHref: viewOf(j.Source.MaskHref)}
	if j.Spec.Labels != nil {
		o.Objects = j.Spec.Labels.Objects
	}
	b, _ := json.Marshal(o)
	return string(b)
}

// KeypointNames are the names of the keypoint slots as JSON, for the page.
func (j jobJSON) KeypointNames() string {
	var names []string
	if j.Spec.Labels != nil {
		names = j.Spec.Labels.KeypointNames
	}
	b, _ := json.Marshal(append([]string{}, names...))
	return string(b)
}

// Overlay is the variant's overlay as JSON for the page, "" without labels.
func (v variantJSON) Overlay() string {
	if v.Labels == nil {
		return ""
	}
	b, _ := json.Marshal(overlay{Objects: v.Labels.Objects, MaskHref: viewOf(v.Labels.MaskHref)})
	return string(b)
}

// viewOf is the address of a mask as the page draws it (see serveMask).
func viewOf(href string) string {
	if href == "" {
		return ""
	}
	return href + "?view"
}
