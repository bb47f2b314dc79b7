package dataset

import (
	"path"
	"sort"
	"strings"

	"github.com/augment-ml/augment/internal/domain"
)

// Formats with a file per image (YOLO's .txt, VOC's .xml, a mask) find it
// by the image's name without its extension: a.jpg and a.png in one
// folder would share it, and the format's own tools (Ultralytics'
// img2label_paths, the VOC devkit's ImageSets ids) give its labels to
// both. CVAT, RectLabel and others have written such datasets and lost
// labels silently (cvat#7523, Rectlabel-support#84).
//
// Reading: such a pair is refused, naming both images and the file they
// share; which image the labels were drawn on cannot be known. Writing: an
// image whose file would clash (an export from COCO, whose file_name says
// which image, or variants that meet in one output format) is named
// <stem>_<ext>.<ext>, as Roboflow's exports and classifai do, so that the
// format's tools still pair it with a file of its own.

// sharedLabelFile is the file of the format that the image at p is paired
// with by its name, "" when the format pairs by no name.
func sharedLabelFile(f Format, p string) (string, string) {
	switch f {
	case YOLO:
		return yoloLabelFor(p), "label file"
	case VOC:
		return vocAnnotationPath(p), "annotation"
	case Masks:
		if maskImageDir(p) == "images" {
			return maskPartner(p) + ".png", "mask"
		}
	}
	return "", ""
}

// checkStems refuses two images that the format would pair with one file.
func checkStems(f Format, images map[string]*Image) error {
	byFile := map[string][]string{}
	for p := range images {
		if file, _ := sharedLabelFile(f, p); file != "" {
			byFile[file] = append(byFile[file], p)
		}
	}
	var clashes []string
	for file, ps := range byFile {
		if len(ps) > 1 {
			clashes = append(clashes, file)
		}
	}
	if len(clashes) == 0 {
		return nil
	}
	sort.Strings(clashes)
	file := clashes[0]
	ps := byFile[file]
	sort.Strings(ps)
	_, what := sharedLabelFile(f, ps[0])
	more := ""
	if len(clashes) > 1 {
		more = sprintf(" (and %d more such names)", len(clashes)-1)
	}
	return domain.Errorf(domain.EInvalidSpec,
		"%s differ only in their extension, so they share one %s, %s: %s tools pair it with every image of that name, "+
			"and which one its labels were drawn on cannot be told%s. Rename one of them (and its %s).",
		strings.Join(ps, " and "), what, file, f, more, what)
}

// stemKey is what must be unique among the images a writer places: the
// path without its extension for formats that pair files by name, else
// the path.
func (w *Writer) stemKey(p string) string {
	if f, _ := sharedLabelFile(w.format, p); f != "" {
		return f
	}
	if pairsByName(w.format) {
		return stem(p)
	}
	return p
}

func pairsByName(f Format) bool { return f == YOLO || f == VOC || f == Masks }

// unique keeps two images from landing on one path, or on one label file:
// a/x.jpg and b/x.jpg gathered into one folder become x.jpg and x-2.jpg;
// x.jpg and x.png in a format that pairs by name become x.jpg and
// x_png.png.
func (w *Writer) unique(p string) string {
	q := p
	if ext := path.Ext(p); w.used[w.stemKey(q)] && pairsByName(w.format) && ext != "" {
		q = stem(p) + "_" + strings.ToLower(ext[1:]) + ext
	}
	for i := 2; w.used[w.stemKey(q)]; i++ {
		q = sprintf("%s-%d%s", stem(p), i, path.Ext(p))
	}
	w.used[w.stemKey(q)] = true
	return q
}
