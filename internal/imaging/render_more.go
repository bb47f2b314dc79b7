package imaging

/*
#include "shim.h"
*/
import "C"

import (
	"fmt"
	"math"

	"github.com/augment-ml/augment/internal/augment"
	"github.com/augment-ml/augment/internal/geom"
)

// Colour operations of shim_more.c, in its order.
const (
	cGamma = iota
	cInvert
	cSolarize
	cPosterize
	cEqualize
	cAutocontrast
	cShuffle
	cSharpen
)

var colourOps = map[string]int{
	"invert": cInvert, "equalize": cEqualize, "autocontrast": cAutocontrast,
	"gamma": cGamma, "solarize": cSolarize, "posterize": cPosterize,
}

// colourArg is the recorded value each one-parameter colour op takes.
var colourArg = map[string]string{"gamma": "gamma", "solarize": "threshold", "posterize": "bits"}

func (c *chain) colour(op int, p ...float64) error {
	var out *C.VipsImage
	args := make([]C.double, 4)
	for i, v := range p {
		args[i] = C.double(v)
	}
	return c.step(C.aug_colour(c.cur, &out, C.int(op), &args[0]), out)
}

func applyMore(c *chain, op augment.Op) error {
	var out *C.VipsImage
	w, h := c.size()
	if k, ok := colourOps[op.Name]; ok {
		return c.colour(k, op.Float(colourArg[op.Name], 0))
	}
	switch op.Name {
	case "channel_shuffle":
		o := op.Floats("order")
		if len(o) != 3 {
			o = []float64{0, 1, 2}
		}
		return c.colour(cShuffle, o...)
	case "sharpen":
		return c.colour(cSharpen, op.Float("sigma", 1), op.Float("amount", 1))
	case "gaussian_noise":
		return c.step(C.aug_noise(c.cur, &out, C.double(op.Float("std", 0)*255), C.int(op.Int("seed", 0))), out)
	case "jpeg_compression":
		return c.step(C.aug_jpeg(c.cur, &out, C.int(op.Int("quality", 75))), out)
	case "downscale":
		return c.step(C.aug_shrink(c.cur, &out, C.double(op.Float("scale", 0.5))), out)
	case "cutout":
		ink := map[string]float64{"black": 0, "white": 255, "gray": 128}[op.String("fill", "black")]
		var boxes []C.int
		for _, b := range op.Lists("boxes") {
			if len(b) != 3 {
				continue
			}
			side := max(1, int(math.Round(b[2]*float64(min(w, h)))))
			x, y := int(math.Round(b[0]*float64(w-side))), int(math.Round(b[1]*float64(h-side)))
			boxes = append(boxes, C.int(x), C.int(y), C.int(side), C.int(side))
		}
		if len(boxes) == 0 {
			return nil
		}
		return c.step(C.aug_cutout(c.cur, &out, &boxes[0], C.int(len(boxes)/4), C.double(ink)), out)
	case "random_crop", "center_crop":
		size := op.Floats("size")
		tw, th := int(size[0]), int(size[1])
		if w < tw || h < th { // scale up to cover the crop first
			f := math.Max(float64(tw)/float64(w), float64(th)/float64(h))
			w, h = max(tw, int(math.Ceil(float64(w)*f))), max(th, int(math.Ceil(float64(h)*f)))
			if err := c.step(C.aug_resize(c.cur, &out, C.int(w), C.int(h)), out); err != nil {
				return err
			}
		}
		fx, fy := op.Float("x", 0.5), op.Float("y", 0.5)
		x, y := int(math.Round(fx*float64(w-tw))), int(math.Round(fy*float64(h-th)))
		return c.step(C.aug_crop(c.cur, &out, C.int(x), C.int(y), C.int(tw), C.int(th)), out)
	case "affine":
		t := op.Floats("translate")
		if len(t) != 2 {
			t = []float64{0, 0}
		}
		m := geom.Linear(op.Float("angle", 0), op.Float("scale", 1), op.Float("shear", 0))
		return c.transform(m, t[0]*float64(w), t[1]*float64(h), w, h, op.String("fill", "black"))
	case "perspective":
		pts := op.Lists("points")
		if len(pts) != 4 {
			return fmt.Errorf("needs four points")
		}
		var corners [4][2]float64
		for i, p := range pts {
			if len(p) != 2 {
				return fmt.Errorf("a point needs two numbers")
			}
			corners[i] = [2]float64{p[0], p[1]}
		}
		hm, err := geom.Homography(float64(w), float64(h), corners)
		if err != nil {
			return err
		}
		return c.warp(hm, w, h, op.String("fill", "black"))
	}
	return fmt.Errorf("unknown operation %q", op.Name)
}
