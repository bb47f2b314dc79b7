package labels

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/planar"

	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/geom"
)

// Move is what one op of a variant does to labels: a geometric step (nil
// for an op that moves no pixel: colour, blur, noise, quality), or the holes
// a cutout punches, in the pixels of the image at that point.
type Move struct {
	Step  *geom.Step
	Holes []geom.Rect
}

// object is one object on its way through a variant's moves.
type object struct {
	src     *domain.Object
	rings   []orb.Ring // the outline, clipped to the image so far
	boxOnly bool       // the rings are the four corners of a box without an outline
	raster  *Mask      // an instance mask (RLE), moved at the end
	kps     []domain.Keypoint
	visible float64 // the part of the object still in the image

	degenerate bool // an outline or box of no area to begin with
	rasterRLE  *domain.RLE
	rasterArea float64
}

// Apply moves the labels through a variant's moves: points go through the
// inverse of the map that samples the pixels, outlines and boxes are
// clipped to each image on the way, keypoints that leave it become
// [0, 0, 0], mirrored maps swap the flip pairs, and cutout hides keypoints.
// Objects are then kept or dropped by opt, and the dropped ones say why.
func Apply(l *domain.Labels, moves []Move, opt domain.LabelOptions) domain.VariantLabels {
	pairs, _ := FlipPairs(l)
	objs := make([]*object, len(l.Objects))
	for i := range l.Objects {
		objs[i] = start(&l.Objects[i])
	}
	var steps []geom.Step
	scale := 1.0 // output area per source area
	for _, m := range moves {
		if m.Step != nil {
			to, err := m.Step.ToOutput()
			if err != nil { // a singular map shows nothing of the input
				to = geom.Mat3{}
			}
			out := geom.Rect{X1: float64(m.Step.W), Y1: float64(m.Step.H)}
			j := m.Step.ToInput.Jacobian(out.X1/2, out.Y1/2)
			for _, o := range objs {
				o.move(to, out, j < 0, pairs)
			}
			steps = append(steps, *m.Step)
			scale /= math.Abs(j)
		}
		if opt.CutoutHidesKeypoints {
			for _, o := range objs {
				o.hide(m.Holes)
			}
		}
	}
	res := domain.VariantLabels{Objects: []domain.Object{}, Dropped: []domain.Dropped{}}
	for _, o := range objs {
		if o.raster != nil {
			o.moveRaster(steps, scale)
		}
		out, why := o.result(opt)
		if why != "" {
			res.Dropped = append(res.Dropped, domain.Dropped{ID: o.src.ID, Reason: why})
			continue
		}
		res.Objects = append(res.Objects, out)
	}
	return res
}

func start(src *domain.Object) *object {
	o := &object{src: src, visible: 1, kps: append([]domain.Keypoint(nil), src.Keypoints...)}
	for _, r := range src.Polygon {
		ring := make(orb.Ring, len(r))
		for i, p := range r {
			ring[i] = orb.Point(p)
		}
		o.rings = append(o.rings, ring)
	}
	if o.rings != nil {
		area := 0.0
		for _, r := range o.rings {
			area += math.Abs(planar.Area(r))
		}
		o.degenerate = area == 0
	} else if src.Mask != nil {
		o.raster = maskOf(src.Mask)
	} else if src.BBox != nil {
		// NOTE: a box alone moves as the outline of its four corners, clipped
		// like any outline, and becomes their bounds at the end: bounds taken
		// after every step would grow with each turn (a rotation and its
		// inverse would not give the box back) and keep what a crop cut off.
		b := src.BBox
		x0, y0, x1, y1 := b[0], b[1], b[0]+b[2], b[1]+b[3]
		o.rings = []orb.Ring{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}}
		o.boxOnly = true
		o.degenerate = b[2] <= 0 || b[3] <= 0
	}
	return o
}

// move takes the object through one geometric step: to maps the input to
// the output, whose rectangle is out.
func (o *object) move(to geom.Mat3, out geom.Rect, mirror bool, pairs [][2]int) {
	bound := orb.Bound{Min: orb.Point{out.X0, out.Y0}, Max: orb.Point{out.X1, out.Y1}}
	if o.rings != nil {
		before, after := 0.0, 0.0
		var kept []orb.Ring
		for _, r := range o.rings {
			t := make(orb.Ring, 0, len(r)+1)
			in := true // every point in the output: nothing to clip
			for _, p := range r {
				if to.Ahead(p[0], p[1]) {
					x, y := to.Apply(p[0], p[1])
					t = append(t, orb.Point{x, y})
					in = in && x >= out.X0 && x <= out.X1 && y >= out.Y0 && y <= out.Y1
				}
			}
			before += math.Abs(planar.Area(t))
			c := t
			switch {
			case len(t) == 0:
				c = nil
			case !in || len(t) < len(r):
				// orb clips closed rings only: an open one loses its closing edge
				c = tidy(clip.Ring(bound, append(t, t[0])))
			}
			if a := math.Abs(planar.Area(c)); len(c) >= 3 && a > 1e-9 {
				kept = append(kept, c)
				after += a
			}
		}
		o.rings = kept
		if o.rings == nil {
			o.rings = []orb.Ring{}
		}
		o.visible *= ratio(after, before)
	}
	for i, k := range o.kps {
		if k[2] == 0 {
			continue
		}
		x, y := to.Apply(k[0], k[1])
		if !to.Ahead(k[0], k[1]) || !(x >= out.X0 && x <= out.X1 && y >= out.Y0 && y <= out.Y1) {
			o.kps[i] = domain.Keypoint{}
			continue
		}
		o.kps[i] = domain.Keypoint{x, y, k[2]}
	}
	if mirror {
		for _, p := range pairs {
			if p[0] < len(o.kps) && p[1] < len(o.kps) {
				o.kps[p[0]], o.kps[p[1]] = o.kps[p[1]], o.kps[p[0]]
			}
		}
	}
}

