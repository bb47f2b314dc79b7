package cost

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/augment-ml/augment/internal/augment"
	"github.com/augment-ml/augment/internal/domain"
)

// TestEveryOpHasAFigure walks the op catalogue: an op added without a cost
// figure fails here, not at a user's submission.
func TestEveryOpHasAFigure(t *testing.T) {
	for _, op := range augment.Catalogue() {
		if op.Name == "one_of" || op.Name == "some_of" {
			continue
		}
		_, plain := msPerMP[op.Name]
		_, byParam := scaled[op.Name]
		if !plain && !byParam {
			t.Errorf("op %s has no cost figure", op.Name)
		}
	}
	for name := range msPerMP {
		if !inCatalogue(name) {
			t.Errorf("a cost figure for %s, which is no op", name)
		}
	}
}

func inCatalogue(name string) bool {
	for _, op := range augment.Catalogue() {
		if op.Name == name {
			return true
		}
	}
	return false
}

// TestEstimates: what the red team ran (64 blurs of sigma 50 on a 16.8 MP
// photo: nothing written in 10 minutes) is far over the default budget of
// 300 s, while the presets at their largest (64 heavy variants of a 49 MP
// image) fit; cost grows with variants, pixels and sigma.
func TestEstimates(t *testing.T) {
	est := func(pipeline string, w, h, n int) Estimate {
		t.Helper()
		p, err := augment.Parse([]byte(pipeline))
		if err != nil {
			t.Fatal(err)
		}
		e, err := Of(p.JSON(), w, h, n)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	blur := est(`[{"op": "gaussian_blur", "sigma": 50}]`, 4096, 4096, 64)
	if blur.Seconds < 600 || blur.Costliest != "gaussian_blur sigma=50" {
		t.Errorf("64 blurs of sigma 50 on large.jpg: %+v", blur)
	}
	for _, name := range []string{"default", "classic", "grayscale", "geometric", "photometric", "heavy"} {
		p, _ := augment.Preset(name)
		if e, err := Of(p.JSON(), 7000, 7000, 64); err != nil || e.Seconds > 300 {
			t.Errorf("64 %s variants of 49 MP: %+v, %v; want under 300 s", name, e, err)
		}
	}
	small, big := est(`[{"op": "gaussian_blur"}]`, 1000, 1000, 8), est(`[{"op": "gaussian_blur"}]`, 2000, 2000, 8)
	more := est(`[{"op": "gaussian_blur"}]`, 1000, 1000, 16)
	wider := est(`[{"op": "gaussian_blur", "sigma": [1, 20]}]`, 1000, 1000, 8)
	if !(big.Seconds > 3.9*small.Seconds && more.Seconds > 1.9*small.Seconds && wider.Seconds > 5*small.Seconds) {
		t.Errorf("estimates do not grow: 1 MP %v, 4 MP %v, 16 variants %v, sigma 20 %v", small, big, more, wider)
	}
	// A resize first makes what follows cheap; one_of counts its costliest.
	if e := est(`[{"op": "resize", "size": [64, 64]}, {"op": "gaussian_blur", "sigma": 50}]`, 4096, 4096, 64); e.Seconds > 30 {
		t.Errorf("blurs of a 64×64 resize: %+v", e)
	}
	if e := est(`[{"one_of": [{"op": "hflip"}, {"op": "gaussian_blur", "sigma": 50}]}]`, 4096, 4096, 64); e.Costliest != "gaussian_blur sigma=50" {
		t.Errorf("one_of: %+v", e)
	}
}

func TestCheck(t *testing.T) {
	spec := domain.Spec{Variants: 64, Pipeline: json.RawMessage(`[{"op": "gaussian_blur", "sigma": 50}]`)}
	err := Check(spec, 4096, 4096, 300)
	if domain.ErrorCode(err) != domain.ETooCostly {
		t.Fatalf("err = %v", err)
	}
	for _, want := range []string{"64 variants of 4096×4096", "16.8 MP", "gaussian_blur sigma=50", "limit is 300 s"} {
		if !strings.Contains(domain.ErrorMessage(err), want) {
			t.Errorf("%q does not say %q", domain.ErrorMessage(err), want)
		}
	}
	if err := Check(spec, 4096, 4096, 0); err != nil {
		t.Errorf("no limit: %v", err)
	}
	if err := Check(spec, 64, 64, 300); err != nil {
		t.Errorf("a small source: %v", err)
	}
}
