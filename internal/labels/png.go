package labels

import (
	"bytes"
	"encoding/binary"
	"hash/adler32"
	"hash/crc32"
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
	colour, bpp := byte(0), 1 // gray
	switch {
	case m.Pix16 != nil:
		bpp = 2
	case m.Palette != nil:
		colour = 3
	}
	bands := max(1, min(runtime.GOMAXPROCS(0), m.H/128))
	parts := make([]band, bands)
	var wg sync.WaitGroup
	for i := range parts {
		wg.Go(func() { parts[i].deflate(m, i*m.H/bands, (i+1)*m.H/bands, bpp, i == bands-1) })
	}
	wg.Wait()

	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(m.W))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(m.H))
	ihdr[8], ihdr[9] = byte(8*bpp), colour // depth, colour type; compression, filter and interlace 0
	chunk(&out, "IHDR", ihdr)
	if m.Palette != nil {
		plte := make([]byte, 0, 3*len(m.Palette))
		trns := make([]byte, 0, len(m.Palette))
		opaque := true
		for _, c := range m.Palette {
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

func (b *band) deflate(m *Mask, y0, y1, bpp int, last bool) {
	w, err := flate.NewWriter(&b.buf, flate.BestSpeed)
	if err != nil {
		b.err = err
		return
	}
	sum := adler32.New()
	line := make([]byte, 1+bpp*m.W) // a row behind its filter byte, 0: none
	for y := y0; y < y1; y++ {
		if m.Pix16 != nil {
			for x, v := range m.Pix16[y*m.W : (y+1)*m.W] {
				line[1+2*x], line[2+2*x] = byte(v>>8), byte(v)
			}
		} else {
			copy(line[1:], m.Pix[y*m.W:(y+1)*m.W])
		}
		sum.Write(line)
		if _, b.err = w.Write(line); b.err != nil {
			return
		}
	}
	if last {
		b.err = w.Close()
	} else {
		b.err = w.Flush() // ends on a byte, with no final block: the next band follows
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
