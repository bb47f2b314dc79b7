package augment

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
)

// Op is one operation as really applied to a variant: its name and the
// concrete values drawn for it. It marshals flat, {"op": "rotate", "angle": 12.7},
// and a recorded list of Ops replays to the same pixels.
//
// Arg values are float64, bool, string, []float64 or [][]float64 (a JSON
// round trip turns lists into []any; the accessors accept both).
type Op struct {
	Name string
	Args map[string]any
}

// MarshalJSON writes the op as one flat object with "op" first.
func (o Op) MarshalJSON() ([]byte, error) {
	keys := make([]string, 0, len(o.Args))
	for k := range o.Args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	buf := []byte(`{"op":`)
	name, _ := json.Marshal(o.Name)
	buf = append(buf, name...)
	for _, k := range keys {
		kb, _ := json.Marshal(k)
		vb, err := json.Marshal(o.Args[k])
		if err != nil {
			return nil, fmt.Errorf("op %s: %s: %w", o.Name, k, err)
		}
		buf = append(append(append(append(buf, ','), kb...), ':'), vb...)
	}
	return append(buf, '}'), nil
}

// UnmarshalJSON reads the flat form written by MarshalJSON.
func (o *Op) UnmarshalJSON(b []byte) error {
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	name, ok := m["op"].(string)
	if !ok {
		return fmt.Errorf("op: missing \"op\" name")
	}
	delete(m, "op")
	o.Name, o.Args = name, m
	return nil
}

// Float returns the numeric arg k, or def when it is absent.
func (o Op) Float(k string, def float64) float64 {
	switch v := o.Args[k].(type) {
	case float64:
		return v
	case int:
		return float64(v)
	}
	return def
}

// Int returns the numeric arg k rounded to an int, or def when it is absent.
func (o Op) Int(k string, def int) int {
	return int(math.Round(o.Float(k, float64(def))))
}

// Bool returns the boolean arg k, or def when it is absent.
func (o Op) Bool(k string, def bool) bool {
	if v, ok := o.Args[k].(bool); ok {
		return v
	}
	return def
}

// String returns the string arg k, or def when it is absent.
func (o Op) String(k string, def string) string {
	if v, ok := o.Args[k].(string); ok {
		return v
	}
	return def
}

// Floats returns the list arg k as float64s, or nil when it is absent.
func (o Op) Floats(k string) []float64 {
	return toFloats(o.Args[k])
}

// Lists returns the list-of-lists arg k (boxes, points), or nil.
func (o Op) Lists(k string) [][]float64 {
	switch v := o.Args[k].(type) {
	case [][]float64:
		return v
	case []any:
		out := make([][]float64, 0, len(v))
		for _, e := range v {
			out = append(out, toFloats(e))
		}
		return out
	}
	return nil
}

func toFloats(v any) []float64 {
	switch v := v.(type) {
	case []float64:
		return v
	case []int:
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = float64(x)
		}
		return out
	case []any:
		out := make([]float64, 0, len(v))
		for _, e := range v {
			if f, ok := e.(float64); ok {
				out = append(out, f)
			}
		}
		return out
	}
	return nil
}

// Strings returns the list arg k as strings, or nil when it is absent.
func (o Op) Strings(k string) []string {
	switch v := o.Args[k].(type) {
	case []string:
		return v
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
