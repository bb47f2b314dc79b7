package imaging

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/augment-ml/augment/internal/domain"
)

// TestPassesJPEGBandsAsOneEncoder: a JPEG encoded in bands side by side decodes to
// the pixels of libvips' one encoder, with the same settings, for sizes on
// and off the blocks' and the bands' edges, colour and gray, each colour
// resolution and qualities on either side of libvips' rule; it is made of
// as many bands as its height asks, and one band is libvips' bytes.
func TestPassesJPEGBandsAsOneEncoder(t *testing.T) {
	src := decode(t, "cardinal.jpg")
	gray := decode(t, "cardinal.jpg")
	c := &chain{cur: gray.img, memory: true}
	if err := c.add(c.cur.tone(toneShuffle, 0, 0, 0)); err != nil {
		t.Fatal(err)
	}
	defer c.release()
	for _, size := range [][2]int{{1, 1}, {17, 33}, {1920, 1080}, {1000, 256}, {999, 257}, {640, 512}, {31, 700}} {
		for _, chroma := range []string{"", domain.ChromaHalf, domain.ChromaFull} {
			for _, q := range []int{50, 89, 90, 100} {
				img, err := src.img.crop(0, 0, size[0], size[1])
				if err != nil {
					t.Fatal(err)
				}
				name := fmt.Sprintf("%d×%d %q Q%d", size[0], size[1], chroma, q)
				same(t, name, img, q, chroma)
				img.unref()
			}
		}
	}
	same(t, "gray", c.cur, 85, "")
}

// same says whether img encodes in bands to the pixels libvips' encoder
// gives, and counts the restart markers between the bands.
func same(t *testing.T, name string, img vimage, q int, chroma string) {
	t.Helper()
	bands, err := img.save(formatJPEG, q, chroma)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	one, err := img.saveVips(formatJPEG, q, chroma)
	if err != nil {
		t.Fatal(err)
	}
	a, err := decodeImage(bands, 1, 1, false)
	if err != nil {
		t.Fatalf("%s: the bands joined do not decode: %v", name, err)
	}
	defer a.unref()
	b, err := decodeImage(one, 1, 1, false)
	if err != nil {
		t.Fatal(err)
	}
	defer b.unref()
	if !bytes.Equal(pixelsOf(t, a), pixelsOf(t, b)) {
		t.Errorf("%s: the bands decode to other pixels than one encoder's", name)
	}
	mcu := 8
	if img.bands() == 3 && (chroma == domain.ChromaHalf || chroma == "" && q < 90) {
		mcu = 16
	}
	rows := bandRows((img.width()+mcu-1)/mcu, mcu) * mcu
	want := (img.height()+rows-1)/rows - 1
	if want == 0 && !bytes.Equal(bands, one) {
		t.Errorf("%s: one band is not libvips' bytes", name)
	}
	if got := restarts(bands); got != want {
		t.Errorf("%s: %d restart markers, want %d (bands of %d rows)", name, got, want, rows)
	}
}

// restarts counts a JPEG's restart markers.
func restarts(b []byte) int {
	n := 0
	for i := 0; i+1 < len(b); i++ {
		if b[i] == 0xFF && b[i+1] >= 0xD0 && b[i+1] <= 0xD7 {
			n++
		}
	}
	return n
}
