package dataset

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/augment-ml/augment/internal/domain"
)

// The streaming parse of a COCO file: element by element, so a file of
// 100,000 images holds its records, never its text.

// recordError is a problem with one image or annotation record, at the
// byte offset where the record starts.
type recordError struct {
	off int64
	err error
}

func (e *recordError) Error() string { return e.err.Error() }

func (c *cocoLayout) decode(f *COCOFile, dec *json.Decoder) ([]cocoImage, map[int64][]cocoAnn, error) {
	if err := expectDelim(dec, '{'); err != nil {
		return nil, nil, err
	}
	var imgs []cocoImage
	anns := map[int64][]cocoAnn{}
	cats := map[int64]COCOCategory{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		key, _ := t.(string)
		switch key {
		case "images", "annotations":
			f.Top = append(f.Top, COCOKey{Key: key})
			if err := expectDelim(dec, '['); err != nil {
				return nil, nil, fmt.Errorf("%s must be a list", key)
			}
			for n := 0; dec.More(); n++ {
				off := dec.InputOffset()
				var raw map[string]json.RawMessage
				if err := dec.Decode(&raw); err != nil {
					return nil, nil, err
				}
				if key == "images" {
					im, err := cocoImageOf(raw, n)
					if err != nil {
						return nil, nil, &recordError{off, err}
					}
					imgs = append(imgs, im)
					f.MaxImageID = max(f.MaxImageID, im.id)
				} else {
					a, err := cocoAnnOf(raw, n)
					if err != nil {
						return nil, nil, &recordError{off, err}
					}
					a.off = off
					anns[a.imageID] = append(anns[a.imageID], a)
					id, _ := strconv.ParseInt(a.obj.ID, 10, 64)
					f.MaxAnnotationID = max(f.MaxAnnotationID, id)
				}
			}
			if _, err := dec.Token(); err != nil {
				return nil, nil, err
			}
		default:
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return nil, nil, err
			}
			f.Top = append(f.Top, COCOKey{Key: key, Value: raw})
			if key == "categories" {
				if err := json.Unmarshal(raw, &f.Categories); err != nil {
					return nil, nil, labelError(f.Path, 0, "categories must be a list of {id, name}: %v", err)
				}
				for i := range f.Categories {
					f.Categories[i].Raw = nil
				}
				var raws []json.RawMessage
				_ = json.Unmarshal(raw, &raws)
				for i := range f.Categories {
					f.Categories[i].Raw = raws[i]
					cats[f.Categories[i].ID] = f.Categories[i]
				}
			}
		}
	}
	// Categories may come after the annotations: names are filled in here.
	for id, list := range anns {
		for i := range list {
			cat, ok := cats[list[i].extra.CategoryID]
			if !ok {
				return nil, nil, &recordError{list[i].off, fmt.Errorf("annotation %s names the category %d, which categories lacks", list[i].obj.ID, list[i].extra.CategoryID)}
			}
			list[i].obj.Class = cat.Name
		}
		anns[id] = list
	}
	return imgs, anns, nil
}

// MarshalJSON writes the category as it was read, every key kept.
func (cat COCOCategory) MarshalJSON() ([]byte, error) {
	if cat.Raw != nil {
		return cat.Raw, nil
	}
	m := map[string]any{"id": cat.ID, "name": cat.Name, "supercategory": ""}
	if len(cat.Keypoints) > 0 {
		m["keypoints"] = cat.Keypoints
	}
	return json.Marshal(m)
}

