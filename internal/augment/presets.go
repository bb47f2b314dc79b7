package augment

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/augment-ml/augment/internal/domain"
)

// PresetInfo describes a named pipeline for GET /api/v1/presets.
type PresetInfo struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Pipeline    json.RawMessage `json:"pipeline"`
}

var presetDefs = []PresetInfo{
	{"default", "A moderate mix: flip, a small rotation, a zoom, brightness and contrast.", json.RawMessage(`[
		{"op": "hflip", "p": 0.5},
		{"op": "rotate", "degrees": [-15, 15], "p": 0.5},
		{"op": "zoom", "scale": [1, 1.3], "p": 0.5},
		{"op": "brightness", "factor": [0.8, 1.2], "p": 0.8},
		{"op": "contrast", "factor": [0.8, 1.2], "p": 0.8}]`)},
	{"classic", "The original app: one of a random rotation (0–360°), a horizontal flip, a vertical flip, or nothing.", json.RawMessage(`[
		{"one_of": [{"op": "rotate", "degrees": [0, 360]}, {"op": "hflip"}, {"op": "vflip"}, {"op": "identity"}]}]`)},
	{"grayscale", "Gray, nothing else.", json.RawMessage(`[{"op": "grayscale"}]`)},
	{"geometric", "Shape only: flips, quarter turns, rotation and zoom.", json.RawMessage(`[
		{"op": "hflip", "p": 0.5},
		{"op": "vflip", "p": 0.2},
		{"op": "rot90", "p": 0.25},
		{"op": "rotate", "degrees": [-25, 25], "fill": "mirror", "p": 0.7},
		{"op": "zoom", "scale": [1, 1.5], "p": 0.5}]`)},
	{"photometric", "Colour and light only: brightness, contrast, gray, blur.", json.RawMessage(`[
		{"op": "brightness", "factor": [0.6, 1.4], "p": 0.8},
		{"op": "contrast", "factor": [0.6, 1.4], "p": 0.8},
		{"op": "grayscale", "p": 0.1},
		{"op": "gaussian_blur", "sigma": [0.3, 1.5], "p": 0.3}]`)},
	{"heavy", "Strong geometric and photometric changes together.", json.RawMessage(`[
		{"op": "hflip", "p": 0.5},
		{"op": "rotate", "degrees": [-45, 45], "fill": "edge"},
		{"op": "zoom", "scale": [1, 1.8]},
		{"op": "brightness", "factor": [0.5, 1.5]},
		{"op": "contrast", "factor": [0.5, 1.5]},
		{"one_of": [{"op": "gaussian_blur", "sigma": [0.5, 3]}, {"op": "grayscale"}], "p": 0.5}]`)},
}

var presets = map[string]*Pipeline{}

func init() {
	for _, d := range presetDefs {
		p, err := Parse(d.Pipeline)
		if err != nil {
			panic(fmt.Sprintf("preset %s: %v", d.Name, err))
		}
		presets[d.Name] = p
	}
}

// Preset returns the named pipeline.
func Preset(name string) (*Pipeline, error) {
	if p, ok := presets[name]; ok {
		return p, nil
	}
	names := make([]string, 0, len(presets))
	for n := range presets {
		names = append(names, n)
	}
	sort.Strings(names)
	return nil, domain.Errorf(domain.EInvalidSpec, "Unknown preset %q; the presets are %s.", name, strings.Join(names, ", "))
}

// Presets lists the named pipelines.
func Presets() []PresetInfo {
	out := make([]PresetInfo, len(presetDefs))
	for i, d := range presetDefs {
		out[i] = PresetInfo{Name: d.Name, Description: d.Description, Pipeline: presets[d.Name].JSON()}
	}
	return out
}
