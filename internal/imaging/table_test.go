package imaging

import (
	"context"
	"reflect"
	"testing"

	"github.com/augment-ml/augment/internal/augment"
)

// TestEveryOpHasARenderer walks the augment registry: every op the planner
// can emit has a row in the render table, so an op registered without one
// fails here rather than in every job that draws it. Geometric ops, and only
// they, render through their Steps, so pixels move as labels do.
func TestEveryOpHasARenderer(t *testing.T) {
	emitted := map[reflect.Type]string{}
	for name, p := range everyPipeline(t) {
		for seed := range int64(60) {
			for _, op := range p.Plan(seed, "", int(seed)) {
				emitted[reflect.TypeOf(op)] = name
			}
		}
	}
	for typ, from := range emitted {
		if _, ok := renderers[typ]; !ok {
			t.Errorf("%s (planned by %s) has no renderer", typ, from)
		}
	}
	geometric := reflect.TypeFor[augment.Geometric]()
	for typ, r := range renderers {
		op := reflect.New(typ).Elem().Interface().(augment.Op)
		if _, ok := emitted[typ]; !ok {
			t.Errorf("the renderer of %s is never used: no pipeline plans it", augment.Name(op))
		}
		if moves := r.how == warped || r.how == cut; moves != typ.Implements(geometric) {
			t.Errorf("%s: geometric %v, renders through its steps %v", augment.Name(op), typ.Implements(geometric), moves)
		}
	}
}

// TestStepsGiveTheOutputSize: every geometric op renders an image of the size
// its last step says, on a photo and on tiny images.
func TestStepsGiveTheOutputSize(t *testing.T) {
	ims := []*Image{decode(t, "rocket.jpg"), solid(t, 1, 1, 9, 9, 9), solid(t, 3, 17, 9, 9, 9)}
	for name, p := range everyPipeline(t) {
		for seed := range int64(6) {
			for _, op := range p.Plan(seed, "", int(seed)) {
				g, ok := op.(augment.Geometric)
				if !ok {
					continue
				}
				im := ims[seed%3]
				steps, err := g.Steps(im.Info().Width, im.Info().Height)
				if err != nil || len(steps) == 0 {
					t.Fatalf("%s: %s: steps %v, %v", name, augment.Name(op), steps, err)
				}
				res, err := im.Render(context.Background(), []augment.Op{op}, Output{Format: "png"})
				if err != nil {
					t.Fatalf("%s: %s: %v", name, augment.Name(op), err)
				}
				if last := steps[len(steps)-1]; res.Width != last.W || res.Height != last.H {
					t.Errorf("%s: %s renders %d×%d, its steps say %d×%d", name, augment.Name(op), res.Width, res.Height, last.W, last.H)
				}
			}
		}
	}
}
