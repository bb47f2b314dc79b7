package web

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// A caption reads a variant's recorded ops the way a person would say them:
// "flip horizontal, rotate −4.8°, brightness ×1.18". Each op has a phrase:
// a label and how each of its recorded fields reads. Fields are read by
// name from the recorded JSON, so a field with another shape (a number, or
// a [min, max] pair) still reads; a field the table does not know shows as
// name=value, so nothing recorded is ever hidden. TestCaptionsCoverRegistry
// plans every registered op and fails when an op or a field is missing here.

// phrase says how one op reads.
type phrase struct {
	label  string
	fields []say
}

// say is how one field reads; names are the names it may be recorded under.
// A func that returns "" leaves the field out (a default, or an internal
// value such as a noise seed).
type say struct {
	names []string
	f     func(v any) string
}

func field(f func(any) string, names ...string) say { return say{names: names, f: f} }

// phrases is the table: one entry per op in the registry.
var phrases = map[string]phrase{
	"identity":            {label: "unchanged"},
	"hflip":               {label: "flip horizontal"},
	"vflip":               {label: "flip vertical"},
	"rot90":               {label: "turn", fields: []say{field(quarterTurns, "k")}},
	"rotate":              {label: "rotate", fields: []say{field(degrees, "angle", "degrees"), field(fillUnlessBlack, "fill"), field(flag("canvas expanded"), "expand")}},
	"affine":              {label: "affine", fields: []say{field(degrees, "angle", "degrees"), field(shift, "offset", "translate"), field(prefixed("scale ", times), "scale"), field(prefixed("shear ", degrees), "shear"), field(fillUnlessBlack, "fill")}},
	"perspective":         {label: "perspective", fields: []say{field(cornerShift, "points"), field(prefixed("distortion ", decimals(2)), "distortion"), field(fillUnlessBlack, "fill")}},
	"random_crop":         {label: "crop", fields: []say{field(size, "size"), field(position("x "), "x"), field(position("y "), "y")}},
	"center_crop":         {label: "centre crop", fields: []say{field(size, "size")}},
	"random_resized_crop": {label: "crop", fields: []say{field(percent("area "), "scale"), field(prefixed("aspect ", decimals(2)), "ratio"), field(position("x "), "x"), field(position("y "), "y"), field(prefixed("→ ", size), "size")}},
	"resize":              {label: "resize", fields: []say{field(size, "size"), field(suffixed(decimals(0), " px longest side"), "longest")}},
	"zoom":                {label: "zoom", fields: []say{field(times, "scale")}},
	"brightness":          {label: "brightness", fields: []say{field(times, "factor")}},
	"contrast":            {label: "contrast", fields: []say{field(times, "factor")}},
	"saturation":          {label: "saturation", fields: []say{field(times, "factor")}},
	"hue":                 {label: "hue", fields: []say{field(turns, "shift")}},
	"color_jitter": {label: "jitter", fields: []say{field(prefixed("brightness ", times), "brightness"), field(prefixed("contrast ", times), "contrast"),
		field(prefixed("saturation ", times), "saturation"), field(prefixed("hue ", turns), "hue"), field(omit, "order")}},
	"gamma":            {label: "gamma", fields: []say{field(decimals(2), "gamma")}},
	"grayscale":        {label: "grayscale"},
	"invert":           {label: "invert"},
	"equalize":         {label: "equalize"},
	"autocontrast":     {label: "autocontrast"},
	"channel_shuffle":  {label: "channels", fields: []say{field(channels, "order")}},
	"solarize":         {label: "solarize", fields: []say{field(prefixed("≥ ", decimals(0)), "threshold")}},
	"posterize":        {label: "posterize", fields: []say{field(suffixed(decimals(0), " bits"), "bits")}},
	"gaussian_blur":    {label: "blur", fields: []say{field(prefixed("σ ", decimals(2)), "sigma")}},
	"sharpen":          {label: "sharpen", fields: []say{field(prefixed("σ ", decimals(2)), "sigma"), field(prefixed("amount ", decimals(2)), "amount")}},
	"gaussian_noise":   {label: "noise", fields: []say{field(percent("σ "), "std"), field(omit, "seed")}},
	"jpeg_compression": {label: "JPEG", fields: []say{field(prefixed("quality ", decimals(0)), "quality")}},
	"downscale":        {label: "downscale", fields: []say{field(times, "scale")}},
	"cutout":           {label: "cutout", fields: []say{field(holes, "boxes"), field(fillUnlessBlack, "fill")}},
	"randaugment":      {label: "RandAugment", fields: []say{field(prefixed("n ", decimals(0)), "n"), field(prefixed("m ", decimals(1)), "m")}},
}

// caption reads a recorded list of ops; "unchanged" when it is empty.
func caption(raw json.RawMessage) string {
	var ops []map[string]any
	if err := json.Unmarshal(raw, &ops); err != nil {
		return string(raw)
	}
	parts := make([]string, 0, len(ops))
	for _, o := range ops {
		parts = append(parts, captionOp(o))
	}
	if len(parts) == 0 {
		return "unchanged"
	}
	return strings.Join(parts, ", ")
}

