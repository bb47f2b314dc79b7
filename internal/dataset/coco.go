package dataset

import (
	"encoding/json"
	"errors"
	"io"
	"path"
	"sort"
	"strings"

	"github.com/augment-ml/augment/internal/domain"
)

// COCOFile is one COCO annotation file and what it holds beyond images and
// annotations, kept for writing it back.
type COCOFile struct {
	Path       string
	Split      string
	Top        []COCOKey // top-level keys in file order, images and annotations as null placeholders
	Categories []COCOCategory
	// Images is how many of its image records name an image the dataset
	// has; MaxImageID and
	// MaxAnnotationID are its largest ids, past which fresh ones start.
	Images          int
	MaxImageID      int64
	MaxAnnotationID int64
}

// COCOKey is a top-level key of a COCO file and its value as read.
type COCOKey struct {
	Key   string
	Value json.RawMessage
}

// COCOCategory is a category as read: its id, name, keypoint names, and
// every key (supercategory, skeleton, …) raw.
type COCOCategory struct {
	ID        int64
	Name      string
	Keypoints []string
	Raw       json.RawMessage
}

// COCOImage is an image's COCO record beyond its size.
type COCOImage struct {
	File     int             // index in Dataset.COCO
	ID       int64           // kept
	FileName string          // as written in the file
	Extra    json.RawMessage // the other keys (license, coco_url, …), an object
}

func isCOCOFile(p string) bool {
	base := strings.ToLower(path.Base(p))
	if path.Ext(base) != ".json" || base == "dataset_meta.json" {
		return false
	}
	return base == "annotations.json" || strings.HasSuffix(base, ".coco.json") ||
		strings.EqualFold(path.Base(path.Dir(p)), "annotations") ||
		strings.HasPrefix(base, "instances_") || strings.HasPrefix(base, "person_keypoints_")
}

// cocoSplit is the split of an annotation file: instances_train.json is
// train, train/_annotations.coco.json is train, annotations.json is none.
func cocoSplit(p string) string {
	name := stem(path.Base(p))
	if i := strings.LastIndexByte(name, '_'); i > 0 && i < len(name)-1 {
		return name[i+1:] // instances_train2017 is train2017, as the folder of its images
	}
	if d := path.Base(path.Dir(p)); d != "." && !strings.EqualFold(d, "annotations") {
		return d
	}
	return ""
}

type cocoAnn struct {
	imageID int64
	obj     domain.Object
	extra   *ObjectExtra
	off     int64 // where its record starts in the file
}

type cocoLayout struct {
	files []*COCOFile
	imgs  [][]cocoImage // per file
	anns  []map[int64][]cocoAnn
	names map[string]bool
}

type cocoImage struct {
	id       int64
	fileName string
	w, h     int
	extra    json.RawMessage
}

func newCOCO(names []string) *cocoLayout {
	c := &cocoLayout{names: map[string]bool{}}
	for _, p := range names {
		c.names[p] = true
	}
	return c
}

func (c *cocoLayout) claims(p string) bool { return isCOCOFile(p) }

// parse streams one file: images and annotations element by element, the
// other keys kept raw.
func (c *cocoLayout) parse(p string, r io.Reader) error {
	lc := &lineCounter{r: r}
	f := &COCOFile{Path: p, Split: cocoSplit(p)}
	imgs, anns, err := c.decode(f, json.NewDecoder(lc))
	if err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return labelError(p, lc.line(se.Offset), "not valid JSON: %v", se)
		case errors.As(err, &te):
			return labelError(p, lc.line(te.Offset), "%s must be %s, not a JSON %s", te.Field, te.Type, te.Value)
		case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
			return labelError(p, 0, "the JSON ends too early")
		}
		var re *recordError
		if errors.As(err, &re) {
			return labelError(p, lc.recordLine(re.off), "%v", re.err)
		}
		var de *domain.Error
		if errors.As(err, &de) {
			return err
		}
		return labelError(p, 0, "%v", err)
	}
	c.files, c.imgs, c.anns = append(c.files, f), append(c.imgs, imgs), append(c.anns, anns)
	return nil
}

