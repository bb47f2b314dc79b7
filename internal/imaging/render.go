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

// chain holds the images a render makes, so each is released once.
type chain struct {
	cur  *C.VipsImage
	refs []*C.VipsImage
}

func (c *chain) step(rc C.int, out *C.VipsImage) error {
	if rc != 0 {
		return vipsError()
	}
	c.refs = append(c.refs, out)
	c.cur = out
	return nil
}

func (c *chain) release() {
	for _, r := range c.refs {
		C.g_object_unref(C.gpointer(r))
	}
}

func (c *chain) size() (int, int) { return int(c.cur.Xsize), int(c.cur.Ysize) }

// Render applies ops in order to the decoded image and encodes the result.
func (im *Image) Render(ops []augment.Op, out Output) (Result, error) {
	c := &chain{cur: im.img}
	defer c.release()
	for _, op := range ops {
		if err := apply(c, op); err != nil {
			return Result{}, fmt.Errorf("%s: %w", op.Name, err)
		}
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

var extend = map[string]C.int{"black": 0, "edge": 1, "mirror": 3, "white": 5}

func apply(c *chain, op augment.Op) error {
	var out *C.VipsImage
	w, h := c.size()
	switch op.Name {
	case "hflip", "vflip":
		return c.step(C.aug_flip(c.cur, &out, boolC(op.Name == "hflip")), out)
	case "rot90":
		return c.step(C.aug_rot(c.cur, &out, C.int(op.Int("k", 1))), out)
	case "rotate":
		return c.step(C.aug_rotate(c.cur, &out, C.double(op.Float("angle", 0)),
			extend[op.String("fill", "black")], boolC(op.Bool("expand", false))), out)
	case "random_resized_crop":
		size := op.Floats("size")
		area := op.Float("scale", 1) * float64(w*h)
		ratio := op.Float("ratio", 1)
		cw := clamp(int(math.Round(math.Sqrt(area*ratio))), 1, w)
		ch := clamp(int(math.Round(math.Sqrt(area/ratio))), 1, h)
		x := int(math.Round(op.Float("x", 0.5) * float64(w-cw)))
		y := int(math.Round(op.Float("y", 0.5) * float64(h-ch)))
		if err := c.step(C.aug_crop(c.cur, &out, C.int(x), C.int(y), C.int(cw), C.int(ch)), out); err != nil {
			return err
		}
		return c.step(C.aug_resize(c.cur, &out, C.int(size[0]), C.int(size[1])), out)
	case "resize":
		tw, th := w, h
		if s := op.Floats("size"); len(s) == 2 {
			tw, th = int(s[0]), int(s[1])
		} else if l := op.Float("longest", 0); l > 0 {
			f := l / float64(max(w, h))
			tw, th = max(1, int(math.Round(float64(w)*f))), max(1, int(math.Round(float64(h)*f)))
		}
		return c.step(C.aug_resize(c.cur, &out, C.int(tw), C.int(th)), out)
	case "zoom":
		s := math.Max(1, op.Float("scale", 1))
		cw, ch := max(1, int(float64(w)/s)), max(1, int(float64(h)/s))
		if err := c.step(C.aug_crop(c.cur, &out, C.int((w-cw)/2), C.int((h-ch)/2), C.int(cw), C.int(ch)), out); err != nil {
			return err
		}
		return c.step(C.aug_resize(c.cur, &out, C.int(w), C.int(h)), out)
	case "brightness":
		return c.step(C.aug_linear(c.cur, &out, C.double(op.Float("factor", 1)), 0), out)
	case "contrast":
		var mean C.double
		if C.aug_mean_luma(c.cur, &mean) != 0 {
			return vipsError()
		}
		f := op.Float("factor", 1)
		return c.step(C.aug_linear(c.cur, &out, C.double(f), C.double(float64(mean)*(1-f))), out)
	case "gaussian_blur":
		return c.step(C.aug_blur(c.cur, &out, C.double(op.Float("sigma", 1))), out)
	case "grayscale":
		return c.step(C.aug_gray(c.cur, &out), out)
	}
	return fmt.Errorf("unknown operation %q", op.Name)
}

func boolC(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

func clamp(v, lo, hi int) int { return min(max(v, lo), hi) }
