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
	switch o := op.(type) {
	case augment.Invert:
		return c.colour(cInvert, 0)
	case augment.Equalize:
		return c.colour(cEqualize, 0)
	case augment.Autocontrast:
		return c.colour(cAutocontrast, 0)
	case augment.Gamma:
		return c.colour(cGamma, o.Gamma.Value())
	case augment.Solarize:
		return c.colour(cSolarize, o.Threshold.Value())
	case augment.Posterize:
		return c.colour(cPosterize, float64(o.Bits.Value()))
	case augment.ChannelShuffle:
		order := []float64{0, 1, 2}
		if len(o.Order) == 3 {
			order = []float64{float64(o.Order[0]), float64(o.Order[1]), float64(o.Order[2])}
		}
		return c.colour(cShuffle, order...)
	case augment.Sharpen:
		return c.colour(cSharpen, o.Sigma.Value(), o.Amount.Value())
	case augment.GaussianNoise:
		seed := 0
		if o.Seed != nil {
			seed = o.Seed.Value()
		}
		return c.step(C.aug_noise(c.cur, &out, C.double(o.Std.Value()*255), C.int(seed)), out)
	case augment.JPEGCompression:
		return c.step(C.aug_jpeg(c.cur, &out, C.int(o.Quality.Value())), out)
	case augment.Downscale:
		return c.step(C.aug_shrink(c.cur, &out, C.double(o.Scale.Value())), out)
	case augment.Cutout:
		ink := map[augment.Ink]float64{augment.InkBlack: 0, augment.InkWhite: 255, augment.InkGray: 128}[o.Fill]
		var boxes []C.int
		for _, r := range o.Holes(w, h) {
			boxes = append(boxes, C.int(r.Min.X), C.int(r.Min.Y), C.int(r.Dx()), C.int(r.Dy()))
		}
		if len(boxes) == 0 {
			return nil
		}
		return c.step(C.aug_cutout(c.cur, &out, &boxes[0], C.int(len(boxes)/4), C.double(ink)), out)
	case augment.RandomCrop:
		return c.crop(o.Size, o.X.Value(), o.Y.Value())
	case augment.CenterCrop:
		return c.crop(o.Size, 0.5, 0.5)
	case augment.Affine:
		var t augment.Pair
		if o.Offset != nil {
			t = *o.Offset
		}
		m := geom.Linear(o.Degrees.Value(), o.Scale.Value(), o.Shear.Value())
		return c.transform(m, t[0]*float64(w), t[1]*float64(h), w, h, string(o.Fill))
	case augment.Perspective:
		if o.Points == nil {
			return fmt.Errorf("needs four points")
		}
		hm, err := geom.Homography(float64(w), float64(h), *o.Points)
		if err != nil {
			return err
		}
		return c.warp(hm, w, h, string(o.Fill))
	}
	return fmt.Errorf("unknown operation %q", augment.Name(op))
}

func (c *chain) crop(size augment.Size, fx, fy float64) error {
	var out *C.VipsImage
	w, h := c.size()
	tw, th := size[0], size[1]
	if w < tw || h < th { // scale up to cover the crop first
		f := math.Max(float64(tw)/float64(w), float64(th)/float64(h))
		w, h = max(tw, int(math.Ceil(float64(w)*f))), max(th, int(math.Ceil(float64(h)*f)))
		if err := c.step(C.aug_resize(c.cur, &out, C.int(w), C.int(h)), out); err != nil {
			return err
		}
	}
	x, y := int(math.Round(fx*float64(w-tw))), int(math.Round(fy*float64(h-th)))
	return c.step(C.aug_crop(c.cur, &out, C.int(x), C.int(y), C.int(tw), C.int(th)), out)
}
