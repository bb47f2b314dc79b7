package imaging

import (
	"math"

	"github.com/augment-ml/augment/internal/augment"
	"github.com/augment-ml/augment/internal/geom"
)

// The linear colour ops (brightness, contrast, saturation, hue, grayscale and
// color_jitter, which is the first four in a drawn order) are each an affine
// map of (r, g, b). They are composed into one 3×4 matrix and applied in a
// single pass (warp.c), clipped to 8 bits once at the end.

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

// contrast is m followed by contrast factor f about the mean gray of the
// image after m: that mean follows from m and the mean of the image before
// it.
func contrast(m colourMatrix, f float64, mean meanFn) (colourMatrix, error) {
	if f == 1 { // the mean does not matter
		return m.then(contrastAbout(1, 0)), nil
	}
	means, err := mean()
	if err != nil {
		return m, err
	}
	mu := m.apply(means)
	return m.then(contrastAbout(f, luma[0]*mu[0]+luma[1]*mu[1]+luma[2]*mu[2])), nil
}

// jitter is color_jitter's matrix: its four parts in its order.
func jitter(o augment.ColorJitter, mean meanFn) (colourMatrix, error) {
	m := identityMatrix()
	for _, part := range o.Order {
		var err error
		switch part {
		case augment.JitterBrightness:
			m = m.then(gain(o.Brightness.Value()))
		case augment.JitterContrast:
			m, err = contrast(m, o.Contrast.Value(), mean)
		case augment.JitterSaturation:
			m = m.then(toward(o.Saturation.Value()))
		case augment.JitterHue:
			m = m.then(hueTurn(o.Hue.Value()))
		}
		if err != nil {
			return m, err
		}
	}
	return m, nil
}

// recolour applies one linear colour op, in the same pass as the pending
// geometric ops when they are affine. Contrast needs the mean gray of the
// image it applies to, estimated (see means) so that the ops before it are
// not computed twice.
func (c *chain) recolour(op augment.Op, matrix func(augment.Op, meanFn) (colourMatrix, error)) error {
	if p := c.pending; p != nil && (p.colour != nil || !p.m.Affine()) {
		if err := c.flush(); err != nil {
			return err
		}
	}
	m, err := matrix(op, c.means)
	if err != nil {
		return err
	}
	if c.pending != nil {
		c.pending.colour = &m
		return nil
	}
	return c.add(c.cur.recolour(m))
}

// gridSide is the side of the grid of samples that estimates the mean of an
// image in memory, pending geometric ops included: 16,384 bilinear samples.
const gridSide = 128

// means is the mean of each colour band of the image so far.
func (c *chain) means() ([3]float64, error) {
	if c.memory {
		w, h := c.size()
		m, f := geom.Identity, augment.Fill("")
		if p := c.pending; p != nil {
			m, f = p.m, p.fill
		}
		return c.cur.gridMeans(m, w, h, fillOf(f), gridSide)
	}
	// A lazy image: every pixel of the rows read is computed, so read few.
	img := c.cur
	if c.pending != nil {
		out, err := c.pending.image(c.cur)
		if err != nil {
			return [3]float64{}, err
		}
		if out.p != nil {
			defer out.unref()
			img = out
		}
	}
	return img.means(min(max(img.height()/128, 1), 16))
}
