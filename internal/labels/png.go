package labels

import (
	"bytes"
	"encoding/binary"
	"hash/adler32"
	"hash/crc32"
	"image/color"
	"runtime"
	"sync"

	"github.com/klauspost/compress/flate"
)

// PNG encodes the mask as a PNG of its kind: gray 8- or 16-bit, or with its
// palette. Masks are never JPEG: a lossy codec invents class values.
//
// NOTE: image/png would do, at about twice the time a variant's mask may
// take (it searches row filters, and deflates on one core). Class ids
// compress well as they are, so every row goes unfiltered, and bands of rows
// are deflated on every core, each a run of whole deflate blocks ending on a
// byte (a sync flush), which joined make one stream, as pigz does.
func (m *Mask) PNG() ([]byte, error) {
	return encodePNG(m.W, m.H, m.Pix16 != nil, m.Palette, func(dst8 []uint8, dst16 []uint16, y0, y1 int) {
		if m.Pix16 != nil {
			copy(dst16, m.Pix16[y0*m.W:y1*m.W])
		} else {
			copy(dst8, m.Pix[y0*m.W:y1*m.W])
		}
	})
}

// rowsFunc puts the class ids of rows [y0, y1) into dst8 (or dst16 for a
// 16-bit mask), which hold those rows only.
type rowsFunc func(dst8 []uint8, dst16 []uint16, y0, y1 int)

// encodePNG writes a w×h mask whose rows rows gives as PNG: gray 8- or
// 16-bit, or palette.
func encodePNG(w, h int, wide bool, palette color.Palette, rows rowsFunc) ([]byte, error) {
	colour, bpp := byte(0), 1 // gray
	switch {
	case wide:
		bpp = 2
	case palette != nil:
		colour = 3
	}
	bands := max(1, min(runtime.GOMAXPROCS(0), h/128))
	parts := make([]band, bands)
	var wg sync.WaitGroup
	for i := range parts {
		wg.Go(func() { parts[i].deflate(w, i*h/bands, (i+1)*h/bands, wide, rows, i == bands-1) })
	}
	wg.Wait()

	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = byte(8*bpp), colour // depth, colour type; compression, filter and interlace 0
	chunk(&out, "IHDR", ihdr)
	if palette != nil {
		plte := make([]byte, 0, 3*len(palette))
		trns := make([]byte, 0, len(palette))
		opaque := true
		for _, c := range palette {
			r, g, b, a := c.RGBA()
			plte = append(plte, byte(r>>8), byte(g>>8), byte(b>>8))
			trns = append(trns, byte(a>>8))
			opaque = opaque && a == 0xffff
		}
		chunk(&out, "PLTE", plte)
		if !opaque {
			chunk(&out, "tRNS", trns)
		}
	}
	idat := []byte{0x78, 0x01} // zlib: deflate, 32K window, fastest
	sum, n := parts[0].sum, parts[0].n
	for i, p := range parts {
		if p.err != nil {
			return nil, p.err
		}
		idat = append(idat, p.buf.Bytes()...)
		if i > 0 {
			sum, n = adler32Combine(sum, p.sum, p.n), n+p.n
		}
	}
	idat = binary.BigEndian.AppendUint32(idat, sum)
	chunk(&out, "IDAT", idat)
	chunk(&out, "IEND", nil)
	return out.Bytes(), nil
}

// band is rows [y0, y1) of a PNG's image data, deflated, with their Adler-32
// and their length unpacked.
type band struct {
	buf bytes.Buffer
	sum uint32
	n   int64
	err error
}

// step is how many rows a band asks for at a time: few enough to stay in
// the cache between being made and being deflated.
const step = 32

func (b *band) deflate(w, y0, y1 int, wide bool, rows rowsFunc, last bool) {
	fw, err := flate.NewWriter(&b.buf, flate.BestSpeed)
	if err != nil {
		b.err = err
		return
	}
	sum := adler32.New()
	bpp := 1
	var got8 []uint8
	var got16 []uint16
	if wide {
		bpp, got16 = 2, make([]uint16, step*w)
	} else {
		got8 = make([]uint8, step*w)
	}
	line := make([]byte, 1+bpp*w) // a row behind its filter byte, 0: none
	for y := y0; y < y1; y += step {
		n := min(step, y1-y)
		rows(got8, got16, y, y+n)
		for k := range n {
			if wide {
				for x, v := range got16[k*w : (k+1)*w] {
					line[1+2*x], line[2+2*x] = byte(v>>8), byte(v)
				}
			} else {
				copy(line[1:], got8[k*w:(k+1)*w])
			}
			sum.Write(line)
			if _, b.err = fw.Write(line); b.err != nil {
				return
			}
		}
	}
	if last {
		b.err = fw.Close()
	} else {
		b.err = fw.Flush() // ends on a byte, with no final block: the next band follows
	}
	b.sum, b.n = sum.Sum32(), int64(y1-y0)*int64(len(line))
}

// chunk writes a PNG chunk: length, type, data, CRC of type and data.
func chunk(out *bytes.Buffer, typ string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	out.Write(n[:])
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	out.WriteString(typ)
	out.Write(data)
	binary.BigEndian.PutUint32(n[:], crc.Sum32())
	out.Write(n[:])
}

// adler32Combine is the Adler-32 of two byte runs joined, from theirs and
// the second's length (zlib's adler32_combine).
func adler32Combine(a1, a2 uint32, len2 int64) uint32 {
	const base = 65521
	rem := uint64(len2 % base)
	s1, s2 := uint64(a1&0xffff), uint64(a1>>16)
	t1, t2 := uint64(a2&0xffff), uint64(a2>>16)
	sum1 := (s1 + t1 + base - 1) % base
	sum2 := (rem*s1%base + s2 + t2 + base - rem) % base
	return uint32(sum1 | sum2<<16)
}
