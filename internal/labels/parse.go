package labels

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/augment-ml/augment/internal/domain"
)

// MaxObjects is the most objects one source may carry.
const MaxObjects = 10000

// Parse reads the labels of a job from JSON and checks them. A problem is a
// *domain.Error (invalid_spec, 422) that names the object and the field.
// Degenerate or out-of-image objects are not problems: a variant clips or
// drops them and says why.
func Parse(raw []byte) (*domain.Labels, error) {
	var top struct {
		Width         json.Number       `json:"width"`
		Height        json.Number       `json:"height"`
		Objects       []json.RawMessage `json:"objects"`
		KeypointNames []string          `json:"keypoint_names"`
		FlipPairs     *[][2]int         `json:"flip_pairs"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(&top); err != nil {
		return nil, invalid("labels", "must be an object {\"objects\": [...]} with optional width, height, keypoint_names and flip_pairs (%v)", shortJSONError(err))
	}
	if len(top.Objects) > MaxObjects {
		return nil, invalid("labels.objects", "holds %d objects; the limit is %d", len(top.Objects), MaxObjects)
	}
	l := &domain.Labels{KeypointNames: top.KeypointNames, Objects: make([]domain.Object, len(top.Objects))}
	var err error
	if l.Width, err = size("labels.width", top.Width); err != nil {
		return nil, err
	}
	if l.Height, err = size("labels.height", top.Height); err != nil {
		return nil, err
	}
	if top.FlipPairs != nil {
		l.FlipPairs = append([][2]int{}, *top.FlipPairs...)
	}
	for i, o := range top.Objects {
		if l.Objects[i], err = parseObject(o, fmt.Sprintf("labels.objects[%d]", i)); err != nil {
			return nil, err
		}
		if l.Objects[i].ID == "" {
			l.Objects[i].ID = strconv.Itoa(i)
		}
	}
	if err := Check(l); err != nil {
		return nil, err
	}
	return l, nil
}

// Check checks what Parse cannot see object by object: keypoint slot counts
// within a class, names and flip pairs against the slots. Readers of
// dataset formats call it too.
func Check(l *domain.Labels) error {
	if len(l.Objects) > MaxObjects {
		return invalid("labels.objects", "holds %d objects; the limit is %d", len(l.Objects), MaxObjects)
	}
	slots := map[string]int{}
	first := map[string]int{}
	most := 0
	for i, o := range l.Objects {
		if len(o.Keypoints) == 0 {
			continue
		}
		n, seen := slots[o.Class]
		if !seen {
			slots[o.Class], first[o.Class] = len(o.Keypoints), i
		} else if n != len(o.Keypoints) {
			return invalid(fmt.Sprintf("labels.objects[%d].keypoints", i),
				"has %d slots, but objects[%d] of the same class %q has %d; keypoints are fixed slots", len(o.Keypoints), first[o.Class], o.Class, n)
		}
		most = max(most, len(o.Keypoints))
	}
	if len(l.KeypointNames) > 0 && most > 0 && len(l.KeypointNames) != most {
		return invalid("labels.keypoint_names", "names %d slots, but objects have %d", len(l.KeypointNames), most)
	}
	for i, p := range l.FlipPairs {
		for _, s := range p {
			if s < 0 || (most > 0 && s >= most) {
				return invalid(fmt.Sprintf("labels.flip_pairs[%d]", i), "names slot %d; the slots are 0 to %d", s, most-1)
			}
		}
	}
	return nil
}

func parseObject(raw json.RawMessage, where string) (domain.Object, error) {
	var o domain.Object
	var f map[string]json.RawMessage
	if err := json.Unmarshal(raw, &f); err != nil || f == nil {
		return o, invalid(where, "must be an object such as {\"class\": \"cat\", \"bbox\": [x, y, w, h]}")
	}
	for k, v := range f {
		var err error
		at := where + "." + k
		switch k {
		case "id":
			o.ID, err = text(at, v)
		case "class":
			o.Class, err = text(at, v)
		case "bbox":
			var b []float64
			if b, err = numbers(at, v, 4); err == nil {
				o.BBox = &domain.Box{b[0], b[1], b[2], b[3]}
			}
		case "polygon":
			o.Polygon, err = polygon(at, v)
		case "keypoints":
			o.Keypoints, err = keypoints(at, v)
		case "mask":
			o.Mask, err = rle(at, v)
		case "attributes":
			o.Attributes = append(json.RawMessage{}, v...)
		default:
			err = invalid(at, "is not a field of an object (id, class, bbox, polygon, mask, keypoints, attributes)")
		}
		if err != nil {
			return o, err
		}
	}
	return o, nil
}

func text(where string, v json.RawMessage) (string, error) {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s, nil
	}
	var n json.Number
	if json.Unmarshal(v, &n) == nil {
		if _, err := strconv.ParseInt(string(n), 10, 64); err == nil {
			return string(n), nil
		}
	}
	return "", invalid(where, "must be a string, not %s", v)
}

// numbers reads a list of n finite numbers (any length when n is 0).
func numbers(where string, v json.RawMessage, n int) ([]float64, error) {
	var raw []json.Number
	d := json.NewDecoder(bytes.NewReader(v))
	d.UseNumber()
	if err := d.Decode(&raw); err != nil || (n > 0 && len(raw) != n) {
		if n > 0 {
			return nil, invalid(where, "must be a list of %d numbers, not %s", n, excerpt(v))
		}
		return nil, invalid(where, "must be a list of numbers, not %s", excerpt(v))
	}
	out := make([]float64, len(raw))
	for i, s := range raw {
		x, err := strconv.ParseFloat(string(s), 64)
		if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
			return nil, invalid(fmt.Sprintf("%s[%d]", where, i), "%s is not a finite number", s)
		}
		out[i] = x
	}
	return out, nil
}

func ring(where string, v json.RawMessage) (domain.Ring, error) {
	var pts []json.RawMessage
	if err := json.Unmarshal(v, &pts); err != nil {
		return nil, invalid(where, "must be a list of [x, y] points")
	}
	if len(pts) < 3 {
		return nil, invalid(where, "has %d points; a polygon needs at least 3", len(pts))
	}
	r := make(domain.Ring, len(pts))
	for i, p := range pts {
		xy, err := numbers(fmt.Sprintf("%s[%d]", where, i), p, 2)
		if err != nil {
			return nil, err
		}
		r[i] = domain.Point{xy[0], xy[1]}
	}
	return r, nil
}

// polygon reads one ring, or a list of rings.
func polygon(where string, v json.RawMessage) (domain.Polygon, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(v, &items); err != nil || len(items) == 0 {
		return nil, invalid(where, "must be a list of [x, y] points, or a list of such lists")
	}
	var probe [][]json.RawMessage
	if json.Unmarshal(items[0], &probe) != nil { // items[0] is a point: one ring
		r, err := ring(where, v)
		return domain.Polygon{r}, err
	}
	p := make(domain.Polygon, len(items))
	for i, it := range items {
		r, err := ring(fmt.Sprintf("%s[%d]", where, i), it)
		if err != nil {
			return nil, err
		}
		p[i] = r
	}
	return p, nil
}

func keypoints(where string, v json.RawMessage) ([]domain.Keypoint, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(v, &items); err != nil {
		return nil, invalid(where, "must be a list of [x, y, v] slots")
	}
	out := make([]domain.Keypoint, len(items))
	for i, it := range items {
		at := fmt.Sprintf("%s[%d]", where, i)
		k, err := numbers(at, it, 3)
		if err != nil {
			return nil, invalid(at, "must be [x, y, v] with v 0 (not labelled), 1 (hidden) or 2 (visible)")
		}
		if k[2] != 0 && k[2] != 1 && k[2] != 2 {
			return nil, invalid(at, "has visibility %g; v is 0 (not labelled), 1 (hidden) or 2 (visible)", k[2])
		}
		out[i] = domain.Keypoint{k[0], k[1], k[2]}
	}
	return out, nil
}

func rle(where string, v json.RawMessage) (*domain.RLE, error) {
	var m domain.RLE
	if err := json.Unmarshal(v, &m); err != nil || m.Size[0] < 1 || m.Size[1] < 1 {
		return nil, invalid(where, "must be {\"size\": [height, width], \"counts\": [runs…]}")
	}
	total := 0
	for _, c := range m.Counts {
		if c < 0 {
			return nil, invalid(where+".counts", "has a negative run")
		}
		total += c
	}
	if total != m.Size[0]*m.Size[1] {
		return nil, invalid(where+".counts", "covers %d pixels, but size is %d×%d", total, m.Size[1], m.Size[0])
	}
	return &m, nil
}

func size(where string, n json.Number) (int, error) {
	if n == "" {
		return 0, nil
	}
	v, err := strconv.Atoi(string(n))
	if err != nil || v < 1 {
		return 0, invalid(where, "must be a whole number of pixels, not %s", n)
	}
	return v, nil
}

func invalid(where, format string, args ...any) error {
	return domain.Errorf(domain.EInvalidSpec, "%s %s.", where, fmt.Sprintf(format, args...))
}

func excerpt(v json.RawMessage) string {
	if len(v) > 40 {
		return string(v[:40]) + "…"
	}
	return string(v)
}

func shortJSONError(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("not valid JSON at byte %d", se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("%s must be a JSON %s", te.Field, te.Type)
	}
	return err.Error()
}
