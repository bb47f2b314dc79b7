package dataset

import "github.com/augment-ml/augment/internal/labels"

// flipPairs are the keypoint slots that swap under a flip: the dataset's
// own (YOLO flip_idx), else those derived from the names.
func flipPairs(ds *Dataset) [][2]int {
	if ds.FlipPairs != nil {
		return ds.FlipPairs
	}
	return labels.PairsFromNames(ds.KeypointNames)
}
