package labels

import (
	"math"
	"runtime"
	"sync"

	"github.com/augment-ml/augment/internal/geom"
)

// Warp samples the mask through a variant's geometric steps, nearest
// neighbour only, so no class value appears that was not there: each output
// pixel centre goes back through every step, and wherever it leaves an
// image on the way it takes fill (fills copy pixels, never labels).
func (m *Mask) Warp(steps []geom.Step, fill int) *Mask {
	if len(steps) == 0 {
		return m
	}
	wp := m.warper(steps, fill)
	out := &Mask{W: wp.w, H: wp.h, Palette: m.Palette}
	if m.Pix16 != nil {
		out.Pix16 = make([]uint16, out.W*out.H)
	} else {
		out.Pix = make([]uint8, out.W*out.H)
	}
	inParallel(out.H, func(y0, y1 int) {
		if out.Pix16 != nil {
			wp.rows(nil, out.Pix16[y0*out.W:y1*out.W], y0, y1)
		} else {
			wp.rows(out.Pix[y0*out.W:y1*out.W], nil, y0, y1)
		}
	})
	return out
}

// WarpPNG is Warp's mask as PNG, made a few rows at a time and deflated as
// they come, never whole: the same pixels, in less time and memory.
func (m *Mask) WarpPNG(steps []geom.Step, fill int) ([]byte, error) {
	if len(steps) == 0 {
		return m.PNG()
	}
	wp := m.warper(steps, fill)
	return encodePNG(wp.w, wp.h, m.Pix16 != nil, m.Palette, wp.rows)
}

// warper samples a mask through steps: the map from the output to the
// source, and the stages on the way that a pixel must stay inside of.
type warper struct {
	src    *Mask
	w, h   int // the output's size
	stages []stage
	to     geom.Mat3
	fill   int
}

func (m *Mask) warper(steps []geom.Step, fill int) warper {
	last := steps[len(steps)-1]
	wp := warper{src: m, w: last.W, h: last.H, stages: make([]stage, len(steps)), to: geom.Identity, fill: fill}
	// Going back from the output, stage i maps an output point into the
	// image that step n−1−i reads, through everything after it.
	for i := range steps {
		k := len(steps) - 1 - i
		wp.to = steps[k].ToInput.Mul(wp.to)
		w, h := m.W, m.H
		if k > 0 {
			w, h = steps[k-1].W, steps[k-1].H
		}
		wp.stages[i] = stage{wp.to, float64(w), float64(h)}
	}
	return wp
}

// rows samples the output's rows [y0, y1) into dst8 or dst16 (by the
// source's depth), which hold those rows only.
func (wp warper) rows(dst8 []uint8, dst16 []uint16, y0, y1 int) {
	m := wp.src
	if m.Pix16 != nil {
		warpRows(dst16, m.Pix16, wp.w, m.W, m.H, y0, y1, wp.stages, wp.to, uint16(wp.fill))
	} else {
		warpRows(dst8, m.Pix, wp.w, m.W, m.H, y0, y1, wp.stages, wp.to, uint8(wp.fill))
	}
}

// inParallel calls f on bands of the rows [0, n), on every core for a large
// mask.
func inParallel(n int, f func(y0, y1 int)) {
	parts := min(runtime.GOMAXPROCS(0), n/256)
	if parts <= 1 {
		f(0, n)
		return
	}
	var wg sync.WaitGroup
	for i := range parts {
		wg.Go(func() { f(i*n/parts, (i+1)*n/parts) })
	}
	wg.Wait()
}

