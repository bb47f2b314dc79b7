package dataset

import (
	"io"
	"sort"
	"strings"
)

// newLayout returns the reader of a format; names are every path of the
// dataset, for layouts that must know what is there before reading.
func newLayout(f Format, ds *Dataset, names []string) layout {
	switch f {
	case YOLO:
		return newYOLO(ds, names)
	case COCO:
		return newCOCO(names)
	case VOC:
		return newVOC()
	case Masks:
		return newMasks()
	case ImageFolder:
		return imageFolder{}
	}
	return plainImages{}
}

// plainImages reads images without labels: today's behaviour.
type plainImages struct{}

func (plainImages) claims(string) bool                              { return false }
func (plainImages) parse(string, io.Reader) error                   { return nil }
func (plainImages) assemble(ds *Dataset, _ map[string]*Image) error { return nil }

// imageFolder reads [split/]class/image: the class is the folder.
type imageFolder struct{}

func (imageFolder) claims(string) bool            { return false }
func (imageFolder) parse(string, io.Reader) error { return nil }

func (imageFolder) assemble(ds *Dataset, images map[string]*Image) error {
	classes := map[string]bool{}
	for _, im := range images {
		segs := strings.Split(im.Path, "/")
		if len(segs) < 2 {
			continue
		}
		im.Class = segs[len(segs)-2]
		if len(segs) >= 3 && splitName(segs[len(segs)-3]) != "" {
			im.Split = segs[len(segs)-3]
		} else {
			im.Split = ""
		}
		im.Labelled = true
		classes[im.Class] = true
	}
	for c := range classes {
		ds.Classes = append(ds.Classes, c)
	}
	sort.Strings(ds.Classes)
	return nil
}
