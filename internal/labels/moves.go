package labels

import (
	"fmt"

	"github.com/augment-ml/augment/internal/augment"
	"github.com/augment-ml/augment/internal/geom"
)

// MovesOf turns a variant's planned ops into the moves its labels make,
// starting from a w×h source: each geometric op gives its steps, met at the
// size the image has when it comes, and cutout its holes; other ops move
// nothing and give no move. The size follows the ops exactly as the
// renderer's does (it samples through the same Steps and punches the same
// Holes), so the last step's size is the variant's: see OutputSize. The
// worker and the previews both take their moves from here.
func MovesOf(ops augment.Ops, w, h int) ([]Move, error) {
	var moves []Move
	for _, op := range ops {
		switch o := op.(type) {
		case augment.Geometric:
			steps, err := o.Steps(w, h)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", augment.Name(op), err)
			}
			for i := range steps {
				moves = append(moves, Move{Step: &steps[i]})
				w, h = steps[i].W, steps[i].H
			}
		case augment.Occluder:
			holes := o.Holes(w, h)
			m := Move{Holes: make([]geom.Rect, len(holes))}
			for i, r := range holes {
				m.Holes[i] = geom.Rect{X0: float64(r.Min.X), Y0: float64(r.Min.Y), X1: float64(r.Max.X), Y1: float64(r.Max.Y)}
			}
			moves = append(moves, m)
		}
	}
	return moves, nil
}

// OutputSize is the size of the image the moves make from a w×h one.
func OutputSize(moves []Move, w, h int) (int, int) {
	for _, m := range moves {
		if m.Step != nil {
			w, h = m.Step.W, m.Step.H
		}
	}
	return w, h
}

// Steps are the geometric steps of the moves, in order: what a mask is
// warped through.
func Steps(moves []Move) []geom.Step {
	var out []geom.Step
	for _, m := range moves {
		if m.Step != nil {
			out = append(out, *m.Step)
		}
	}
	return out
}
