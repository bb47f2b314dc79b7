package imaging

import (
	"context"
	"image"
	"math"

	"github.com/augment-ml/augment/internal/augment"
	"github.com/augment-ml/augment/internal/geom"
)

// A tile is a variant rendered small: what Render makes from the whole
// source, scaled so that its longest side is at most a given size, but
// computed at that scale from the start. Every op is taken at the source's
// full size (its geometry from Steps of the full-size image, its holes, its
// blur in full-size pixels) and then scaled: the frame.

// frame is what a tile's chain knows of the full-size render it stands
// for: the size of the image so far at full size, and the tile's scale.
type frame struct {
	w, h int
	t    float64
}

// px is a full-size length at the tile's scale, at least 1.
func (f *frame) px(n int) int { return max(1, int(math.Round(float64(n)*f.t))) }

// TileScale is the scale of the tile of ops on a w×h source (as displayed)
// whose longest side is at most longest: the longest side over the
// variant's, never over 1 (a tile is never larger than its variant).
func TileScale(ops []augment.Op, w, h, longest int) (float64, error) {
	for _, op := range ops {
		g, ok := op.(augment.Geometric)
		if !ok {
			continue
		}
		steps, err := g.Steps(w, h)
		if err != nil {
			return 0, err
		}
		if len(steps) > 0 {
			w, h = steps[len(steps)-1].W, steps[len(steps)-1].H
		}
	}
	return math.Min(1, float64(longest)/float64(max(w, h))), nil
}

// RenderTile renders the tile of ops whose longest side is at most longest
// (see TileScale). The image may be decoded smaller than the source
// (DecodeAtLeast), down to TileScale of the source's longest side.
func (im *Image) RenderTile(ctx context.Context, ops []augment.Op, out Output, longest int) (Result, error) {
	t, err := TileScale(ops, im.info.Width, im.info.Height, longest)
	if err != nil {
		return Result{}, err
	}
	f := &frame{w: im.info.Width, h: im.info.Height, t: t}
	src, err := im.scaled(f.px(f.w), f.px(f.h))
	if err != nil {
		return Result{}, err
	}
	defer src.unref()
	return renderChain(ctx, &chain{cur: src, memory: true, frame: f}, ops, out, im.info.Format)
}

// scaled is a new reference to the decoded image at w×h, in memory; the
// last one made is kept, since a preview's tiles most often share it.
func (im *Image) scaled(w, h int) (vimage, error) {
	im.mu.Lock()
	defer im.mu.Unlock()
	if w == im.img.width() && h == im.img.height() {
		im.img.ref()
		return im.img, nil
	}
	if s := im.small; s.p != nil && s.width() == w && s.height() == h {
		s.ref()
		return s, nil
	}
	lazy, err := im.img.resize(w, h)
	if err != nil {
		return vimage{}, err
	}
	defer lazy.unref()
	s, err := lazy.copyMemory()
	if err != nil {
		return vimage{}, err
	}
	if im.small.p != nil {
		im.small.unref()
	}
	im.small = s
	s.ref()
	return s, nil
}

// tileStep applies one full-size geometric step s of an op at the tile's
// scale: the map from the tile's output to its input is s's, between the
// two scales. A crop stays a crop (at whole tile pixels) and a resize a
// resize, as libvips does them in a full render.
func (c *chain) tileStep(s geom.Step, cut bool, fill augment.Fill) error {
	f := c.frame
	cw, ch := c.size()
	ow, oh := f.px(s.W), f.px(s.H)
	in := geom.Mat3{float64(cw) / float64(f.w), 0, 0, 0, float64(ch) / float64(f.h), 0, 0, 0, 1}
	outInv := geom.Mat3{float64(s.W) / float64(ow), 0, 0, 0, float64(s.H) / float64(oh), 0, 0, 0, 1}
	m := in.Mul(s.ToInput).Mul(outInv)
	f.w, f.h = s.W, s.H
	switch {
	case !cut:
		return c.warp(m, ow, oh, fill)
	case s.ToInput[2] == 0 && s.ToInput[5] == 0: // a resize
		return c.cut(geom.Step{ToInput: m, W: ow, H: oh})
	}
	// a crop: at the nearest whole pixel, resized when rounding left it a
	// pixel off the tile's size
	if err := c.flush(); err != nil {
		return err
	}
	x := min(max(0, int(math.Round(m[2]))), cw-1)
	y := min(max(0, int(math.Round(m[5]))), ch-1)
	w, h := min(int(math.Round(float64(ow)*m[0])), cw-x), min(int(math.Round(float64(oh)*m[4])), ch-y)
	w, h = max(1, w), max(1, h)
	if err := c.cut(geom.Step{ToInput: geom.Crop(float64(x), float64(y)), W: w, H: h}); err != nil {
		return err
	}
	if w == ow && h == oh {
		return nil
	}
	return c.cut(geom.Step{ToInput: geom.Resize(w, h, ow, oh), W: ow, H: oh})
}

// length is a length of full-size pixels (a blur's sigma) on the image so
// far: itself in a full render, scaled in a tile's.
func (c *chain) length(v float64) float64 {
	if c.frame == nil {
		return v
	}
	return v * c.frame.t
}

// holes are cutout's rectangles on the image so far: in a tile's, those of
// the full-size image, scaled.
func (c *chain) holes(o augment.Cutout) []image.Rectangle {
	if c.frame == nil {
		return o.Holes(c.size())
	}
	w, h := c.size()
	sx, sy := float64(w)/float64(c.frame.w), float64(h)/float64(c.frame.h)
	holes := o.Holes(c.frame.w, c.frame.h)
	for i, r := range holes {
		holes[i] = image.Rect(int(math.Round(float64(r.Min.X)*sx)), int(math.Round(float64(r.Min.Y)*sy)),
			int(math.Round(float64(r.Max.X)*sx)), int(math.Round(float64(r.Max.Y)*sy)))
	}
	return holes
}

// downscale is downscale's scale on the image so far: a tile already at or
// under the scale the op brings a full render to has nothing left to lose.
func (c *chain) downscale(scale float64) (float64, bool) {
	if c.frame == nil {
		return scale, true
	}
	s := scale / c.frame.t
	return s, s < 1
}
