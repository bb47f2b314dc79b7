package imaging

/*
#include "shim.h"
*/
import "C"

import (
	"fmt"
	"image"
	"math"

	"github.com/augment-ml/augment/internal/geom"
)

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

// size is the size of the image so far, pending ops included.
func (c *chain) size() (int, int) {
	if c.pending != nil {
		return c.pending.w, c.pending.h
	}
	return int(c.cur.Xsize), int(c.cur.Ysize)
}

// cut applies a step that is a crop (a whole-pixel shift: libvips extracts
// the area) or a resize (a scale from the origin: libvips resizes).
func (c *chain) cut(s geom.Step) error {
	if err := c.flush(); err != nil {
		return err
	}
	var out *C.VipsImage
	m := s.ToInput
	switch {
	case !m.Affine() || m[1] != 0 || m[3] != 0:
	case m[0] == 1 && m[4] == 1 && m[2] == math.Trunc(m[2]) && m[5] == math.Trunc(m[5]):
		return c.step(C.aug_crop(c.cur, &out, C.int(m[2]), C.int(m[5]), C.int(s.W), C.int(s.H)), out)
	case m[2] == 0 && m[5] == 0:
		return c.step(C.aug_resize(c.cur, &out, C.int(s.W), C.int(s.H)), out)
	}
	return fmt.Errorf("the step %v is neither a crop nor a resize", m)
}

// Tone operations of shim_more.c, in its order.
const (
	toneGamma = iota
	toneInvert
	toneSolarize
	tonePosterize
	toneEqualize
	toneAutocontrast
	toneShuffle
	toneSharpen
)

// tone applies one of the tone operations with its parameters.
func (c *chain) tone(op int, p ...float64) error {
	var out *C.VipsImage
	args := make([]C.double, 4)
	for i, v := range p {
		args[i] = C.double(v)
	}
	return c.step(C.aug_colour(c.cur, &out, C.int(op), &args[0]), out)
}

func (c *chain) blur(sigma float64) error {
	var out *C.VipsImage
	return c.step(C.aug_blur(c.cur, &out, C.double(sigma)), out)
}

func (c *chain) noise(sigma float64, seed int) error {
	var out *C.VipsImage
	return c.step(C.aug_noise(c.cur, &out, C.double(sigma), C.int(seed)), out)
}

func (c *chain) jpeg(quality int) error {
	var out *C.VipsImage
	return c.step(C.aug_jpeg(c.cur, &out, C.int(quality)), out)
}

func (c *chain) shrink(scale float64) error {
	var out *C.VipsImage
	return c.step(C.aug_shrink(c.cur, &out, C.double(scale)), out)
}

func (c *chain) cutout(holes []image.Rectangle, ink float64) error {
	if len(holes) == 0 {
		return nil
	}
	boxes := make([]C.int, 0, 4*len(holes))
	for _, r := range holes {
		boxes = append(boxes, C.int(r.Min.X), C.int(r.Min.Y), C.int(r.Dx()), C.int(r.Dy()))
	}
	var out *C.VipsImage
	return c.step(C.aug_cutout(c.cur, &out, &boxes[0], C.int(len(holes)), C.double(ink)), out)
}
