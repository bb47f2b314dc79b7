package dataset

import (
	"encoding/json"
	"image/color"
	"image/png"
	"io"
	"path"
	"sort"
	"strconv"
	"strings"
)

// MasksMeta is a masks dataset's dataset_meta.json (kept as read) and the
// class names and colours it gives; for a VOC tree whose class masks are in
// colours, the devkit's colormap ([VOCColormap]) alone.
type MasksMeta struct {
	MetaPath string
	Meta     []byte
	Colors   [][3]uint8 // class id → colour, for colour-coded masks
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
		m.meta = &MasksMeta{MetaPath: p, Meta: b, Colors: meta.Colors}
		return nil
	}
	mask, err := readMaskHeader(p, r)
	if err != nil {
		return err
	}
	m.masks[p] = mask
	return nil
}

// readMaskHeader reads a mask's size and kind. Masks are PNG: a JPEG
// mask would have invented class values at every edge.
func readMaskHeader(p string, r io.Reader) (*SemanticMask, error) {
	cfg, err := png.DecodeConfig(r)
	if err != nil {
		return nil, labelError(p, 0, "a mask must be a PNG of class ids: %v", err)
	}
	m := &SemanticMask{Path: p, Width: cfg.Width, Height: cfg.Height}
	if _, paletted := cfg.ColorModel.(color.Palette); !paletted {
		m.RGB = cfg.ColorModel != color.GrayModel && cfg.ColorModel != color.Gray16Model
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
