package imaging

import (
	"fmt"
	"reflect"

	"github.com/augment-ml/augment/internal/augment"
)

// how says how an op renders, and so what it joins.
type how int

const (
	// warped: a geometric op, sampled through its Steps by the warp pass
	// and composed there with the geometric ops beside it and the linear
	// colour after it (warp.go).
	warped how = iota
	// cut: a geometric op whose Steps are crops and resizes, done by
	// libvips on the image so far (extract_area, resize).
	cut
	// coloured: a linear colour op: its matrix joins the pending ones and
	// the pending geometry in one pass (colour.go).
	coloured
	// whole: reads statistics of the whole image, then every pixel again:
	// runs on a materialised image.
	whole
	// called: a libvips (or C) call on the image so far.
	called
)

// renderer is how one op type renders: for coloured ops their matrix, for
// whole and called ones the call.
type renderer struct {
	typ    reflect.Type
	how    how
	colour func(op augment.Op, mean meanFn) (colourMatrix, error)
	call   func(c *chain, op augment.Op) error
}

// meanFn gives the mean colour of the image a colour op applies to.
type meanFn func() ([3]float64, error)

// renderers is the table: every op the planner can emit has a row (a test
// walks the augment registry).
var renderers = table(
	geometry[augment.HFlip](warped),
	geometry[augment.VFlip](warped),
	geometry[augment.Rot90](warped),
	geometry[augment.Rotate](warped),
	geometry[augment.Affine](warped),
	geometry[augment.Perspective](warped),
	geometry[augment.Zoom](warped),
	geometry[augment.RandomResizedCrop](cut),
	geometry[augment.RandomCrop](cut),
	geometry[augment.CenterCrop](cut),
	geometry[augment.Resize](cut),

	colour(func(o augment.Brightness, _ meanFn) (colourMatrix, error) { return gain(o.Factor.Value()), nil }),
	colour(func(o augment.Contrast, mean meanFn) (colourMatrix, error) {
		return contrast(identityMatrix(), o.Factor.Value(), mean)
	}),
	colour(func(o augment.Saturation, _ meanFn) (colourMatrix, error) { return toward(o.Factor.Value()), nil }),
	colour(func(o augment.Hue, _ meanFn) (colourMatrix, error) { return hueTurn(o.Shift.Value()), nil }),
	colour(func(augment.Grayscale, meanFn) (colourMatrix, error) { return toward(0), nil }),
	colour(jitter),

	call(whole, func(c *chain, _ augment.Equalize) error { return c.add(c.cur.tone(toneEqualize)) }),
	call(whole, func(c *chain, _ augment.Autocontrast) error { return c.add(c.cur.tone(toneAutocontrast)) }),
	call(called, func(c *chain, _ augment.Invert) error { return c.add(c.cur.tone(toneInvert)) }),
	call(called, func(c *chain, o augment.Gamma) error { return c.add(c.cur.tone(toneGamma, o.Gamma.Value())) }),
	call(called, func(c *chain, o augment.Solarize) error {
		return c.add(c.cur.tone(toneSolarize, o.Threshold.Value()))
	}),
	call(called, func(c *chain, o augment.Posterize) error {
		return c.add(c.cur.tone(tonePosterize, float64(o.Bits.Value())))
	}),
	call(called, func(c *chain, o augment.ChannelShuffle) error {
		if len(o.Order) != 3 {
			return fmt.Errorf("needs the order of the three channels")
		}
		return c.add(c.cur.tone(toneShuffle, float64(o.Order[0]), float64(o.Order[1]), float64(o.Order[2])))
	}),
	call(called, func(c *chain, o augment.Sharpen) error {
		return c.add(c.cur.tone(toneSharpen, c.length(o.Sigma.Value()), o.Amount.Value()))
	}),
	call(called, func(c *chain, o augment.GaussianBlur) error { return c.add(c.cur.blur(c.length(o.Sigma.Value()))) }),
	call(called, func(c *chain, o augment.GaussianNoise) error {
		if o.Seed == nil {
			return fmt.Errorf("needs its seed")
		}
		// NOTE: a tile's pixel averages 1/t² full-size ones, whose noise
		// averages to t times its deviation, as a length scales.
		return c.add(c.cur.noise(c.length(o.Std.Value()*255), o.Seed.Value()))
	}),
	call(called, func(c *chain, o augment.JPEGCompression) error { return c.add(c.cur.jpeg(o.Quality.Value())) }),
	call(called, func(c *chain, o augment.Downscale) error {
		if s, ok := c.downscale(o.Scale.Value()); ok {
			return c.add(c.cur.shrink(s))
		}
		return nil
	}),
	call(called, func(c *chain, o augment.Cutout) error {
		holes := c.holes(o)
		if len(holes) == 0 {
			return nil
		}
		ink := map[augment.Ink]float64{augment.InkBlack: 0, augment.InkWhite: 255, augment.InkGray: 128}[o.Fill]
		return c.add(c.cur.cutout(holes, ink))
	}),
)

func table(rows ...renderer) map[reflect.Type]renderer {
	out := make(map[reflect.Type]renderer, len(rows))
	for _, r := range rows {
		if _, dup := out[r.typ]; dup {
			panic(fmt.Sprintf("imaging: two renderers for %s", r.typ))
		}
		out[r.typ] = r
	}
	return out
}

func geometry[T augment.Geometric](h how) renderer {
	return renderer{typ: reflect.TypeFor[T](), how: h}
}

func colour[T augment.Op](f func(T, meanFn) (colourMatrix, error)) renderer {
	return renderer{typ: reflect.TypeFor[T](), how: coloured,
		colour: func(op augment.Op, mean meanFn) (colourMatrix, error) { return f(op.(T), mean) }}
}

func call[T augment.Op](h how, f func(*chain, T) error) renderer {
	return renderer{typ: reflect.TypeFor[T](), how: h, call: func(c *chain, op augment.Op) error { return f(c, op.(T)) }}
}

// render applies op to the chain as its row says.
func (r renderer) render(c *chain, op augment.Op) error {
	switch r.how {
	case warped, cut:
		g := op.(augment.Geometric)
		w, h := c.size()
		if c.frame != nil {
			w, h = c.frame.w, c.frame.h
		}
		steps, err := g.Steps(w, h)
		if err != nil {
			return err
		}
		for _, s := range steps {
			if c.frame != nil {
				err = c.tileStep(s, r.how == cut, g.Outside())
			} else if r.how == cut {
				err = c.cut(s)
			} else {
				err = c.warp(s.ToInput, s.W, s.H, g.Outside())
			}
			if err != nil {
				return err
			}
		}
		return nil
	case coloured:
		return c.recolour(op, r.colour)
	case whole:
		if err := c.materialise(); err != nil {
			return err
		}
	default:
		if err := c.flush(); err != nil {
			return err
		}
	}
	return r.call(c, op)
}
