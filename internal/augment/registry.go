package augment

import (
	"math/rand/v2"
	"sort"
)

// opDef is one registered operation: its schema and how it draws values.
type opDef struct {
	Name        string
	Group       string
	Description string
	Params      []Param
	plan        func(r *rand.Rand, a args) []Op
}

var registry = map[string]*opDef{}

// register adds an op; each op's file calls it from init.
func register(d opDef) { registry[d.Name] = &d }

// args are an op's validated parameter values, defaults filled in.
type args struct {
	def  *opDef
	vals map[string]value
}

func (a args) kind(name string) Kind {
	for _, p := range a.def.Params {
		if p.Name == name {
			return p.Kind
		}
	}
	return KindRange
}

func (a args) num(r *rand.Rand, name string) float64 { return a.vals[name].draw(r, a.kind(name)) }
func (a args) size(name string) []float64 {
	s := a.vals[name].size
	return []float64{float64(s[0]), float64(s[1])}
}
func (a args) has(name string) bool   { _, ok := a.vals[name]; return ok }
func (a args) bool(name string) bool  { return a.vals[name].b }
func (a args) str(name string) string { return a.vals[name].s }

// OpInfo describes an operation for GET /api/v1/ops.
type OpInfo struct {
	Name        string  `json:"name"`
	Group       string  `json:"group"`
	Description string  `json:"description"`
	Params      []Param `json:"params"`
}

// Catalogue lists every operation with its parameters, by group and name.
func Catalogue() []OpInfo {
	out := make([]OpInfo, 0, len(registry)+2)
	for _, d := range registry {
		ps := d.Params
		if ps == nil {
			ps = []Param{}
		}
		out = append(out, OpInfo{Name: d.Name, Group: d.Group, Description: d.Description, Params: ps})
	}
	out = append(out,
		OpInfo{Name: "one_of", Group: "composition", Description: "Applies one of its steps, chosen at random.",
			Params: []Param{{Name: "one_of", Kind: "steps", Required: true, Description: "the steps to choose from"}}},
		OpInfo{Name: "some_of", Group: "composition", Description: "Applies n of its steps, chosen at random, in order.",
			Params: []Param{{Name: "some_of", Kind: "steps", Required: true, Description: "the steps to choose from"},
				{Name: "n", Kind: KindInt, Default: "[1, len]", Min: bound(0), Description: "how many, [min, max]"}}})
	for i := range out {
		out[i].Params = append([]Param{{Name: "p", Kind: KindRange, Default: 1.0, Min: bound(0), Max: bound(1),
			Description: "probability that the step is applied"}}, out[i].Params...)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Group != out[j].Group {
			return out[i].Group < out[j].Group
		}
		return out[i].Name < out[j].Name
	})
	return out
}

func op(name string, kv ...any) Op {
	o := Op{Name: name, Args: map[string]any{}}
	for i := 0; i+1 < len(kv); i += 2 {
		o.Args[kv[i].(string)] = kv[i+1]
	}
	return o
}
