package datasettest

import (
	"archive/zip"
	"bytes"
	"fmt"
	"image"
	"os"
	"strings"
)

// WriteCOCOZip writes a COCO dataset of n images to path, for benchmarks:
// the photos reused in turn as images/train/imgNNNNNN.jpg, four objects
// each (three boxes and a polygon), one annotations/instances_train.json.
func WriteCOCOZip(path string, n int, photos [][]byte) error {
	sizes := make([][2]int, len(photos))
	for i, p := range photos {
		cfg, _, err := image.DecodeConfig(bytes.NewReader(p))
		if err != nil {
			return err
		}
		sizes[i] = [2]int{cfg.Width, cfg.Height}
	}
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	var imgs, anns strings.Builder
	for i := range n {
		k := i % len(photos)
		name := fmt.Sprintf("img%06d.jpg", i)
		w, err := zw.CreateHeader(&zip.FileHeader{Name: "images/train/" + name, Method: zip.Store})
		if err != nil {
			return err
		}
		if _, err := w.Write(photos[k]); err != nil {
			return err
		}
		if i > 0 {
			imgs.WriteString(",\n")
		}
		fmt.Fprintf(&imgs, `{"id": %d, "file_name": %q, "width": %d, "height": %d, "license": 1}`, 1000+i, name, sizes[k][0], sizes[k][1])
		for j := range 4 {
			if anns.Len() > 0 {
				anns.WriteString(",\n")
			}
			seg := "[]"
			if j == 3 {
				seg = "[[10.5, 10.5, 90.25, 12, 60, 80.75, 14, 70]]"
			}
			fmt.Fprintf(&anns, `{"id": %d, "image_id": %d, "category_id": %d, "bbox": [%d, %d, 50, 40], "area": 2000, "iscrowd": 0, "segmentation": %s}`,
				i*4+j+1, 1000+i, 1+j%3, 10*j, 5*j, seg)
		}
	}
	w, err := zw.Create("annotations/instances_train.json")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, `{"info": {"description": "bench"}, "licenses": [{"id": 1, "name": "x"}],
"categories": [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}, {"id": 3, "name": "c"}],
"images": [%s],
"annotations": [%s]}`, imgs.String(), anns.String())
	if err := zw.Close(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
