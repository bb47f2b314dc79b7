// Package geom is augment's geometry model, pure Go: the maps that
// geometric ops make between an image and the one they produce. The
// renderer samples pixels through a Step's ToInput map; labels move through
// the same map, inverted, so pixels and labels cannot disagree.
//
// Coordinates are continuous: pixel i spans [i, i+1), so an image of width W
// runs from 0 to W and the centre of pixel i is i + 0.5.
package geom

import (
	"errors"
	"math"
)

// Mat3 is a row-major 3×3 projective map of continuous coordinates.
type Mat3 [9]float64

// Identity maps every point to itself.
var Identity = Mat3{1, 0, 0, 0, 1, 0, 0, 0, 1}

// Mul returns a·b: the map that applies b first, then a.
func (a Mat3) Mul(b Mat3) Mat3 {
	var out Mat3
	for i := range 3 {
		for j := range 3 {
			for k := range 3 {
				out[3*i+j] += a[3*i+k] * b[3*k+j]
			}
		}
	}
	return out
}

// Apply maps the point (x, y).
func (a Mat3) Apply(x, y float64) (float64, float64) {
	q := a[6]*x + a[7]*y + a[8]
	return (a[0]*x + a[1]*y + a[2]) / q, (a[3]*x + a[4]*y + a[5]) / q
}

// Ahead reports whether (x, y) maps to a finite point in front of the
// horizon of a projective map (always true for an affine one).
func (a Mat3) Ahead(x, y float64) bool { return a[6]*x+a[7]*y+a[8] > 0 }

// Affine reports whether a keeps parallel lines parallel.
func (a Mat3) Affine() bool { return a[6] == 0 && a[7] == 0 }

// ErrSingular is returned for a map that folds the plane onto a line.
var ErrSingular = errors.New("geom: the map is singular")

// Inverse returns the map that undoes a.
func (a Mat3) Inverse() (Mat3, error) {
	c := Mat3{
		a[4]*a[8] - a[5]*a[7], a[2]*a[7] - a[1]*a[8], a[1]*a[5] - a[2]*a[4],
		a[5]*a[6] - a[3]*a[8], a[0]*a[8] - a[2]*a[6], a[2]*a[3] - a[0]*a[5],
		a[3]*a[7] - a[4]*a[6], a[1]*a[6] - a[0]*a[7], a[0]*a[4] - a[1]*a[3],
	}
	det := a[0]*c[0] + a[1]*c[3] + a[2]*c[6]
	if math.Abs(det) < 1e-12 {
		return Mat3{}, ErrSingular
	}
	for i := range c {
		c[i] /= det
	}
	return c, nil
}

// Snap rounds entries within 1e-9 of a whole number to it, so that exact
// turns stay exact (cos 90° is not quite 0).
func (a Mat3) Snap() Mat3 {
	for i, v := range a {
		if r := math.Round(v); math.Abs(v-r) < 1e-9 {
			a[i] = r
		}
	}
	return a
}

// Step is one geometric op met at a given input size: it makes a W×H image
// whose point (x, y) is the input's point ToInput·(x, y).
type Step struct {
	ToInput Mat3
	W, H    int
}

// ToOutput is the map from the input to the output: where a label point goes.
func (s Step) ToOutput() (Mat3, error) { return s.ToInput.Inverse() }

// Flip mirrors a w×h image left to right (horizontal) or top to bottom.
func Flip(horizontal bool, w, h int) Mat3 {
	if horizontal {
		return Mat3{-1, 0, float64(w), 0, 1, 0, 0, 0, 1}
	}
	return Mat3{1, 0, 0, 0, -1, float64(h), 0, 0, 1}
}

// QuarterTurns turns a w×h image k quarter turns counter-clockwise and
// returns the map and the new size.
func QuarterTurns(k, w, h int) (Mat3, int, int) {
	W, H := float64(w), float64(h)
	switch ((k % 4) + 4) % 4 {
	case 1:
		return Mat3{0, -1, W, 1, 0, 0, 0, 0, 1}, h, w
	case 2:
		return Mat3{-1, 0, W, 0, -1, H, 0, 0, 1}, w, h
	case 3:
		return Mat3{0, 1, 0, -1, 0, H, 0, 0, 1}, h, w
	}
	return Identity, w, h
}

// Linear is scale · rotation (degrees, counter-clockwise with y down) ·
// horizontal shear (degrees), as [a b; c d] from input to output.
func Linear(angle, scale, shear float64) [4]float64 {
	th, sh := angle*math.Pi/180, math.Tan(shear*math.Pi/180)
	cos, sin := math.Cos(th), math.Sin(th)
	// [cos sin; -sin cos] · [1 sh; 0 1]
	return [4]float64{scale * cos, scale * (cos*sh + sin), scale * -sin, scale * (-sin*sh + cos)}
}

