package augment

import (
	"encoding/json"
	"fmt"
)

// exampleArgs are what an op's example is given beyond its defaults: the
// parameters it must be given, sized for the bundled 800×450 photo.
var exampleArgs = map[string]map[string]any{
	"center_crop":         {"size": []int{300, 300}},
	"random_crop":         {"size": []int{300, 300}},
	"random_resized_crop": {"size": []int{300, 300}},
	"resize":              {"longest": 400},
	"color_jitter":        {"brightness": 0.3, "contrast": 0.3, "saturation": 0.4, "hue": 0.1}, // its defaults change nothing
	"one_of":              {"one_of": []any{map[string]any{"op": "hflip"}, map[string]any{"op": "grayscale"}}},
	"some_of":             {"some_of": []any{map[string]any{"op": "rotate"}, map[string]any{"op": "hue"}, map[string]any{"op": "cutout"}}, "n": 2},
}

// Example is a one-step pipeline showing op at its defaults, always applied
// (p 1), as the operations reference renders it.
func Example(op string) (json.RawMessage, error) {
	step := map[string]any{"op": op, "p": 1}
	if op == "one_of" || op == "some_of" {
		delete(step, "op") // a composition step is named by its list
	}
	for k, v := range exampleArgs[op] {
		step[k] = v
	}
	raw, _ := json.Marshal([]any{step})
	if _, err := Parse(raw); err != nil {
		return nil, fmt.Errorf("the example of %s: %w", op, err)
	}
	return raw, nil
}
