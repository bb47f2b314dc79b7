package dataset

import (
	"bufio"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/augment-ml/augment/internal/domain"
)

// VOCImage is what a VOC annotation says about its image beyond its objects.
type VOCImage struct {
	Folder    string
	Filename  string
	Depth     string
	Segmented string
	Other     []xmlRaw // source, owner, … kept verbatim
	// ObjectMask is the SegmentationObject PNG, kept as it is.
	ObjectMask string
}

// xmlRaw is an XML element kept as written.
type xmlRaw struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Inner   string     `xml:",innerxml"`
}

type vocAnnotation struct {
	XMLName   xml.Name    `xml:"annotation"`
	Folder    string      `xml:"folder"`
	Filename  string      `xml:"filename"`
	Size      *vocSize    `xml:"size"`
	Segmented string      `xml:"segmented"`
	Objects   []vocObject `xml:"object"`
	Other     []xmlRaw    `xml:",any"`
}

type vocSize struct {
	Width  string `xml:"width"`
	Height string `xml:"height"`
	Depth  string `xml:"depth"`
}

type vocObject struct {
	Name      string   `xml:"name"`
	Pose      string   `xml:"pose,omitempty"`
	Truncated string   `xml:"truncated,omitempty"`
	Difficult string   `xml:"difficult,omitempty"`
	Occluded  string   `xml:"occluded,omitempty"`
	BndBox    *vocBox  `xml:"bndbox"`
	Other     []xmlRaw `xml:",any"`
}

type vocBox struct {
	Xmin string `xml:"xmin"`
	Ymin string `xml:"ymin"`
	Xmax string `xml:"xmax"`
	Ymax string `xml:"ymax"`
}

func isVOCAnnotation(p string) bool {
	return strings.EqualFold(path.Ext(p), ".xml") && strings.EqualFold(path.Base(path.Dir(p)), "Annotations")
}

// vocSplitList is ImageSets/Main/<split>.txt (not <class>_<split>.txt).
func vocSplitList(p string) string {
	if !strings.EqualFold(path.Ext(p), ".txt") || !strings.EqualFold(path.Base(path.Dir(p)), "Main") {
		return ""
	}
	name := stem(path.Base(p))
	if strings.Contains(name, "_") {
		return ""
	}
	return name
}

// vocSegList is ImageSets/Segmentation/<split>.txt: the ids whose class
// masks a split has, as torchvision's VOCSegmentation reads them.
func vocSegList(p string) string {
	if !strings.EqualFold(path.Ext(p), ".txt") || !strings.EqualFold(path.Base(path.Dir(p)), "Segmentation") ||
		!strings.EqualFold(path.Base(path.Dir(path.Dir(p))), "ImageSets") {
		return ""
	}
	return stem(path.Base(p))
}

// VOCList is an ImageSets/Segmentation list as read: written back with
// the variants of the ids it lists, whose class masks are beside theirs.
type VOCList struct {
	Path string   `json:"path"`
	IDs  []string `json:"ids"`
}

func vocMaskKind(p string) string {
	switch d := path.Base(path.Dir(p)); {
	case strings.EqualFold(d, "SegmentationClass"), strings.EqualFold(d, "SegmentationObject"):
		return d
	}
	return ""
}

type vocLayout struct {
	segLists []VOCList
	anns     map[string]*vocAnnotation
	splits   map[string]string // image stem → split
	masks    map[string]*SemanticMask
}

func newVOC() *vocLayout {
	return &vocLayout{anns: map[string]*vocAnnotation{}, splits: map[string]string{}, masks: map[string]*SemanticMask{}}
}

func (v *vocLayout) claims(p string) bool {
	return isVOCAnnotation(p) || vocSplitList(p) != "" || vocSegList(p) != "" || vocMaskKind(p) != ""
}

func (v *vocLayout) parse(p string, r io.Reader) error {
	switch {
	case isVOCAnnotation(p):
		var a vocAnnotation
		if err := xml.NewDecoder(r).Decode(&a); err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return labelError(p, se.Line, "not valid XML: %s", se.Msg)
			}
			return labelError(p, 0, "not a VOC annotation: %v", err)
		}
		v.anns[p] = &a
	case vocSplitList(p) != "":
		split := vocSplitList(p)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) == 0 {
				continue
			}
			// trainval lists what train and val list: a specific split wins.
			if old, ok := v.splits[f[0]]; !ok || old == "trainval" {
				v.splits[f[0]] = split
			}
		}
		return sc.Err()
	case vocSegList(p) != "":
		l := VOCList{Path: p}
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			if f := strings.Fields(sc.Text()); len(f) > 0 {
				l.IDs = append(l.IDs, f[0])
			}
		}
		v.segLists = append(v.segLists, l)
		return sc.Err()
	case vocMaskKind(p) != "":
		m, err := readMaskHeader(p, r)
		if err != nil {
			return err
		}
		v.masks[p] = m
	}
	return nil
}

// vocNumber reads a coordinate or size: integers and floats (CVAT) both.
func vocNumber(p, field, s string) (float64, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, labelError(p, 0, "%s is %q, which is not a number", field, s)
	}
	return f, nil
}

