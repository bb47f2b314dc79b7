package labels_test

import (
	"bytes"
	"image"
	"image/png"
	"math"
	"testing"

	"github.com/augment-ml/augment/internal/domain"
	"github.com/augment-ml/augment/internal/geom"
	"github.com/augment-ml/augment/internal/labels"
)

// A scene is a plain image with its labels drawn on it, one channel a kind:
// boxes red, polygons green, keypoints small blue discs, on a background of
// blue 100, so that what a render does to the drawing can be read back and
// set against what the labels say. Its semantic mask holds a class per
// shape. The shapes do not touch, so a pixel belongs to one at most.
const (
	sceneW, sceneH = 613, 419 // odd and not square: a transposed or off-by-one map shows
	markRadius     = 3.0
	background     = 100 // blue of the background; fills are 0 (black) or 255 with red and green (white)

	classBackground = 1
	classBox        = 10 // + the box's index
	classPolygon    = 30
	classMark       = 60
)

// sceneLabels are the scene's labels: boxes alone, polygons with their box
// (one of two rings), and keypoints with left and right names.
func sceneLabels() *domain.Labels {
	l := &domain.Labels{
		Width: sceneW, Height: sceneH,
		KeypointNames: []string{"left_eye", "right_eye", "nose", "left_ear", "right_ear"},
		Objects: []domain.Object{
			{ID: "b0", Class: "box", BBox: &domain.Box{40, 30, 110, 70}},
			{ID: "b1", Class: "box", BBox: &domain.Box{440, 40, 90, 120}},
			{ID: "b2", Class: "box", BBox: &domain.Box{250, 300, 140, 80}},
			{ID: "b3", Class: "box", BBox: &domain.Box{470, 270, 100, 110}},
			{ID: "p0", Class: "triangle", Polygon: domain.Polygon{{{200, 40}, {330, 60}, {240, 160}}}},
			{ID: "p1", Class: "ell", Polygon: domain.Polygon{{{60, 140}, {170, 140}, {170, 170}, {100, 170}, {100, 250}, {60, 250}}}},
			{ID: "p2", Class: "pentagon", Polygon: domain.Polygon{{{350.5, 150}, {400, 145.25}, {420, 200}, {385, 235}, {345, 215}}}},
			{ID: "p3", Class: "pair", Polygon: domain.Polygon{
				{{40, 290}, {120, 280}, {90, 380}},
				{{150, 300}, {210, 310}, {180, 395}}}},
			{ID: "k0", Class: "face", Keypoints: []domain.Keypoint{{260.5, 205.5, 2}, {310.5, 205.5, 2}, {285, 235, 2}, {230.5, 190.5, 2}, {335, 190, 2}}},
			{ID: "k1", Class: "face", Keypoints: []domain.Keypoint{{560.5, 200.5, 2}, {590.5, 215.5, 2}, {30.5, 400.5, 2}, {585, 20, 2}, {240, 275, 2}}},
		},
	}
	for i, o := range l.Objects {
		if o.Polygon != nil {
			b := bounds(o.Polygon)
			l.Objects[i].BBox = &domain.Box{b.X0, b.Y0, b.X1 - b.X0, b.Y1 - b.Y0}
		}
	}
	return l
}

// sceneMask draws the scene's semantic mask: a pixel takes the class of
// the shape its centre lies in.
func sceneMask(t testing.TB, l *domain.Labels) *labels.Mask {
	t.Helper()
	m := labels.NewMask(sceneW, sceneH, 8)
	for i := range m.Pix {
		m.Pix[i] = classBackground
	}
	paint := func(class uint8, in func(x, y float64) bool, bx geom.Rect) {
		for y := max(0, int(bx.Y0)-1); y < min(sceneH, int(bx.Y1)+2); y++ {
			for x := max(0, int(bx.X0)-1); x < min(sceneW, int(bx.X1)+2); x++ {
				if in(float64(x)+0.5, float64(y)+0.5) {
					if m.Pix[y*sceneW+x] != classBackground {
						t.Fatalf("the scene's shapes overlap at (%d, %d)", x, y)
					}
					m.Pix[y*sceneW+x] = class
				}
			}
		}
	}
	nb, np, nk := 0, 0, 0
	for _, o := range l.Objects {
		switch {
		case o.Polygon != nil:
			p := o.Polygon
			paint(uint8(classPolygon+np), func(x, y float64) bool { return inside(p, x, y) }, bounds(p))
			np++
		case o.BBox != nil:
			b := rectOf(*o.BBox)
			paint(uint8(classBox+nb), b.Contains, b)
			nb++
		}
		for _, k := range o.Keypoints {
			paint(uint8(classMark+nk), func(x, y float64) bool { return math.Hypot(x-k[0], y-k[1]) <= markRadius },
				geom.Rect{X0: k[0] - markRadius, Y0: k[1] - markRadius, X1: k[0] + markRadius, Y1: k[1] + markRadius})
			nk++
		}
	}
	return m
}

