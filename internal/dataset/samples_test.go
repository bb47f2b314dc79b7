package dataset

import (
	"strings"
	"testing"

	"github.com/augment-ml/augment/internal/domain"
)

// TestSamples reads the datasets other tools wrote (../shared/formats) in
// place, and writes each back in its format: read → write → read gives the
// same objects.
func TestSamples(t *testing.T) {
	for _, tc := range []struct {
		dir     string
		format  Format
		splits  string
		classes string
		check   func(t *testing.T, ds *Dataset)
	}{
		{"coco_dataset/coco_instances", COCO, "train,val", "a,b,c", func(t *testing.T, ds *Dataset) {
			b := ds.Image("images/val/b.jpg")
			if b.COCO.ID != 40 || len(b.Objects) != 2 || b.Objects[1].Mask == nil || rleArea(*b.Objects[1].Mask) != 20 ||
				string(b.Objects[0].Attributes) == "" {
				t.Errorf("b.jpg: %s", jsonOf(b))
			}
		}},
		{"coco_dataset/coco_roboflow", COCO, "train,val", "a,b,c", func(t *testing.T, ds *Dataset) {
			if ds.Image("train/a.jpg").Objects[0].Class != "b" {
				t.Errorf("a.jpg: %s", jsonOf(ds.Image("train/a.jpg")))
			}
		}},
		{"coco_dataset/coco_person_keypoints", COCO, "train,val", "a,b", func(t *testing.T, ds *Dataset) {
			a := ds.Image("images/train/a.jpg").Objects[0]
			if !nearKeypoints(a.Keypoints, []domain.Keypoint{{0, 0, 0}, {0, 2, 1}, {4, 1, 2}}, 0) {
				t.Errorf("keypoints: %v", a.Keypoints)
			}
		}},
		{"roboflow_dataset/yolo", YOLO, "train,val", "label_0,label_1", func(t *testing.T, ds *Dataset) {
			// data.yaml says val: ../valid/images beside a val/ folder: read from the folder, with a warning.
			if warningCodes(ds)[WSplitPath] != 1 || len(ds.Image("val/images/val_001.jpg").Objects) != 2 {
				t.Errorf("warnings %+v, val_001: %s", ds.Warnings, jsonOf(ds.Image("val/images/val_001.jpg")))
			}
			if !nearBox(ds.Image("train/images/train_001.jpg").Objects[0].BBox, box(2, 1, 3, 1), 1e-9) {
				t.Errorf("train_001: %s", jsonOf(ds.Image("train/images/train_001.jpg").Objects))
			}
		}},
		{"yolo_dataset/labels", YOLO, "train,val", "label_0,label_1,label_2,label_3,label_4,label_5,label_6,label_7,label_8,label_9", func(t *testing.T, ds *Dataset) {
			if len(ds.Other) != 1 || ds.Other[0].Path != "README.txt" || ds.Image("images/train/1.jpg").Objects[1].Class != "label_4" {
				t.Errorf("other %v, 1.jpg %s", ds.Other, jsonOf(ds.Image("images/train/1.jpg")))
			}
		}},
		{"voc_dataset/voc_dataset1", VOC, "train,test", "cat,person", func(t *testing.T, ds *Dataset) {
			im := ds.Image("JPEGImages/2007_000001.jpg")
			if im.Mask == nil || im.Mask.Path != "SegmentationClass/2007_000001.png" || !nearBox(im.Objects[0].BBox, box(0, 1, 3, 3), 0) ||
				im.Extras["0"].VOC.Truncated != "1" || len(im.Extras["1"].VOC.Other) != 2 {
				t.Errorf("2007_000001: %s", jsonOf(im))
			}
		}},
		{"common_semantic_segmentation_dataset/dataset", Masks, "", "Void,Animal,Archway,Bicyclist,Child,Road", func(t *testing.T, ds *Dataset) {
			if m := ds.Image("images/0001.png").Mask; m == nil || !m.RGB || len(ds.Masks.Colors) != 6 || len(ds.Warnings) != 0 {
				t.Errorf("0001: %s, warnings %+v", jsonOf(m), ds.Warnings)
			}
		}},
		{"common_semantic_segmentation_dataset/non_standard_dataset", Masks, "", "Void,Animal,Archway,Bicyclist,Child,Road,Pedestrian,SignSymbol", func(t *testing.T, ds *Dataset) {
			// gt_0001.png is no partner of image_0001.png: said, not guessed.
			if w := warningCodes(ds); w[WMissingLabels] != 2 || w[WMissingImage] != 2 {
				t.Errorf("warnings %+v", ds.Warnings)
			}
		}},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			dir := formats + tc.dir
			ds := readDS(t, Dir(dir), "")
			if ds.Format != tc.format || strings.Join(ds.Splits, ",") != tc.splits || strings.Join(ds.Classes, ",") != tc.classes {
				t.Fatalf("read %s, splits %v, classes %v", ds.Format, ds.Splits, ds.Classes)
			}
			tc.check(t, ds)
			again := readDS(t, Dir(write(t, ds, dir, ds.Format)), "")
			for _, im := range ds.Images {
				b := again.Image(im.Path)
				if b == nil {
					t.Fatalf("%s is gone after a round trip", im.Path)
				}
				want := im.Objects
				if ds.Format == COCO {
					want = recomputed(im)
				}
				if d := sameObjects(want, b.Objects, 1e-4, ds.Format != COCO); d != "" {
					t.Errorf("%s after a round trip:\n%s", im.Path, d)
				}
				if b.Split != im.Split || (im.Mask == nil) != (b.Mask == nil) {
					t.Errorf("%s: split %q mask %v, was %q %v", im.Path, b.Split, b.Mask != nil, im.Split, im.Mask != nil)
				}
			}
		})
	}
}
