package imaging

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// A JPEG is encoded in bands of rows side by side, one libjpeg encoder a
// band, and the bands joined into one JPEG with a restart marker between
// them: its pixels are those one encoder makes of the whole image (each
// band's blocks are the same blocks, and a band's DC prediction starts
// afresh, as it does after a restart marker), in about the time of the
// largest band. The bands' height depends only on the image's size and
// colour resolution, so a variant's bytes are the same on every machine.

// bandRows is the height, in rows of blocks (MCUs), of the bands an image
// mcusPerRow wide is encoded in: at most 256 pixel rows, and few enough
// MCUs for a restart interval (under 65,536).
func bandRows(mcusPerRow, mcuHeight int) int {
	return max(1, min(256/mcuHeight, 65535/mcusPerRow))
}

// jpegMarkers finds, in a JPEG as libjpeg writes it, the frame header
// (SOF) and the scan header (SOS), and where the scan's entropy-coded data
// begins.
func jpegMarkers(b []byte) (sof, sos, data int, err error) {
	sof = -1
	for i := 2; i+4 <= len(b); {
		if b[i] != 0xFF {
			return 0, 0, 0, fmt.Errorf("no marker at byte %d", i)
		}
		m, n := b[i+1], int(binary.BigEndian.Uint16(b[i+2:]))
		switch {
		case m == 0xDA:
			if sof < 0 {
				return 0, 0, 0, errors.New("a scan before the frame header")
			}
			return sof, i, i + 2 + n, nil
		case m >= 0xC0 && m <= 0xC2:
			sof = i
		}
		i += 2 + n
	}
	return 0, 0, 0, errors.New("no scan")
}

// joinBands makes one JPEG height rows high of parts, the JPEGs of its
// bands from the top, each interval MCUs but the last: the first band's
// headers (its height made the image's, and a restart interval added),
// then each band's entropy-coded data, a restart marker before every band
// but the first.
func joinBands(parts [][]byte, height, interval int) ([]byte, error) {
	size := 0
	for _, p := range parts {
		size += len(p)
	}
	out := make([]byte, 0, size+6+2*len(parts))
	for k, p := range parts {
		if len(p) < 4 || p[len(p)-2] != 0xFF || p[len(p)-1] != 0xD9 {
			return nil, fmt.Errorf("band %d does not end its image", k)
		}
		sof, sos, data, err := jpegMarkers(p)
		if err != nil {
			return nil, fmt.Errorf("band %d: %w", k, err)
		}
		body := p[:len(p)-2] // without the end of image
		if k == 0 {
			out = append(out, body[:sos]...)
			binary.BigEndian.PutUint16(out[sof+5:], uint16(height))
			out = append(out, 0xFF, 0xDD, 0, 4, byte(interval>>8), byte(interval))
			out = append(out, body[sos:]...)
			continue
		}
		out = append(out, 0xFF, 0xD0+byte((k-1)%8))
		out = append(out, body[data:]...)
	}
	return append(out, 0xFF, 0xD9), nil
}
