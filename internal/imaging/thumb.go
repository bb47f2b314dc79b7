package imaging

import (
	"fmt"
	"math"
)

// ThumbQuality is the WebP quality of thumbnails: small files for a grid.
const ThumbQuality = 70

// Thumb is a small WebP of an image, for pages that show many.
type Thumb struct {
	Bytes         []byte
	Width, Height int
}

// Thumb makes a WebP of the decoded source shrunk to fit size×size, from
// the pixels in memory: nothing is decoded again.
func (im *Image) Thumb(size int) (Thumb, error) {
	b, w, h, err := im.img.thumb(size, ThumbQuality)
	if err != nil {
		return Thumb{}, fmt.Errorf("thumbnail: %w", err)
	}
	return Thumb{Bytes: b, Width: w, Height: h}, nil
}

// ThumbOf makes the thumbnail of an encoded image (a variant as stored, a
// source), decoding it only as large as the thumbnail needs (DecodeAtLeast:
// a JPEG shrunk on load, a WebP scaled on load).
func ThumbOf(buf []byte, size int) (Thumb, error) {
	im, err := DecodeAtLeast(buf, math.MaxInt, size)
	if err != nil {
		return Thumb{}, fmt.Errorf("thumbnail: %w", err)
	}
	defer im.Close()
	return im.Thumb(size)
}
