package dataset

import (
	"encoding/xml"
	"math"
	"path"
	"sort"
	"strconv"
	"strings"
)

// vocOut is the annotation a VOC .xml holds, as written.
type vocOut struct {
	XMLName   xml.Name    `xml:"annotation"`
	Folder    string      `xml:"folder"`
	Filename  string      `xml:"filename"`
	Size      vocSize     `xml:"size"`
	Segmented string      `xml:"segmented,omitempty"`
	Objects   []vocObjOut `xml:"object"`
	Other     []xmlRaw
}

type vocObjOut struct {
	Name      string `xml:"name"`
	Pose      string `xml:"pose,omitempty"`
	Truncated string `xml:"truncated,omitempty"`
	Difficult string `xml:"difficult,omitempty"`
	Occluded  string `xml:"occluded,omitempty"`
	BndBox    vocBox `xml:"bndbox"`
	Other     []xmlRaw
}

// vocAnnotationPath is where an image's .xml goes: Annotations/ beside its
// JPEGImages/ folder, named by its stem.
func vocAnnotationPath(img string) string {
	dir := path.Dir(img)
	if strings.EqualFold(path.Base(dir), "JPEGImages") {
		dir = path.Dir(dir)
	}
	return path.Join(dir, "Annotations", stem(path.Base(img))+".xml")
}

// writeVOC writes an image's .xml, its size the image's own. Boxes are
// clipped to the image and written as 1-based pixel indexes, the inverse of
// reading: [x, y, w, h] is xmin x+1, xmax x+w. So xmin is never under 1.
func (w *Writer) writeVOC(im *Image, out string) error {
	a := vocOut{Folder: "JPEGImages", Filename: path.Base(out),
		Size: vocSize{Width: strconv.Itoa(im.Width), Height: strconv.Itoa(im.Height), Depth: "3"}}
	if v := im.VOC; v != nil && w.same {
		a.Folder, a.Segmented, a.Other = v.Folder, v.Segmented, v.Other
		if v.Depth != "" {
			a.Size.Depth = v.Depth
		}
	}
	W, H := float64(im.Width), float64(im.Height)
	for _, o := range im.Objects {
		box, ok := boxOf(o)
		if !ok {
			continue
		}
		box = clipBox(box, W, H)
		obj := vocObjOut{Name: o.Class, BndBox: vocBox{
			Xmin: vocCoord(box[0] + 1), Ymin: vocCoord(box[1] + 1),
			Xmax: vocCoord(box[0] + box[2]), Ymax: vocCoord(box[1] + box[3]),
		}}
		if ex := im.Extras[o.ID]; ex != nil && ex.VOC != nil {
			f := ex.VOC
			obj.Pose, obj.Truncated, obj.Difficult, obj.Occluded, obj.Other = f.Pose, f.Truncated, f.Difficult, f.Occluded, f.Other
		}
		a.Objects = append(a.Objects, obj)
	}
	b, err := w.labelFile(im, func() ([]byte, error) {
		b, err := xml.MarshalIndent(a, "", "  ")
		return append(append([]byte(xml.Header), b...), '\n'), err
	})
	if err != nil {
		return err
	}
	label := vocAnnotationPath(out)
	if w.same && im.Of == "" && im.LabelPath != "" {
		label = im.LabelPath
	}
	return w.writeFile(label, b)
}

// vocCoord writes whole pixels as integers (what the devkit reads) and
// keeps up to two decimals of a fractional edge (what CVAT writes).
func vocCoord(v float64) string {
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}

// writeVOCSplits writes ImageSets/Main/<split>.txt, the stems of each
// split, and the ImageSets/Segmentation lists the tree had: each id as
// read, followed by its variants (their class masks are beside its own),
// an id left out of the output left out of the list.
func (w *Writer) writeVOCSplits() error {
	if w.same {
		for _, l := range w.ds.VOCSegmentation {
			var b strings.Builder
			for _, id := range l.IDs {
				if !w.omitted[id] {
					b.WriteString(id + "\n")
				}
				for _, v := range w.segVariants[id] {
					b.WriteString(v + "\n")
				}
			}
			if err := w.writeFile(l.Path, []byte(b.String())); err != nil {
				return err
			}
		}
	}
	for _, split := range sortedSplits(w.splits) {
		if split == "" {
			continue
		}
		var stems []string
		for _, p := range w.splits[split] {
			stems = append(stems, stem(path.Base(p)))
		}
		sort.Strings(stems)
		dir := path.Dir(path.Dir(vocAnnotationPath(w.splits[split][0])))
		if err := w.writeFile(path.Join(dir, "ImageSets", "Main", split+".txt"), []byte(strings.Join(stems, "\n")+"\n")); err != nil {
			return err
		}
	}
	return nil
}
