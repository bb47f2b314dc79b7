package imaging

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"testing"

	"github.com/augment-ml/augment/internal/domain"
)

// TestPassesJPEGReadDirectlyIsLibvips (run under AddressSanitizer by make
// asan, as jpeg.c is C): a JPEG that libjpeg reads straight into
// memory (jpeg.c), by one decoder or by two side by side, comes out the
// same pixels as through libvips' loader: colour at half and at full
// resolution, grey, turned by EXIF, large, whole and shrunk on load.
func TestPassesJPEGReadDirectlyIsLibvips(t *testing.T) {
	cases := map[string][]byte{"grey (made here)": greyJPEG(t, 67, 45), "tall grey (made here)": greyJPEG(t, 600, 900)}
	for _, name := range []string{"cardinal.jpg", "exif-orientation-6.jpg", "hubble.jpg", "large.jpg", "retina.jpg", "rocket.jpg"} {
		cases[name] = load(t, name)
	}
	full, err := decode(t, "cardinal.jpg").img.saveVips(formatJPEG, 75, domain.ChromaFull)
	if err != nil {
		t.Fatal(err)
	}
	cases["cardinal.jpg at full colour resolution (made here)"] = full
	for name, buf := range cases {
		for _, shrink := range []int{1, 2, 4, 8} {
			viaVips, err := decodeVia(buf, shrink, 1, viaVips)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			want := pixelsOf(t, viaVips)
			for via, how := range map[reader]string{viaLibjpeg: "read directly", viaTwo: "read by two decoders"} {
				direct, err := decodeVia(buf, shrink, 1, via)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if direct.width() != viaVips.width() || direct.height() != viaVips.height() || direct.bands() != viaVips.bands() || !bytes.Equal(pixelsOf(t, direct), want) {
					t.Errorf("%s shrunk by %d: %s %d×%d×%d, through libvips %d×%d×%d; the pixels differ", name, shrink, how,
						direct.width(), direct.height(), direct.bands(), viaVips.width(), viaVips.height(), viaVips.bands())
				}
				direct.unref()
			}
			viaVips.unref()
		}
	}
}

// greyJPEG is a w×h grey JPEG of gradients, made with Go's encoder.
func greyJPEG(t *testing.T, w, h int) []byte {
	grey := image.NewGray(image.Rect(0, 0, w, h))
	for i := range grey.Pix {
		grey.Pix[i] = uint8(i%w/3 + i/w/5)
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, grey, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
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
		for via, how := range map[reader]string{viaVips: "libvips", viaLibjpeg: "libjpeg", viaTwo: "two"} {
			b.Run(fmt.Sprintf("%s/%s", name, how), func(b *testing.B) {
				for range b.N {
					v, err := decodeVia(buf, 1, 1, via)
					if err != nil {
						b.Fatal(err)
					}
					v.unref()
				}
			})
		}
	}
}
