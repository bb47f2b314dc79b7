package augment

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/augment-ml/augment/internal/domain"
)

// PresetInfo describes a named pipeline for GET /api/v1/presets.
type PresetInfo struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Pipeline    json.RawMessage `json:"pipeline"`
}

var presetDefs = []PresetInfo{
	{"default", "A moderate mix: flip, a small rotation, a zoom and colour jitter.", json.RawMessage(`[
		{"op": "hflip", "p": 0.5},
		{"op": "rotate", "degrees": [-15, 15], "p": 0.5},
		{"op": "zoom", "scale": [1, 1.3], "p": 0.5},
		{"op": "color_jitter", "brightness": 0.2, "contrast": 0.2, "saturation": 0.2, "hue": 0.02, "p": 0.8}]`)},
	{"classic", "The original app: one of a random rotation (0–360°), a horizontal flip, a vertical flip, or nothing.", json.RawMessage(`[
		{"one_of": [{"op": "rotate", "degrees": [0, 360]}, {"op": "hflip"}, {"op": "vflip"}, {"op": "identity"}]}]`)},
	{"grayscale", "Gray, nothing else.", json.RawMessage(`[{"op": "grayscale"}]`)},
	{"geometric", "Shape only: flips, rotation, affine, perspective and zoom.", json.RawMessage(`[
		{"op": "hflip", "p": 0.5},
		{"op": "vflip", "p": 0.1},
		{"one_of": [{"op": "rotate", "degrees": [-25, 25], "fill": "mirror"},
		            {"op": "affine", "degrees": [-10, 10], "translate": [0.1, 0.1], "scale": [0.9, 1.1], "shear": [-8, 8], "fill": "edge"},
		            {"op": "perspective", "distortion": [0.1, 0.3], "fill": "edge"}], "p": 0.8},
		{"op": "zoom", "scale": [1, 1.4], "p": 0.5}]`)},
	{"photometric", "Colour and light only: jitter, gamma, gray, equalize, blur or sharpen.", json.RawMessage(`[
		{"op": "color_jitter", "brightness": 0.3, "contrast": 0.3, "saturation": 0.4, "hue": 0.05},
		{"op": "gamma", "gamma": [0.7, 1.5], "p": 0.3},
		{"op": "grayscale", "p": 0.1},
		{"one_of": [{"op": "equalize"}, {"op": "autocontrast"}], "p": 0.2},
		{"one_of": [{"op": "gaussian_blur", "sigma": [0.3, 1.5]}, {"op": "sharpen"}], "p": 0.3}]`)},
	{"heavy", "Everything at once: geometry, colour, blur or noise, JPEG artefacts and cutout.", json.RawMessage(`[
		{"op": "hflip", "p": 0.5},
		{"op": "affine", "degrees": [-30, 30], "translate": [0.15, 0.15], "scale": [0.8, 1.2], "shear": [-15, 15], "fill": "mirror"},
		{"op": "perspective", "distortion": [0, 0.4], "fill": "mirror", "p": 0.5},
		{"op": "color_jitter", "brightness": 0.4, "contrast": 0.4, "saturation": 0.5, "hue": 0.1},
		{"some_of": [{"op": "gaussian_blur", "sigma": [0.5, 2.5]}, {"op": "gaussian_noise", "std": [0.02, 0.08]},
		             {"op": "downscale", "scale": [0.3, 0.7]}, {"op": "posterize", "bits": [3, 6]}, {"op": "solarize", "threshold": [160, 240]}], "n": [1, 2]},
		{"op": "jpeg_compression", "quality": [20, 70], "p": 0.5},
		{"op": "cutout", "holes": [1, 4], "size": [0.05, 0.2], "p": 0.7}]`)},
}

// presets parses the definitions once, on first use: every op's init has
// registered it by then, whatever the order of the files.
var presets = sync.OnceValue(func() map[string]*Pipeline {
	m := map[string]*Pipeline{}
	for _, d := range presetDefs {
		p, err := Parse(d.Pipeline)
		if err != nil {
			panic(fmt.Sprintf("preset %s: %v", d.Name, err))
		}
		m[d.Name] = p
	}
	return m
})

// Preset returns the named pipeline.
func Preset(name string) (*Pipeline, error) {
	if p, ok := presets()[name]; ok {
		return p, nil
	}
	names := make([]string, 0, len(presetDefs))
	for _, d := range presetDefs {
		n := d.Name
		names = append(names, n)
	}
	sort.Strings(names)
	return nil, domain.Errorf(domain.EInvalidSpec, "Unknown preset %q; the presets are %s.", name, strings.Join(names, ", "))
}

// Presets lists the named pipelines.
func Presets() []PresetInfo {
	out := make([]PresetInfo, len(presetDefs))
	for i, d := range presetDefs {
		out[i] = PresetInfo{Name: d.Name, Description: d.Description, Pipeline: presets()[d.Name].JSON()}
	}
	return out
}
