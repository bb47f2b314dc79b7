package dataset

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"math"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/augment-ml/augment/internal/domain"
)

// cocoWriter gathers each output file's images and annotations and writes
// them on close, with the other keys of the file it came from.
type cocoWriter struct {
	w     *Writer
	files map[string]*cocoOut
	order []string
}

type cocoOut struct {
	path       string
	src        *COCOFile // nil for a file made by a conversion
	images     records   // the images' records, spooled until the file is written
	anns       records
	imageIDs   map[int64]bool
	annIDs     map[int64]bool
	nextImage  int64
	nextAnn    int64
	categories []COCOCategory // src's, then any class it lacked
	catIDs     map[string]int64
	// own counts the sources of src added as they were; changed says that
	// something else was added (a variant, another file's image).
	own     int
	changed bool
}

func newCOCOWriter(w *Writer) *cocoWriter { return &cocoWriter{w: w, files: map[string]*cocoOut{}} }

// file is the output file an image goes in: the file its source came from,
// else the one of its split.
func (c *cocoWriter) file(im *Image) *cocoOut {
	var src *COCOFile
	p := path.Join("annotations", "instances_"+im.Split+".json")
	if im.Split == "" {
		p = "annotations/instances.json"
	}
	if c.w.same {
		if im.COCO != nil {
			src = c.w.ds.COCO[im.COCO.File]
		} else {
			for _, f := range c.w.ds.COCO {
				if f.Split == im.Split {
					src = f
					break
				}
			}
		}
		if src != nil {
			p = src.Path
		}
	}
	if f := c.files[p]; f != nil {
		return f
	}
	f := &cocoOut{path: p, src: src, imageIDs: map[int64]bool{}, annIDs: map[int64]bool{}, catIDs: map[string]int64{}}
	// Fresh ids start past every id the source file holds, so a source
	// added after a variant still keeps its own.
	if src != nil {
		f.nextImage, f.nextAnn = src.MaxImageID, src.MaxAnnotationID
	}
	if src != nil {
		f.categories = append(f.categories, src.Categories...)
	} else {
		for i, name := range c.w.ds.Classes {
			cat := COCOCategory{ID: int64(i + 1), Name: name}
			if len(c.w.ds.KeypointNames) > 0 {
				cat.Keypoints = c.w.ds.KeypointNames
			}
			f.categories = append(f.categories, cat)
		}
	}
	for _, cat := range f.categories {
		if _, ok := f.catIDs[cat.Name]; !ok {
			f.catIDs[cat.Name] = cat.ID
		}
	}
	c.files[p] = f
	c.order = append(c.order, p)
	return f
}

func (f *cocoOut) id(keep int64, ok bool, used map[int64]bool, next *int64) int64 {
	if ok && !used[keep] {
		used[keep] = true
		return keep
	}
	for {
		*next++
		if !used[*next] {
			used[*next] = true
			return *next
		}
	}
}

