package e2e

import (
	"encoding/json"
	"fmt"
	"math"
	"testing"

	"github.com/chromedp/chromedp"
)

// catalogueParam is a parameter as GET /api/v1/ops describes it.
type catalogueParam struct {
	Name    string `json:"name"`
	Type    string `json:"type"`
	Default any    `json:"default"`
	Jitter  *struct {
		Around float64  `json:"around"`
		Floor  *float64 `json:"floor"`
		Into   string   `json:"into"`
	} `json:"jitter"`
}

// drawnEnds is what the catalogue says a step draws: for each parameter drawn
// per variant, the values (one, or two for a pair) at the low and high ends,
// and the parameter the record holds them in.
type drawnEnd struct {
	param, recordedAs string
	low, high         []float64
}

func drawnEnds(step map[string]any, params []catalogueParam) []drawnEnd {
	var out []drawnEnd
	for _, p := range params {
		v, given := step[p.Name]
		if !given {
			v = p.Default
		}
		pair, isPair := v.([]any)
		x, isNumber := v.(float64)
		j := p.Jitter
		switch {
		case p.Name == "p":
		case j != nil && j.Into != "" && isPair:
			if _, fixed := step[j.Into]; fixed || (pair[0].(float64) == 0 && pair[1].(float64) == 0) {
				continue
			}
			a, b := pair[0].(float64), pair[1].(float64)
			out = append(out, drawnEnd{p.Name, j.Into, []float64{j.Around - a, j.Around - b}, []float64{j.Around + a, j.Around + b}})
		case isPair && (p.Type == "range" || p.Type == "int"):
			if a, b := pair[0].(float64), pair[1].(float64); a != b {
				out = append(out, drawnEnd{p.Name, p.Name, []float64{a}, []float64{b}})
			}
		case isNumber && j != nil && x != 0:
			lo := j.Around - x
			if j.Floor != nil {
				lo = max(*j.Floor, lo)
			}
			out = append(out, drawnEnd{p.Name, p.Name, []float64{lo}, []float64{j.Around + x}})
		}
	}
	return out
}

// TestExplorerExtremesOfEveryOp: for every op of the registry (with its
// defaults) and every op of the default, classic and heavy presets (with
// theirs, inside one_of and some_of too) that draws a parameter, the
// explorer lists it under "Extremes of" and its extremes are two pipelines
// whose previews (the real service's) record every drawn value at the low
// end of its range, then at the high end; a single-number jitter
// (color_jitter's 0.2) stands for the range the catalogue gives it.
func TestExplorerExtremesOfEveryOp(t *testing.T) {
	s := startStack(t)
	img := images(t)
	ctx := browser(t)
	var cat struct {
		Ops []struct {
			Name   string           `json:"name"`
			Params []catalogueParam `json:"params"`
		} `json:"ops"`
	}
	s.getJSON("/api/v1/ops", &cat)
	params := map[string][]catalogueParam{}
	var steps []map[string]any
	for _, op := range cat.Ops {
		params[op.Name] = op.Params
		if op.Name == "one_of" || op.Name == "some_of" {
			continue
		}
		step := map[string]any{"op": op.Name}
		for _, p := range op.Params {
			if p.Type == "size" && p.Default == nil {
				step[p.Name] = []any{48.0, 48.0}
			}
		}
		steps = append(steps, step)
	}
	var flatten func(any)
	flatten = func(v any) {
		m, _ := v.(map[string]any)
		if m["op"] != nil {
			steps = append(steps, m)
		}
		for _, k := range []string{"one_of", "some_of"} {
			for _, c := range asSlice(m[k]) {
				flatten(c)
			}
		}
	}
	for _, preset := range []string{"default", "classic", "heavy"} {
		var p []any
		if err := json.Unmarshal(mustPreset(t, s, preset), &p); err != nil {
			t.Fatal(err)
		}
		for _, st := range p {
			flatten(st)
		}
	}
	// the explorer's listing of each step as a pipeline, and its extremes
	run(t, ctx, s, "opening the explorer", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(s.URL+"/explore"),
		chromedp.WaitVisible(chromedp.CSS("#explore-seed")))
	js, _ := json.Marshal(steps)
	type answer struct {
		Listed []string       `json:"listed"`
		Names  []string       `json:"names"`
		Low    map[string]any `json:"low"`
		High   map[string]any `json:"high"`
	}
	answers, err := chromedp.Run(ctx, chromedp.Evaluate[[]answer](`import("/static/extremes.js").then((m) => {
		const byName = new Map(JSON.parse(document.getElementById("catalogue").textContent).ops.map((o) => [o.name, o]));
		return `+string(js)+`.map((s) => {
			const e = m.extremes(s, byName.get(s.op));
			const listed = m.randomOps([{ one_of: [{ op: "identity" }, s] }], byName).map((o) => o.path + " " + o.label);
			return e ? { listed, names: e.names, low: e.low, high: e.high } : { listed };
		}); })`, chromedp.EvalAwaitPromise))
	if err != nil || len(answers) != len(steps) {
		t.Fatalf("the extremes in the page: %d answers, %v", len(answers), err)
	}
	src := img.URL + "/cardinal.jpg"
	checked := 0
	for i, step := range steps {
		name := fmt.Sprint(step["op"])
		ends := drawnEnds(step, params[name])
		a := answers[i]
		if len(ends) == 0 {
			if a.Low != nil || len(a.Listed) != 0 {
				t.Errorf("%v draws nothing, yet the explorer gives it extremes %v (listed %q)", step, a.Names, a.Listed)
			}
			continue
		}
		if a.Low == nil || len(a.Names) != len(ends) {
			t.Errorf("%v draws %v; the explorer's extremes: %v", step, ends, a.Names)
			continue
		}
		if want := "0.1 step 1 › one_of 2, " + name; len(a.Listed) != 1 || a.Listed[0] != want {
			t.Errorf("inside a one_of, %s is listed as %q, not %q", name, a.Listed, want)
		}
		var recorded [2]map[string]json.RawMessage
		for k, end := range []map[string]any{a.Low, a.High} {
			body, _ := json.Marshal(map[string]any{"source": map[string]string{"url": src}, "pipeline": []any{end},
				"seed": 3, "variants": 1, "size": 64})
			st, p := s.postPreview(string(body))
			if st != 200 || len(p.Variants) != 1 {
				t.Fatalf("preview of %s: %d %+v", body, st, p.Error)
			}
			var ops []map[string]json.RawMessage
			if err := json.Unmarshal(p.Variants[0].Ops, &ops); err != nil || len(ops) != 1 {
				t.Fatalf("preview of %s recorded %s", body, p.Variants[0].Ops)
			}
			recorded[k] = ops[0]
		}
		if jsonEqual(mustJSON(recorded[0]), mustJSON(recorded[1])) {
			t.Errorf("%v: the low and high extremes recorded the same op %v", step, recorded[0])
		}
		for _, e := range ends {
			for k, want := range [][]float64{e.low, e.high} {
				if msg := atEnd(name, e, want, recorded[k]); msg != "" {
					t.Errorf("%v at its %s ends: %s (recorded %s)", step, [2]string{"low", "high"}[k], msg, mustJSON(recorded[k]))
				}
			}
		}
		checked++
	}
	if checked < 20 {
		t.Errorf("only %d ops with a drawn parameter checked", checked)
	}
	t.Logf("%d ops checked at both ends", checked)
}