// AboutCentre maps a w×h image through the linear map f about its centre
// onto an ow×oh canvas centred on it, moved by (dx, dy) pixels, and returns
// the map from output to input.
func AboutCentre(f [4]float64, dx, dy float64, w, h, ow, oh int) (Mat3, error) {
	det := f[0]*f[3] - f[1]*f[2]
	if math.Abs(det) < 1e-9 {
		return Mat3{}, ErrSingular
	}
	a, b, c, d := f[3]/det, -f[1]/det, -f[2]/det, f[0]/det // the inverse
	ox, oy := float64(ow)/2+dx, float64(oh)/2+dy
	cx, cy := float64(w)/2, float64(h)/2
	return Mat3{a, b, cx - a*ox - b*oy, c, d, cy - c*ox - d*oy, 0, 0, 1}, nil
}

// RotatedSize is the size of the canvas that holds a w×h image rotated by
// angle degrees.
func RotatedSize(angle float64, w, h int) (int, int) {
	cos, sin := math.Abs(math.Cos(angle*math.Pi/180)), math.Abs(math.Sin(angle*math.Pi/180))
	ow := int(math.Ceil(float64(w)*cos + float64(h)*sin - 1e-6))
	oh := int(math.Ceil(float64(w)*sin + float64(h)*cos - 1e-6))
	return max(ow, 1), max(oh, 1)
}

// Crop maps an output image to the input rectangle whose top-left corner is
// (x, y).
func Crop(x, y float64) Mat3 { return Mat3{1, 0, x, 0, 1, y, 0, 0, 1} }

// Resize maps an ow×oh output onto the whole w×h input.
func Resize(w, h, ow, oh int) Mat3 {
	return Mat3{float64(w) / float64(ow), 0, 0, 0, float64(h) / float64(oh), 0, 0, 0, 1}
}

// Homography returns the map from output to input when the corners of a
// w×h image (top-left, top-right, bottom-right, bottom-left) move by
// pts, given as fractions of w and h.
func Homography(w, h float64, pts [4][2]float64) (Mat3, error) {
	src := [4][2]float64{{0, 0}, {w, 0}, {w, h}, {0, h}}
	var a [8][9]float64
	for i := range 4 {
		x, y := src[i][0]+pts[i][0]*w, src[i][1]+pts[i][1]*h // output corner
		u, v := src[i][0], src[i][1]                         // input corner
		a[2*i] = [9]float64{x, y, 1, 0, 0, 0, -u * x, -u * y, u}
		a[2*i+1] = [9]float64{0, 0, 0, x, y, 1, -v * x, -v * y, v}
	}
	for col := range 8 { // Gauss–Jordan with partial pivoting
		p := col
		for r := col + 1; r < 8; r++ {
			if math.Abs(a[r][col]) > math.Abs(a[p][col]) {
				p = r
			}
		}
		if math.Abs(a[p][col]) < 1e-12 {
			return Mat3{}, errors.New("geom: the corners do not make a quadrilateral")
		}
		a[col], a[p] = a[p], a[col]
		for r := range 8 {
			if r != col {
				f := a[r][col] / a[col][col]
				for k := col; k < 9; k++ {
					a[r][k] -= f * a[col][k]
				}
			}
		}
	}
	var m Mat3
	for i := range 8 {
		m[i] = a[i][8] / a[i][i]
	}
	m[8] = 1
	return m, nil
}

// Rect is an axis-aligned rectangle [X0, X1) × [Y0, Y1) in pixels.
type Rect struct{ X0, Y0, X1, Y1 float64 }

// Contains reports whether the point (x, y) is inside r.
func (r Rect) Contains(x, y float64) bool { return x >= r.X0 && x < r.X1 && y >= r.Y0 && y < r.Y1 }

// Jacobian is the determinant of a's derivative at (x, y): its sign is
// negative where a mirrors the plane.
func (a Mat3) Jacobian(x, y float64) float64 {
	q := a[6]*x + a[7]*y + a[8]
	u, v := a.Apply(x, y)
	// d(u, v)/d(x, y) of the projective map, from the quotient rule
	ux, uy := (a[0]-a[6]*u)/q, (a[1]-a[7]*u)/q
	vx, vy := (a[3]-a[6]*v)/q, (a[4]-a[7]*v)/q
	return ux*vy - uy*vx
}
