package dataset

import "strings"

// flipPairs are the keypoint slots that swap under a flip: the dataset's
// own (YOLO flip_idx), else those derived from the names, left_x with
// right_x and l_x with r_x.
func flipPairs(ds *Dataset) [][2]int {
	if ds.FlipPairs != nil {
		return ds.FlipPairs
	}
	return PairsFromNames(ds.KeypointNames)
}

// PairsFromNames pairs left_*/right_* and l_*/r_* keypoint names.
func PairsFromNames(names []string) [][2]int {
	at := map[string]int{}
	for i, n := range names {
		at[strings.ToLower(n)] = i
	}
	var pairs [][2]int
	for i, n := range names {
		n = strings.ToLower(n)
		for _, lr := range [][2]string{{"left_", "right_"}, {"l_", "r_"}, {"left", "right"}} {
			if rest, ok := strings.CutPrefix(n, lr[0]); ok {
				if j, ok := at[lr[1]+rest]; ok {
					pairs = append(pairs, [2]int{i, j})
				}
				break
			}
		}
	}
	return pairs
}
