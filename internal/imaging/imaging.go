// Package imaging is augment's only cgo package: it probes, decodes and
// renders images with libvips, through bimg and the project's own C passes.
// Only vips.go speaks C (thin typed calls into shim.h); the rest is Go: how
// each op renders (table.go), the geometry it samples through (warp.go) and
// the colour matrices (colour.go).
package imaging

import (
	"strings"
	"sync"
	"sync/atomic"

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
		vipsInit()
	})
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
	class, ok := loader(buf)
	if !ok {
		return Info{}, domain.Errorf(domain.ENotImage, "The file is not a supported image (JPEG, PNG, WebP, GIF, TIFF, HEIF/AVIF).")
	}
	// NOTE: libvips names the loader class, such as VipsForeignLoadJpegBuffer.
	name := strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(class, "VipsForeignLoad"), "Buffer"))
	format, ok := loaders[name]
	if !ok {
		kind := strings.ToUpper(name)
		return Info{}, domain.Errorf(domain.EUnsupported, "%s files are not accepted; send JPEG, PNG, WebP, GIF, TIFF or HEIF/AVIF.", kind)
	}
	w, h, bands, orient, err := header(buf)
	if err != nil {
		return Info{}, domain.Wrap(err, domain.ENotImage, "The %s image's header could not be read.", strings.ToUpper(format))
	}
	info := Info{Width: w, Height: h, Format: format, HasAlpha: bands == 2 || bands == 4, Orientation: orient}
	if info.Orientation >= 5 && info.Orientation <= 8 {
		info.Width, info.Height = info.Height, info.Width
	}
	return info, nil
}

// Image is a source decoded once and held in memory; every variant is
// rendered from it.
type Image struct {
	img  vimage
	info Info

	mu    sync.Mutex // small, made and read by RenderTile
	small vimage     // the last scaled copy a tile was rendered from
}

// Decode checks the size from the header, then decodes the whole image once.
func Decode(buf []byte, maxPixels int) (*Image, error) {
	return DecodeAtLeast(buf, maxPixels, 0)
}

// DecodeAtLeast is Decode for a use that needs the image only so large that
// its longest side has least pixels. A JPEG is shrunk on load by 2, 4 or 8
// (libjpeg's DCT scaling: the larger the shrink, the less it decodes), a
// WebP scaled on load to about least; other formats, and a least of 0 or
// not under the longest side, decode whole. The longest side decoded is
// never under least (nor over the source's); Size and Scale say what it
// is. maxPixels is checked against the source's full size, from the header.
func DecodeAtLeast(buf []byte, maxPixels, least int) (*Image, error) {
	info, err := Probe(buf)
	if err != nil {
		return nil, err
	}
	if info.Width*info.Height > maxPixels {
		return nil, domain.Errorf(domain.ETooManyPixels, "The image is %d×%d pixels; the limit is %d pixels.", info.Width, info.Height, maxPixels)
	}
	shrink, scale := loadScale(info, least)
	// NOTE: a JPEG may be read on two threads (jpeg.c) when nothing else
	// is decoded or rendered in the process, when the cores are most
	// likely idle beside it: the second decoder costs CPU to save time.
	n := busy.Add(1)
	out, err := decodeImage(buf, shrink, scale, n == 1)
	busy.Add(-1)
	if err != nil {
		return nil, domain.Wrap(err, domain.ENotImage, "The %s image is damaged or truncated and could not be decoded.", strings.ToUpper(info.Format))
	}
	info.HasAlpha = out.bands() == 4
	return &Image{img: out, info: info}, nil
}

// busy counts the decodes and renders under way.
var busy atomic.Int32

// loadScale is the shrink (JPEG) or the scale (WebP) to load info's image
// at, for a longest side of at least least.
func loadScale(info Info, least int) (jpegShrink int, webpScale float64) {
	longest := max(info.Width, info.Height)
	if least <= 0 || least >= longest {
		return 1, 1
	}
	switch info.Format {
	case "jpeg":
		for _, s := range []int{8, 4, 2} {
			if (longest+s-1)/s >= least { // libjpeg rounds a shrunk size up
				return s, 1
			}
		}
	case "webp":
		// NOTE: the half keeps the rounded side at least least.
		return 1, min(1, (float64(least)+0.5)/float64(longest))
	}
	return 1, 1
}

// Size is the size of the decoded image: the source's as displayed (Info),
// unless DecodeAtLeast shrank it.
func (im *Image) Size() (w, h int) { return im.img.width(), im.img.height() }

// Scale is the decoded image's longest side over the source's: 1 when it
// was decoded whole, about 1/2, 1/4 or 1/8 for a JPEG shrunk on load.
func (im *Image) Scale() float64 {
	w, h := im.Size()
	return float64(max(w, h)) / float64(max(im.info.Width, im.info.Height))
}

// Info returns what the header told of the source.
func (im *Image) Info() Info { return im.info }

// Close releases the decoded pixels.
func (im *Image) Close() {
	if im.img.p != nil {
		im.img.unref()
		im.img = vimage{}
	}
	if im.small.p != nil {
		im.small.unref()
		im.small = vimage{}
	}
}
