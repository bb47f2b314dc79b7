package dataset

import (
	"path"
	"sort"
	"strings"

	"github.com/augment-ml/augment/internal/domain"
)

// Format is a dataset layout.
type Format string

// The formats a dataset is read in and written out.
const (
	COCO        Format = "coco"        // a COCO JSON beside the images it names
	YOLO        Format = "yolo"        // data.yaml with images/ and labels/ per split
	VOC         Format = "voc"         // Annotations/*.xml beside JPEGImages/
	Masks       Format = "masks"       // images/ beside masks/, same stems
	ImageFolder Format = "imagefolder" // [split/]class/image
	Images      Format = "images"      // anything else: images without labels
)

// Formats lists every format, in the order detection tries them.
var Formats = []Format{YOLO, COCO, VOC, Masks, ImageFolder, Images}

// ParseFormat reads a format name; "" means detect.
func ParseFormat(s string) (Format, error) {
	if s == "" {
		return "", nil
	}
	for _, f := range Formats {
		if string(f) == strings.ToLower(s) {
			return f, nil
		}
	}
	return "", domain.Errorf(domain.EInvalidSpec, "format must be one of coco, yolo, voc, masks, imagefolder or images, not %q.", s)
}

// Detect names the layout of a dataset from its file paths (relative to
// its root).
func Detect(paths []string) Format {
	has := func(match func(p string, segs []string) bool) bool {
		for _, p := range paths {
			if match(p, strings.Split(p, "/")) {
				return true
			}
		}
		return false
	}
	switch {
	case has(func(p string, s []string) bool { return isDataYAML(p) }),
		has(func(p string, s []string) bool { return isYOLOLabel(p) }):
		return YOLO
	case has(func(p string, s []string) bool { return isCOCOFile(p) }):
		return COCO
	case has(func(p string, s []string) bool { return isVOCAnnotation(p) }):
		return VOC
	case has(func(p string, s []string) bool { return maskImageDir(p) == "images" }) && has(func(p string, s []string) bool { return maskImageDir(p) == "masks" }):
		return Masks
	case isImageFolder(paths):
		return ImageFolder
	}
	return Images
}

// root is the folder every path sits in when an archive wraps the dataset
// in one folder (zipping "my-dataset/" itself), else "".
func root(paths []string) string {
	prefix := ""
	for {
		first := ""
		for _, p := range paths {
			if !strings.HasPrefix(p, prefix) {
				return prefix
			}
			rest := p[len(prefix):]
			i := strings.IndexByte(rest, '/')
			if i < 0 {
				return strings.TrimSuffix(prefix, "/")
			}
			if first == "" {
				first = rest[:i]
			} else if rest[:i] != first {
				return strings.TrimSuffix(prefix, "/")
			}
		}
		if first == "" || meaningful(first) && !wraps(paths, prefix+first+"/") {
			return strings.TrimSuffix(prefix, "/")
		}
		prefix += first + "/"
	}
}

// wraps says whether the folder dir (ending in /) holds a dataset's own
// top: an images, JPEGImages or Annotations folder, or a data.yaml, names
// file or dataset_meta.json. A dataset zipped from a folder that happens
// to be named labels or images is then still found inside it.
func wraps(paths []string, dir string) bool {
	for _, p := range paths {
		rest, ok := strings.CutPrefix(p, dir)
		if !ok {
			continue
		}
		top, _, nested := strings.Cut(rest, "/")
		switch {
		case nested && (strings.EqualFold(top, "images") || strings.EqualFold(top, "JPEGImages") || strings.EqualFold(top, "Annotations")):
			return true
		case !nested && (isDataYAML(top) || isNamesFile(top) || strings.EqualFold(top, "dataset_meta.json")):
			return true
		}
	}
	return false
}

// meaningful folder names belong to a layout and are never a wrapper.
func meaningful(dir string) bool {
	switch strings.ToLower(dir) {
	case "images", "labels", "annotations", "jpegimages", "masks", "imagesets", "segmentationclass":
		return true
	}
	return splitName(dir) != ""
}

// splitName is the split a folder name stands for, or "".
func splitName(dir string) string {
	switch strings.ToLower(dir) {
	case "train", "training":
		return dir
	case "val", "valid", "validation", "test", "testing":
		return dir
	}
	return ""
}

// splitOf is the split of a path: the last folder named like a split.
func splitOf(p string) string {
	segs := strings.Split(path.Dir(p), "/")
	for i := len(segs) - 1; i >= 0; i-- {
		if s := splitName(segs[i]); s != "" {
			return s
		}
	}
	return ""
}

// splitRank orders splits: train, then validation, then test, then others.
func splitRank(s string) int {
	switch strings.ToLower(s) {
	case "train", "training":
		return 0
	case "val", "valid", "validation":
		return 1
	case "test", "testing":
		return 2
	}
	return 3
}

func sortSplits(splits []string) {
	sort.SliceStable(splits, func(i, j int) bool {
		if ri, rj := splitRank(splits[i]), splitRank(splits[j]); ri != rj {
			return ri < rj
		}
		return splits[i] < splits[j]
	})
}

// imageExts are the extensions of the images the service decodes.
var imageExts = map[string]bool{
	".jpg": true, ".jpeg": true, ".png": true, ".webp": true, ".gif": true,
	".tif": true, ".tiff": true, ".heic": true, ".heif": true, ".avif": true, ".bmp": true,
}

func isImagePath(p string) bool { return imageExts[strings.ToLower(path.Ext(p))] }

// stem is a path without its extension.
func stem(p string) string { return strings.TrimSuffix(p, path.Ext(p)) }

func isImageFolder(paths []string) bool {
	classes := map[string]bool{}
	n := 0
	for _, p := range paths {
		if !isImagePath(p) {
			continue
		}
		segs := strings.Split(p, "/")
		switch {
		case len(segs) == 2 && splitName(segs[0]) == "":
			classes[segs[0]] = true
		case len(segs) == 3 && splitName(segs[0]) != "":
			classes[segs[1]] = true
		default:
			return false
		}
		n++
	}
	return n > 0 && len(classes) >= 2
}
