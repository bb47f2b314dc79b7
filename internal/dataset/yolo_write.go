package dataset

import (
	"bytes"
	"path"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/augment-ml/augment/internal/domain"
)

// yoloWriter writes a .txt per image (empty for a negative) and data.yaml.
type yoloWriter struct {
	w       *Writer
	classes map[string]int
	K, D    int // keypoint slots and numbers per slot; 0 for detect and segment
}

func newYOLOWriter(w *Writer) *yoloWriter {
	y := &yoloWriter{w: w, classes: map[string]int{}}
	for i, c := range w.ds.Classes {
		if _, ok := y.classes[c]; !ok {
			y.classes[c] = i
		}
	}
	// NOTE: a dataset read says how many keypoint slots its objects have; a
	// dataset built by hand (or whose images come one by one) is counted too.
	y.K = w.ds.KeypointSlots
	for _, im := range w.ds.Images {
		for _, o := range im.Objects {
			y.K = max(y.K, len(o.Keypoints))
		}
	}
	if y.K > 0 {
		y.D = w.ds.KeypointDims
		if y.D == 0 {
			y.D = 3
		}
	}
	return y
}

func (y *yoloWriter) add(im *Image, out string) error {
	label := yoloLabelFor(out)
	if y.w.same && im.Of == "" && im.LabelPath != "" {
		label = im.LabelPath
	}
	b, err := y.w.labelFile(im, func() ([]byte, error) { return y.lines(im) })
	if err != nil {
		return err
	}
	return y.w.writeFile(label, b)
}

// lines are an image's objects as YOLO lines, normalised.
func (y *yoloWriter) lines(im *Image) ([]byte, error) {
	var b bytes.Buffer
	W, H := float64(im.Width), float64(im.Height)
	for _, o := range im.Objects {
		id, ok := y.classes[o.Class]
		if !ok {
			return nil, domain.Errorf(domain.EInvalidSpec, "%s: the class %q is not among the dataset's names", im.Path, o.Class)
		}
		b.WriteString(strconv.Itoa(id))
		box, _ := boxOf(o)
		box = clipBox(box, W, H)
		switch {
		case y.K > 0:
			writeNorm(&b, (box[0]+box[2]/2)/W, (box[1]+box[3]/2)/H, box[2]/W, box[3]/H)
			for k := range y.K {
				var kp domain.Keypoint
				if k < len(o.Keypoints) {
					kp = o.Keypoints[k]
				}
				if kp[2] == 0 {
					kp = domain.Keypoint{}
				}
				writeNorm(&b, kp[0]/W, kp[1]/H)
				if y.D == 3 {
					b.WriteString(" " + strconv.FormatFloat(kp[2], 'f', -1, 64))
				}
			}
		case len(o.Polygon) > 0:
			// NOTE: YOLO has one ring per object: the parts of a multi-part
			// outline are written one after the other (a loss Losses lists).
			for _, r := range o.Polygon {
				for _, p := range r {
					writeNorm(&b, p[0]/W, p[1]/H)
				}
			}
		default:
			writeNorm(&b, (box[0]+box[2]/2)/W, (box[1]+box[3]/2)/H, box[2]/W, box[3]/H)
		}
		b.WriteByte('\n')
	}
	return b.Bytes(), nil
}

// writeNorm writes normalised values clamped to [0, 1], to float32's
// shortest exact form: 7 or more significant digits, no exponent.
func writeNorm(b *bytes.Buffer, vs ...float64) {
	for _, v := range vs {
		b.WriteByte(' ')
		b.WriteString(strconv.FormatFloat(clamp(v, 0, 1), 'f', -1, 32))
	}
}

func (y *yoloWriter) close() error {
	m := y.w.ds.YOLO
	if y.w.same && m != nil {
		if m.DataPath != "" {
			return y.w.writeFile(m.DataPath, m.Data)
		}
		if m.NamesPath != "" {
			return y.w.writeFile(m.NamesPath, []byte(strings.Join(y.w.ds.Classes, "\n")+"\n"))
		}
	}
	return y.w.writeFile("data.yaml", y.dataYAML())
}

// dataYAML is the data.yaml of a converted dataset, in Ultralytics' layout.
func (y *yoloWriter) dataYAML() []byte {
	doc := &yaml.Node{Kind: yaml.MappingNode}
	add := func(k string, v any) {
		var n yaml.Node
		_ = n.Encode(v)
		doc.Content = append(doc.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k}, &n)
	}
	add("path", ".")
	for split := range y.w.splits {
		if split == "" {
			add("train", "images")
			add("val", "images")
		}
	}
	for _, split := range sortedSplits(y.w.splits) {
		if split != "" {
			key := split
			switch splitRank(split) {
			case 0:
				key = "train"
			case 1:
				key = "val"
			case 2:
				key = "test"
			}
			add(key, path.Join("images", split))
		}
	}
	add("nc", len(y.w.ds.Classes))
	names := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, c := range y.w.ds.Classes {
		names.Content = append(names.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: c, Style: yaml.DoubleQuotedStyle})
	}
	doc.Content = append(doc.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "names"}, names)
	if y.K > 0 {
		add("kpt_shape", []int{y.K, y.D})
		flip := make([]int, y.K)
		for i := range flip {
			flip[i] = i
		}
		for _, p := range flipPairs(y.w.ds) {
			if p[0] < y.K && p[1] < y.K {
				flip[p[0]], flip[p[1]] = p[1], p[0]
			}
		}
		add("flip_idx", flip)
	}
	b, _ := yaml.Marshal(doc)
	return b
}

func sortedSplits(m map[string][]string) []string {
	var s []string
	for k := range m {
		s = append(s, k)
	}
	sortSplits(s)
	return s
}
