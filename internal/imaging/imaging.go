// Package imaging is augment's only cgo package: it probes, decodes and
// renders images with libvips, through bimg and the project's own small C
// shims (shim.c) for what bimg cannot do.
package imaging

/*
#cgo pkg-config: vips
#cgo LDFLAGS: -lm
#include "shim.h"
*/
import "C"

import (
	"fmt"
	"strings"
	"sync"
	"unsafe"

	"github.com/h2non/bimg"

	"github.com/augment-ml/augment/internal/domain"
)

// Config tunes libvips for the process.
type Config struct{}

var initOnce sync.Once

// Init starts libvips once per process: no operation cache (it never hits
// for buffer input and holds memory), untrusted loaders (SVG, PDF,
// ImageMagick…) blocked.
func Init(Config) {
	initOnce.Do(func() {
		bimg.Initialize()
		bimg.VipsCacheSetMax(0)
		bimg.VipsCacheSetMaxMem(0)
		C.aug_init()
	})
}

// vipsError returns and clears libvips' error buffer.
func vipsError() error {
	msg := strings.TrimSpace(C.GoString(C.vips_error_buffer()))
	C.vips_error_clear()
	return fmt.Errorf("libvips: %s", msg)
}

// loaders maps the libvips loader classes augment accepts to format names.
var loaders = map[string]string{
	"jpeg": "jpeg", "png": "png", "webp": "webp", "gif": "gif", "nsgif": "gif", "tiff": "tiff", "heif": "heif",
}

// Info is what a header tells of an image.
type Info struct {
	Width, Height int // as displayed, after EXIF orientation
	Format        string
	HasAlpha      bool
	Orientation   int
}

// Probe reads only the header: the format (from the bytes) and the size.
func Probe(buf []byte) (Info, error) {
	if len(buf) == 0 {
		return Info{}, domain.Errorf(domain.ENotImage, "The file is empty.")
	}
	ptr := unsafe.Pointer(&buf[0])
	var name *C.char
	if C.aug_loader(ptr, C.size_t(len(buf)), &name) != 0 {
		C.vips_error_clear()
		return Info{}, domain.Errorf(domain.ENotImage, "The file is not a supported image (JPEG, PNG, WebP, GIF, TIFF, HEIF/AVIF).")
	}
	// NOTE: libvips names the loader class, such as VipsForeignLoadJpegBuffer.
	loader := strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(C.GoString(name), "VipsForeignLoad"), "Buffer"))
	format, ok := loaders[loader]
	if !ok {
		kind := strings.ToUpper(loader)
		return Info{}, domain.Errorf(domain.EUnsupported, "%s files are not accepted; send JPEG, PNG, WebP, GIF, TIFF or HEIF/AVIF.", kind)
	}
	var w, h, bands, orient C.int
	if C.aug_header(ptr, C.size_t(len(buf)), &w, &h, &bands, &orient) != 0 {
		return Info{}, domain.Wrap(vipsError(), domain.ENotImage, "The %s image's header could not be read.", strings.ToUpper(format))
	}
	info := Info{Width: int(w), Height: int(h), Format: format, HasAlpha: bands == 2 || bands == 4, Orientation: int(orient)}
	if info.Orientation >= 5 && info.Orientation <= 8 {
		info.Width, info.Height = info.Height, info.Width
	}
	return info, nil
}

// Image is a source decoded once and held in memory; every variant is
// rendered from it.
type Image struct {
	img  *C.VipsImage
	info Info
}

// Decode checks the size from the header, then decodes the whole image once.
func Decode(buf []byte, maxPixels int) (*Image, error) {
	info, err := Probe(buf)
	if err != nil {
		return nil, err
	}
	if info.Width*info.Height > maxPixels {
		return nil, domain.Errorf(domain.ETooManyPixels, "The image is %d×%d pixels; the limit is %d pixels.", info.Width, info.Height, maxPixels)
	}
	var out *C.VipsImage
	if C.aug_decode(unsafe.Pointer(&buf[0]), C.size_t(len(buf)), &out) != 0 {
		return nil, domain.Wrap(vipsError(), domain.ENotImage, "The %s image is damaged or truncated and could not be decoded.", strings.ToUpper(info.Format))
	}
	info.HasAlpha = out.Bands == 4
	return &Image{img: out, info: info}, nil
}

// Info returns what the header told of the source.
func (im *Image) Info() Info { return im.info }

// Close releases the decoded pixels.
func (im *Image) Close() {
	if im.img != nil {
		C.g_object_unref(C.gpointer(im.img))
		im.img = nil
	}
}