// captionOp reads one recorded op.
func captionOp(o map[string]any) string {
	name, _ := o["op"].(string)
	ph, ok := phrases[name]
	if !ok {
		ph = phrase{label: name}
	}
	words := []string{ph.label}
	seen := map[string]bool{"op": true}
	for _, s := range ph.fields {
		for _, n := range s.names {
			if v, ok := o[n]; ok && !seen[n] {
				seen[n] = true
				if w := s.f(v); w != "" {
					words = append(words, w)
				}
			}
		}
	}
	var rest []string
	for k := range o {
		if !seen[k] {
			b, _ := json.Marshal(o[k])
			rest = append(rest, k+"="+string(b))
		}
	}
	slices.Sort(rest)
	return strings.Join(append(words, rest...), " ")
}

// num formats x with at most d decimals, trailing zeros dropped, and a true
// minus sign.
func num(x float64, d int) string {
	s := strconv.FormatFloat(x, 'f', d, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return strings.Replace(s, "-", "−", 1)
}

// signed is num with a plus sign on positive values.
func signed(x float64, d int) string {
	s := num(x, d)
	if x > 0 && s != "0" {
		return "+" + s
	}
	return s
}

// numbers reads a field as one number or a list of them (a drawn value may
// be recorded as [min, max]); ok is false for anything else.
func numbers(v any) ([]float64, bool) {
	switch v := v.(type) {
	case float64:
		return []float64{v}, true
	case []any:
		out := make([]float64, 0, len(v))
		for _, e := range v {
			f, ok := e.(float64)
			if !ok {
				return nil, false
			}
			out = append(out, f)
		}
		return out, len(out) > 0
	}
	return nil, false
}

// each formats a number, or each of a list of numbers joined by "–", with f;
// anything else shows as JSON.
func each(v any, f func(float64) string) string {
	xs, ok := numbers(v)
	if !ok {
		b, _ := json.Marshal(v)
		return string(b)
	}
	if len(xs) == 2 && xs[0] == xs[1] {
		xs = xs[:1]
	}
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = f(x)
	}
	return strings.Join(parts, "–")
}

func decimals(d int) func(any) string {
	return func(v any) string { return each(v, func(x float64) string { return num(x, d) }) }
}

func prefixed(p string, f func(any) string) func(any) string {
	return func(v any) string { return p + f(v) }
}

func suffixed(f func(any) string, s string) func(any) string {
	return func(v any) string { return f(v) + s }
}

func degrees(v any) string { return each(v, func(x float64) string { return num(x, 1) + "°" }) }
func times(v any) string   { return "×" + each(v, func(x float64) string { return num(x, 2) }) }
func turns(v any) string   { return each(v, func(x float64) string { return signed(x, 3) }) + " turn" }
func omit(any) string      { return "" }

func percent(p string) func(any) string {
	return func(v any) string { return p + each(v, func(x float64) string { return num(x*100, 1) + "%" }) }
}

func position(axis string) func(any) string {
	return func(v any) string { return axis + each(v, func(x float64) string { return num(x*100, 0) + "%" }) }
}

func flag(word string) func(any) string {
	return func(v any) string {
		if b, _ := v.(bool); b {
			return word
		}
		return ""
	}
}

func fillUnlessBlack(v any) string {
	if s, _ := v.(string); s != "" && s != "black" {
		return "fill " + s
	}
	return ""
}

func quarterTurns(v any) string {
	return each(v, func(x float64) string { return num(math.Mod(x, 4)*90, 0) + "°" })
}

func shift(v any) string {
	xs, ok := numbers(v)
	if !ok || len(xs) != 2 {
		return "shift " + each(v, func(x float64) string { return num(x, 3) })
	}
	if xs[0] == 0 && xs[1] == 0 {
		return ""
	}
	return fmt.Sprintf("shift (%s%%, %s%%)", signed(xs[0]*100, 1), signed(xs[1]*100, 1))
}

func size(v any) string {
	xs, ok := numbers(v)
	if ok && len(xs) == 2 {
		return num(xs[0], 0) + "×" + num(xs[1], 0)
	}
	return each(v, func(x float64) string { return num(x, 0) })
}

// cornerShift sums up a perspective's four corner offsets by the largest.
func cornerShift(v any) string {
	pts, ok := v.([]any)
	if !ok {
		return ""
	}
	most := 0.0
	for _, p := range pts {
		xs, _ := numbers(p)
		for _, x := range xs {
			most = max(most, math.Abs(x))
		}
	}
	return "corners ≤ " + num(most*100, 1) + "%"
}

func holes(v any) string {
	if list, ok := v.([]any); ok {
		if len(list) == 1 {
			return "1 hole"
		}
		return strconv.Itoa(len(list)) + " holes"
	}
	return ""
}

// channels reads a channel order such as [2, 0, 1] as "BRG".
func channels(v any) string {
	xs, ok := numbers(v)
	if !ok {
		return ""
	}
	var b strings.Builder
	for _, x := range xs {
		if i := int(x); i >= 0 && i < 3 {
			b.WriteByte("RGB"[i])
		}
	}
	return b.String()
}
