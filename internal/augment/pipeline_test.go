package augment

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/augment-ml/augment/internal/domain"
)

func TestParseRefusesBadPipelines(t *testing.T) {
	for _, tc := range []struct{ name, pipeline, says string }{
		{"malformed", `[{"op": `, "JSON list"},
		{"not a list", `{"op": "hflip"}`, "JSON list"},
		{"step not an object", `[42]`, "step 1 must be an object"},
		{"no op", `[{"p": 0.5}]`, "step 1 needs an \"op\""},
		{"unknown op", `[{"op": "melt"}]`, `unknown operation "melt"`},
		{"unknown param", `[{"op": "rotate", "angle": 3}]`, `step 1 (rotate): unknown parameter "angle"`},
		{"wrong type", `[{"op": "rotate", "degrees": "lots"}]`, `step 1 (rotate): parameter "degrees"`},
		{"out of range", `[{"op": "hflip"}, {"op": "brightness", "factor": [0.5, 99]}]`, `step 2 (brightness): parameter "factor"`},
		{"reversed range", `[{"op": "zoom", "scale": [2, 1]}]`, "minimum above its maximum"},
		{"p too big", `[{"op": "hflip", "p": 1.5}]`, `parameter "p"`},
		{"p a range", `[{"op": "hflip", "p": [0, 1]}]`, `parameter "p"`},
		{"fractional k", `[{"op": "rot90", "k": 1.5}]`, `parameter "k"`},
		{"bad size", `[{"op": "random_resized_crop", "size": [0, 10]}]`, `parameter "size"`},
		{"missing size", `[{"op": "random_resized_crop"}]`, `parameter "size" is required`},
		{"bad enum", `[{"op": "rotate", "fill": "plaid"}]`, "black, white, edge, mirror"},
		{"resize needs one", `[{"op": "resize"}]`, "either"},
		{"empty one_of", `[{"one_of": []}]`, "non-empty"},
		{"nested bad", `[{"one_of": [{"op": "hflip"}, {"op": "melt"}]}]`, "step 1 > one_of[2]"},
		{"one_of with op", `[{"one_of": [{"op": "hflip"}], "op": "vflip"}]`, "takes only"},
		{"some_of n too big", `[{"some_of": [{"op": "hflip"}], "n": [1, 3]}]`, `parameter "n"`},
		{"too deep", strings.Repeat(`[{"one_of": `, 7) + `[{"op": "hflip"}]` + strings.Repeat(`}]`, 7), "nest"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.pipeline))
			if domain.ErrorCode(err) != domain.EInvalidSpec || !strings.Contains(domain.ErrorMessage(err), tc.says) {
				t.Fatalf("Parse(%s) = %v; want invalid_spec saying %q", tc.pipeline, err, tc.says)
			}
		})
	}
}

func TestPlanIsDeterministicPerVariant(t *testing.T) {
	p, err := Parse([]byte(`[{"op": "hflip", "p": 0.5}, {"op": "rotate", "degrees": [-20, 20]},
		{"some_of": [{"op": "brightness"}, {"op": "contrast"}, {"op": "gaussian_blur"}], "n": [1, 2]}]`))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		a, b := p.Plan(42, "", i), p.Plan(42, "", i)
		if diff := cmp.Diff(a, b); diff != "" {
			t.Fatalf("variant %d differs between runs:\n%s", i, diff)
		}
	}
	if cmp.Equal(p.Plan(42, "", 0), p.Plan(42, "", 1)) && cmp.Equal(p.Plan(42, "", 1), p.Plan(42, "", 2)) {
		t.Error("variants 0, 1 and 2 are all the same")
	}
	if cmp.Equal(p.Plan(1, "", 0), p.Plan(2, "", 0)) && cmp.Equal(p.Plan(3, "", 0), p.Plan(4, "", 0)) {
		t.Error("the seed does not change the plan")
	}
}

func TestPlanRespectsRangesAndProbabilities(t *testing.T) {
	p, _ := Parse([]byte(`[{"op": "rotate", "degrees": [-20, 20]}, {"op": "hflip", "p": 0.3}]`))
	var neg, pos, flips int
	const n = 4000
	for i := range n {
		ops := p.Plan(7, "", i)
		a := ops[0].(Rotate).Degrees.Value()
		if a < -20 || a > 20 {
			t.Fatalf("angle %v outside [-20, 20]", a)
		}
		if a < 0 {
			neg++
		} else {
			pos++
		}
		if len(ops) == 2 {
			flips++
		}
	}
	if neg < n/3 || pos < n/3 {
		t.Errorf("angles lean one way: %d negative, %d positive", neg, pos)
	}
	if f := float64(flips) / n; f < 0.26 || f > 0.34 {
		t.Errorf("hflip with p 0.3 applied to %.2f of variants", f)
	}
}

func TestClassicPreset(t *testing.T) {
	p, err := Preset("classic")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for i := range 2000 {
		ops := p.Plan(1, "", i)
		switch len(ops) {
		case 0:
			seen["nothing"]++
		case 1:
			seen[Name(ops[0])]++
			if r, ok := ops[0].(Rotate); ok && (r.Degrees.Value() < 0 || r.Degrees.Value() > 360) {
				t.Fatalf("angle %v outside [0, 360]", r.Degrees.Value())
			}
		default:
			t.Fatalf("classic applied %d ops", len(ops))
		}
	}
	for _, k := range []string{"nothing", "rotate", "hflip", "vflip"} {
		if seen[k] < 400 || seen[k] > 600 {
			t.Errorf("classic chose %s %d times of 2000, want about 500", k, seen[k])
		}
	}
}

