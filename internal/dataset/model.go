package dataset

import (
	"encoding/json"

	"github.com/augment-ml/augment/internal/domain"
)

// Dataset is a labelled dataset read from any format: its images with their
// objects, its splits and one order of classes. Format-specific details
// that a round trip must keep (COCO ids and unknown keys, VOC flags, the
// YOLO data.yaml) ride along in the extras.
//
// In JSON a Dataset is what writing needs beside its images (a batch keeps
// it): its images, warnings and other files are left out.
type Dataset struct {
	Format  Format   `json:"format"`
	Root    string   `json:"root,omitempty"`    // the folder of the archive that wraps the dataset, "" when none
	Images  []*Image `json:"-"`                 // sorted by Path
	Splits  []string `json:"splits,omitempty"`  // in a stable order: train, val/valid/validation, test, then others
	Classes []string `json:"classes,omitempty"` // one order for every split (YOLO ids are indexes into it)

	// KeypointNames and FlipPairs describe the keypoint slots every object
	// with keypoints has (COCO category "keypoints", YOLO kpt_shape and
	// flip_idx). FlipPairs nil means "derive from the names".
	KeypointNames []string `json:"keypoint_names,omitempty"`
	FlipPairs     [][2]int `json:"flip_pairs,omitempty"`
	KeypointDims  int      `json:"keypoint_dims,omitempty"`  // YOLO kpt_shape[1]: 2 (x y) or 3 (x y v); 0 when unknown
	KeypointSlots int      `json:"keypoint_slots,omitempty"` // the most keypoint slots an object has

	Warnings []Warning        `json:"-"`
	Skipped  []domain.Skipped `json:"-"` // files with an image's name that are no supported image

	COCO  []*COCOFile `json:"coco,omitempty"`  // one per annotation file (a split each)
	YOLO  *YOLOMeta   `json:"yolo,omitempty"`  // the data.yaml, kept
	Masks *MasksMeta  `json:"masks,omitempty"` // dataset_meta.json and the class colours, kept
	// VOCSegmentation are a VOC tree's ImageSets/Segmentation lists.
	VOCSegmentation []VOCList   `json:"voc_segmentation,omitempty"`
	Other           []OtherFile `json:"-"` // files that are neither images nor labels (README, licences), kept by path
}

// Image is one image of a dataset and what its labels say about it. Its
// JSON is its record in a batch ([Image.Record]).
type Image struct {
	Path  string `json:"path"`            // relative to the dataset's root, slash-separated
	Of    string `json:"of,omitempty"`    // for a variant, the Path of its source image; "" for a source
	Split string `json:"split,omitempty"` // "" when the dataset has no splits
	Class string `json:"class,omitempty"` // the ImageFolder class folder, else ""

	// Width and Height are the image's size as displayed (EXIF orientation
	// applied), from its header; DeclaredWidth/Height are what its labels
	// say (COCO width/height, VOC size), 0 when they say nothing.
	Width          int    `json:"width,omitempty"`
	Height         int    `json:"height,omitempty"`
	DeclaredWidth  int    `json:"declared_width,omitempty"`
	DeclaredHeight int    `json:"declared_height,omitempty"`
	Orientation    int    `json:"orientation,omitempty"` // the EXIF orientation applied to Width and Height (labels are in that space), 0 for none
	Format         string `json:"format,omitempty"`      // jpeg, png, … from the bytes
	Bytes          int64  `json:"bytes,omitempty"`
	SHA256         string `json:"sha256,omitempty"` // hex, of the bytes as read

	Objects   []domain.Object `json:"objects,omitempty"`
	Labelled  bool            `json:"labelled,omitempty"`   // a label file (or COCO record) names this image; false is a negative without labels
	LabelPath string          `json:"label_path,omitempty"` // its label file for per-image formats (YOLO .txt, VOC .xml), else ""
	// LabelFile is that file's bytes as read, when kept: a source written
	// back in its own layout gets them back unchanged.
	LabelFile []byte        `json:"label_file,omitempty"`
	Mask      *SemanticMask `json:"mask,omitempty"`

	COCO *COCOImage `json:"coco,omitempty"` // the image's COCO record, when read from COCO
	VOC  *VOCImage  `json:"voc,omitempty"`  // the annotation's other fields, when read from VOC
	// Extras are per-object format fields, by object ID.
	Extras map[string]*ObjectExtra `json:"extras,omitempty"`
}

