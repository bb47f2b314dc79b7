package dataset

import (
	"archive/zip"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/augment-ml/augment/internal/domain"
)

// Output is where a dataset is written: a folder, or a zip being streamed.
type Output interface {
	// Create starts the file at p (slash-separated, relative). For a zip the
	// writer is valid until the next Create.
	Create(p string) (io.Writer, error)
}

// DirOutput writes into a folder, making folders as needed.
type DirOutput string

// Create makes the file, refusing paths that climb out of the folder.
func (d DirOutput) Create(p string) (io.Writer, error) {
	if err := checkEntryName(p); err != nil {
		return nil, err
	}
	full := filepath.Join(string(d), filepath.FromSlash(p))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return nil, err
	}
	fh, err := os.Create(full) // empty, even when a file was there
	if err != nil {
		return nil, err
	}
	if err := fh.Close(); err != nil {
		return nil, err
	}
	return &closingFile{path: full}, nil
}

// closingFile opens on first write and closes after each: a Create leaves
// no open file behind, however many are made.
type closingFile struct{ path string }

func (f *closingFile) Write(p []byte) (int, error) {
	fh, err := os.OpenFile(f.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return 0, err
	}
	n, err := fh.Write(p)
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	return n, err
}

// ZipOutput writes into a zip.
type ZipOutput struct{ W *zip.Writer }

// Create starts a deflated entry.
func (z ZipOutput) Create(p string) (io.Writer, error) {
	return z.W.CreateHeader(&zip.FileHeader{Name: p, Method: zip.Deflate})
}

// Placed is where an image and its files go in the output.
type Placed struct {
	Image string // the image's bytes
	Mask  string // its semantic mask, "" when it has none
}

// Writer writes a dataset in one format, image by image: per-image label
// files (YOLO, VOC) as each image is added, per-split files (COCO JSON,
// data.yaml, ImageSets) on Close. It writes labels only: the caller writes
// each image's bytes (and mask) where Add says.
type Writer struct {
	// CopyFile, when set, copies a file of the source dataset as it was
	// read: a COCO file that gets back exactly the images it named, none
	// added, is copied rather than written anew, so a split passed through
	// keeps its annotators' areas, its key order and its spacing.
	CopyFile func(p string, w io.Writer) error

	format Format
	ds     *Dataset
	out    Output
	same   bool            // the output keeps the source's layout
	used   map[string]bool // output image paths taken
	splits map[string][]string
	coco   *cocoWriter
	yolo   *yoloWriter
	// segVariants are the variants with class masks of each VOC id, for
	// ImageSets/Segmentation; omitted are the ids of sources left out.
	segVariants map[string][]string
	omitted     map[string]bool
}

// NewWriter starts writing ds (or variants of its images) as format.
func NewWriter(out Output, ds *Dataset, format Format) (*Writer, error) {
	switch format {
	case COCO, YOLO, VOC, Masks, ImageFolder, Images:
	default:
		return nil, domain.Errorf(domain.EInvalidSpec, "a dataset cannot be written as %q.", format)
	}
	if format == ImageFolder && ds.Format != ImageFolder {
		return nil, domain.Errorf(domain.EInvalidSpec, "only an imagefolder dataset can be written as imagefolder: other formats give no class per image.")
	}
	if format == Masks && ds.Format != Masks {
		return nil, domain.Errorf(domain.EInvalidSpec, "only a masks dataset can be written as masks.")
	}
	w := &Writer{format: format, ds: ds, out: out, same: format == ds.Format, used: map[string]bool{}, splits: map[string][]string{},
		segVariants: map[string][]string{}, omitted: map[string]bool{}}
	switch format {
	case COCO:
		w.coco = newCOCOWriter(w)
	case YOLO:
		w.yolo = newYOLOWriter(w)
	}
	return w, nil
}

// Add places an image (a source of ds, or a variant with Of set) and writes
// its per-image labels.
func (w *Writer) Add(im *Image) (Placed, error) {
	pl := Placed{Image: w.unique(w.imagePath(im))}
	w.splits[im.Split] = append(w.splits[im.Split], pl.Image)
	if im.Mask != nil && (w.format == Masks || w.format == VOC && w.same) {
		pl.Mask = im.Mask.Path
		switch {
		case w.format == VOC && im.Of != "":
			pl.Mask = path.Join(path.Dir(im.Mask.Path), stem(path.Base(pl.Image))+".png")
		case im.Of != "" || !w.same:
			pl.Mask = maskPartner(pl.Image) + ".png"
		}
	}
	if w.format == VOC && im.Of != "" && pl.Mask != "" {
		id := stem(path.Base(im.Of))
		w.segVariants[id] = append(w.segVariants[id], stem(path.Base(pl.Image)))
	}
	switch w.format {
	case COCO:
		return pl, w.coco.add(im, pl.Image)
	case YOLO:
		return pl, w.yolo.add(im, pl.Image)
	case VOC:
		return pl, w.writeVOC(im, pl.Image)
	}
	return pl, nil
}

// Omit says that a source of ds is left out of the output (its job failed,
// or the originals are not copied): lists that name it leave it out too.
func (w *Writer) Omit(im *Image) { w.omitted[stem(path.Base(im.Path))] = true }

// Close writes the per-split files.
func (w *Writer) Close() error {
	switch w.format {
	case COCO:
		return w.coco.close(w.CopyFile)
	case YOLO:
		return w.yolo.close()
	case VOC:
		return w.writeVOCSplits()
	case Masks:
		if m := w.ds.Masks; m != nil && m.Meta != nil {
			return w.writeFile(m.MetaPath, m.Meta)
		}
	}
	return nil
}

// imagePath is where an image goes: its own path when the layout is kept,
// else the target format's folder for its split.
func (w *Writer) imagePath(im *Image) string {
	if w.same {
		return im.Path
	}
	base := path.Base(im.Path)
	switch w.format {
	case COCO, YOLO:
		return path.Join("images", im.Split, base)
	case VOC:
		return path.Join("JPEGImages", base)
	}
	return path.Join(im.Split, base)
}

// labelFile is what a per-image label file holds: the file as read, for a
// source written back in its own layout, else made by make.
func (w *Writer) labelFile(im *Image, make func() ([]byte, error)) ([]byte, error) {
	if w.same && im.Of == "" && im.LabelFile != nil {
		return im.LabelFile, nil
	}
	return make()
}

func (w *Writer) writeFile(p string, b []byte) error {
	f, err := w.out.Create(p)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	return err
}

// VariantPath is where variant index of the image at p goes: beside its
// source, <stem>_aug<NN>.<ext> with ext the variant's own (a PNG source
// stays PNG, a JPEG output is .jpg).
func VariantPath(p string, index int, ext string) string {
	if ext == "" {
		ext = strings.TrimPrefix(path.Ext(p), ".")
	}
	return fmt.Sprintf("%s_aug%02d.%s", stem(p), index, ext)
}

// CheckPath refuses a path that is absolute or climbs out of its folder,
// as archives are refused: for whatever unpacks files under a folder.
func CheckPath(p string) error { return checkEntryName(p) }