// warpRows samples rows [y0, y1) of an ow-wide output into dst, which
// holds those rows, from the w×h src, through m, the map from the output to
// it, nearest neighbour; pixels outside some stage's image take fill.
func warpRows[T uint8 | uint16](dst, src []T, ow, w, h, y0, y1 int, stages []stage, m geom.Mat3, fill T) {
	// NOTE: along a row an affine map moves by a constant step: follow it
	// in 32.32 fixed point, exact to a millionth of a pixel over any row
	const one = 1 << 32
	du, dv := int64(m[0]*one), int64(m[3]*one)
	type run struct {
		y, a, b int
		u, v    int64 // at a
	}
	var turned []run // rows of a map that turns: read down the source, not along it
	for y := y0; y < y1; y++ {
		row := dst[(y-y0)*ow : (y-y0+1)*ow]
		Y := float64(y) + 0.5
		a, b := inside(stages, Y, ow)
		for x := range a {
			row[x] = fill
		}
		for x := b; x < ow; x++ {
			row[x] = fill
		}
		switch X := float64(a) + 0.5; {
		case !m.Affine() || m[8] != 1:
			for x := a; x < b; x++ {
				u, v := m.Apply(float64(x)+0.5, Y)
				row[x] = src[min(int(v), h-1)*w+min(int(u), w-1)]
			}
		case m[3] == 0: // rows stay rows: flips, crops, resizes, zooms
			u := int64((m[0]*X + m[1]*Y + m[2]) * one)
			line := src[max(0, min(int(m[4]*Y+m[5]), h-1))*w:][:w]
			if !within(u, du, int64(b-a-1), w) {
				for x := a; x < b; x++ {
					row[x] = line[max(0, min(int(u>>32), w-1))]
					u += du
				}
				break
			}
			switch k := int(u >> 32); du {
			case one: // a crop
				copy(row[a:b], line[k:])
			case -one: // a mirror
				for x := a; x < b; x++ {
					row[x] = line[k]
					k--
				}
			default:
				for x := a; x < b; x++ {
					row[x] = line[u>>32]
					u += du
				}
			}
		default:
			turned = append(turned, run{y, a, b, int64((m[0]*X + m[1]*Y + m[2]) * one), int64((m[3]*X + m[4]*Y + m[5]) * one)})
		}
	}
	if turned == nil {
		return
	}
	// NOTE: a turned row reads across many source rows; going by tiles of
	// columns keeps the source rows a tile reads in the cache (a quarter
	// turn, row by row, reads a new cache line for every pixel).
	const tile = 64
	for x0 := 0; x0 < ow; x0 += tile {
		for _, r := range turned {
			a, b := max(r.a, x0), min(r.b, x0+tile)
			if a >= b {
				continue
			}
			k := int64(a - r.a)
			u, v := r.u+k*du, r.v+k*dv
			row := dst[(r.y-y0)*ow : (r.y-y0+1)*ow]
			if n := int64(b - a - 1); within(u, du, n, w) && within(v, dv, n, h) {
				// both ends in the source, so is the line between
				for x := a; x < b; x++ {
					row[x] = src[int(v>>32)*w+int(u>>32)]
					u, v = u+du, v+dv
				}
				continue
			}
			for x := a; x < b; x++ {
				row[x] = src[max(0, min(int(v>>32), h-1))*w+max(0, min(int(u>>32), w-1))]
				u, v = u+du, v+dv
			}
		}
	}
}

// within reports whether the fixed-point coordinate p, moved n times by
// dp, stays in [0, size) at both ends, and so all the way.
func within(p, dp, n int64, size int) bool {
	q := p + n*dp
	return p >= 0 && q >= 0 && p>>32 < int64(size) && q>>32 < int64(size)
}

// stage is a map from the output into an image of size w×h.
type stage struct {
	m    geom.Mat3
	w, h float64
}

// in reports whether the centre of output pixel (x, y) lies inside every
// stage's image.
func in(stages []stage, x int, Y float64) bool {
	X := float64(x) + 0.5
	for _, s := range stages {
		if !s.m.Ahead(X, Y) {
			return false
		}
		u, v := s.m.Apply(X, Y)
		if !(u >= 0 && v >= 0 && u < s.w && v < s.h) {
			return false
		}
	}
	return true
}

// inside returns the pixels [a, b) of output row Y whose centres lie inside
// every stage's image. Along a row each condition (u ≥ 0, u < w, …, and
// the point ahead of a projective map's horizon) is linear in x once
// multiplied by the positive denominator, so the pixels form one run; its
// ends are then settled by the exact test.
func inside(stages []stage, Y float64, n int) (int, int) {
	lo, hi := 0.0, float64(n) // the run of centres X = x + 0.5
	for _, s := range stages {
		m := s.m
		// numerators and denominator along the row: c0 + c1·X
		nu := [2]float64{m[1]*Y + m[2], m[0]}
		nv := [2]float64{m[4]*Y + m[5], m[3]}
		q := [2]float64{m[7]*Y + m[8], m[6]}
		for _, c := range [][2]float64{q, nu, {s.w*q[0] - nu[0], s.w*q[1] - nu[1]}, nv, {s.h*q[0] - nv[0], s.h*q[1] - nv[1]}} {
			switch { // c0 + c1·X ≥ 0
			case c[1] > 0:
				lo = max(lo, -c[0]/c[1])
			case c[1] < 0:
				hi = min(hi, -c[0]/c[1])
			case c[0] < 0:
				return 0, 0
			}
		}
	}
	if !(hi > lo) {
		return 0, 0
	}
	a, b := max(0, int(math.Ceil(lo-0.5))), min(n, int(math.Floor(hi-0.5))+1)
	for a < b && !in(stages, a, Y) {
		a++
	}
	for a > 0 && in(stages, a-1, Y) {
		a--
	}
	for b > a && !in(stages, b-1, Y) {
		b--
	}
	for b < n && b > a && in(stages, b, Y) {
		b++
	}
	return a, b
}
