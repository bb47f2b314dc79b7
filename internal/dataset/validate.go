package dataset

import (
	"cmp"
	"math"
	"strings"

	"github.com/augment-ml/augment/internal/augment"
	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/labels"
)

// checkImage warns about a declared size that differs from the image and
// about boxes that leave it. The objects are kept as read: writers clip.
func (ds *Dataset) checkImage(im *Image) {
	if im.Width == 0 {
		ds.warn(WUnreadableSize, im.Path, "the size of %s could not be read from its header", im.Path)
		return
	}
	if im.DeclaredWidth != 0 && (im.DeclaredWidth != im.Width || im.DeclaredHeight != im.Height) {
		ds.warn(WSizeMismatch, im.Path, "the labels say %s is %d×%d; the image is %d×%d",
			im.Path, im.DeclaredWidth, im.DeclaredHeight, im.Width, im.Height)
	}
	W, H := float64(im.Width), float64(im.Height)
	// NOTE: normalised formats round to 6 digits, which moves an edge by far
	// less than a hundredth of a pixel; that is no reason to warn.
	const eps = 0.01
	for _, o := range im.Objects {
		if o.BBox == nil {
			continue
		}
		b := *o.BBox
		if b[0] < -eps || b[1] < -eps || b[0]+b[2] > W+eps || b[1]+b[3] > H+eps || b[2] < 0 || b[3] < 0 ||
			math.IsNaN(b[0]+b[1]+b[2]+b[3]) {
			ds.warn(WBoxOutOfRange, im.Path, "object %s (%s) of %s has the box [%g, %g, %g, %g], outside the image's %d×%d; it is clipped",
				o.ID, o.Class, im.Path, b[0], b[1], b[2], b[3], im.Width, im.Height)
		}
	}
}

// CheckLabels checks each image's labels as a job's are checked (how many
// objects, keypoint slots within a class, names and pairs against the
// slots), naming the label file and the image.
func (ds *Dataset) CheckLabels() error {
	for _, im := range ds.Images {
		if len(im.Objects) == 0 {
			continue
		}
		l := im.Labels(ds)
		if err := labels.Check(&l); err != nil {
			where := im.LabelPath
			if im.COCO != nil && im.COCO.File < len(ds.COCO) {
				where = ds.COCO[im.COCO.File].Path
			}
			return domain.Errorf(domain.EInvalidSpec, "%s, the labels of %s: %s", cmp.Or(where, im.Path), im.Path, domain.ErrorMessage(err))
		}
	}
	return nil
}

// CheckFlips refuses a pipeline that can mirror the images of a dataset
// whose keypoints have no known pairs: after a flip its left eyes would be
// labelled as right ones. The pairs are YOLO's flip_idx, or derived from
// COCO's keypoint names (left_…/right_…).
func (ds *Dataset) CheckFlips(p *augment.Pipeline) error {
	if ds.KeypointSlots == 0 {
		return nil
	}
	l := domain.Labels{KeypointNames: ds.KeypointNames, FlipPairs: ds.FlipPairs,
		Objects: []domain.Object{{Keypoints: make([]domain.Keypoint, ds.KeypointSlots)}}}
	if _, known := labels.FlipPairs(&l); known {
		return nil
	}
	if steps := p.Mirrors(); len(steps) > 0 {
		return domain.Errorf(domain.EInvalidSpec, "%s can mirror the images, but the dataset's keypoints have no flip pairs: "+
			"give data.yaml a flip_idx, name COCO keypoints left_…/right_…, or choose a pipeline that does not mirror.", strings.Join(steps, ", "))
	}
	return nil
}
