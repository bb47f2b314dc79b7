package dataset

import (
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"path"
	"sort"
	"strconv"
	"strings"
)

// MasksMeta is a masks dataset's dataset_meta.json (kept as read) and the
// class names and colours it gives.
type MasksMeta struct {
	MetaPath string
	Meta     []byte
	Colors   color.Palette // class id → colour, for colour-coded masks
}

type datasetMeta struct {
	LabelMap map[string]string `json:"label_map"`
	Colors   [][3]uint8        `json:"segmentation_colors"`
}

// maskImageDir is "images" or "masks" for a file in such a folder, else "".
func maskImageDir(p string) string {
	segs := strings.Split(path.Dir(p), "/")
	for i := len(segs) - 1; i >= 0; i-- {
		switch strings.ToLower(segs[i]) {
		case "images":
			return "images"
		case "masks":
			return "masks"
		}
	}
	return ""
}

// maskPartner is the path of p with its last images/masks folder swapped
// for the other, without its extension: images/a.jpg ↔ masks/a.
func maskPartner(p string) string {
	segs := strings.Split(p, "/")
	for i := len(segs) - 2; i >= 0; i-- {
		switch strings.ToLower(segs[i]) {
		case "images":
			segs[i] = "masks"
		case "masks":
			segs[i] = "images"
		default:
			continue
		}
		break
	}
	return stem(strings.Join(segs, "/"))
}

type masksLayout struct {
	masks map[string]*SemanticMask // by path
	meta  *MasksMeta
	names []string
}

func newMasks() *masksLayout { return &masksLayout{masks: map[string]*SemanticMask{}} }

func (m *masksLayout) claims(p string) bool {
	return strings.EqualFold(path.Base(p), "dataset_meta.json") || maskImageDir(p) == "masks" && isImagePath(p)
}

func (m *masksLayout) parse(p string, r io.Reader) error {
	if strings.EqualFold(path.Base(p), "dataset_meta.json") {
		b, err := io.ReadAll(r)
		if err != nil {
			return err
		}
		var meta datasetMeta
		if err := json.Unmarshal(b, &meta); err != nil {
			return labelError(p, 0, "not a dataset_meta.json of label_map and segmentation_colors: %v", err)
		}
		ids := make([]int, 0, len(meta.LabelMap))
		for k := range meta.LabelMap {
			id, err := strconv.Atoi(k)
			if err != nil || id < 0 {
				return labelError(p, 0, "label_map keys are class ids (0, 1, …), not %q", k)
			}
			ids = append(ids, id)
		}
		sort.Ints(ids)
		m.names = make([]string, 0, len(ids))
		for _, id := range ids {
			m.names = append(m.names, meta.LabelMap[strconv.Itoa(id)])
		}
		m.meta = &MasksMeta{MetaPath: p, Meta: b}
		for _, c := range meta.Colors {
			m.meta.Colors = append(m.meta.Colors, color.RGBA{c[0], c[1], c[2], 255})
		}
		return nil
	}
	mask, err := readMaskHeader(p, r)
	if err != nil {
		return err
	}
	m.masks[p] = mask
	return nil
}

// readMaskHeader reads a mask's size and palette. Masks are PNG: a JPEG
// mask would have invented class values at every edge.
func readMaskHeader(p string, r io.Reader) (*SemanticMask, error) {
	cfg, err := png.DecodeConfig(r)
	if err != nil {
		return nil, labelError(p, 0, "a mask must be a PNG of class ids: %v", err)
	}
	m := &SemanticMask{Path: p, Width: cfg.Width, Height: cfg.Height}
	switch cm := cfg.ColorModel.(type) {
	case color.Palette:
		m.Palette = cm
	default:
		m.RGB = cm != color.GrayModel && cm != color.Gray16Model
	}
	return m, nil
}

func (m *masksLayout) assemble(ds *Dataset, images map[string]*Image) error {
	ds.Masks = m.meta
	ds.Classes = m.names
	byPartner := map[string]*Image{}
	for p, im := range images {
		if maskImageDir(p) == "images" {
			byPartner[maskPartner(p)] = im
		}
	}
	paths := make([]string, 0, len(m.masks))
	for p := range m.masks {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		im := byPartner[stem(p)]
		if im == nil {
			ds.warn(WMissingImage, p, "the mask %s has no image of the same name in images/", p)
			continue
		}
		mask := m.masks[p]
		im.Mask, im.Labelled = mask, true
		if mask.Width != 0 && (im.Width != 0 && (mask.Width != im.Width || mask.Height != im.Height)) {
			ds.warn(WSizeMismatch, p, "the mask %s is %d×%d; its image is %d×%d", p, mask.Width, mask.Height, im.Width, im.Height)
		}
	}
	for p, im := range images {
		if !im.Labelled {
			ds.warn(WMissingLabels, p, "%s has no mask in masks/ (same name, any image extension)", p)
		}
	}
	return nil
}

// MaskIDs decodes a mask into class ids, one per pixel: a palette PNG's
// indexes, a gray PNG's values, or the class whose colour a pixel has
// (colors), 0 for a colour not listed.
func MaskIDs(r io.Reader, colors color.Palette) (*image.Gray16, error) {
	img, err := png.Decode(r)
	if err != nil {
		return nil, err
	}
	b := img.Bounds()
	out := image.NewGray16(image.Rect(0, 0, b.Dx(), b.Dy()))
	lookup := map[color.RGBA]int{}
	for i, c := range colors {
		lookup[color.RGBAModel.Convert(c).(color.RGBA)] = i
	}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			var id int
			switch src := img.(type) {
			case *image.Paletted:
				id = int(src.ColorIndexAt(x, y))
			case *image.Gray:
				id = int(src.GrayAt(x, y).Y)
			case *image.Gray16:
				id = int(src.Gray16At(x, y).Y)
			default:
				id = lookup[color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)]
			}
			out.SetGray16(x-b.Min.X, y-b.Min.Y, color.Gray16{Y: uint16(id)})
		}
	}
	return out, nil
}

// WriteMask encodes class ids as the mask's kind: a palette PNG with its
// palette kept, a colour PNG through colors, else 8-bit gray (16-bit when
// an id passes 255). Never JPEG.
func WriteMask(w io.Writer, ids *image.Gray16, m *SemanticMask, colors color.Palette) error {
	b := ids.Bounds()
	var img image.Image
	switch {
	case m != nil && m.Palette != nil:
		p := image.NewPaletted(b, m.Palette)
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				p.SetColorIndex(x, y, uint8(ids.Gray16At(x, y).Y))
			}
		}
		img = p
	case m != nil && m.RGB && len(colors) > 0:
		p := image.NewRGBA(b)
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				if id := int(ids.Gray16At(x, y).Y); id < len(colors) {
					p.Set(x, y, colors[id])
				}
			}
		}
		img = p
	default:
		top := uint16(0)
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				top = max(top, ids.Gray16At(x, y).Y)
			}
		}
		img = ids
		if top <= 255 {
			g := image.NewGray(b)
			for y := b.Min.Y; y < b.Max.Y; y++ {
				for x := b.Min.X; x < b.Max.X; x++ {
					g.Pix[g.PixOffset(x, y)] = uint8(ids.Gray16At(x, y).Y)
				}
			}
			img = g
		}
	}
	return (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(w, img)
}