func (v *vocLayout) assemble(ds *Dataset, images map[string]*Image) error {
	sort.Slice(v.segLists, func(i, j int) bool { return v.segLists[i].Path < v.segLists[j].Path })
	ds.VOCSegmentation = v.segLists
	byStem := map[string]*Image{}
	for p, im := range images {
		if _, dup := byStem[stem(path.Base(p))]; !dup || strings.HasPrefix(p, "JPEGImages/") {
			byStem[stem(path.Base(p))] = im
		}
	}
	classes := map[string]bool{}
	paths := make([]string, 0, len(v.anns))
	for p := range v.anns {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		a := v.anns[p]
		im := images[path.Join(path.Dir(path.Dir(p)), "JPEGImages", a.Filename)]
		if im == nil {
			im = byStem[stem(path.Base(p))]
		}
		if im == nil {
			ds.warn(WMissingImage, p, "%s describes the image %q, which the dataset lacks", p, a.Filename)
			continue
		}
		im.Labelled, im.LabelPath = true, p
		im.VOC = &VOCImage{Folder: a.Folder, Filename: a.Filename, Segmented: a.Segmented, Other: a.Other}
		if a.Size != nil {
			w, err1 := vocNumber(p, "size/width", a.Size.Width)
			h, err2 := vocNumber(p, "size/height", a.Size.Height)
			if err := errors.Join(err1, err2); err != nil && (a.Size.Width != "" || a.Size.Height != "") {
				return err1
			}
			im.DeclaredWidth, im.DeclaredHeight, im.VOC.Depth = int(w), int(h), a.Size.Depth
		}
		im.Extras = map[string]*ObjectExtra{}
		for i, o := range a.Objects {
			obj, ex, err := vocObjectOf(p, i, o)
			if err != nil {
				return err
			}
			im.Objects = append(im.Objects, obj)
			im.Extras[obj.ID] = ex
			if !classes[obj.Class] {
				classes[obj.Class] = true
				ds.Classes = append(ds.Classes, obj.Class)
			}
		}
	}
	for p, m := range v.masks {
		if m.RGB && ds.Masks == nil && strings.EqualFold(vocMaskKind(p), "SegmentationClass") {
			// NOTE: the devkit's masks are palette PNGs; tools that write
			// them in colours (datumaro, CVAT) use the same colours.
			ds.Masks = &MasksMeta{Colors: VOCColormap()}
		}
		im := byStem[stem(path.Base(p))]
		switch {
		case im == nil:
			ds.warn(WMissingImage, p, "the mask %s has no image", p)
		case strings.EqualFold(vocMaskKind(p), "SegmentationClass"):
			im.Mask = m
		default:
			// NOTE: instance masks are kept as they are, copied like any other file.
			if im.VOC == nil {
				im.VOC = &VOCImage{}
			}
			im.VOC.ObjectMask = p
			ds.Other = append(ds.Other, OtherFile{Path: p})
		}
	}
	for p, im := range images {
		if s, ok := v.splits[stem(path.Base(p))]; ok {
			im.Split = s
		} else if !strings.Contains(p, "/") || strings.HasPrefix(p, "JPEGImages/") {
			im.Split = ""
		}
		if !im.Labelled {
			ds.warn(WMissingLabels, p, "%s has no annotation in Annotations/; it is kept without labels", p)
		}
	}
	return nil
}

// VOCColormap is the colour of each class id in Pascal VOC's masks (the
// devkit's labelcolormap: the bits of the id spread over R, G and B, so 1
// is (128, 0, 0) and 255, the border, is (224, 224, 192)).
func VOCColormap() [][3]uint8 {
	cm := make([][3]uint8, 256)
	for i := range cm {
		id := i
		for shift := 7; id > 0; shift-- {
			for c := range 3 {
				cm[i][c] |= uint8(id>>c&1) << shift
			}
			id >>= 3
		}
	}
	return cm
}

// vocObjectOf turns a VOC object into pixel edges: VOC's 1-based inclusive
// pixel indexes xmin..xmax cover [xmin-1, xmax], so a box over a W-pixel row
// (1..W) is [0, W]. Writing adds the 1 back the same way.
func vocObjectOf(p string, i int, o vocObject) (domain.Object, *ObjectExtra, error) {
	obj := domain.Object{ID: strconv.Itoa(i), Class: strings.TrimSpace(o.Name)}
	ex := &ObjectExtra{VOC: &VOCFlag{Pose: o.Pose, Truncated: o.Truncated, Difficult: o.Difficult, Occluded: o.Occluded, Other: o.Other}}
	if obj.Class == "" {
		return obj, nil, labelError(p, 0, "object %d has no name", i+1)
	}
	if o.BndBox == nil {
		return obj, nil, labelError(p, 0, "object %d (%s) has no bndbox", i+1, obj.Class)
	}
	var c [4]float64
	for k, s := range []string{o.BndBox.Xmin, o.BndBox.Ymin, o.BndBox.Xmax, o.BndBox.Ymax} {
		f, err := vocNumber(p, fmt.Sprintf("object %d (%s) bndbox/%s", i+1, obj.Class, []string{"xmin", "ymin", "xmax", "ymax"}[k]), s)
		if err != nil {
			return obj, nil, err
		}
		c[k] = f
	}
	obj.BBox = &domain.Box{c[0] - 1, c[1] - 1, c[2] - c[0] + 1, c[3] - c[1] + 1}
	return obj, ex, nil
}
