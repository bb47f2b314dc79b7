// Package cost estimates how long a job takes to render, from its pipeline,
// its number of variants and its source's size, so that a job no worker
// should take on is refused before it runs (JOB_MAX_COST).
//
// The figures are wall-clock milliseconds per megapixel on the project's
// reference machine (2 vCPUs, libvips 8.14), measured per op on cardinal.jpg
// and large.jpg; each step is counted at the top of its ranges, applied
// whatever its p, and a one_of or some_of at its costliest choice: an
// estimate errs high.
package cost

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"

	"github.com/augment-ml/augment/internal/augment"
	"github.com/augment-ml/augment/internal/domain"
)

// Estimate is a job's estimated rendering time.
type Estimate struct {
	Seconds   float64
	Costliest string // the step that costs most, as "gaussian_blur sigma=50"
}

// encodeMsPerMP is the floor of every variant: its share of the decode and
// its encode.
const encodeMsPerMP = 4

// msPerMP is what each op adds to a variant, per megapixel it is applied to.
// Ops whose cost grows with a parameter are in scaled.
var msPerMP = map[string]float64{
	"identity": 0, "hflip": 3, "vflip": 3, "rot90": 3, "rotate": 5, "zoom": 3, "affine": 7, "perspective": 20,
	"random_resized_crop": 9, "random_crop": 1, "center_crop": 1, "resize": 9,
	"brightness": 2, "contrast": 3, "saturation": 2, "hue": 2, "color_jitter": 4, "gamma": 42,
	"grayscale": 2, "invert": 3, "solarize": 5, "posterize": 2, "equalize": 3, "autocontrast": 7, "channel_shuffle": 4,
	"gaussian_noise": 13, "jpeg_compression": 9, "downscale": 36, "cutout": 1,
	"randaugment": 10, // per transformation: its costliest, a sharpen
}

// scaled ops cost by their sigma: a Gaussian mask about 6σ wide, and past
// σ 10 libvips' cost grows with its square (σ 50: a second per megapixel).
var scaled = map[string]float64{"gaussian_blur": 0, "sharpen": 10}

func blurMsPerMP(sigma, least float64) float64 {
	return math.Max(least, math.Max(3*sigma, 0.4*sigma*sigma))
}

type step struct {
	Op     string            `json:"op"`
	OneOf  []json.RawMessage `json:"one_of"`
	SomeOf []json.RawMessage `json:"some_of"`
	Args   map[string]json.RawMessage
}

// stepCost is one step's milliseconds for an image of w×h, and the size
// of the image after it.
type stepCost struct {
	ms   float64
	w, h float64
	name string
}

// Of estimates variants renders of a width×height source through pipeline
// (normalised JSON, as a job's spec holds it).
func Of(pipeline json.RawMessage, width, height, variants int) (Estimate, error) {
	w, h := float64(width), float64(height)
	ms := encodeMsPerMP * w * h / 1e6 // the decode, once
	var steps []json.RawMessage
	if err := json.Unmarshal(pipeline, &steps); err != nil {
		return Estimate{}, fmt.Errorf("cost: pipeline: %w", err)
	}
	per := 0.0
	var worst stepCost
	for _, raw := range steps {
		c, err := costOf(raw, w, h)
		if err != nil {
			return Estimate{}, err
		}
		per += c.ms
		if c.ms > worst.ms {
			worst = c
		}
		w, h = c.w, c.h
	}
	per += encodeMsPerMP * w * h / 1e6
	return Estimate{Seconds: (ms + per*float64(variants)) / 1000, Costliest: worst.name}, nil
}