func TestPresetsParseAndPlanKnownOps(t *testing.T) {
	for _, info := range Presets() {
		p, err := Preset(info.Name)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 50 {
			for _, op := range p.Plan(3, "", i) {
				if _, ok := registry[Name(op)]; !ok {
					t.Errorf("preset %s planned unknown op %q", info.Name, Name(op))
				}
			}
		}
		again, err := Parse(p.JSON())
		if err != nil || string(again.JSON()) != string(p.JSON()) {
			t.Errorf("preset %s does not round-trip: %v", info.Name, err)
		}
	}
	if _, err := Preset("nope"); domain.ErrorCode(err) != domain.EInvalidSpec {
		t.Errorf("unknown preset: %v", err)
	}
}

func TestOpsRoundTrip(t *testing.T) {
	p, _ := Preset("heavy")
	ops := p.Plan(9, "", 0)
	b, err := json.Marshal(ops)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseOps(b)
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := json.Marshal(back)
	if string(b) != string(b2) {
		t.Fatalf("ops changed in a round trip:\n%s\n%s", b, b2)
	}
	if _, err := ParseOps([]byte(`[{"op": "melt"}]`)); err == nil {
		t.Error("ParseOps accepted an unknown op")
	}
}

func TestCatalogueDescribesEveryOp(t *testing.T) {
	names := map[string]bool{}
	for _, o := range Catalogue() {
		names[o.Name] = true
		if o.Description == "" || o.Group == "" || len(o.Params) == 0 || o.Params[0].Name != "p" {
			t.Errorf("op %s is described badly: %+v", o.Name, o)
		}
	}
	for name := range registry {
		if !names[name] {
			t.Errorf("op %s is missing from the catalogue", name)
		}
	}
	for _, want := range []string{"hflip", "vflip", "rot90", "rotate", "random_resized_crop", "resize", "zoom",
		"brightness", "contrast", "gaussian_blur", "grayscale", "one_of", "some_of"} {
		if !names[want] {
			t.Errorf("the catalogue lacks %s", want)
		}
	}
}

func TestValidateOutput(t *testing.T) {
	for o, ok := range map[domain.Output]bool{
		{}: true, {Format: "png"}: true, {Format: "webp", Quality: 80}: true,
		{Format: "bmp"}: false, {Quality: 101}: false, {Quality: -1}: false,
	} {
		if err := ValidateOutput(o); (err == nil) != ok {
			t.Errorf("ValidateOutput(%+v) = %v", o, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{`[{"op": "hflip"}]`, `[{"one_of": [{"op": "rotate", "degrees": [-5, 5]}], "p": 0.5}]`,
		`[{"some_of": [{"op": "zoom"}, {"op": "grayscale"}], "n": [0, 2]}]`, `[{"op": "resize", "longest": 64}]`,
		`[{"op": "random_resized_crop", "size": [32, 32]}]`, `{`, `[]`, `[null]`, `[{"op": 1}]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		p, err := Parse(raw)
		if err != nil {
			if domain.ErrorCode(err) != domain.EInvalidSpec {
				t.Fatalf("error without the invalid_spec code: %v", err)
			}
			return
		}
		for i := range 3 {
			b, err := json.Marshal(p.Plan(int64(i), "", i))
			if err != nil {
				t.Fatal(err)
			}
			again, err := Parse(b)
			if err != nil {
				t.Fatalf("the record %s is not a pipeline: %v", b, err)
			}
			if b2, _ := json.Marshal(again.Plan(99, "another/key.png", 5)); string(b2) != string(b) {
				t.Fatalf("the record %s replays as %s", b, b2)
			}
		}
	})
}

// TestSourceKeys: a job on its own (key "") draws from PCG(seed, index), as
// it always did; sources of a batch draw from streams of their own, the same
// for the same key every time.
func TestSourceKeys(t *testing.T) {
	for _, seed := range []int64{0, 1, -7, 1 << 40} {
		for i := range 4 {
			a, b := rand.New(source(seed, "", i)), rand.New(rand.NewPCG(uint64(seed), uint64(i)))
			for range 8 {
				if a.Uint64() != b.Uint64() {
					t.Fatalf("seed %d, variant %d: key \"\" is not PCG(seed, index)", seed, i)
				}
			}
		}
	}
	p, _ := Parse([]byte(`[{"op": "rotate", "degrees": [-30, 30]}]`))
	seen := map[float64]string{}
	for _, key := range []string{"", "a.jpg", "b.jpg", "train/a.jpg", "https://example.com/a.jpg", "a.jpg\n2"} {
		for i := range 3 {
			d := p.Plan(42, key, i)[0].(Rotate).Degrees.Value()
			if other, ok := seen[d]; ok {
				t.Errorf("%q variant %d drew %g, as %s did", key, i, d, other)
			}
			seen[d] = fmt.Sprintf("%q variant %d", key, i)
			if again := p.Plan(42, key, i)[0].(Rotate).Degrees.Value(); again != d {
				t.Errorf("%q variant %d drew %g, then %g", key, i, d, again)
			}
		}
	}
}
