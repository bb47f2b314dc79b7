package labels

import (
	"strings"

	"github.com/augment-ml/augment/internal/domain"
)

// HasKeypoints reports whether any object has keypoint slots.
func HasKeypoints(l *domain.Labels) bool {
	for _, o := range l.Objects {
		if len(o.Keypoints) > 0 {
			return true
		}
	}
	return false
}

// FlipPairs returns the keypoint slots that swap under a mirroring, and
// whether they are known: given as flip_pairs (an empty list says none
// swap), or derived from keypoint_names (left_*/right_*, l_*/r_*). Labels
// without keypoints have nothing to swap.
func FlipPairs(l *domain.Labels) ([][2]int, bool) {
	if l.FlipPairs != nil {
		return l.FlipPairs, true
	}
	if !HasKeypoints(l) {
		return nil, true
	}
	if len(l.KeypointNames) == 0 {
		return nil, false
	}
	return PairsFromNames(l.KeypointNames), true
}

// PairsFromNames pairs the slots named left_x and right_x, or l_x and r_x.
func PairsFromNames(names []string) [][2]int {
	slot := map[string]int{}
	for i, n := range names {
		slot[strings.ToLower(n)] = i
	}
	var pairs [][2]int
	for i, n := range names {
		n = strings.ToLower(n)
		for _, side := range [][2]string{{"left_", "right_"}, {"l_", "r_"}} {
			if rest, ok := strings.CutPrefix(n, side[0]); ok && rest != "" {
				if j, ok := slot[side[1]+rest]; ok {
					pairs = append(pairs, [2]int{i, j})
				}
				break
			}
		}
	}
	return pairs
}