// assemble finds each record's image, and the images no file names.
func (c *cocoLayout) assemble(ds *Dataset, images map[string]*Image) error {
	ds.COCO = c.files
	classes := map[string]bool{}
	byBase := map[string][]*Image{}
	named := map[*Image]cocoImage{} // the record that named each image
	for _, im := range images {
		byBase[path.Base(im.Path)] = append(byBase[path.Base(im.Path)], im)
	}
	for fi, f := range c.files {
		for _, cat := range f.Categories {
			if !classes[cat.Name] {
				classes[cat.Name] = true
				ds.Classes = append(ds.Classes, cat.Name)
			}
			if len(cat.Keypoints) > 0 && ds.KeypointNames == nil {
				ds.KeypointNames = cat.Keypoints
			}
		}
		for _, rec := range c.imgs[fi] {
			im := c.find(f, rec.fileName, images, byBase)
			if im == nil {
				ds.warn(WMissingImage, f.Path, "%s names the image %s (id %d), which the dataset lacks", f.Path, rec.fileName, rec.id)
				continue
			}
			if first, ok := named[im]; ok {
				return twiceNamed(im.Path, c.files[im.COCO.File].Path, first.id, f.Path, rec.id)
			}
			named[im] = rec
			f.Images++
			im.Labelled, im.Split = true, f.Split
			im.DeclaredWidth, im.DeclaredHeight = rec.w, rec.h
			im.COCO = &COCOImage{File: fi, ID: rec.id, FileName: rec.fileName, Extra: rec.extra}
			im.Extras = map[string]*ObjectExtra{}
			for _, a := range c.anns[fi][rec.id] {
				im.Objects = append(im.Objects, a.obj)
				im.Extras[a.obj.ID] = a.extra
			}
			delete(c.anns[fi], rec.id)
		}
		for id, left := range c.anns[fi] {
			ds.warn(WMissingImage, f.Path, "%s has %d annotations of the image id %d, which its images lack", f.Path, len(left), id)
		}
	}
	var unnamed []string
	for p, im := range images {
		if !im.Labelled {
			unnamed = append(unnamed, p)
		}
	}
	sort.Strings(unnamed)
	for _, p := range unnamed {
		ds.warn(WMissingLabels, p, "no COCO file names %s; it is kept without labels", p)
	}
	return nil
}

// twiceNamed is the error for an image that two image records name. Its
// objects and its split would be two files' worth: in two splits its
// variants would leak from one into the other (DATASETS.md), and either
// file would lose the objects the other gave it.
func twiceNamed(img, file1 string, id1 int64, file2 string, id2 int64) error {
	if file1 == file2 {
		return domain.Errorf(domain.EInvalidSpec, "%s names the image %s twice (image ids %d and %d): give it one record, with every annotation of the image under its id.",
			file1, img, id1, id2)
	}
	return domain.Errorf(domain.EInvalidSpec, "%s is named by %s (image id %d) and by %s (image id %d), and an image belongs to one annotation file here: "+
		"in two splits its variants would leak from one into the other, and two files of one split (instances_ and person_keypoints_) "+
		"would each need its variants. Keep it in one file (merge the files of a split into one).", img, file1, id1, file2, id2)
}

// find resolves a file_name the ways COCO exports lay images out: beside the
// file (Roboflow), in images/<split>/ or images/ beside an annotations
// folder, or by a unique base name.
func (c *cocoLayout) find(f *COCOFile, name string, images map[string]*Image, byBase map[string][]*Image) *Image {
	dir := path.Dir(f.Path)
	parent := dir
	if strings.EqualFold(path.Base(dir), "annotations") {
		parent = path.Dir(dir)
	}
	for _, cand := range []string{
		path.Join(dir, name), path.Join(parent, "images", f.Split, name), path.Join(parent, "images", name),
		path.Join(parent, f.Split, name), path.Join(parent, name),
	} {
		if im := images[strings.TrimPrefix(cand, "./")]; im != nil {
			return im
		}
	}
	if list := byBase[path.Base(name)]; len(list) == 1 {
		return list[0]
	}
	return nil
}