// Labels returns the image's objects in the label model of jobs.
func (im *Image) Labels(ds *Dataset) domain.Labels {
	l := domain.Labels{Width: im.Width, Height: im.Height, Objects: im.Objects}
	if ds != nil {
		l.KeypointNames, l.FlipPairs = ds.KeypointNames, ds.FlipPairs
	}
	return l
}

// SemanticMask is a mask image of class ids beside its image. A palette
// PNG's palette stays in its bytes: copies keep them, and variants' masks
// keep it through labels.Mask.
type SemanticMask struct {
	Path   string `json:"path"`          // relative to the dataset's root
	RGB    bool   `json:"rgb,omitempty"` // colours stand for classes (MasksMeta.Colors), not indexes
	Width  int    `json:"width"`
	Height int    `json:"height"`
}

// ObjectExtra holds what one format says about an object beyond the label
// model, so that writing the same format gives it back.
type ObjectExtra struct {
	COCO map[string]json.RawMessage `json:"coco,omitempty"` // unknown annotation keys
	// COCOCompressed says the RLE was read as a compressed string.
	COCOCompressed bool     `json:"coco_compressed,omitempty"`
	CategoryID     int64    `json:"category_id,omitempty"`
	VOC            *VOCFlag `json:"voc,omitempty"`
}

// VOCFlag is the VOC fields of an object that the label model has no place for.
// Values are kept as written ("0", "1"); "" when the file left them out.
type VOCFlag struct {
	Pose      string   `json:"pose,omitempty"`
	Truncated string   `json:"truncated,omitempty"`
	Difficult string   `json:"difficult,omitempty"`
	Occluded  string   `json:"occluded,omitempty"`
	Other     []xmlRaw `json:"other,omitempty"` // unknown elements (parts, actions), kept verbatim
}

// OtherFile is a file of the dataset that is neither an image nor a label file.
type OtherFile struct {
	Path string
}

// Warning is a problem that does not stop the dataset from being used.
type Warning struct {
	Code    string `json:"code"` // missing_image, missing_labels, box_out_of_range, size_mismatch, …
	Path    string `json:"path"`
	Message string `json:"message"`
}

// Warning codes.
const (
	WMissingImage   = "missing_image"    // a label names an image that is not there
	WMissingLabels  = "missing_labels"   // an image with no label file (kept as a negative)
	WBoxOutOfRange  = "box_out_of_range" // a box outside the image, clipped
	WSizeMismatch   = "size_mismatch"    // a declared size that differs from the image
	WUnknownClass   = "unknown_class"    // a class id past the names
	WSplitPath      = "split_path"       // a data.yaml path that names no folder
	WUnreadableSize = "unreadable_size"  // an image whose size could not be read from its header
	// WNothingAugmented: no image is in the splits to augment.
	WNothingAugmented = "nothing_augmented"
	// WInstanceMasks: VOC SegmentationObject masks, copied with their
	// sources; the variants get none.
	WInstanceMasks = "instance_masks"
	// WVariantUnlabelled: a variant of a labelled source without labels, left out.
	WVariantUnlabelled = "variant_unlabelled"
)

// Image returns the image at path, or nil.
func (ds *Dataset) Image(p string) *Image {
	for _, im := range ds.Images {
		if im.Path == p {
			return im
		}
	}
	return nil
}

func (ds *Dataset) warn(code, p, format string, args ...any) {
	ds.Warnings = append(ds.Warnings, Warning{Code: code, Path: p, Message: sprintf(format, args...)})
}