func (c *cocoWriter) add(im *Image, out string) error {
	f := c.file(im)
	var rec *COCOImage
	if im.COCO != nil {
		rec = im.COCO
	}
	if im.Of == "" && rec != nil && f.src != nil && c.w.ds.COCO[rec.File] == f.src {
		f.own++
	} else {
		f.changed = true
	}
	imageID := f.id(idOf(rec), rec != nil && im.Of == "", f.imageIDs, &f.nextImage)
	fileName := path.Base(out)
	if c.w.same && rec != nil {
		// file_name is written relative to the folder the source's was.
		src := im.Path
		if im.Of != "" {
			src = im.Of
		}
		base := path.Dir(src) + "/"
		if strings.HasSuffix(src, rec.FileName) {
			base = strings.TrimSuffix(src, rec.FileName)
		}
		fileName = strings.TrimPrefix(out, base)
	}
	m := map[string]any{"id": imageID, "file_name": fileName, "width": im.Width, "height": im.Height}
	if rec != nil && len(rec.Extra) > 0 {
		var extra map[string]json.RawMessage
		if json.Unmarshal(rec.Extra, &extra) == nil {
			for k, v := range extra {
				m[k] = v
			}
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if err := f.images.add(b); err != nil {
		return err
	}
	W, H := float64(im.Width), float64(im.Height)
	for _, o := range im.Objects {
		ex := im.Extras[o.ID]
		a, err := c.annotation(f, o, ex, imageID, W, H, im.Of == "")
		if err != nil {
			return err
		}
		if err := f.anns.add(a); err != nil {
			return err
		}
	}
	return nil
}

func idOf(rec *COCOImage) int64 {
	if rec == nil {
		return 0
	}
	return rec.ID
}

// annotation writes an object with its bbox and area recomputed from its
// outline, its id kept when it is free, and the keys COCO gave it kept.
func (c *cocoWriter) annotation(f *cocoOut, o domain.Object, ex *ObjectExtra, imageID int64, W, H float64, source bool) (json.RawMessage, error) {
	m := map[string]any{}
	if ex != nil {
		for k, v := range ex.COCO {
			m[k] = v
		}
	}
	id, err := strconv.ParseInt(o.ID, 10, 64)
	m["id"] = f.id(id, err == nil && source, f.annIDs, &f.nextAnn)
	m["image_id"] = imageID
	catID, ok := f.catIDs[o.Class]
	if ex != nil && ex.CategoryID != 0 && f.src != nil {
		if cat, found := f.category(ex.CategoryID); found && cat.Name == o.Class {
			catID, ok = ex.CategoryID, true
		}
	}
	if !ok {
		catID = int64(len(f.categories) + 1)
		for _, cat := range f.categories {
			catID = max(catID, cat.ID+1)
		}
		f.categories = append(f.categories, COCOCategory{ID: catID, Name: o.Class})
		f.catIDs[o.Class] = catID
	}
	m["category_id"] = catID
	box, _ := boxOf(o)
	if W > 0 && H > 0 {
		box = clipBox(box, W, H)
	}
	m["bbox"] = []float64{box[0], box[1], box[2], box[3]}
	m["area"] = areaOf(o)
	m["iscrowd"] = 0
	seg := []any{}
	for _, r := range o.Polygon {
		flat := make([]float64, 0, 2*len(r))
		for _, p := range r {
			flat = append(flat, p[0], p[1])
		}
		seg = append(seg, flat)
	}
	m["segmentation"] = seg
	if o.Mask != nil {
		m["iscrowd"] = 1
		var counts any = o.Mask.Counts
		if ex != nil && ex.COCOCompressed {
			counts = encodeRLEString(o.Mask.Counts)
		}
		m["segmentation"] = map[string]any{"size": o.Mask.Size, "counts": counts}
	}
	if len(o.Keypoints) > 0 {
		flat, n := make([]float64, 0, 3*len(o.Keypoints)), 0
		for _, k := range o.Keypoints {
			flat = append(flat, k[0], k[1], k[2])
			if k[2] > 0 {
				n++
			}
		}
		m["keypoints"], m["num_keypoints"] = flat, n
	}
	if len(o.Attributes) > 0 {
		m["attributes"] = o.Attributes
	}
	for k, v := range m {
		if fv, ok := v.(float64); ok && (math.IsNaN(fv) || math.IsInf(fv, 0)) {
			m[k] = 0
		}
	}
	return json.Marshal(m)
}

func (f *cocoOut) category(id int64) (COCOCategory, bool) {
	for _, cat := range f.categories {
		if cat.ID == id {
			return cat, true
		}
	}
	return COCOCategory{}, false
}

func (c *cocoWriter) close(copyFile func(p string, w io.Writer) error) error {
	for _, p := range c.order {
		f := c.files[p]
		defer f.images.remove()
		defer f.anns.remove()
		if copyFile != nil && f.src != nil && !f.changed && f.own == f.src.Images {
			w, err := c.w.out.Create(f.path)
			if err == nil {
				err = copyFile(f.src.Path, w)
			}
			if err != nil {
				return err
			}
			continue
		}
		if err := f.write(c.w.out); err != nil {
			return err
		}
	}
	return nil
}

// write puts the keys in the source file's order, with images, annotations
// and categories written anew and every other key as it was.
func (f *cocoOut) write(out Output) error {
	w, err := out.Create(f.path)
	if err != nil {
		return err
	}
	// NOTE: a bufio.Writer keeps its first error and Flush returns it, so
	// the writes in between need no checks of their own.
	bw := bufio.NewWriter(w)
	put := func(parts ...string) {
		for _, p := range parts {
			_, _ = bw.WriteString(p)
		}
	}
	keys := []COCOKey{{Key: "info", Value: json.RawMessage(`{"description": "written by augment"}`)}, {Key: "categories"}, {Key: "images"}, {Key: "annotations"}}
	if f.src != nil {
		keys = f.src.Top
		for _, k := range []string{"categories", "images", "annotations"} {
			if !hasKey(keys, k) {
				keys = append(keys, COCOKey{Key: k})
			}
		}
	}
	put("{")
	for i, k := range keys {
		if i > 0 {
			put(",")
		}
		name, _ := json.Marshal(k.Key)
		put(string(name), ":")
		switch k.Key {
		case "images":
			err = f.images.writeList(bw)
		case "annotations":
			err = f.anns.writeList(bw)
		case "categories":
			cats := make([]json.RawMessage, len(f.categories))
			for i, cat := range f.categories {
				if cats[i], err = json.Marshal(cat); err != nil { // as read, or made anew
					return err
				}
			}
			writeList(bw, cats)
		default:
			put(string(k.Value))
		}
		if err != nil {
			return err
		}
	}
	put("}\n")
	return bw.Flush()
}

func hasKey(keys []COCOKey, k string) bool {
	for _, x := range keys {
		if x.Key == k {
			return true
		}
	}
	return false
}

// writeList writes items as a JSON list, one a line; errors stay in w.
func writeList(w *bufio.Writer, items []json.RawMessage) {
	_, _ = w.WriteString("[")
	for i, it := range items {
		if i > 0 {
			_, _ = w.WriteString(",\n")
		}
		_, _ = w.Write(it)
	}
	_, _ = w.WriteString("]")
}

// records are JSON records kept in a temporary file, one a line, until
// they are written as a list: a COCO file of a million annotations costs
// disk, not memory.
type records struct {
	f *os.File
	w *bufio.Writer
}

func (r *records) add(b []byte) error {
	if r.f == nil {
		f, err := os.CreateTemp("", "augment-coco-*")
		if err != nil {
			return err
		}
		r.f, r.w = f, bufio.NewWriter(f)
	}
	if bytes.IndexByte(b, '\n') >= 0 {
		var c bytes.Buffer
		if err := json.Compact(&c, b); err != nil {
			return err
		}
		b = c.Bytes()
	}
	_, _ = r.w.Write(b)
	return r.w.WriteByte('\n')
}

// writeList writes the records as a JSON list, one a line.
func (r *records) writeList(w *bufio.Writer) error {
	_, _ = w.WriteString("[")
	if r.f != nil {
		if err := r.w.Flush(); err != nil {
			return err
		}
		if _, err := r.f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		sc := bufio.NewScanner(r.f)
		sc.Buffer(make([]byte, 64<<10), 256<<20)
		for first := true; sc.Scan(); first = false {
			if !first {
				_, _ = w.WriteString(",\n")
			}
			_, _ = w.Write(sc.Bytes())
		}
		if err := sc.Err(); err != nil {
			return err
		}
	}
	_, err := w.WriteString("]")
	return err
}

func (r *records) remove() {
	if r.f != nil {
		r.f.Close()
		os.Remove(r.f.Name())
		r.f = nil
	}
}
