package dataset

import (
	"encoding/json"
	"fmt"
	"testing"
)

func TestDumpSamples(t *testing.T) {
	for _, d := range []string{"coco_dataset/coco_instances", "coco_dataset/coco_roboflow", "coco_dataset/coco_person_keypoints", "roboflow_dataset/yolo", "yolo_dataset/labels", "voc_dataset/voc_dataset1", "common_semantic_segmentation_dataset/dataset", "common_semantic_segmentation_dataset/non_standard_dataset"} {
		ds, err := Read(Dir("../../../shared/formats/"+d), Options{})
		if err != nil {
			fmt.Println(d, "ERR", err)
			continue
		}
		fmt.Println("==", d, ds.Format, ds.Splits, ds.Classes, ds.KeypointNames, ds.FlipPairs)
		for _, im := range ds.Images {
			b, _ := json.Marshal(im.Objects)
			fmt.Println("  ", im.Path, im.Split, im.Width, im.Height, im.Labelled, string(b), im.Mask != nil)
		}
		for _, w := range ds.Warnings {
			fmt.Println("  W", w.Code, w.Message)
		}
		fmt.Println("  other", ds.Other, ds.Skipped)
	}
}
