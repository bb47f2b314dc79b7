package imaging

// This file is the only one that speaks C: thin typed calls into shim.h,
// whose enums and structs it uses by name. What the ops mean is in the pure
// Go files beside it.

/*
#cgo pkg-config: vips libjpeg
#cgo LDFLAGS: -lm
#include "shim.h"
*/
import "C"

import (
	"bytes"
	"fmt"
	"image"
	"runtime"
	"strings"
	"unsafe"

	"golang.org/x/sync/errgroup"

	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/geom"
)

// vimage is one reference to a libvips image; unref releases it.
type vimage struct{ p *C.VipsImage }

func (v vimage) width() int  { return int(v.p.Xsize) }
func (v vimage) height() int { return int(v.p.Ysize) }
func (v vimage) bands() int  { return int(v.p.Bands) }
func (v vimage) unref()      { C.g_object_unref(C.gpointer(v.p)) }
func (v vimage) ref()        { C.g_object_ref(C.gpointer(v.p)) }

// kill tells libvips to stop computing v: the next piece of it asked for
// fails, and with it whatever is being computed from it.
func (v vimage) kill() { C.vips_image_set_kill(v.p, C.TRUE) }

// fill is what a warp shows where it reads outside its input.
type fill C.AugFill

const (
	fillBlack  fill = C.AUG_FILL_BLACK
	fillEdge   fill = C.AUG_FILL_EDGE
	fillMirror fill = C.AUG_FILL_MIRROR
	fillWhite  fill = C.AUG_FILL_WHITE
)

// format is an output format.
type format C.AugFormat

const (
	formatJPEG format = C.AUG_SAVE_JPEG
	formatPNG  format = C.AUG_SAVE_PNG
	formatWebP format = C.AUG_SAVE_WEBP
)

// tone is a tone operation (see shim.h for its parameters).
type tone C.AugTone

const (
	toneGamma        tone = C.AUG_TONE_GAMMA
	toneInvert       tone = C.AUG_TONE_INVERT
	toneSolarize     tone = C.AUG_TONE_SOLARIZE
	tonePosterize    tone = C.AUG_TONE_POSTERIZE
	toneEqualize     tone = C.AUG_TONE_EQUALIZE
	toneAutocontrast tone = C.AUG_TONE_AUTOCONTRAST
	toneShuffle      tone = C.AUG_TONE_SHUFFLE
	toneSharpen      tone = C.AUG_TONE_SHARPEN
)

func vipsInit() { C.aug_init() }

// vipsError returns and clears libvips' error buffer.
func vipsError() error {
	msg := strings.TrimSpace(C.GoString(C.vips_error_buffer()))
	C.vips_error_clear()
	return fmt.Errorf("libvips: %s", msg)
}

// made is the image a call made, or its error.
func made(rc C.int, out *C.VipsImage) (vimage, error) {
	if rc != 0 {
		return vimage{}, vipsError()
	}
	return vimage{out}, nil
}

// loader is the name of the libvips loader class that reads buf, such as
// VipsForeignLoadJpegBuffer.
func loader(buf []byte) (string, bool) {
	var name *C.char
	if C.aug_loader(unsafe.Pointer(&buf[0]), C.size_t(len(buf)), &name) != 0 {
		C.vips_error_clear()
		return "", false
	}
	return C.GoString(name), true
}

// header reads the size, bands and EXIF orientation from buf's header.
func header(buf []byte) (w, h, bands, orientation int, err error) {
	var cw, ch, cb, co C.int
	if C.aug_header(unsafe.Pointer(&buf[0]), C.size_t(len(buf)), &cw, &ch, &cb, &co) != 0 {
		return 0, 0, 0, 0, vipsError()
	}
	return int(cw), int(ch), int(cb), int(co), nil
}

// decodeImage loads buf's first frame upright, as 8-bit sRGB in memory: a
// JPEG shrunk on load by jpegShrink (1, 2, 4 or 8), a WebP scaled by
// webpScale (1 is whole). A JPEG is read by libjpeg itself, on two threads
// when two.
func decodeImage(buf []byte, jpegShrink int, webpScale float64, two bool) (vimage, error) {
	if two {
		return decodeVia(buf, jpegShrink, webpScale, viaTwo)
	}
	return decodeVia(buf, jpegShrink, webpScale, viaLibjpeg)
}

// reader is how decodeVia reads a JPEG.
type reader int

const (
	viaVips    reader = iota // libvips' loader
	viaLibjpeg               // libjpeg, straight into memory (jpeg.c)
	viaTwo                   // libjpeg on two threads, each a part of the rows
)