// sceneImage draws the scene from its mask, as a PNG.
func sceneImage(t testing.TB, m *labels.Mask) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, m.W, m.H))
	for i, c := range m.Pix {
		px := img.Pix[4*i : 4*i+4]
		px[0], px[1], px[2], px[3] = 0, 0, background, 255
		switch {
		case c >= classMark:
			px[2] = 255
		case c >= classPolygon:
			px[1] = 255
		case c >= classBox:
			px[0] = 255
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func rectOf(b domain.Box) geom.Rect {
	return geom.Rect{X0: b[0], Y0: b[1], X1: b[0] + b[2], Y1: b[1] + b[3]}
}

func bounds(p domain.Polygon) geom.Rect {
	r := geom.Rect{X0: math.Inf(1), Y0: math.Inf(1), X1: math.Inf(-1), Y1: math.Inf(-1)}
	for _, ring := range p {
		for _, q := range ring {
			r = geom.Rect{X0: min(r.X0, q[0]), Y0: min(r.Y0, q[1]), X1: max(r.X1, q[0]), Y1: max(r.Y1, q[1])}
		}
	}
	return r
}

// inside is the even-odd rule over every ring.
func inside(p domain.Polygon, x, y float64) bool {
	in := false
	for _, r := range p {
		for i := range r {
			a, b := r[i], r[(i+1)%len(r)]
			if (a[1] > y) != (b[1] > y) && x < a[0]+(y-a[1])*(b[0]-a[0])/(b[1]-a[1]) {
				in = !in
			}
		}
	}
	return in
}

// edgeDistance is the distance from (x, y) to the nearest edge of p.
func edgeDistance(p domain.Polygon, x, y float64) float64 {
	d := math.Inf(1)
	for _, r := range p {
		for i := range r {
			a, b := r[i], r[(i+1)%len(r)]
			dx, dy := b[0]-a[0], b[1]-a[1]
			s := 0.0
			if l := dx*dx + dy*dy; l > 0 {
				s = math.Max(0, math.Min(1, ((x-a[0])*dx+(y-a[1])*dy)/l))
			}
			d = math.Min(d, math.Hypot(x-a[0]-s*dx, y-a[1]-s*dy))
		}
	}
	return d
}

func iou(a, b geom.Rect) float64 {
	ix := math.Max(0, math.Min(a.X1, b.X1)-math.Max(a.X0, b.X0))
	iy := math.Max(0, math.Min(a.Y1, b.Y1)-math.Max(a.Y0, b.Y0))
	in := ix * iy
	u := (a.X1-a.X0)*(a.Y1-a.Y0) + (b.X1-b.X0)*(b.Y1-b.Y0) - in
	if u <= 0 {
		return 0
	}
	return in / u
}

// covered says, for each pixel of the output of steps from a w×h image,
// whether its centre comes from inside every image on the way: elsewhere
// the render shows a fill, which copies pixels but never labels.
func covered(steps []geom.Step, w, h int) []bool {
	ow, oh := w, h
	if n := len(steps); n > 0 {
		ow, oh = steps[n-1].W, steps[n-1].H
	}
	out := make([]bool, ow*oh)
	for y := range oh {
		for x := range ow {
			u, v, ok := float64(x)+0.5, float64(y)+0.5, true
			for i := len(steps) - 1; i >= 0 && ok; i-- {
				m := steps[i].ToInput
				ok = m.Ahead(u, v)
				u, v = m.Apply(u, v)
				iw, ih := w, h
				if i > 0 {
					iw, ih = steps[i-1].W, steps[i-1].H
				}
				ok = ok && u >= 0 && v >= 0 && u < float64(iw) && v < float64(ih)
			}
			out[y*ow+x] = ok
		}
	}
	return out
}

// stretch is the most m stretches a length at (x, y): its derivative's
// largest singular value.
func stretch(m geom.Mat3, x, y float64) float64 {
	const d = 1e-3
	x0, y0 := m.Apply(x, y)
	x1, y1 := m.Apply(x+d, y)
	x2, y2 := m.Apply(x, y+d)
	a, b, c, e := (x1-x0)/d, (x2-x0)/d, (y1-y0)/d, (y2-y0)/d
	p, q := a*a+b*b+c*c+e*e, a*e-b*c
	return math.Sqrt((p + math.Sqrt(math.Max(0, p*p-4*q*q))) / 2)
}

// forward is the map from the source to the output through steps.
func forward(t testing.TB, steps []geom.Step) geom.Mat3 {
	m := geom.Identity
	for _, s := range steps {
		to, err := s.ToOutput()
		if err != nil {
			t.Fatal(err)
		}
		m = to.Mul(m)
	}
	return m
}
