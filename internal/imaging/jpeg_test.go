package imaging

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"testing"
)

// TestPassesJPEGReadDirectlyIsLibvips (run under AddressSanitizer by make
// asan, as jpeg.c is C): a JPEG that libjpeg reads straight into
// memory (jpeg.c) comes out the same pixels as through libvips' loader:
// colour, grey, turned by EXIF, large, whole and shrunk on load.
func TestPassesJPEGReadDirectlyIsLibvips(t *testing.T) {
	grey := image.NewGray(image.Rect(0, 0, 67, 45))
	for i := range grey.Pix {
		grey.Pix[i] = uint8(i * 7)
	}
	var greyJPEG bytes.Buffer
	if err := jpeg.Encode(&greyJPEG, grey, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	cases := map[string][]byte{"grey (made here)": greyJPEG.Bytes()}
	for _, name := range []string{"cardinal.jpg", "exif-orientation-6.jpg", "hubble.jpg", "large.jpg", "retina.jpg", "rocket.jpg"} {
		cases[name] = load(t, name)
	}
	for name, buf := range cases {
		for _, shrink := range []int{1, 2, 4, 8} {
			direct, err := decodeVia(buf, shrink, 1, true)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			viaVips, err := decodeVia(buf, shrink, 1, false)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			a, b := pixelsOf(t, direct), pixelsOf(t, viaVips)
			if direct.width() != viaVips.width() || direct.height() != viaVips.height() || direct.bands() != viaVips.bands() || !bytes.Equal(a, b) {
				t.Errorf("%s shrunk by %d: read directly %d×%d×%d, through libvips %d×%d×%d; the pixels differ", name, shrink,
					direct.width(), direct.height(), direct.bands(), viaVips.width(), viaVips.height(), viaVips.bands())
			}
			direct.unref()
			viaVips.unref()
		}
	}
}

// pixelsOf returns v's pixels as a lossless PNG, whose bytes are equal
// when the pixels are.
func pixelsOf(t *testing.T, v vimage) []byte {
	t.Helper()
	b, err := v.save(formatPNG, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// BenchmarkDecodeJPEG: a JPEG read by libjpeg straight into memory, against
// libvips' loader and its copy to memory.
func BenchmarkDecodeJPEG(b *testing.B) {
	for _, name := range []string{"cardinal.jpg", "large.jpg"} {
		buf := load(b, name)
		for _, direct := range []bool{true, false} {
			b.Run(fmt.Sprintf("%s/direct=%v", name, direct), func(b *testing.B) {
				for range b.N {
					v, err := decodeVia(buf, 1, 1, direct)
					if err != nil {
						b.Fatal(err)
					}
					v.unref()
				}
			})
		}
	}
}
