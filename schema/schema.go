// Package schema turns Go types into the JSON Schemas that tools advertise,
// and checks values against those very schemas.
//
// A type's schema is generated once, by reflection over its json and
// jsonschema struct tags, and compiled once, on first use or by
// [Schema.Compile]; [Schema.JSON] is what a client
// is shown and [Schema.Validate] enforces exactly that document. Problems
// come back as plain-English [Problem] values, one per fault, so that a
// language model can correct every argument in a single retry.
package schema

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sync"

	"github.com/invopop/jsonschema"
	validator "github.com/santhosh-tekuri/jsonschema/v6"
)

// resourceURL names the schema document inside its compiler. It is never
// fetched; it only anchors the locations the validator reports.
const resourceURL = "mem:///schema.json"

// Schema is a JSON Schema generated from a Go type, together with its
// validator. Build it once at start-up; it is safe for concurrent use.
// Compiling the validator costs several times more than generating the
// document, so it happens once, when first needed or when Compile is
// called, not before the document can be advertised.
type Schema struct {
	doc      json.RawMessage
	compiled func() (*compiledSchema, error)
}

// compiledSchema is a Schema's validator with what Validate needs of it.
type compiledSchema struct {
	root *validator.Schema
	// declared maps the location of each compiled object schema to its
	// sorted property names, so that an unknown key can be answered with
	// the keys that are allowed there.
	declared map[string][]string
}

// Compile compiles the validator, if that has not happened yet, and
// reports whether the schema is valid. A program calls it at start-up
// (in the background, if it likes) so that no call waits for it.
func (s *Schema) Compile() error {
	_, err := s.compiled()
	return err
}

// ForInput reflects the type of v, a struct value or a pointer to one, into
// a portable schema for tool arguments. Every object is closed with
// "additionalProperties": false, and fields without omitempty or omitzero
// are required. The root must be an object.
func ForInput(v any) (*Schema, error) {
	return build(v, false)
}

// ForOutput is like [ForInput] for a result type, except that no object is
// closed: keys that Heppu adds later must not make a result invalid.
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

// JSON returns the schema as advertised: compact JSON whose bytes are the
// same on every run, with properties in struct field order.
func (s *Schema) JSON() json.RawMessage {
	return slices.Clone(s.doc)
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
	}

	doc, err := json.Marshal(js)
	if err != nil {
		return nil, fmt.Errorf("encoding schema of %v: %w", t, err)
	}
	s := &Schema{doc: doc}
	s.compiled = sync.OnceValues(func() (*compiledSchema, error) {
		root, err := compile(doc, !open)
		if err != nil {
			return nil, fmt.Errorf("compiling schema of %v: %w", t, err)
		}
		c := &compiledSchema{root: root, declared: map[string][]string{}}
		c.collectDeclared(root)
		return c, nil
	})
	return s, nil
}

// compile compiles doc as draft 2020-12 with Go's regexp engine (the
// validator's default). Formats are asserted for input only: a result from
// Heppu should not be rejected over a format it was never promised to meet.
func compile(doc []byte, assertFormat bool) (*validator.Schema, error) {
	inst, err := Decode(doc)
	if err != nil {
		return nil, err
	}
	c := validator.NewCompiler()
	c.DefaultDraft(validator.Draft2020)
	if assertFormat {
		c.AssertFormat()
	}
	if err := c.AddResource(resourceURL, inst); err != nil {
		return nil, err
	}
	return c.Compile(resourceURL)
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

// collectDeclared records the property names of sch and of every schema
// nested in it through properties, items and additionalProperties.
func (s *compiledSchema) collectDeclared(sch *validator.Schema) {
	if sch == nil {
		return
	}
	if _, seen := s.declared[sch.Location]; seen {
		return
	}
	s.declared[sch.Location] = slices.Sorted(maps.Keys(sch.Properties))
	for _, sub := range sch.Properties {
		s.collectDeclared(sub)
	}
	s.collectDeclared(sch.Items2020)
	for _, sub := range sch.PrefixItems {
		s.collectDeclared(sub)
	}
	if sub, ok := sch.AdditionalProperties.(*validator.Schema); ok {
		s.collectDeclared(sub)
	}
}
