package imaging

/*
#include "shim.h"
*/
import "C"

import (
	"github.com/augment-ml/augment/internal/augment"
	"github.com/augment-ml/augment/internal/geom"
)

// Geometric ops (flips, quarter turns, rotate, zoom, affine, perspective)
// are maps from output to input coordinates. Consecutive ones are composed
// and sampled in one pass (warp.c), when that gives what applying them one
// at a time would: always after flips and quarter turns, and otherwise when
// the later op reads only inside the earlier one's canvas, so the earlier
// fill is the only fill either way.

// cArray is m for the C side.
func cArray(m geom.Mat3) [9]C.double {
	var out [9]C.double
	for i, v := range m {
		out[i] = C.double(v)
	}
	return out
}

// warp is the geometric ops since the last flush, composed, and the colour
// op that may follow them in the same pass.
type warp struct {
	m      geom.Mat3
	w, h   int          // output size
	fill   augment.Fill // "" while every op so far was exact (flips, quarter turns)
	colour *colourMatrix
}

// fillCode is warp.c's code for a fill; black for none ("", exact ops).
func fillCode(fill augment.Fill) C.int {
	switch fill {
	case augment.FillEdge:
		return 1
	case augment.FillMirror:
		return 2
	case augment.FillWhite:
		return 3
	}
	return 0
}

// warp adds a geometric step: n maps its ow×oh output into the current
// image, and fill shows where it reads outside, unless it is exact (moves
// whole pixels: flips, quarter turns), which makes the fill "".
func (c *chain) warp(n geom.Mat3, ow, oh int, fill augment.Fill) error {
	if w, h := c.size(); isExact(n, w, h, ow, oh) {
		fill = ""
	}
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
			u, v := n.Apply(q[0], q[1])
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
		n = p.m.Mul(n)
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
	if !p.m.Affine() {
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
	m := p.m.Snap() // exact turns stay exact: cos 90° is not quite 0
	if m == geom.Identity && p.w == int(in.Xsize) && p.h == int(in.Ysize) && p.colour == nil {
		return nil, nil
	}
	if k, f, ok := exact(m, int(in.Xsize), int(in.Ysize), p.w, p.h); ok && k%2 == 1 {
		// rows become columns: libvips' turn copies them; a flip after it
		// and the colour go through the pass, which copies rows to rows
		var turned *C.VipsImage
		if C.aug_turn(in, &turned, C.int(k)) != 0 {
			return nil, vipsError()
		}
		rest := warp{m: geom.Identity, w: p.w, h: p.h, colour: p.colour}
		if f {
			rest.m = geom.Flip(true, p.w, p.h)
		}
		out, err := rest.image(turned)
		if out == nil && err == nil {
			return turned, nil
		}
		C.g_object_unref(C.gpointer(turned))
		return out, err
	}
	cm := cArray(m)
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

// isExact says whether m, a map from an ow×oh image to a w×h one, moves
// whole pixels.
func isExact(m geom.Mat3, w, h, ow, oh int) bool {
	_, _, ok := exact(m, w, h, ow, oh)
	return ok
}

// exact finds the quarter turns k and the mirroring f (after the turns) that
// m, a map from an ow×oh image to a w×h one, is made of, if it is one.
func exact(m geom.Mat3, w, h, ow, oh int) (k int, f bool, ok bool) {
	for k := range 4 {
		t, tw, th := geom.QuarterTurns(k, w, h)
		if tw != ow || th != oh {
			continue
		}
		if t == m {
			return k, false, true
		}
		if t.Mul(geom.Flip(true, tw, th)) == m {
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
