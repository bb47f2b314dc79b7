package imaging

/*
#include "shim.h"
*/
import "C"

import (
	"fmt"
	"math"
)

// Geometric ops (flips, quarter turns, rotate, zoom, affine, perspective)
// are maps from output to input coordinates. Consecutive ones are composed
// and sampled in one pass (warp.c), when that gives what applying them one
// at a time would: always after flips and quarter turns, and otherwise when
// the later op reads only inside the earlier one's canvas, so the earlier
// fill is the only fill either way.

// mat3 is a row-major 3×3 map of continuous coordinates (pixel i spans
// [i, i + 1)), from output to input.
type mat3 [9]float64

var identity = mat3{1, 0, 0, 0, 1, 0, 0, 0, 1}

// cArray is m for the C side.
func (m mat3) cArray() [9]C.double {
	var out [9]C.double
	for i, v := range m {
		out[i] = C.double(v)
	}
	return out
}

func (a mat3) mul(b mat3) mat3 {
	var out mat3
	for i := range 3 {
		for j := range 3 {
			for k := range 3 {
				out[3*i+j] += a[3*i+k] * b[3*k+j]
			}
		}
	}
	return out
}

func (a mat3) point(x, y float64) (float64, float64) {
	q := a[6]*x + a[7]*y + a[8]
	return (a[0]*x + a[1]*y + a[2]) / q, (a[3]*x + a[4]*y + a[5]) / q
}

// warp is the geometric ops since the last flush, composed, and the colour
// op that may follow them in the same pass.
type warp struct {
	m      mat3
	w, h   int    // output size
	fill   string // "" while every op so far was exact (flips, quarter turns)
	colour *colourMatrix
}

func (p *warp) affine() bool { return p.m[6] == 0 && p.m[7] == 0 }

// fillCode is warp.c's code for a fill; black for none ("", exact ops).
func fillCode(fill string) C.int {
	switch fill {
	case "edge":
		return 1
	case "mirror":
		return 2
	case "white":
		return 3
	}
	return 0
}

// warp adds a geometric op: n maps its ow×oh output into the current image.
// An empty fill marks an exact op, one that moves whole pixels.
func (c *chain) warp(n mat3, ow, oh int, fill string) error {
	if p := c.pending; p != nil && p.colour != nil {
		// colour does not commute with fills: apply what is pending first
		if err := c.flush(); err != nil {
			return err
		}
	}
	if p := c.pending; p != nil {
		w, h := float64(p.w), float64(p.h)
		inside := true
		for _, q := range [][2]float64{{0, 0}, {float64(ow), 0}, {float64(ow), float64(oh)}, {0, float64(oh)}} {
			u, v := n.point(q[0], q[1])
			inside = inside && u > -1e-6 && v > -1e-6 && u < w+1e-6 && v < h+1e-6
		}
		switch {
		case p.fill == "": // flips and quarter turns commute with every fill
		case fill == "" || inside:
			fill = p.fill
		default:
			if err := c.flush(); err != nil {
				return err
			}
			c.pending = &warp{m: n, w: ow, h: oh, fill: fill}
			return nil
		}
		n = p.m.mul(n)
	}
	c.pending = &warp{m: n, w: ow, h: oh, fill: fill}
	return nil
}

// flush samples the pending geometric ops in one pass.
func (c *chain) flush() error {
	p := c.pending
	if p == nil {
		return nil
	}
	c.pending = nil
	if !p.affine() {
		// a perspective tile may read anywhere: compute its input once
		if err := c.materialise(); err != nil {
			return err
		}
	}
	out, err := p.image(c.cur)
	if err != nil || out == nil {
		return err
	}
	return c.step(0, out)
}

