package schema

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"

	"github.com/invopop/jsonschema"
)

// ForInput reflects the type of v, a struct value or a pointer to one, into
// a portable schema for tool arguments. Every object is closed with
// "additionalProperties": false, and fields without omitempty or omitzero
// are required. The root must be an object.
func ForInput(v any) (*Schema, error) {
	return build(v, false)
}

// ForOutput is like [ForInput] for a result type, except that no object is
// closed and no value constrained: keys and values that Heppu adds later
// must not make a result invalid. Only the result's own fields keep their
// descriptions.
func ForOutput(v any) (*Schema, error) {
	return build(v, true)
}

// MustForInput is like [ForInput] but panics on error. It is meant for
// package-level variables.
func MustForInput(v any) *Schema {
	s, err := ForInput(v)
	if err != nil {
		panic(err)
	}
	return s
}

// MustForOutput is like [ForOutput] but panics on error. It is meant for
// package-level variables.
func MustForOutput(v any) *Schema {
	s, err := ForOutput(v)
	if err != nil {
		panic(err)
	}
	return s
}

func build(v any, open bool) (*Schema, error) {
	t := reflect.TypeOf(v)
	if t == nil {
		return nil, errors.New("reflecting schema: need a struct value, got nil")
	}
	r := jsonschema.Reflector{
		ExpandedStruct:            true,
		DoNotReference:            true,
		AllowAdditionalProperties: open,
	}
	js := r.Reflect(v)

	// Clients take the schema as a plain document: the draft is fixed by
	// the compiler below, and the package-path $id means nothing to them.
	js.Version = ""
	js.ID = ""
	if js.Type != "object" {
		return nil, fmt.Errorf("reflecting %v: root type is %q, not object", t, js.Type)
	}
	if open {
		openObjects(js)
		if js.Properties != nil {
			for p := js.Properties.Oldest(); p != nil; p = p.Next() {
				for _, sub := range subschemas(p.Value) {
					dropDescriptions(sub)
				}
			}
		}
	}

	doc, err := json.Marshal(js)
	if err != nil {
		return nil, fmt.Errorf("encoding schema of %v: %w", t, err)
	}
	use := Input
	if open {
		use = Output
	}
	s := Parse(doc, use)
	if err := s.Compile(); err != nil {
		return nil, fmt.Errorf("compiling schema of %v: %w", t, err)
	}
	return s, nil
}

// openObjects loosens an output schema at js and below: it removes every
// "additionalProperties": false (the reflector leaves structs open when
// asked, but still closes maps with integer keys) and every constraint on
// values. An output schema describes what Heppu returns; a model or voice
// Heppu adds later, or an old agent's out-of-range speed, must not make a
// result fail its own schema. Types, required fields and descriptions stay.
func openObjects(js *jsonschema.Schema) {
	if js == nil {
		return
	}
	if js.AdditionalProperties == jsonschema.FalseSchema {
		js.AdditionalProperties = nil
	}
	js.Enum, js.Const, js.Pattern, js.Format = nil, nil, "", ""
	js.Minimum, js.Maximum, js.ExclusiveMinimum, js.ExclusiveMaximum, js.MultipleOf = "", "", "", "", ""
	js.MinLength, js.MaxLength, js.MinItems, js.MaxItems = nil, nil, nil, nil
	js.UniqueItems = false
	for _, sub := range subschemas(js) {
		openObjects(sub)
	}
}

// dropDescriptions removes the descriptions of js and of everything nested
// in it. An output schema keeps the descriptions of the result's own
// fields, which say what is particular to the result; deeper down they
// restate the input schema's (an agent's fields, its config keys), and
// every tools/list answer would carry each of them several times over.
func dropDescriptions(js *jsonschema.Schema) {
	js.Description = ""
	for _, sub := range subschemas(js) {
		dropDescriptions(sub)
	}
}

// subschemas returns the schemas nested directly in js, in a fixed order.
func subschemas(js *jsonschema.Schema) []*jsonschema.Schema {
	subs := []*jsonschema.Schema{
		js.Not, js.If, js.Then, js.Else, js.Items, js.Contains,
		js.AdditionalProperties, js.PropertyNames, js.ContentSchema,
	}
	subs = append(subs, js.AllOf...)
	subs = append(subs, js.AnyOf...)
	subs = append(subs, js.OneOf...)
	subs = append(subs, js.PrefixItems...)
	if js.Properties != nil {
		for p := js.Properties.Oldest(); p != nil; p = p.Next() {
			subs = append(subs, p.Value)
		}
	}
	for _, m := range []map[string]*jsonschema.Schema{
		js.PatternProperties, js.DependentSchemas, js.Definitions,
	} {
		for _, k := range slices.Sorted(maps.Keys(m)) {
			subs = append(subs, m[k])
		}
	}
	return slices.DeleteFunc(subs, func(s *jsonschema.Schema) bool { return s == nil })
}
