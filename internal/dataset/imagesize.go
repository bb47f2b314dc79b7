package dataset

import (
	"bytes"
	"encoding/binary"
	"image"
	_ "image/gif" // registered for DecodeConfig
	_ "image/jpeg"
	_ "image/png"

	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/tiff"
	_ "golang.org/x/image/webp"
)

// DisplayedSize is an image's size as displayed, read from its first
// bytes (a JPEG, PNG, GIF, WebP, TIFF or BMP header), with the EXIF
// orientation it applied (0 for none): labels are drawn on the displayed
// image. 0, 0 when the header cannot be read.
func DisplayedSize(head []byte) (w, h, orientation int) { return displayedSize(head) }

// displayedSize is DisplayedSize.
func displayedSize(head []byte) (w, h, orientation int) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(head))
	if err != nil {
		return 0, 0, 0
	}
	o := jpegOrientation(head)
	if o >= 5 && o <= 8 {
		return cfg.Height, cfg.Width, o
	}
	return cfg.Width, cfg.Height, o
}

// jpegOrientation is the EXIF Orientation tag (1–8) of a JPEG, or 0.
func jpegOrientation(b []byte) int {
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return 0
	}
	for i := 2; i+4 <= len(b); {
		if b[i] != 0xFF {
			return 0
		}
		marker := b[i+1]
		if marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01 {
			i += 2
			continue
		}
		if marker == 0xDA || marker == 0xD9 { // start of scan: no EXIF past it
			return 0
		}
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		end := i + 2 + n
		if end > len(b) {
			return 0
		}
		if marker == 0xE1 && n > 8 && string(b[i+4:i+10]) == "Exif\x00\x00" {
			return tiffOrientation(b[i+10 : end])
		}
		i = end
	}
	return 0
}

// tiffOrientation reads tag 0x0112 from the first IFD of a TIFF block.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 0
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 0
	}
	off := int(bo.Uint32(t[4:]))
	if off < 8 || off+2 > len(t) {
		return 0
	}
	count := int(bo.Uint16(t[off:]))
	for k := range count {
		e := off + 2 + 12*k
		if e+12 > len(t) {
			return 0
		}
		if bo.Uint16(t[e:]) == 0x0112 {
			if v := int(bo.Uint16(t[e+8:])); v >= 1 && v <= 8 {
				return v
			}
			return 0
		}
	}
	return 0
}