// atEnd says what is wrong with a recorded op whose drawn parameter e should
// be at want; "" when nothing is.
func atEnd(op string, e drawnEnd, want []float64, rec map[string]json.RawMessage) string {
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-4 }
	if raw, ok := rec[e.recordedAs]; ok {
		var x float64
		var xs []float64
		if json.Unmarshal(raw, &x) == nil {
			xs = []float64{x}
		} else if err := json.Unmarshal(raw, &xs); err != nil {
			return fmt.Sprintf("%s is %s", e.recordedAs, raw)
		}
		if len(want) == 1 && len(xs) == 2 && xs[0] == xs[1] { // a jitter records [f, f]
			xs = xs[:1]
		}
		if len(xs) != len(want) {
			return fmt.Sprintf("%s is %v, not %v", e.recordedAs, xs, want)
		}
		for i := range xs {
			if !near(xs[i], want[i]) {
				return fmt.Sprintf("%s is %v, not %v", e.recordedAs, xs, want)
			}
		}
		return ""
	}
	// parameters that planning replaces by what it draws from them
	switch {
	case op == "cutout":
		var boxes [][3]float64
		if err := json.Unmarshal(rec["boxes"], &boxes); err != nil {
			return "no boxes"
		}
		if e.param == "holes" && len(boxes) != int(want[0]) {
			return fmt.Sprintf("%d holes, not %g", len(boxes), want[0])
		}
		for _, b := range boxes {
			if e.param == "size" && !near(b[2], want[0]) {
				return fmt.Sprintf("a hole of size %g, not %g", b[2], want[0])
			}
		}
		return ""
	case op == "perspective" && e.param == "distortion":
		// NOTE: each corner moves by a draw from [0, distortion/2]: the
		// distortion is at its end, the moves are still drawn below it.
		var pts [4][2]float64
		if err := json.Unmarshal(rec["points"], &pts); err != nil {
			return "no points"
		}
		for _, c := range pts {
			for _, v := range c {
				if math.Abs(v) > want[0]/2+1e-4 || (want[0] == 0 && v != 0) {
					return fmt.Sprintf("a corner moves by %g, beyond distortion %g", v, want[0])
				}
			}
		}
		return ""
	}
	return fmt.Sprintf("%s is not in the record, and the test does not know what it draws", e.param)
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
