// Package datasettest builds small datasets in the layouts other tools
// write (Roboflow and Ultralytics YOLO, COCO, Pascal VOC, images with
// masks, ImageFolder), for tests that send them through the service. Each
// carries the traps of ../shared/DATASETS.md that its format has.
package datasettest

import (
	"archive/zip"
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// Fixture is a dataset: its files by path, and what a test needs to know
// of it.
type Fixture struct {
	Name   string // what it stands for, as a test name
	Format string // the format it is detected as
	Files  map[string][]byte
	Splits []string // its splits; the first is the one augmented by default
	Images int      // how many images it holds
	// Augmented are the images of the first split; PassThrough the files
	// of the others (images, label files, masks, per-split files), which
	// a result gives back as they were.
	Augmented   []string
	PassThrough []string
}

// All is every fixture.
func All() []Fixture {
	return []Fixture{RoboflowYOLO(), UltralyticsPose(), COCO(), VOC(), Masks(), ImageFolder()}
}

// RoboflowYOLO is a Roboflow export: train/images beside train/labels, a
// data.yaml whose val names ../valid/images and whose names are a map with
// UTF-8, a negative with an empty label file and one with none, a segment,
// and Roboflow's README.
func RoboflowYOLO() Fixture {
	return Fixture{Name: "roboflow-yolo", Format: "yolo", Splits: []string{"train", "valid"}, Images: 4,
		Augmented:   []string{"train/images/a.jpg", "train/images/neg.jpg", "train/images/bare.jpg"},
		PassThrough: []string{"valid/images/b.jpg", "valid/labels/b.txt", "README.roboflow.txt", "data.yaml"}, Files: map[string][]byte{
			"data.yaml":             []byte("train: ../train/images\nval: ../valid/images\n\nnc: 3\nnames: {0: 'bouteille ü', 1: '猫', 2: person}\n"),
			"train/images/a.jpg":    JPEG(64, 48),
			"train/labels/a.txt":    []byte("0 0.5 0.5 0.25 0.5\n1 0.1 0.1 0.2 0.2\n2 0.2 0.5 0.6 0.5 0.4 0.9 0.1 0.8\n"),
			"train/images/neg.jpg":  JPEG(32, 32),
			"train/labels/neg.txt":  {},
			"train/images/bare.jpg": JPEG(32, 32),
			"valid/images/b.jpg":    JPEG(100, 50),
			"valid/labels/b.txt":    []byte("2 0.1 0.1 0.5 0.1 0.3 0.6\n0 0.5 0.5 1 1\n"),
			"README.roboflow.txt":   []byte("Exported from Roboflow.\n"),
		}}
}

// UltralyticsPose is Ultralytics' layout (images/train, labels/train) of a
// pose dataset: kpt_shape [3, 3] with flip_idx pairing the eyes.
func UltralyticsPose() Fixture {
	return Fixture{Name: "ultralytics-pose", Format: "yolo", Splits: []string{"train", "val"}, Images: 3,
		Augmented:   []string{"images/train/p1.jpg", "images/train/p2.jpg"},
		PassThrough: []string{"images/val/p3.jpg", "labels/val/p3.txt", "data.yaml"}, Files: map[string][]byte{
			"data.yaml": []byte("path: .\ntrain: images/train\nval: images/val\nkpt_shape: [3, 3]\nflip_idx: [1, 0, 2]\n" +
				"names:\n  0: person\n"),
			"images/train/p1.jpg": JPEG(80, 60),
			"labels/train/p1.txt": []byte("0 0.5 0.5 0.5 0.6 0.4 0.4 2 0.6 0.4 2 0.5 0.55 1\n0 0.2 0.2 0.2 0.2 0.15 0.15 2 0.25 0.15 0 0 0 0\n"),
			"images/train/p2.jpg": JPEG(60, 80),
			"labels/train/p2.txt": []byte("0 0.5 0.5 0.8 0.8 0.3 0.3 2 0.7 0.3 2 0.5 0.5 2\n"),
			"images/val/p3.jpg":   JPEG(40, 40),
			"labels/val/p3.txt":   []byte("0 0.5 0.5 0.5 0.5 0.4 0.4 2 0.6 0.4 2 0.5 0.6 2\n"),
		}}
}

// COCOCompressedRLE is the counts [13, 3, 13, 3, 224] as COCO's
// compressed string: two 3-pixel runs at the bottom of the first two
// columns of a 16×16 image.
const COCOCompressedRLE = "=3=0c6"

// COCO has ids that are neither contiguous nor from 1, a multi-part
// polygon with float vertices, a compressed and an uncompressed RLE,
// keypoints with named slots, unknown keys at every level, a wrong area,
// an annotation id used twice, and per-split files in annotations/.
func COCO() Fixture {
	train := `{
  "info": {"description": "fixture", "year": 2024},
  "licenses": [{"id": 2, "name": "CC"}],
  "my_tool": {"version": "1.2"},
  "categories": [
    {"id": 3, "name": "bottle", "supercategory": "thing"},
    {"id": 7, "name": "person", "supercategory": "human", "keypoints": ["left_eye", "right_eye", "nose"], "skeleton": [[1, 2]]},
    {"id": 12, "name": "ñandú", "supercategory": "animal"}
  ],
  "images": [
    {"id": 100, "file_name": "x.jpg", "width": 16, "height": 16, "license": 2, "coco_url": "http://example/x.jpg"},
    {"id": 205, "file_name": "y.jpg", "width": 64, "height": 48}
  ],
  "annotations": [
    {"id": 9, "image_id": 100, "category_id": 3, "iscrowd": 0, "area": 999, "bbox": [0, 0, 1, 1],
     "segmentation": [[1.5, 1.25, 5.5, 1.25, 5.5, 4.75], [8.5, 8, 12, 8, 12, 12, 8.5, 12]], "score": 0.93},
    {"id": 40, "image_id": 100, "category_id": 12, "iscrowd": 1, "area": 8, "bbox": [0, 0, 16, 16],
     "segmentation": {"size": [16, 16], "counts": "` + COCOCompressedRLE + `"}},
    {"id": 40, "image_id": 205, "category_id": 12, "iscrowd": 1, "area": 3, "bbox": [0, 0, 1, 1],
     "segmentation": {"size": [48, 64], "counts": [50, 3, 3019]}},
    {"id": 41, "image_id": 205, "category_id": 7, "iscrowd": 0, "area": 200, "bbox": [10, 10, 20, 10],
     "keypoints": [12, 14, 2, 20, 14, 1, 0, 0, 0], "num_keypoints": 5, "attributes": {"occluded": false}}
  ]
}`
	val := `{"info": {"description": "fixture, validation"},
  "categories": [{"id": 3, "name": "bottle"}, {"id": 7, "name": "person", "keypoints": ["left_eye", "right_eye", "nose"]}, {"id": 12, "name": "ñandú"}],
  "images": [{"id": 7, "file_name": "z.jpg", "width": 40, "height": 30}],
  "annotations": [{"id": 1000, "image_id": 7, "category_id": 3, "bbox": [4, 5, 10, 12], "area": 100, "iscrowd": 0, "segmentation": []}]
}`
	return Fixture{Name: "coco", Format: "coco", Splits: []string{"train", "val"}, Images: 3,
		Augmented:   []string{"images/train/x.jpg", "images/train/y.jpg"},
		PassThrough: []string{"images/val/z.jpg", "annotations/instances_val.json"}, Files: map[string][]byte{
			"annotations/instances_train.json": []byte(train),
			"annotations/instances_val.json":   []byte(val),
			"images/train/x.jpg":               JPEG(16, 16),
			"images/train/y.jpg":               JPEG(64, 48),
			"images/val/z.jpg":                 JPEG(40, 30),
		}}
}

// VOC is a Pascal VOC tree: a devkit object (1-based integers over the
// whole width), a CVAT one (floats, fields left out), a person with a part,
// and ImageSets/Main lists of the splits.
func VOC() Fixture {
	a := `<?xml version="1.0"?>
<annotation>
  <folder>VOC2012</folder>
  <filename>a.jpg</filename>
  <source><database>fixture</database></source>
  <size><width>64</width><height>48</height><depth>3</depth></size>
  <segmented>0</segmented>
  <object>
    <name>boat</name><pose>Left</pose><truncated>1</truncated><difficult>1</difficult>
    <bndbox><xmin>1</xmin><ymin>1</ymin><xmax>64</xmax><ymax>10</ymax></bndbox>
  </object>
  <object>
    <name>chien é</name><occluded>0</occluded>
    <bndbox><xmin>10.5</xmin><ymin>20.25</ymin><xmax>30.5</xmax><ymax>40</ymax></bndbox>
  </object>
  <object>
    <name>person</name>
    <bndbox><xmin>5</xmin><ymin>5</ymin><xmax>9</xmax><ymax>9</ymax></bndbox>
    <part><name>head</name><bndbox><xmin>5</xmin><ymin>5</ymin><xmax>6</xmax><ymax>6</ymax></bndbox></part>
  </object>
</annotation>
`
	b := `<annotation><folder>VOC2012</folder><filename>b.jpg</filename><size><width>32</width><height>32</height><depth>3</depth></size>
<object><name>boat</name><bndbox><xmin>2</xmin><ymin>3</ymin><xmax>20</xmax><ymax>30</ymax></bndbox></object></annotation>
`
	return Fixture{Name: "voc", Format: "voc", Splits: []string{"train", "val"}, Images: 2,
		Augmented:   []string{"JPEGImages/a.jpg"},
		PassThrough: []string{"JPEGImages/b.jpg", "Annotations/b.xml"}, Files: map[string][]byte{
			"Annotations/a.xml":        []byte(a),
			"Annotations/b.xml":        []byte(b),
			"JPEGImages/a.jpg":         JPEG(64, 48),
			"JPEGImages/b.jpg":         JPEG(32, 32),
			"ImageSets/Main/train.txt": []byte("a\n"),
			"ImageSets/Main/val.txt":   []byte("b\n"),
		}}
}

// VOCPalette is the start of Pascal VOC's mask palette.
var VOCPalette = color.Palette{color.RGBA{0, 0, 0, 255}, color.RGBA{128, 0, 0, 255}, color.RGBA{0, 128, 0, 255}, color.RGBA{224, 224, 192, 255}}

// Masks is images beside palette masks of the same stem, per split, with
// dataset_meta.json's class names.
func Masks() Fixture {
	id := func(x, y int) uint8 { return uint8((x/8 + y/8) % 3) }
	return Fixture{Name: "masks", Format: "masks", Splits: []string{"train", "val"}, Images: 3,
		Augmented:   []string{"train/images/m1.jpg", "train/images/m2.png"},
		PassThrough: []string{"val/images/m3.jpg", "val/masks/m3.png", "dataset_meta.json"}, Files: map[string][]byte{
			"dataset_meta.json":   []byte(`{"label_map": {"0": "background", "1": "road", "2": "voiture"}}`),
			"train/images/m1.jpg": JPEG(48, 32),
			"train/masks/m1.png":  PalettePNG(48, 32, VOCPalette, id),
			"train/images/m2.png": PNG(40, 40),
			"train/masks/m2.png":  PalettePNG(40, 40, VOCPalette, func(x, y int) uint8 { return uint8(x / 20) }),
			"val/images/m3.jpg":   JPEG(32, 32),
			"val/masks/m3.png":    PalettePNG(32, 32, VOCPalette, id),
		}}
}

// ImageFolder is two splits of two class folders.
func ImageFolder() Fixture {
	return Fixture{Name: "imagefolder", Format: "imagefolder", Splits: []string{"train", "val"}, Images: 5,
		Augmented:   []string{"train/chat/1.jpg", "train/chat/2.jpg", "train/chien/3.jpg"},
		PassThrough: []string{"val/chat/4.jpg", "val/chien/5.png"}, Files: map[string][]byte{
			"train/chat/1.jpg":  JPEG(40, 30),
			"train/chat/2.jpg":  JPEG(30, 40),
			"train/chien/3.jpg": JPEG(32, 32),
			"val/chat/4.jpg":    JPEG(24, 24),
			"val/chien/5.png":   PNG(20, 20),
		}}
}

// Zip is the fixture as a zip, its files in lexical order under prefix
// ("" or a folder that wraps them, as zipping a folder makes).
func (f Fixture) Zip(prefix string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range f.Paths() {
		w, err := zw.Create(prefix + p)
		if err != nil {
			panic(err)
		}
		_, _ = w.Write(f.Files[p])
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// Write writes the fixture's files under dir.
func (f Fixture) Write(dir string) error {
	for p, b := range f.Files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(full, b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Paths are the fixture's paths in lexical order.
func (f Fixture) Paths() []string {
	ps := make([]string, 0, len(f.Files))
	for p := range f.Files {
		ps = append(ps, p)
	}
	sort.Strings(ps)
	return ps
}

// JPEG is a w×h JPEG of a gradient.
func JPEG(w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 128, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// PNG is a w×h opaque PNG.
func PNG(w, h int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = uint8(i)
		if i%4 == 3 {
			img.Pix[i] = 255
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// PalettePNG is a w×h mask whose pixel (x, y) has class id(x, y).
func PalettePNG(w, h int, pal color.Palette, id func(x, y int) uint8) []byte {
	img := image.NewPaletted(image.Rect(0, 0, w, h), pal)
	for y := range h {
		for x := range w {
			img.SetColorIndex(x, y, id(x, y))
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// ZipDir zips a folder as a person does, the folder wrapping its files: for
// sending the datasets of ../shared/formats as they are.
func ZipDir(dir string) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, err := filepath.Rel(filepath.Dir(dir), p)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		w, err := zw.Create(filepath.ToSlash(rel))
		if err == nil {
			_, err = w.Write(b)
		}
		return err
	})
	if err == nil {
		err = zw.Close()
	}
	return buf.Bytes(), err
}

// Sample is a dataset another tool wrote, in ../shared/formats (datumaro's
// test assets): its folder there, its format and its splits.
type Sample struct{ Dir, Format, Splits string }

// Samples are the datasets of ../shared/formats that tests send through
// the service: COCO, Roboflow's COCO and YOLO, Ultralytics' YOLO, a VOC
// tree with colour and instance masks, masks with dataset_meta.json.
var Samples = []Sample{
	{"coco_dataset/coco_instances", "coco", "train,val"},
	{"coco_dataset/coco_roboflow", "coco", "train,val"},
	{"coco_dataset/coco_person_keypoints", "coco", "train,val"},
	{"roboflow_dataset/yolo", "yolo", "train,val"},
	{"yolo_dataset/labels", "yolo", "train,val"},
	{"voc_dataset/voc_dataset1", "voc", "train,test"},
	{"common_semantic_segmentation_dataset/dataset", "masks", "train"},
}
