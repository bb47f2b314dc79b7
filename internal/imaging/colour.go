package imaging

/*
#include "shim.h"
*/
import "C"

import (
	"math"

	"github.com/augment-ml/augment/internal/augment"
	"github.com/augment-ml/augment/internal/geom"
)

// The linear colour ops (brightness, contrast, saturation, hue, grayscale and
// color_jitter, which is the first four in a drawn order) are each an affine
// map of (r, g, b). They are composed into one 3×4 matrix and applied in a
// single pass (warp.c), clipped to 8 bits once at the end.

// linearColour says whether op is one of those.
func linearColour(op augment.Op) bool {
	switch op.(type) {
	case augment.Brightness, augment.Contrast, augment.Saturation, augment.Hue, augment.Grayscale, augment.ColorJitter:
		return true
	}
	return false
}

// colourMatrix maps (r, g, b, 1) to (r, g, b): three rows of four.
type colourMatrix [3][4]float64

// luma is the Rec. 601 gray torchvision uses.
var luma = [3]float64{0.299, 0.587, 0.114}

func identityMatrix() colourMatrix {
	return colourMatrix{{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}}
}

// then returns the map that applies m first and n after it.
func (m colourMatrix) then(n colourMatrix) colourMatrix {
	var out colourMatrix
	for i := range 3 {
		for j := range 4 {
			v := 0.0
			for k := range 3 {
				v += n[i][k] * m[k][j]
			}
			if j == 3 {
				v += n[i][3]
			}
			out[i][j] = v
		}
	}
	return out
}

// apply maps a colour through m.
func (m colourMatrix) apply(rgb [3]float64) [3]float64 {
	var out [3]float64
	for i := range 3 {
		out[i] = m[i][0]*rgb[0] + m[i][1]*rgb[1] + m[i][2]*rgb[2] + m[i][3]
	}
	return out
}

func gain(f float64) colourMatrix {
	return colourMatrix{{f, 0, 0, 0}, {0, f, 0, 0}, {0, 0, f, 0}}
}

// toward blends with the gray of the pixel: f = 0 is gray, 1 unchanged.
func toward(f float64) colourMatrix {
	var m colourMatrix
	for i := range 3 {
		for k := range 3 {
			m[i][k] = (1 - f) * luma[k]
		}
		m[i][i] += f
	}
	return m
}

// contrastAbout blends with the mean gray level: f·x + (1 − f)·mean.
func contrastAbout(f, mean float64) colourMatrix {
	m := gain(f)
	for i := range 3 {
		m[i][3] = (1 - f) * mean
	}
	return m
}

// hueTurn turns the chroma plane of YIQ by turns; a third of a turn takes red
// to green.
func hueTurn(turns float64) colourMatrix {
	toYIQ := [3][3]float64{{0.299, 0.587, 0.114}, {0.596, -0.274, -0.322}, {0.211, -0.523, 0.312}}
	fromYIQ := [3][3]float64{{1, 0.956, 0.621}, {1, -0.272, -0.647}, {1, -1.106, 1.703}}
	th := -turns * 2 * math.Pi
	rot := [3][3]float64{{1, 0, 0}, {0, math.Cos(th), -math.Sin(th)}, {0, math.Sin(th), math.Cos(th)}}
	var m colourMatrix
	for i := range 3 {
		for j := range 3 {
			for k := range 3 {
				for l := range 3 {
					m[i][j] += fromYIQ[i][k] * rot[k][l] * toYIQ[l][j]
				}
			}
		}
	}
	return m
}

// readsMean says whether op is a contrast change, which needs the mean.
func readsMean(op augment.Op) bool {
	switch o := op.(type) {
	case augment.Contrast:
		return true
	case augment.ColorJitter:
		return o.Contrast.Value() != 1
	}
	return false
}

// recolour applies one linear colour op, in the same pass as the pending
// geometric ops when they are affine. Contrast needs the mean gray of the
// image it applies to, estimated (see means) so that the ops before it are
// not computed twice. The mean after earlier parts of a jitter follows from
// the matrix.
func (c *chain) recolour(op augment.Op) error {
	if p := c.pending; p != nil && (p.colour != nil || !p.m.Affine()) {
		if err := c.flush(); err != nil {
			return err
		}
	}
	m := identityMatrix()
	var means [3]float64
	if readsMean(op) {
		var err error
		if means, err = c.means(); err != nil {
			return err
		}
	}
	part := func(name string, v float64) {
		switch name {
		case "brightness":
			m = m.then(gain(v))
		case "contrast":
			mu := m.apply(means)
			m = m.then(contrastAbout(v, luma[0]*mu[0]+luma[1]*mu[1]+luma[2]*mu[2]))
		case "saturation":
			m = m.then(toward(v))
		case "hue":
			m = m.then(hueTurn(v))
		case "grayscale":
			m = m.then(toward(0))
		}
	}
	switch o := op.(type) {
	case augment.ColorJitter:
		for _, name := range o.Order {
			v := map[string]augment.Jitter{augment.JitterBrightness: o.Brightness, augment.JitterContrast: o.Contrast,
				augment.JitterSaturation: o.Saturation, augment.JitterHue: o.Hue}[name]
			part(name, v.Value())
		}
	case augment.Hue:
		part("hue", o.Shift.Value())
	case augment.Brightness:
		part("brightness", o.Factor.Value())
	case augment.Contrast:
		part("contrast", o.Factor.Value())
	case augment.Saturation:
		part("saturation", o.Factor.Value())
	case augment.Grayscale:
		part("grayscale", 0)
	}
	if c.pending != nil {
		c.pending.colour = &m
		return nil
	}
	flat := m.flat()
	var out *C.VipsImage
	return c.step(C.aug_recolour(c.cur, &out, &flat[0]), out)
}

func (m colourMatrix) flat() [12]C.double {
	var flat [12]C.double
	for i := range 3 {
		for j := range 4 {
			flat[4*i+j] = C.double(m[i][j])
		}
	}
	return flat
}

// gridSide is the side of the grid of samples that estimates the mean of an
// image in memory, pending geometric ops included: 16,384 bilinear samples.
const gridSide = 128

// means is the mean of each colour band of the image so far.
func (c *chain) means() ([3]float64, error) {
	var cm [3]C.double
	if c.memory {
		w, h := c.size()
		m, fill := geom.Identity, ""
		if p := c.pending; p != nil {
			m, fill = p.m, p.fill
		}
		cmat := cArray(m)
		if C.aug_grid_means(c.cur, &cmat[0], C.int(w), C.int(h), fillCode(fill), gridSide, &cm[0]) != 0 {
			return [3]float64{}, vipsError()
		}
		return [3]float64{float64(cm[0]), float64(cm[1]), float64(cm[2])}, nil
	}
	// A lazy image: every pixel of the rows read is computed, so read few.
	img := c.cur
	if c.pending != nil {
		out, err := c.pending.image(c.cur)
		if err != nil {
			return [3]float64{}, err
		}
		if out != nil {
			defer C.g_object_unref(C.gpointer(out))
			img = out
		}
	}
	if C.aug_means(img, &cm[0], C.int(clamp(int(img.Ysize)/128, 1, 16))) != 0 {
		return [3]float64{}, vipsError()
	}
	return [3]float64{float64(cm[0]), float64(cm[1]), float64(cm[2])}, nil
}