// UnmarshalJSON reads a category's id, name and keypoints, and keeps it
// whole.
func (cat *COCOCategory) UnmarshalJSON(b []byte) error {
	var v struct {
		ID        *int64   `json:"id"`
		Name      string   `json:"name"`
		Keypoints []string `json:"keypoints"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	if v.ID == nil {
		return fmt.Errorf("a category has no id")
	}
	cat.ID, cat.Name, cat.Keypoints = *v.ID, v.Name, v.Keypoints
	cat.Raw = append(json.RawMessage(nil), b...)
	return nil
}

func expectDelim(dec *json.Decoder, d json.Delim) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	if t != d {
		return fmt.Errorf("expected %q, found %v", d, t)
	}
	return nil
}

func cocoImageOf(raw map[string]json.RawMessage, n int) (cocoImage, error) {
	var im cocoImage
	if err := need(raw, "id", &im.id); err != nil {
		return im, fmt.Errorf("images[%d]: %v", n, err)
	}
	if err := need(raw, "file_name", &im.fileName); err != nil {
		return im, fmt.Errorf("images[%d]: %v", n, err)
	}
	_ = json.Unmarshal(raw["width"], &im.w)
	_ = json.Unmarshal(raw["height"], &im.h)
	for _, k := range []string{"id", "file_name", "width", "height"} {
		delete(raw, k)
	}
	if len(raw) > 0 {
		im.extra, _ = json.Marshal(raw)
	}
	return im, nil
}

func need(raw map[string]json.RawMessage, key string, v any) error {
	b, ok := raw[key]
	if !ok {
		return fmt.Errorf("%s is missing", key)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s is %s, which is not a %T", key, b, v)
	}
	return nil
}

// cocoAnnOf reads an annotation into an object; the keys it does not know
// are kept.
func cocoAnnOf(raw map[string]json.RawMessage, n int) (cocoAnn, error) {
	var a cocoAnn
	var id int64
	ex := &ObjectExtra{}
	where := func(err error) error { return fmt.Errorf("annotations[%d] (id %d): %v", n, id, err) }
	if err := need(raw, "id", &id); err != nil {
		return a, where(err)
	}
	if err := need(raw, "image_id", &a.imageID); err != nil {
		return a, where(err)
	}
	if err := need(raw, "category_id", &ex.CategoryID); err != nil {
		return a, where(err)
	}
	o := domain.Object{ID: strconv.FormatInt(id, 10)}
	if b, ok := raw["bbox"]; ok && !isNull(b) {
		var box []float64
		if err := json.Unmarshal(b, &box); err != nil || (len(box) != 4 && len(box) != 0) {
			return a, where(fmt.Errorf("bbox must be [x, y, w, h], not %s", b))
		}
		if len(box) == 4 {
			o.BBox = &domain.Box{box[0], box[1], box[2], box[3]}
		}
	}
	if b, ok := raw["segmentation"]; ok && !isNull(b) {
		if err := readSegmentation(b, &o, ex); err != nil {
			return a, where(err)
		}
	}
	if b, ok := raw["keypoints"]; ok && !isNull(b) {
		var k []float64
		if err := json.Unmarshal(b, &k); err != nil || len(k)%3 != 0 {
			return a, where(fmt.Errorf("keypoints must be a flat list of x, y, v triples"))
		}
		for i := 0; i < len(k); i += 3 {
			o.Keypoints = append(o.Keypoints, domain.Keypoint{k[i], k[i+1], k[i+2]})
		}
	}
	if b, ok := raw["attributes"]; ok {
		o.Attributes = b
	}
	// area, num_keypoints and iscrowd are recomputed on writing; the rest is kept.
	for _, k := range []string{"id", "image_id", "category_id", "bbox", "segmentation", "keypoints", "attributes", "area", "num_keypoints", "iscrowd"} {
		delete(raw, k)
	}
	if len(raw) > 0 {
		ex.COCO = raw
	}
	a.obj, a.extra = o, ex
	return a, nil
}

func isNull(b json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(b), []byte("null")) }

// readSegmentation reads polygons ([[x, y, …], …]) or an RLE ({counts, size}).
func readSegmentation(b json.RawMessage, o *domain.Object, ex *ObjectExtra) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		var flat [][]float64
		if err := json.Unmarshal(b, &flat); err != nil {
			return fmt.Errorf("segmentation must be a list of polygons [x1, y1, x2, y2, …] or an RLE")
		}
		for _, f := range flat {
			if len(f)%2 != 0 || len(f) < 6 {
				return fmt.Errorf("a segmentation polygon needs 3 or more x, y pairs; one has %d numbers", len(f))
			}
			ring := make(domain.Ring, len(f)/2)
			for i := range ring {
				ring[i] = domain.Point{f[2*i], f[2*i+1]}
			}
			o.Polygon = append(o.Polygon, ring)
		}
		return nil
	}
	var r struct {
		Counts json.RawMessage `json:"counts"`
		Size   [2]int          `json:"size"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return fmt.Errorf("segmentation must be a list of polygons or an RLE {counts, size}")
	}
	rle := domain.RLE{Size: r.Size}
	var s string
	if err := json.Unmarshal(r.Counts, &s); err == nil {
		counts, err := decodeRLEString(s)
		if err != nil {
			return err
		}
		rle.Counts, ex.COCOCompressed = counts, true
	} else if err := json.Unmarshal(r.Counts, &rle.Counts); err != nil {
		return fmt.Errorf("RLE counts must be a list of numbers or a compressed string")
	}
	if err := checkRLE(rle); err != nil {
		return err
	}
	o.Mask = &rle
	return nil
}

// lineCounter counts the lines of what a JSON decoder reads, keeping the
// last megabyte so that an error's byte offset can be turned into a line.
type lineCounter struct {
	r      io.Reader
	lines  int   // newlines before window
	start  int64 // offset of window[0]
	window []byte
}

func (l *lineCounter) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.window = append(l.window, p[:n]...)
	if len(l.window) > 2<<20 {
		drop := len(l.window) - 1<<20
		l.lines += bytes.Count(l.window[:drop], []byte{'\n'})
		l.start += int64(drop)
		l.window = append(l.window[:0], l.window[drop:]...)
	}
	return n, err
}

// line is the 1-based line of a byte offset, or 0 when it is out of the window.
func (l *lineCounter) line(off int64) int {
	i := off - l.start
	if i < 0 || i > int64(len(l.window)) {
		return 0
	}
	return l.lines + bytes.Count(l.window[:i], []byte{'\n'}) + 1
}

// recordLine is the line where a record that starts at off begins: past
// the comma and spaces before it.
func (l *lineCounter) recordLine(off int64) int {
	i := off - l.start
	for i >= 0 && i < int64(len(l.window)) && strings.ContainsRune(", \t\r\n", rune(l.window[i])) {
		i++
	}
	return l.line(i + l.start)
}