// image makes the lazy pass that applies p to in, or nil when p changes
// nothing.
func (p *warp) image(in *C.VipsImage) (*C.VipsImage, error) {
	m := p.m
	for i, v := range m { // exact turns stay exact: cos 90° is not quite 0
		if r := math.Round(v); math.Abs(v-r) < 1e-9 {
			m[i] = r
		}
	}
	if m == identity && p.w == int(in.Xsize) && p.h == int(in.Ysize) && p.colour == nil {
		return nil, nil
	}
	if k, f, ok := exact(m, int(in.Xsize), int(in.Ysize), p.w, p.h); ok && k%2 == 1 {
		// rows become columns: libvips' turn copies them; a flip after it
		// and the colour go through the pass, which copies rows to rows
		var turned *C.VipsImage
		if C.aug_turn(in, &turned, C.int(k)) != 0 {
			return nil, vipsError()
		}
		rest := warp{m: identity, w: p.w, h: p.h, colour: p.colour}
		if f {
			rest.m = flip(true, p.w, p.h)
		}
		out, err := rest.image(turned)
		if out == nil && err == nil {
			return turned, nil
		}
		C.g_object_unref(C.gpointer(turned))
		return out, err
	}
	cm := m.cArray()
	var colour *C.double
	if p.colour != nil {
		flat := p.colour.flat()
		colour = &flat[0]
	}
	var out *C.VipsImage
	if C.aug_warp(in, &out, &cm[0], C.int(p.w), C.int(p.h), fillCode(p.fill), colour) != 0 {
		return nil, vipsError()
	}
	return out, nil
}

// exact finds the quarter turns k and the mirroring f (after the turns) that
// m, a map from an ow×oh image to a w×h one, is made of, if it is one.
func exact(m mat3, w, h, ow, oh int) (k int, f bool, ok bool) {
	for k := range 4 {
		t, tw, th := quarterTurns(k, w, h)
		if tw != ow || th != oh {
			continue
		}
		if t == m {
			return k, false, true
		}
		if t.mul(flip(true, tw, th)) == m {
			return k, true, true
		}
	}
	return 0, false, false
}

// setSIMD allows warp.c's AVX2 inner loops (the default), or not, and says
// whether the CPU has them; for the test that compares their pixels to the
// plain loops'.
func setSIMD(on bool) bool { return C.aug_simd(boolC(on)) != 0 }

func boolC(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

// flip mirrors the w×h image left to right or top to bottom.
func flip(horizontal bool, w, h int) mat3 {
	if horizontal {
		return mat3{-1, 0, float64(w), 0, 1, 0, 0, 0, 1}
	}
	return mat3{1, 0, 0, 0, -1, float64(h), 0, 0, 1}
}

// quarterTurns turns the w×h image k quarter turns counter-clockwise and
// returns the map and the new size.
func quarterTurns(k, w, h int) (mat3, int, int) {
	W, H := float64(w), float64(h)
	switch ((k % 4) + 4) % 4 {
	case 1:
		return mat3{0, -1, W, 1, 0, 0, 0, 0, 1}, h, w
	case 2:
		return mat3{-1, 0, W, 0, -1, H, 0, 0, 1}, w, h
	case 3:
		return mat3{0, 1, 0, -1, 0, H, 0, 0, 1}, h, w
	}
	return identity, w, h
}

// affineMatrix is scale · rotation (counter-clockwise, y down) · horizontal
// shear, as [a b; c d] from input to output coordinates.
func affineMatrix(angle, scale, shear float64) [4]float64 {
	th, sh := angle*math.Pi/180, math.Tan(shear*math.Pi/180)
	cos, sin := math.Cos(th), math.Sin(th)
	// [cos sin; -sin cos] · [1 sh; 0 1]
	return [4]float64{scale * cos, scale * (cos*sh + sin), scale * -sin, scale * (-sin*sh + cos)}
}

// transform maps the w×h image through f about its centre onto an ow×oh
// canvas centred on it, moved by (dx, dy) pixels.
func (c *chain) transform(f [4]float64, dx, dy float64, ow, oh int, fill string) error {
	w, h := c.size()
	det := f[0]*f[3] - f[1]*f[2]
	if math.Abs(det) < 1e-9 {
		return fmt.Errorf("the transform is singular")
	}
	a, b, cc, d := f[3]/det, -f[1]/det, -f[2]/det, f[0]/det // the inverse
	ox, oy := float64(ow)/2+dx, float64(oh)/2+dy
	cx, cy := float64(w)/2, float64(h)/2
	return c.warp(mat3{a, b, cx - a*ox - b*oy, cc, d, cy - cc*ox - d*oy, 0, 0, 1}, ow, oh, fill)
}
