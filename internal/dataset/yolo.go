package dataset

import (
	"bufio"
	"io"
	"math"
	"path"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/augment-ml/augment/internal/domain"
)

// YOLOMeta is what a YOLO dataset says beyond its label files.
type YOLOMeta struct {
	DataPath  string // where data.yaml is, "" when the dataset has none
	Data      []byte // data.yaml as read, written back unchanged
	NamesPath string // obj.names or classes.txt, when there is no data.yaml
	KptShape  []int  // [K, 2|3] for pose datasets
}

func isDataYAML(p string) bool {
	switch strings.ToLower(path.Base(p)) {
	case "data.yaml", "data.yml", "dataset.yaml":
		return strings.Count(p, "/") <= 1
	}
	return false
}

func isNamesFile(p string) bool {
	switch strings.ToLower(path.Base(p)) {
	case "obj.names", "classes.txt", "classes.names":
		return strings.Count(p, "/") <= 1
	}
	return false
}

// isYOLOLabel is a .txt file in a labels folder.
func isYOLOLabel(p string) bool {
	if strings.ToLower(path.Ext(p)) != ".txt" {
		return false
	}
	return hasFolder(path.Dir(p), "labels")
}

func hasFolder(dir, name string) bool {
	for _, s := range strings.Split(dir, "/") {
		if strings.EqualFold(s, name) {
			return true
		}
	}
	return false
}

// yoloLabelFor is the label file of an image, as Ultralytics finds it: the
// last images folder of its path becomes labels, the extension .txt. An
// image outside any images folder has its .txt beside it (darknet).
func yoloLabelFor(img string) string {
	segs := strings.Split(img, "/")
	for i := len(segs) - 2; i >= 0; i-- {
		if strings.EqualFold(segs[i], "images") {
			segs[i] = "labels"
			break
		}
	}
	return stem(strings.Join(segs, "/")) + ".txt"
}

type yoloLine struct {
	line  int
	class int
	vals  []float64
}

type yoloLayout struct {
	ds     *Dataset
	meta   YOLOMeta
	data   *dataYAML
	names  []string
	labels map[string][]yoloLine

	imageStems map[string]bool
}

func newYOLO(ds *Dataset, names []string) *yoloLayout {
	y := &yoloLayout{ds: ds, labels: map[string][]yoloLine{}, imageStems: map[string]bool{}}
	for _, p := range names {
		if isImagePath(p) {
			y.imageStems[stem(p)] = true
		}
	}
	return y
}

// claims data.yaml, the names file, and the .txt files in labels folders or
// beside an image of the same stem (darknet's layout); other text files,
// such as a README.txt, are not labels.
func (y *yoloLayout) claims(p string) bool {
	return isDataYAML(p) || isNamesFile(p) || isYOLOLabel(p) ||
		strings.ToLower(path.Ext(p)) == ".txt" && y.imageStems[stem(p)]
}

func (y *yoloLayout) parse(p string, r io.Reader) error {
	switch {
	case isDataYAML(p):
		b, err := io.ReadAll(r)
		if err != nil {
			return err
		}
		var d dataYAML
		if err := yaml.Unmarshal(b, &d); err != nil {
			return labelError(p, 0, "%v", strings.TrimPrefix(err.Error(), "yaml: "))
		}
		names, err := yamlNames(p, &d.Names)
		if err != nil {
			return err
		}
		if len(d.KptShape) != 0 && (len(d.KptShape) != 2 || d.KptShape[0] < 1 || d.KptShape[1] < 2 || d.KptShape[1] > 3) {
			return labelError(p, d.Names.Line, "kpt_shape must be [keypoints, 2 or 3], not %v", d.KptShape)
		}
		y.data, y.names = &d, names
		y.meta.DataPath, y.meta.Data, y.meta.KptShape = p, b, d.KptShape
	case isNamesFile(p):
		if y.data != nil {
			return nil
		}
		sc := bufio.NewScanner(r)
		y.names = nil
		for sc.Scan() {
			if s := strings.TrimSpace(sc.Text()); s != "" {
				y.names = append(y.names, s)
			}
		}
		y.meta.NamesPath = p
		return sc.Err()
	default:
		lines, err := parseYOLOLines(p, r)
		if err != nil {
			return err
		}
		y.labels[p] = lines
	}
	return nil
}