// decodeVia is decodeImage, reading a JPEG as via says.
func decodeVia(buf []byte, jpegShrink int, webpScale float64, via reader) (vimage, error) {
	var out *C.VipsImage
	direct, split := C.int(0), C.int(0)
	if via != viaVips {
		direct = 1
	}
	if via == viaTwo {
		split = 1
	}
	return made(C.aug_decode(unsafe.Pointer(&buf[0]), C.size_t(len(buf)), C.int(jpegShrink), C.double(webpScale), direct, split, &out), out)
}

// chromas are aug_save's chroma modes by Output.Chroma: 0 (empty) is
// libvips' rule.
var chromas = map[string]C.int{domain.ChromaHalf: 1, domain.ChromaFull: 2}

// save encodes v; chroma is a JPEG's (Output.Chroma).
func (v vimage) save(f format, quality int, chroma string) ([]byte, error) {
	if f == formatJPEG && (v.bands() == 1 || v.bands() == 3) && v.p.BandFmt == C.VIPS_FORMAT_UCHAR &&
		v.p.Coding == C.VIPS_CODING_NONE && v.height() <= 65535 && v.width() <= 65535 {
		// NOTE: libvips' rule (chroma empty): half from quality 90 down.
		half := chroma == domain.ChromaHalf || chroma == "" && quality < 90
		return v.saveJPEG(quality, half && v.bands() == 3)
	}
	return v.saveVips(f, quality, chroma)
}

// saveVips encodes v with libvips' savers.
func (v vimage) saveVips(f format, quality int, chroma string) ([]byte, error) {
	var buf unsafe.Pointer
	var n C.size_t
	if C.aug_save(v.p, C.AugFormat(f), C.int(quality), chromas[chroma], &buf, &n) != 0 {
		return nil, vipsError()
	}
	defer C.g_free(C.gpointer(buf))
	return C.GoBytes(buf, C.int(n)), nil
}

