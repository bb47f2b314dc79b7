package geom

import (
	"math"
	"testing"
)

func near(a, b Mat3, eps float64) bool {
	for i := range a {
		if math.Abs(a[i]-b[i]) > eps {
			return false
		}
	}
	return true
}

func TestInverseUndoes(t *testing.T) {
	h, err := Homography(640, 480, [4][2]float64{{0.05, 0.02}, {-0.1, 0.03}, {-0.02, -0.08}, {0.07, -0.01}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := AboutCentre(Linear(17, 1.2, 8), 12, -7, 640, 480, 700, 500)
	if err != nil {
		t.Fatal(err)
	}
	for name, m := range map[string]Mat3{"homography": h, "affine": a, "flip": Flip(true, 640, 480), "crop": Crop(3, 4)} {
		inv, err := m.Inverse()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !near(m.Mul(inv), Identity, 1e-9) {
			t.Errorf("%s · inverse = %v", name, m.Mul(inv))
		}
	}
	if _, err := (Mat3{1, 2, 0, 2, 4, 0, 0, 0, 1}).Inverse(); err == nil {
		t.Error("a singular map has an inverse")
	}
}

func TestExactIdentities(t *testing.T) {
	f := Flip(true, 640, 480)
	if f.Mul(f) != Identity {
		t.Error("hflip twice is not the identity")
	}
	m, w, h := Identity, 640, 480
	for range 4 {
		q, ow, oh := QuarterTurns(1, w, h)
		m, w, h = m.Mul(q), ow, oh
	}
	if m != Identity || w != 640 || h != 480 {
		t.Errorf("four quarter turns give %v at %d×%d", m, w, h)
	}
	r, err := AboutCentre(Linear(90, 1, 0), 0, 0, 640, 480, 480, 640)
	if err != nil {
		t.Fatal(err)
	}
	q, _, _ := QuarterTurns(1, 640, 480)
	if r.Snap() != q {
		t.Errorf("rotate 90 about the centre is %v, not rot90 %v", r.Snap(), q)
	}
	// Counter-clockwise: the output's top-left corner is the input's top-right.
	if u, v := q.Apply(0, 0); u != 640 || v != 0 {
		t.Errorf("rot90 reads (0, 0) from (%g, %g), want (640, 0)", u, v)
	}
}
