package dataset

import (
	"fmt"
	"strings"

	"github.com/augment-ml/augment/internal/domain"
)

// Loss is something a conversion cannot carry, how many objects (or
// images) it touches, and what becomes of it.
type Loss struct {
	What  string `json:"what"`
	Count int    `json:"count"`
	Note  string `json:"note"`
}

// ParseExport reads an export format: coco, yolo or voc; "" keeps the
// dataset's own.
func ParseExport(s string) (Format, error) {
	switch f := Format(strings.ToLower(s)); f {
	case "", COCO, YOLO, VOC:
		return f, nil
	}
	return "", domain.Errorf(domain.EInvalidSpec, "export must be coco, yolo or voc, not %q.", s)
}

// Losses lists what writing ds as format to loses. Writing a dataset in
// its own format loses nothing.
func Losses(ds *Dataset, to Format) []Loss {
	if to == ds.Format || to == "" {
		return nil
	}
	var polygons, multipart, masks, keypoints, attributes, vocFlags, semantic, classes int
	for _, im := range ds.Images {
		if im.Mask != nil {
			semantic++
		}
		if im.Class != "" {
			classes++
		}
		for _, o := range im.Objects {
			if len(o.Polygon) > 0 {
				polygons++
			}
			if len(o.Polygon) > 1 {
				multipart++
			}
			if o.Mask != nil {
				masks++
			}
			if len(o.Keypoints) > 0 {
				keypoints++
			}
			if len(o.Attributes) > 0 {
				attributes++
			}
			if ex := im.Extras[o.ID]; ex != nil && ex.VOC != nil && (ex.VOC.Difficult != "" || ex.VOC.Truncated != "" ||
				ex.VOC.Pose != "" || ex.VOC.Occluded != "" || len(ex.VOC.Other) > 0) {
				vocFlags++
			}
		}
	}
	var out []Loss
	add := func(n int, what, note string) {
		if n > 0 {
			out = append(out, Loss{What: what, Count: n, Note: note})
		}
	}
	switch to {
	case VOC:
		add(polygons, "polygons", "VOC has boxes only: each object keeps the bounds of its outline")
		add(masks, "RLE masks", "VOC has boxes only: each object keeps the bounds of its mask")
		add(keypoints, "keypoints", "VOC has no keypoints: they are left out")
		add(attributes, "attributes", "VOC has no attributes: they are left out")
	case YOLO:
		if keypoints > 0 {
			add(polygons, "polygons", "a YOLO pose dataset has boxes and keypoints: each object keeps the bounds of its outline")
		} else {
			add(multipart, "multi-part polygons", "YOLO has one outline per object: the parts are written one after the other")
		}
		add(masks, "RLE masks", "YOLO has no RLE: each object keeps the bounds of its mask")
		add(attributes, "attributes", "YOLO has no attributes: they are left out")
		add(vocFlags, "VOC difficult, truncated, pose and parts", "YOLO has no place for them: they are left out")
	case COCO:
		add(vocFlags, "VOC difficult, truncated, pose and parts", "COCO has no place for them: they are left out")
	}
	add(semantic, "semantic masks", fmt.Sprintf("%s has no semantic masks: they are left out", to))
	add(classes, "class folders", fmt.Sprintf("%s has no class per image: the folders are left out", to))
	return out
}

// CheckExport refuses a lossy conversion unless allowLossy, naming what it
// would lose; it returns the losses either way.
func CheckExport(ds *Dataset, to Format, allowLossy bool) ([]Loss, error) {
	losses := Losses(ds, to)
	if len(losses) == 0 || allowLossy {
		return losses, nil
	}
	parts := make([]string, len(losses))
	for i, l := range losses {
		parts[i] = fmt.Sprintf("%s (%d)", l.What, l.Count)
	}
	return losses, domain.Errorf(domain.EInvalidSpec, "Exporting this %s dataset as %s loses %s; send allow_lossy to accept that.",
		ds.Format, to, strings.Join(parts, ", "))
}
