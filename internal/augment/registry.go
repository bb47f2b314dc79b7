package augment

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// opType is one registered operation: its name, its Go type and the schema
// read from the type's field tags. Each field with a param tag is a
// parameter:
//
//	param:"name"        its name in JSON, in steps and in records
//	default:"json"      its value when a step leaves it out (a bare word for enums)
//	min:"x" max:"y"     bounds
//	required:"true"     a step must give it
//	help:"…"            its description
//	record:"-"          left out of a planned op's record: planning replaces it
//	                    by the parameters it draws (cutout's holes by boxes)
//	around:"1"          a number x stands for the range [around−x, around+x]
//	                    (a Jitter must have it; the catalogue's "jitter")
//	floor:"0"           …cut at floor below
//	into:"name"         …drawn into that parameter's record (affine's translate)
//	enum:"a|b|c"        for an Order: the names it orders
//
// A parameter with no default and not required is optional: absent, it is
// drawn at planning (cutout's boxes) or means "not given" (resize's size).
type opType struct {
	name, group, description string
	typ                      reflect.Type
	fields                   []field
}

type field struct {
	Param
	index  int
	def    reflect.Value // the parsed default, or invalid
	record bool
}

var (
	registry = map[string]*opType{}
	byType   = map[reflect.Type]*opType{}
)

// register adds the op type T under name; each op's file calls it from init.
// A malformed tag panics at start, and the registry tests catch it.
func register[T Op](name, group, description string) {
	t := &opType{name: name, group: group, description: description, typ: reflect.TypeFor[T]()}
	if registry[name] != nil || byType[t.typ] != nil {
		panic(fmt.Sprintf("augment: %s or %s registered twice", name, t.typ))
	}
	for i := range t.typ.NumField() {
		sf := t.typ.Field(i)
		name, ok := sf.Tag.Lookup("param")
		if !ok {
			continue
		}
		f, err := newField(sf, name)
		if err != nil {
			panic(fmt.Sprintf("augment: %s.%s: %v", t.typ.Name(), sf.Name, err))
		}
		f.index = i
		t.fields = append(t.fields, f)
	}
	registry[name], byType[t.typ] = t, t
}

func newField(sf reflect.StructField, name string) (field, error) {
	tag := sf.Tag
	if !sf.IsExported() {
		return field{}, fmt.Errorf("a parameter must be an exported field")
	}
	f := field{Param: Param{Name: name, Description: tag.Get("help"), Required: tag.Get("required") == "true"},
		record: tag.Get("record") != "-"}
	v, ok := reflect.New(deref(sf.Type)).Interface().(value)
	if !ok {
		return f, fmt.Errorf("type %s is not a parameter type", sf.Type)
	}
	f.Kind = v.kind()
	if e, ok := v.(enumerated); ok {
		f.Enum = e.names()
	} else if s := tag.Get("enum"); s != "" {
		f.Enum = strings.Split(s, "|")
	}
	for key, dst := range map[string]**float64{"min": &f.Min, "max": &f.Max} {
		if s, ok := tag.Lookup(key); ok {
			x, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return f, fmt.Errorf("%s: %w", key, err)
			}
			*dst = bound(x)
		}
	}
	if s, ok := tag.Lookup("around"); ok {
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return f, fmt.Errorf("around: %w", err)
		}
		f.Jitter = &Spread{Around: x, Into: tag.Get("into")}
		if s, ok := tag.Lookup("floor"); ok {
			y, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return f, fmt.Errorf("floor: %w", err)
			}
			f.Jitter.Floor = bound(y)
		}
	} else if _, ok := v.(*Jitter); ok {
		return f, fmt.Errorf("a Jitter needs around")
	}
	if _, ok := v.(*Jitter); ok && f.Max == nil {
		return f, fmt.Errorf("a Jitter needs max")
	}
	if s, ok := tag.Lookup("default"); ok {
		if sf.Type.Kind() == reflect.Pointer {
			return f, fmt.Errorf("an optional (pointer) parameter has no default")
		}
		raw := json.RawMessage(s)
		if f.Kind == KindEnum {
			raw, _ = json.Marshal(s)
		}
		if err := json.Unmarshal(raw, &f.Default); err != nil { // a plain value, for JSON and templates alike
			return f, fmt.Errorf("default %s: %w", s, err)
		}
		f.def = reflect.New(deref(sf.Type))
		if err := f.def.Interface().(value).parse(raw, &f.Param); err != nil {
			return f, fmt.Errorf("default %s: %w", s, err)
		}
		f.def = f.def.Elem()
	}
	return f, nil
}

