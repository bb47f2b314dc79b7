package augment

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// The parameter types that are lists: orders, corner moves, boxes.

// Order is a list of names, each of its Param's enum once, in the order
// they apply.
type Order []string

func (*Order) kind() Kind { return KindOrder }

func (o *Order) parse(raw json.RawMessage, p *Param) error {
	if err := json.Unmarshal(raw, (*[]string)(o)); err != nil || len(*o) != len(p.Enum) ||
		!slices.Equal(slices.Sorted(slices.Values(*o)), slices.Sorted(slices.Values(p.Enum))) {
		return fmt.Errorf("must list %s, each once, in the order they apply", strings.Join(p.Enum, ", "))
	}
	return nil
}

// Permutation is the whole numbers from its Param's Min to Max, each once.
type Permutation []int

func (*Permutation) kind() Kind { return KindPermutation }

func (o *Permutation) parse(raw json.RawMessage, p *Param) error {
	lo, hi := int(*p.Min), int(*p.Max)
	sorted := make([]int, 0, hi-lo+1)
	for i := lo; i <= hi; i++ {
		sorted = append(sorted, i)
	}
	if err := json.Unmarshal(raw, (*[]int)(o)); err != nil || !slices.Equal(slices.Sorted(slices.Values(*o)), sorted) {
		return fmt.Errorf("must hold %d to %d, each once", lo, hi)
	}
	return nil
}

// Corners are four [dx, dy] displacements of the corners (top left, top
// right, bottom right, bottom left), as fractions of the width and height.
type Corners [4][2]float64

func (*Corners) kind() Kind { return KindPoints }

func (c *Corners) parse(raw json.RawMessage, p *Param) error {
	var pts [][]float64
	if err := json.Unmarshal(raw, &pts); err == nil && len(pts) == 4 {
		ok := true
		for i, pt := range pts {
			ok = ok && len(pt) == 2 && p.holds(pt[0]) && p.holds(pt[1])
			if ok {
				c[i] = [2]float64{pt[0], pt[1]}
			}
		}
		if ok {
			return nil
		}
	}
	return fmt.Errorf("must be four [dx, dy] corner displacements (top left, top right, bottom right, bottom left)%s", p.within())
}

// maxBoxes caps cutout's holes.
const maxBoxes = 32

// Boxes are squares [x, y, size]: x and y place the square in the room the
// image leaves it (0 to 1), size is its side as a fraction of the shorter
// side of the image.
type Boxes [][3]float64

func (*Boxes) kind() Kind { return KindBoxes }

func (b *Boxes) parse(raw json.RawMessage, p *Param) error {
	var list [][]float64
	if err := json.Unmarshal(raw, &list); err == nil && len(list) <= maxBoxes {
		out := make(Boxes, 0, len(list))
		for _, e := range list {
			if len(e) != 3 || !p.holds(e[0]) || !p.holds(e[1]) || !p.holds(e[2]) {
				break
			}
			out = append(out, [3]float64{e[0], e[1], e[2]})
		}
		if len(out) == len(list) {
			*b = out
			return nil
		}
	}
	return fmt.Errorf("must be a list of at most %d [x, y, size] boxes, each number%s", maxBoxes, p.within())
}
