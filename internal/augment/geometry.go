package augment

import (
	"errors"
	"image"
	"math"

	"github.com/augment-ml/augment/internal/geom"
)

// Geometric is an op that moves pixels. The renderer samples through its
// steps and labels move through the same maps, so the two cannot disagree.
// Every other op leaves positions where they are (cutout also has Holes).
type Geometric interface {
	Op
	// Steps are, for a w×h input, the maps from each output to its input,
	// in order, with the size of each output.
	Steps(w, h int) ([]geom.Step, error)
	// Outside is what the output shows where a step reads outside its
	// input; ops that only move whole pixels never do.
	Outside() Fill
}

// Occluder is an op that paints over parts of the image, in place.
type Occluder interface {
	Op
	// Holes are the rectangles painted on a w×h image, in its pixels.
	Holes(w, h int) []image.Rectangle
}

// errNotPlanned is the error of Steps on an op whose drawn values are not
// drawn yet: steps are those of planned ops.
var errNotPlanned = errors.New("the op is not planned: its random values are not drawn yet")

// one is a single step.
func one(m geom.Mat3, w, h int) []geom.Step { return []geom.Step{{ToInput: m, W: w, H: h}} }

// place is the offset of a length n in room, at fraction f of the room left
// (0 at the start, 1 at the end), in whole pixels.
func place(f float64, room, n int) int { return int(math.Round(f * float64(room-n))) }