func deref(t reflect.Type) reflect.Type {
	if t.Kind() == reflect.Pointer {
		return t.Elem()
	}
	return t
}

// parse reads a step's parameters into a new op of type t. Problems name the
// step (where) and the parameter.
func (t *opType) parse(fields map[string]json.RawMessage, where string) (Op, error) {
	v := reflect.New(t.typ).Elem()
	for i := range t.fields {
		f := &t.fields[i]
		raw, given := fields[f.Name]
		delete(fields, f.Name)
		dst := v.Field(f.index)
		switch {
		case given:
			ptr := dst.Addr()
			if dst.Kind() == reflect.Pointer {
				ptr = reflect.New(dst.Type().Elem())
			}
			if err := ptr.Interface().(value).parse(raw, &f.Param); err != nil {
				return nil, stepError("%s (%s): parameter %q %v.", where, t.name, f.Name, err)
			}
			if dst.Kind() == reflect.Pointer {
				dst.Set(ptr)
			}
		case f.Required:
			return nil, stepError("%s (%s): parameter %q is required.", where, t.name, f.Name)
		case f.def.IsValid():
			dst.Set(f.def)
		}
	}
	for k := range fields {
		return nil, stepError("%s (%s): unknown parameter %q.", where, t.name, k)
	}
	op := v.Interface().(Op)
	if c, ok := op.(checker); ok {
		if err := c.check(); err != nil {
			return nil, stepError("%s (%s): %v.", where, t.name, err)
		}
	}
	return op, nil
}

// checker is implemented by ops whose parameters must agree with each other.
type checker interface{ check() error }

// concrete clears the parameters of a planned op that its record leaves
// out, so that the op holds exactly what its record says.
func concrete(op Op) Op {
	t := byType[reflect.TypeOf(op)]
	v := reflect.New(t.typ).Elem()
	v.Set(reflect.ValueOf(op))
	for _, f := range t.fields {
		if !f.record {
			fv := v.Field(f.index)
			fv.Set(reflect.Zero(fv.Type()))
		}
	}
	return v.Interface().(Op)
}

// record writes op as one flat JSON object, {"op": name, …}, its parameters
// in name order.
func (t *opType) record(op Op) ([]byte, error) {
	v := reflect.ValueOf(op)
	type kv struct {
		k string
		v any
	}
	var params []kv
	for _, f := range t.fields {
		fv := v.Field(f.index)
		if !f.record || (!f.def.IsValid() && fv.IsZero()) {
			continue
		}
		params = append(params, kv{f.Name, fv.Interface()})
	}
	sort.Slice(params, func(i, j int) bool { return params[i].k < params[j].k })
	buf, _ := json.Marshal(t.name)
	buf = append([]byte(`{"op":`), buf...)
	for _, p := range params {
		b, err := json.Marshal(p.v)
		if err != nil {
			return nil, fmt.Errorf("op %s: %s: %w", t.name, p.k, err)
		}
		k, _ := json.Marshal(p.k)
		buf = append(append(append(append(buf, ','), k...), ':'), b...)
	}
	return append(buf, '}'), nil
}

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
	for _, t := range registry {
		ps := make([]Param, len(t.fields))
		for i, f := range t.fields {
			ps[i] = f.Param
		}
		out = append(out, OpInfo{Name: t.name, Group: t.group, Description: t.description, Params: ps})
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