// saveJPEG encodes v (1 or 3 bands of 8 bits) as a JPEG in bands side by
// side (jpegbands.go), at most one a core at once; half keeps the colour at
// half resolution.
func (v vimage) saveJPEG(quality int, half bool) ([]byte, error) {
	mcu, sub := 8, C.int(0)
	if half {
		mcu, sub = 16, 1
	}
	w, h := v.width(), v.height()
	perRow := (w + mcu - 1) / mcu // MCUs
	rows := bandRows(perRow, mcu)
	bandH := rows * mcu
	// NOTE: the bands stay in libjpeg's buffers until they are joined into
	// Go memory, copied once.
	parts := make([][]byte, (h+bandH-1)/bandH)
	bufs := make([]unsafe.Pointer, len(parts))
	defer func() {
		for _, buf := range bufs {
			C.g_free(C.gpointer(buf))
		}
	}()
	g := errgroup.Group{}
	g.SetLimit(runtime.NumCPU())
	for k := range parts {
		g.Go(func() error {
			var buf unsafe.Pointer
			var n C.size_t
			top := k * bandH
			if C.aug_jpeg_band(v.p, C.int(top), C.int(min(bandH, h-top)), C.int(quality), sub, &buf, &n) != 0 {
				return vipsError()
			}
			bufs[k], parts[k] = buf, unsafe.Slice((*byte)(buf), int(n))
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if len(parts) == 1 {
		return bytes.Clone(parts[0]), nil
	}
	return joinBands(parts, h, rows*perRow)
}

// thumb encodes a WebP of v shrunk to fit size×size, and says its size.
func (v vimage) thumb(size, quality int) ([]byte, int, int, error) {
	var buf unsafe.Pointer
	var n C.size_t
	var w, h C.int
	if C.aug_thumb(v.p, C.int(size), C.int(quality), &buf, &n, &w, &h) != 0 {
		return nil, 0, 0, vipsError()
	}
	defer C.g_free(C.gpointer(buf))
	return C.GoBytes(buf, C.int(n)), int(w), int(h), nil
}

// copyMemory computes v into memory (a new reference to v when it is there
// already).
func (v vimage) copyMemory() (vimage, error) {
	out := C.vips_image_copy_memory(v.p)
	if out == nil {
		return vimage{}, vipsError()
	}
	return vimage{out}, nil
}

func (v vimage) crop(x, y, w, h int) (vimage, error) {
	var out *C.VipsImage
	return made(C.aug_crop(v.p, &out, C.int(x), C.int(y), C.int(w), C.int(h)), out)
}

// resize scales v to exactly w×h.
func (v vimage) resize(w, h int) (vimage, error) {
	var out *C.VipsImage
	return made(C.aug_resize(v.p, &out, C.int(w), C.int(h)), out)
}

// turn turns v k quarter turns counter-clockwise.
func (v vimage) turn(k int) (vimage, error) {
	var out *C.VipsImage
	return made(C.aug_turn(v.p, &out, C.int(k)), out)
}

func (v vimage) blur(sigma float64) (vimage, error) {
	var out *C.VipsImage
	return made(C.aug_blur(v.p, &out, C.double(sigma)), out)
}

// tone applies op with its parameters (at most four).
func (v vimage) tone(op tone, p ...float64) (vimage, error) {
	var args C.AugArgs
	for i, x := range p {
		args.v[i] = C.double(x)
	}
	var out *C.VipsImage
	return made(C.aug_tone(v.p, &out, C.AugTone(op), &args), out)
}

func (v vimage) noise(sigma float64, seed int) (vimage, error) {
	var out *C.VipsImage
	return made(C.aug_noise(v.p, &out, C.double(sigma), C.int(seed)), out)
}

// jpeg encodes v as JPEG of quality and decodes it again.
func (v vimage) jpeg(quality int) (vimage, error) {
	var out *C.VipsImage
	return made(C.aug_jpeg(v.p, &out, C.int(quality)), out)
}

// shrink scales v by scale and back to its size.
func (v vimage) shrink(scale float64) (vimage, error) {
	var out *C.VipsImage
	return made(C.aug_shrink(v.p, &out, C.double(scale)), out)
}

// cutout paints the rectangles with ink (a gray level) on a copy of v.
func (v vimage) cutout(holes []image.Rectangle, ink float64) (vimage, error) {
	rects := make([]C.AugRect, max(1, len(holes)))
	for i, r := range holes {
		rects[i] = C.AugRect{x: C.int(r.Min.X), y: C.int(r.Min.Y), w: C.int(r.Dx()), h: C.int(r.Dy())}
	}
	var out *C.VipsImage
	return made(C.aug_cutout(v.p, &out, &rects[0], C.int(len(holes)), C.double(ink)), out)
}

func augMap(m geom.Mat3) C.AugMap {
	var out C.AugMap
	for i, x := range m {
		out.m[i] = C.double(x)
	}
	return out
}

func augColour(m *colourMatrix) C.AugColour {
	var out C.AugColour
	for i := range 3 {
		for j := range 4 {
			out.k[4*i+j] = C.double(m[i][j])
		}
	}
	return out
}

// warp is the lazy w×h warp pass of v through m (output to input), with
// the colour matrix after it unless it is nil.
func (v vimage) warp(m geom.Mat3, w, h int, f fill, colour *colourMatrix) (vimage, error) {
	cm := augMap(m)
	var cc *C.AugColour
	if colour != nil {
		k := augColour(colour)
		cc = &k
	}
	var out *C.VipsImage
	return made(C.aug_warp(v.p, &out, &cm, C.int(w), C.int(h), C.AugFill(f), cc), out)
}

// recolour is the lazy colour pass of v through m.
func (v vimage) recolour(m colourMatrix) (vimage, error) {
	k := augColour(&m)
	var out *C.VipsImage
	return made(C.aug_recolour(v.p, &out, &k), out)
}

// means is the mean of each colour band of v over every step-th row.
func (v vimage) means(step int) ([3]float64, error) {
	var cm [3]C.double
	if C.aug_means(v.p, &cm[0], C.int(step)) != 0 {
		return [3]float64{}, vipsError()
	}
	return [3]float64{float64(cm[0]), float64(cm[1]), float64(cm[2])}, nil
}

// gridMeans estimates the mean of each colour band of the w×h warp of v (in
// memory) through m from n×n samples.
func (v vimage) gridMeans(m geom.Mat3, w, h int, f fill, n int) ([3]float64, error) {
	var cm [3]C.double
	am := augMap(m)
	if C.aug_grid_means(v.p, &am, C.int(w), C.int(h), C.AugFill(f), C.int(n), &cm[0]) != 0 {
		return [3]float64{}, vipsError()
	}
	return [3]float64{float64(cm[0]), float64(cm[1]), float64(cm[2])}, nil
}

// setSIMD allows warp.c's AVX2 inner loops (the default), or not, and says
// whether the CPU has them; for the test that compares their pixels to the
// plain loops'.
func setSIMD(on bool) bool {
	flag := C.int(0)
	if on {
		flag = 1
	}
	return C.aug_simd(flag) != 0
}