func parseYOLOLines(p string, r io.Reader) ([]yoloLine, error) {
	var out []yoloLine
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for n := 1; sc.Scan(); n++ {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		c, err := strconv.Atoi(f[0])
		if err != nil || c < 0 {
			return nil, labelError(p, n, "the class %q is not a class id (0, 1, …)", f[0])
		}
		l := yoloLine{line: n, class: c, vals: make([]float64, len(f)-1)}
		for i, s := range f[1:] {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, labelError(p, n, "%q is not a number", s)
			}
			l.vals[i] = v
		}
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		return nil, labelError(p, 0, "%v", err)
	}
	return out, nil
}

func (y *yoloLayout) assemble(ds *Dataset, images map[string]*Image) error {
	ds.YOLO = &y.meta
	ds.Classes = y.names
	K, D := 0, 0
	if len(y.meta.KptShape) == 2 {
		K, D = y.meta.KptShape[0], y.meta.KptShape[1]
		ds.KeypointDims = D
		if y.data != nil && len(y.data.FlipIdx) > 0 {
			if len(y.data.FlipIdx) != K {
				return labelError(y.meta.DataPath, 0, "flip_idx has %d entries; kpt_shape says %d keypoints", len(y.data.FlipIdx), K)
			}
			ds.FlipPairs = [][2]int{}
			for i, j := range y.data.FlipIdx {
				if j < 0 || j >= K || y.data.FlipIdx[j] != i {
					return labelError(y.meta.DataPath, 0, "flip_idx must pair keypoints both ways; entry %d is %d", i, j)
				}
				if i < j {
					ds.FlipPairs = append(ds.FlipPairs, [2]int{i, j})
				}
			}
		}
	}
	y.checkSplitPaths(ds, images)
	byLabel := map[string]*Image{}
	for _, im := range images {
		byLabel[yoloLabelFor(im.Path)] = im
	}
	labelPaths := make([]string, 0, len(y.labels))
	for p := range y.labels {
		labelPaths = append(labelPaths, p)
	}
	sort.Strings(labelPaths)
	for _, p := range labelPaths {
		im := byLabel[p]
		if im == nil {
			if isYOLOLabel(p) {
				ds.warn(WMissingImage, p, "the label file %s has no image beside it", p)
			}
			continue
		}
		im.Labelled, im.LabelPath = true, p
		for i, l := range y.labels[p] {
			o, err := y.object(p, l, i, im, K, D)
			if err != nil {
				return err
			}
			im.Objects = append(im.Objects, o)
		}
	}
	for _, im := range images {
		if !im.Labelled {
			im.LabelPath = yoloLabelFor(im.Path)
			ds.warn(WMissingLabels, im.Path, "%s has no label file (%s); it is kept as a negative", im.Path, im.LabelPath)
		}
	}
	return nil
}

// object turns a normalised line into an object in pixels.
func (y *yoloLayout) object(p string, l yoloLine, i int, im *Image, K, D int) (domain.Object, error) {
	W, H := float64(im.Width), float64(im.Height)
	o := domain.Object{ID: strconv.Itoa(i)}
	if y.names != nil && l.class >= len(y.names) {
		return o, labelError(p, l.line, "the class %d is past the %d names of the dataset", l.class, len(y.names))
	}
	o.Class = strconv.Itoa(l.class)
	if y.names != nil {
		o.Class = y.names[l.class]
	}
	v := l.vals
	switch {
	case K > 0:
		if len(v) != 4+K*D {
			return o, labelError(p, l.line, "a pose line has the class, 4 box numbers and %d×%d keypoint numbers; this one has %d numbers", K, D, len(v))
		}
		for k := range K {
			x, yy, vis := v[4+k*D], v[4+k*D+1], 2.0
			if D == 3 {
				vis = v[4+k*D+2]
			} else if x == 0 && yy == 0 {
				vis = 0
			}
			kp := domain.Keypoint{x * W, yy * H, vis}
			if vis == 0 {
				kp = domain.Keypoint{}
			}
			o.Keypoints = append(o.Keypoints, kp)
		}
		fallthrough
	case len(v) == 4:
		w, h := v[2]*W, v[3]*H
		o.BBox = &domain.Box{v[0]*W - w/2, v[1]*H - h/2, w, h}
	case len(v) >= 6 && len(v)%2 == 0:
		ring := make(domain.Ring, len(v)/2)
		for k := range ring {
			ring[k] = domain.Point{v[2*k] * W, v[2*k+1] * H}
		}
		o.Polygon = domain.Polygon{ring}
		b, _ := polygonBounds(o.Polygon)
		o.BBox = &b
	default:
		return o, labelError(p, l.line, "a line is the class and 4 box numbers, or the class and 3 or more x y pairs (a segment); this one has %d numbers", len(v))
	}
	return o, nil
}