// hide marks visible keypoints under a hole as hidden.
func (o *object) hide(holes []geom.Rect) {
	for i, k := range o.kps {
		for _, h := range holes {
			if k[2] == 2 && h.Contains(k[0], k[1]) {
				o.kps[i][2] = 1
			}
		}
	}
}

// result is the object in output pixels, or why it is dropped.
func (o *object) result(opt domain.LabelOptions) (domain.Object, string) {
	out := *o.src
	out.Keypoints = o.kps
	for i, k := range out.Keypoints {
		out.Keypoints[i] = domain.Keypoint{round(k[0]), round(k[1]), k[2]}
	}
	if o.degenerate {
		return out, "zero area"
	}
	var b geom.Rect
	area := 0.0
	switch {
	case o.rings != nil:
		if len(o.rings) == 0 {
			return out, "outside the image"
		}
		out.Polygon = make(domain.Polygon, len(o.rings))
		bound := o.rings[0].Bound()
		for i, r := range o.rings {
			out.Polygon[i] = make(domain.Ring, len(r))
			for j, p := range r {
				out.Polygon[i][j] = domain.Point{round(p[0]), round(p[1])}
			}
			area += math.Abs(planar.Area(r))
			bound = bound.Union(r.Bound())
		}
		b = geom.Rect{X0: bound.Min[0], Y0: bound.Min[1], X1: bound.Max[0], Y1: bound.Max[1]}
		if o.boxOnly {
			// what is reported, and what a dataset's area is, is the box
			out.Polygon, area = nil, (b.X1-b.X0)*(b.Y1-b.Y0)
		}
		if out.BBox != nil {
			out.BBox = box(b)
		}
	case o.raster != nil:
		if o.visible == 0 {
			return out, "outside the image"
		}
		x0, y0, x1, y1 := o.raster.bounds()
		b = geom.Rect{X0: float64(x0), Y0: float64(y0), X1: float64(x1), Y1: float64(y1)}
		out.Mask, area = o.rasterRLE, o.rasterArea
		if out.BBox != nil {
			out.BBox = box(b)
		}
	default:
		return out, "" // keypoints or a class alone: nothing to measure
	}
	switch {
	case o.visible < opt.MinVisibility:
		return out, fmt.Sprintf("visibility %.3g < %g", o.visible, opt.MinVisibility)
	case area < opt.MinArea:
		return out, fmt.Sprintf("area %.3g px² < %g", area, opt.MinArea)
	case b.X1-b.X0 < opt.MinSize:
		return out, fmt.Sprintf("width %.3g px < %g", b.X1-b.X0, opt.MinSize)
	case b.Y1-b.Y0 < opt.MinSize:
		return out, fmt.Sprintf("height %.3g px < %g", b.Y1-b.Y0, opt.MinSize)
	}
	return out, ""
}

// tidy drops repeated points (clipping along an edge leaves them) and the
// closing point.
func tidy(r orb.Ring) orb.Ring {
	out := r[:0] // in place: it writes behind where it reads
	for _, p := range r {
		if n := len(out); n == 0 || math.Abs(out[n-1][0]-p[0]) > 1e-9 || math.Abs(out[n-1][1]-p[1]) > 1e-9 {
			out = append(out, p)
		}
	}
	for len(out) > 1 && math.Abs(out[0][0]-out[len(out)-1][0]) < 1e-9 && math.Abs(out[0][1]-out[len(out)-1][1]) < 1e-9 {
		out = out[:len(out)-1]
	}
	return out
}

func ratio(after, before float64) float64 {
	if before <= 0 {
		return 0
	}
	return min(1, after/before)
}

func box(r geom.Rect) *domain.Box {
	return &domain.Box{round(r.X0), round(r.Y0), round(r.X1 - r.X0), round(r.Y1 - r.Y0)}
}

// round keeps four decimals: a ten-thousandth of a pixel, readable and
// well under any format's precision.
func round(x float64) float64 { return math.Round(x*1e4) / 1e4 }

// moveRaster samples an instance mask through all the steps at once (the
// same nearest sampling as a semantic mask) and measures what is left
// against what the object's area would be unclipped.
func (o *object) moveRaster(steps []geom.Step, scale float64) {
	_, before := rleOf(o.raster)
	o.raster = o.raster.Warp(steps, 0)
	var after int
	o.rasterRLE, after = rleOf(o.raster)
	o.rasterArea = float64(after)
	o.visible = ratio(float64(after), float64(before)*scale)
	if before == 0 {
		o.degenerate = true
	}
}
