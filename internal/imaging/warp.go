package imaging

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

// warp is the geometric ops since the last flush, composed, and the colour
// op that may follow them in the same pass.
type warp struct {
	m      geom.Mat3
	w, h   int          // output size
	fill   augment.Fill // "" while every op so far was exact (flips, quarter turns)
	colour *colourMatrix
}

// fillOf is the pass's fill for an op's; black for none ("", exact ops).
func fillOf(f augment.Fill) fill {
	switch f {
	case augment.FillEdge:
		return fillEdge
	case augment.FillMirror:
		return fillMirror
	case augment.FillWhite:
		return fillWhite
	}
	return fillBlack
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
	if err != nil || out.p == nil {
		return err
	}
	return c.add(out, nil)
}

// image makes the lazy pass that applies p to in, or none (a nil image)
// when p changes nothing.
func (p *warp) image(in vimage) (vimage, error) {
	m := p.m.Snap() // exact turns stay exact: cos 90° is not quite 0
	if m == geom.Identity && p.w == in.width() && p.h == in.height() && p.colour == nil {
		return vimage{}, nil
	}
	if k, f, ok := exact(m, in.width(), in.height(), p.w, p.h); ok && k%2 == 1 {
		// rows become columns: libvips' turn copies them; a flip after it
		// and the colour go through the pass, which copies rows to rows
		turned, err := in.turn(k)
		if err != nil {
			return vimage{}, err
		}
		rest := warp{m: geom.Identity, w: p.w, h: p.h, colour: p.colour}
		if f {
			rest.m = geom.Flip(true, p.w, p.h)
		}
		out, err := rest.image(turned)
		if out.p == nil && err == nil {
			return turned, nil
		}
		turned.unref()
		return out, err
	}
	return in.warp(m, p.w, p.h, fillOf(p.fill), p.colour)
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
