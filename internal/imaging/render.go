package imaging

/*
#include "shim.h"
*/
import "C"

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/augment-ml/augment/internal/augment"
	"github.com/augment-ml/augment/internal/geom"
)

// Output says how a variant is encoded; an empty Format keeps JPEG, PNG and
// WebP sources in their format and turns others into JPEG.
type Output struct {
	Format  string
	Quality int
}

// Result is one encoded variant.
type Result struct {
	Bytes         []byte
	Width, Height int
	Format        string
}

// chain holds the images a render makes, so each is released once. Steps
// are lazy libvips operations; pixels are computed when the result is encoded
// or when an op needs them earlier (see materialise).
type chain struct {
	cur     *C.VipsImage
	refs    []*C.VipsImage
	memory  bool  // cur holds its pixels in memory
	pending *warp // geometric ops not yet applied to cur (see warp.go)
}

func (c *chain) step(rc C.int, out *C.VipsImage) error {
	if rc != 0 {
		return vipsError()
	}
	c.refs = append(c.refs, out)
	c.cur = out
	c.memory = false
	return nil
}

// materialise computes the pending steps once into memory and drops them.
// Equalize and autocontrast read statistics of the whole image and then
// every pixel again, and a perspective tile may read anywhere in its input:
// on a lazy pipeline they would compute everything before them twice.
func (c *chain) materialise() error {
	if err := c.flush(); err != nil {
		return err
	}
	if c.memory {
		return nil
	}
	out := C.vips_image_copy_memory(c.cur)
	if out == nil {
		return vipsError()
	}
	c.release()
	c.refs, c.cur, c.memory = []*C.VipsImage{out}, out, true
	return nil
}

func (c *chain) release() {
	for _, r := range c.refs {
		C.g_object_unref(C.gpointer(r))
	}
}

// onMemory says whether op runs on a materialised image.
func onMemory(op augment.Op) bool {
	switch op.(type) {
	case augment.Equalize, augment.Autocontrast:
		return true
	}
	return false
}

// size is the size of the image so far, pending ops included.
func (c *chain) size() (int, int) {
	if c.pending != nil {
		return c.pending.w, c.pending.h
	}
	return int(c.cur.Xsize), int(c.cur.Ysize)
}

// Render applies ops in order to the decoded image and encodes the result.
func (im *Image) Render(ops []augment.Op, out Output) (Result, error) {
	c := &chain{cur: im.img, memory: true}
	defer c.release()
	for _, op := range ops {
		err := error(nil)
		switch {
		case onMemory(op):
			err = c.materialise()
		case !geometric(op) && !linearColour(op):
			err = c.flush()
		}
		if err == nil {
			err = apply(c, op)
		}
		if err != nil {
			return Result{}, fmt.Errorf("%s: %w", augment.Name(op), err)
		}
	}
	if err := c.flush(); err != nil {
		return Result{}, err
	}
	format := out.Format
	if format == "" {
		format = im.info.Format
		if format != "png" && format != "webp" {
			format = "jpeg"
		}
	}
	q := out.Quality
	if q == 0 {
		q = 90
	}
	code := map[string]C.int{"jpeg": 0, "png": 1, "webp": 2}[format]
	var buf unsafe.Pointer
	var n C.size_t
	if C.aug_save(c.cur, code, C.int(q), &buf, &n) != 0 {
		return Result{}, fmt.Errorf("encode %s: %w", format, vipsError())
	}
	defer C.g_free(C.gpointer(buf))
	w, h := c.size()
	return Result{Bytes: C.GoBytes(buf, C.int(n)), Width: w, Height: h, Format: format}, nil
}

// geometric ops are applied through c.warp, and the linear colour ops may
// join the pending ones (see recolour); other ops see them flushed.
func geometric(op augment.Op) bool {
	switch op.(type) {
	case augment.HFlip, augment.VFlip, augment.Rot90, augment.Rotate, augment.Zoom, augment.Affine, augment.Perspective:
		return true
	}
	return false
}

func apply(c *chain, op augment.Op) error {
	var out *C.VipsImage
	w, h := c.size()
	if linearColour(op) {
		return c.recolour(op)
	}
	switch o := op.(type) {
	case augment.HFlip:
		return c.warp(geom.Flip(true, w, h), w, h, "")
	case augment.VFlip:
		return c.warp(geom.Flip(false, w, h), w, h, "")
	case augment.Rot90:
		m, ow, oh := geom.QuarterTurns(o.K.Value(), w, h)
		return c.warp(m, ow, oh, "")
	case augment.Rotate:
		angle := o.Degrees.Value()
		expand := bool(o.Expand)
		if q := angle / 90; q == math.Trunc(q) && (expand || w == h || int(q)%2 == 0) {
			m, ow, oh := geom.QuarterTurns(int(q), w, h) // exact, no resampling
			return c.warp(m, ow, oh, "")
		}
		ow, oh := w, h
		if expand {
			ow, oh = geom.RotatedSize(angle, w, h)
		}
		return c.transform(geom.Linear(angle, 1, 0), 0, 0, ow, oh, string(o.Fill))
	case augment.RandomResizedCrop:
		area := o.Scale.Value() * float64(w*h)
		ratio := o.Ratio.Value()
		cw := clamp(int(math.Round(math.Sqrt(area*ratio))), 1, w)
		ch := clamp(int(math.Round(math.Sqrt(area/ratio))), 1, h)
		x := int(math.Round(o.X.Value() * float64(w-cw)))
		y := int(math.Round(o.Y.Value() * float64(h-ch)))
		if err := c.step(C.aug_crop(c.cur, &out, C.int(x), C.int(y), C.int(cw), C.int(ch)), out); err != nil {
			return err
		}
		return c.step(C.aug_resize(c.cur, &out, C.int(o.Size[0]), C.int(o.Size[1])), out)
	case augment.Resize:
		tw, th := w, h
		if o.Size != nil {
			tw, th = o.Size[0], o.Size[1]
		} else if o.Longest != nil {
			f := float64(o.Longest.Value()) / float64(max(w, h))
			tw, th = max(1, int(math.Round(float64(w)*f))), max(1, int(math.Round(float64(h)*f)))
		}
		return c.step(C.aug_resize(c.cur, &out, C.int(tw), C.int(th)), out)
	case augment.Zoom: // scale up about the centre, keeping the size
		s := math.Max(1, o.Scale.Value())
		return c.transform(geom.Linear(0, s, 0), 0, 0, w, h, "edge")
	case augment.GaussianBlur:
		return c.step(C.aug_blur(c.cur, &out, C.double(o.Sigma.Value())), out)
	}
	return applyMore(c, op)
}

func clamp(v, lo, hi int) int { return min(max(v, lo), hi) }
