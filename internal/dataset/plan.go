package dataset

import (
	"fmt"
	"strings"

	"github.com/augment-ml/augment/internal/domain"
)

// Plan says what a batch makes of a dataset: which splits get variants,
// whether the sources are copied into the result, and its format.
type Plan struct {
	AugmentSplits    []string `json:"augment_splits"`    // default ["train"]
	IncludeOriginals bool     `json:"include_originals"` // default true
	Export           Format   `json:"export,omitempty"`  // "" keeps the dataset's own format
	AllowLossy       bool     `json:"allow_lossy,omitempty"`
}

// DefaultPlan augments the training split and keeps the originals.
func DefaultPlan() Plan { return Plan{AugmentSplits: []string{"train"}, IncludeOriginals: true} }

// Augments says whether images of split get variants. A dataset without
// splits is all training data; the names match the ways datasets spell
// them (val, valid and validation are one split; train2017 is train).
func (p Plan) Augments(split string) bool {
	for _, s := range p.AugmentSplits {
		if strings.EqualFold(s, split) || splitKind(s) != "" && splitKind(s) == splitKind(split) {
			return true
		}
	}
	return false
}

// splitKind is train, val or test for the spellings of those splits ("" is
// train: a dataset without splits), else "".
func splitKind(s string) string {
	s = strings.TrimRight(strings.ToLower(s), "0123456789")
	switch s {
	case "", "train", "training":
		return "train"
	case "val", "valid", "validation":
		return "val"
	case "test", "testing":
		return "test"
	}
	return ""
}

// Check refuses a plan the dataset cannot take: a split to augment that
// it lacks (a typo would silently augment nothing), or a conversion that
// loses labels without allow_lossy. It returns the conversion's losses and
// a warning when nothing will be augmented.
func (p Plan) Check(ds *Dataset, variants int) ([]Loss, []Warning, error) {
	var warnings []Warning
	splits := ds.Splits
	if len(splits) == 0 {
		splits = []string{""}
	}
	for _, s := range p.AugmentSplits {
		found := false
		for _, have := range splits {
			found = found || Plan{AugmentSplits: []string{s}}.Augments(have)
		}
		// NOTE: the default, train alone, may find nothing: that is a warning.
		if defaulted := s == "train" && len(p.AugmentSplits) == 1; !found && !defaulted {
			return nil, nil, domain.Errorf(domain.EInvalidSpec, "augment_splits names the split %q, which the dataset lacks; its splits are %s.",
				s, splitList(ds.Splits))
		}
	}
	augmented := 0
	var instanceMasks []string
	for _, im := range ds.Images {
		if p.Augments(im.Split) {
			augmented++
			if im.VOC != nil && im.VOC.ObjectMask != "" {
				instanceMasks = append(instanceMasks, im.VOC.ObjectMask)
			}
		}
	}
	if variants > 0 && len(instanceMasks) > 0 {
		// NOTE: a job moves one mask, the class mask; the instance masks of
		// SegmentationObject/ are said to be left behind, not dropped
		// silently. ImageSets/Segmentation lists the variants (their class
		// masks are there, as semantic segmentation reads them).
		which := instanceMasks[0]
		if len(instanceMasks) > 1 {
			which = fmt.Sprintf("%s and %d more", which, len(instanceMasks)-1)
		}
		warnings = append(warnings, Warning{Code: WInstanceMasks, Path: instanceMasks[0], Message: fmt.Sprintf(
			"the instance masks of the images to augment (%s) are copied with their images, but their variants get none: "+
				"augment moves the class masks of SegmentationClass/ and the boxes, not SegmentationObject/", which)})
	}
	if variants > 0 && augmented == 0 && len(ds.Images) > 0 {
		warnings = append(warnings, Warning{Code: WNothingAugmented, Message: fmt.Sprintf(
			"no image is in the splits to augment (%s); the dataset's splits are %s, and they are copied through without variants",
			strings.Join(p.AugmentSplits, ", "), splitList(ds.Splits))})
	}
	if p.Export == "" || p.Export == ds.Format {
		return nil, warnings, nil
	}
	if ds.Format == Images {
		return nil, nil, domain.Errorf(domain.EInvalidSpec, "export converts a labelled dataset, and this archive holds plain images (no COCO, YOLO, VOC, masks or class folders were found); send format to say what it is.")
	}
	losses, err := CheckExport(ds, p.Export, p.AllowLossy)
	return losses, warnings, err
}

func splitList(splits []string) string {
	if len(splits) == 0 {
		return "none (one set of images)"
	}
	return strings.Join(splits, ", ")
}
