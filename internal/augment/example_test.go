package augment

import "testing"

// TestEveryOpHasAnExample: the operations reference shows every op of the
// catalogue, so each must have an example pipeline that parses.
func TestEveryOpHasAnExample(t *testing.T) {
	names := map[string]bool{}
	for _, op := range Catalogue() {
		names[op.Name] = true
	}
	for name := range exampleArgs {
		if !names[name] {
			t.Errorf("exampleArgs names %q, which is no op", name)
		}
	}
	for _, op := range Catalogue() {
		raw, err := Example(op.Name)
		if err != nil {
			t.Errorf("%s: %v", op.Name, err)
			continue
		}
		p, _ := Parse(raw)
		if ops := p.Plan(1, "", 0); len(ops) == 0 && op.Name != "identity" {
			t.Errorf("%s: the example %s plans to no ops", op.Name, raw)
		}
	}
}