func costOf(raw json.RawMessage, w, h float64) (stepCost, error) {
	var s step
	if err := json.Unmarshal(raw, &s); err != nil {
		return stepCost{}, fmt.Errorf("cost: step: %w", err)
	}
	_ = json.Unmarshal(raw, &s.Args)
	switch {
	case s.OneOf != nil:
		var worst stepCost
		for _, c := range s.OneOf {
			sc, err := costOf(c, w, h)
			if err != nil {
				return stepCost{}, err
			}
			if sc.ms >= worst.ms {
				worst = sc
			}
		}
		return worst, nil
	case s.SomeOf != nil:
		return someOf(s, w, h)
	}
	mp := w * h / 1e6
	c := stepCost{w: w, h: h, name: s.Op}
	if least, ok := scaled[s.Op]; ok {
		sigma := top(s.Args["sigma"], defaultOf(s.Op, "sigma"))
		c.ms, c.name = blurMsPerMP(sigma, least)*mp, fmt.Sprintf("%s sigma=%g", s.Op, sigma)
		return c, nil
	}
	per, ok := msPerMP[s.Op]
	if !ok {
		return stepCost{}, fmt.Errorf("cost: no figure for op %q", s.Op)
	}
	c.ms = per * mp
	if s.Op == "randaugment" {
		n := top(s.Args["n"], defaultOf(s.Op, "n"))
		c.ms, c.name = per*mp*n, fmt.Sprintf("randaugment n=%g", n)
	}
	if size := sizeOf(s.Args["size"]); size != nil {
		c.w, c.h = size[0], size[1]
	} else if l := top(s.Args["longest"], 0); l > 0 {
		f := l / math.Max(w, h)
		c.w, c.h = w*f, h*f
	}
	if expand := s.Args["expand"]; string(expand) == "true" {
		c.w, c.h = w*math.Sqrt2, h*math.Sqrt2
	}
	return c, nil
}

// someOf costs the most its n can choose: the n costliest steps, in turn.
func someOf(s step, w, h float64) (stepCost, error) {
	costs := make([]stepCost, len(s.SomeOf))
	for i, c := range s.SomeOf {
		sc, err := costOf(c, w, h)
		if err != nil {
			return stepCost{}, err
		}
		costs[i] = sc
	}
	sort.Slice(costs, func(i, j int) bool { return costs[i].ms > costs[j].ms })
	n := len(costs)
	if raw, ok := s.Args["n"]; ok {
		n = min(n, int(top(raw, float64(n))))
	}
	out := stepCost{w: w, h: h}
	for _, c := range costs[:n] {
		out.ms += c.ms
		if out.name == "" {
			out.name = c.name
		}
	}
	return out, nil
}

// top is a parameter's value, or the top of its range; def when absent.
func top(raw json.RawMessage, def float64) float64 {
	var v float64
	if json.Unmarshal(raw, &v) == nil {
		return v
	}
	var r []float64
	if json.Unmarshal(raw, &r) == nil && len(r) > 0 {
		return r[len(r)-1]
	}
	return def
}

func sizeOf(raw json.RawMessage) []float64 {
	var s []float64
	if json.Unmarshal(raw, &s) == nil && len(s) == 2 {
		return s
	}
	return nil
}

// defaultOf is the top of a parameter's default, from the op catalogue.
func defaultOf(op, param string) float64 {
	for _, info := range augment.Catalogue() {
		if info.Name != op {
			continue
		}
		for _, p := range info.Params {
			if p.Name == param {
				b, _ := json.Marshal(p.Default)
				return top(b, 1)
			}
		}
	}
	return 1
}

// Check refuses a job whose estimate is over maxSeconds (0: no limit) with
// ETooCostly and the figures.
func Check(spec domain.Spec, width, height int, maxSeconds float64) error {
	if maxSeconds <= 0 || width <= 0 || height <= 0 {
		return nil
	}
	e, err := Of(spec.Pipeline, width, height, spec.Variants)
	if err != nil || e.Seconds <= maxSeconds {
		return err
	}
	return domain.Errorf(domain.ETooCostly,
		"The job would take about %.0f s to render (%d variants of %d×%d, %.1f MP; %s costs the most); the limit is %.0f s.",
		e.Seconds, spec.Variants, width, height, float64(width*height)/1e6, e.Costliest, maxSeconds)
}
