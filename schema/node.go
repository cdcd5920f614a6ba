package schema

import (
	"encoding/json"
	"fmt"
	"maps"
	"math/big"
	"regexp"
	"slices"
	"strconv"
)

// node is one compiled schema: the keywords of a schema document that
// Validate enforces, parsed once. The generator emits a small, portable
// subset of JSON Schema; compile refuses anything outside it, so that no
// schema is advertised with a keyword it does not enforce.
type node struct {
	types []string // allowed JSON types; nil allows any

	// Objects.
	props    map[string]*node
	keys     []string // the sorted names of props, for "allowed:" hints
	required []string
	patterns []patternProperty
	closed   bool  // "additionalProperties": false
	extra    *node // "additionalProperties" as a schema
	minProps int
	maxProps int // -1 when absent

	// Arrays.
	items       *node
	minItems    int
	maxItems    int // -1 when absent
	uniqueItems bool

	// Strings.
	minLength int
	maxLength int // -1 when absent
	pattern   *regexp.Regexp
	format    string // checked only when formats are asserted

	// Numbers.
	minimum, maximum                   *bound
	exclusiveMinimum, exclusiveMaximum *bound

	// Any type.
	enum     []any
	enumText []string    // enum as displayed in messages
	constant *constValue // "const", when given: its value may be null
}

// bound is a numeric limit, kept as written and as a float64 for the
// common comparison.
type bound struct {
	f       float64
	written string // as in the schema, for exact comparison
	text    string // in plain decimal, for messages
}

type constValue struct{ v any }

// patternProperty is one entry of "patternProperties": the schema of every
// key that matches a pattern.
type patternProperty struct {
	key    *regexp.Regexp
	schema *node
}

// annotations are keywords that describe a value without constraining it.
var annotations = map[string]bool{
	"$schema": true, "$id": true, "$comment": true, "title": true, "description": true,
	"default": true, "examples": true, "deprecated": true, "readOnly": true, "writeOnly": true,
}

// compile parses a schema document into a node tree. assertFormat says
// whether "format" is enforced (for input) or only an annotation.
func compile(doc []byte, assertFormat bool) (*node, error) {
	v, err := Decode(doc)
	if err != nil {
		return nil, fmt.Errorf("schema is not JSON: %w", err)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("schema is a %s, not an object", jsonType(v))
	}
	return compileNode("#", obj, assertFormat)
}

func compileNode(ptr string, obj map[string]any, assertFormat bool) (*node, error) {
	n := &node{maxProps: -1, maxItems: -1, maxLength: -1}
	// Keywords in a fixed order, so that the first fault reported is the
	// same on every run.
	for _, kw := range slices.Sorted(maps.Keys(obj)) {
		val := obj[kw]
		at := ptr + "/" + escapePointer(kw)
		var err error
		switch kw {
		case "type":
			n.types, err = compileTypes(val)
		case "properties":
			if err := n.compileProperties(at, val, assertFormat); err != nil {
				return nil, err
			}
		case "patternProperties":
			if err := n.compilePatterns(at, val, assertFormat); err != nil {
				return nil, err
			}
		case "required":
			n.required, err = stringList(val)
		case "additionalProperties":
			switch a := val.(type) {
			case bool:
				n.closed = !a
			case map[string]any:
				if n.extra, err = compileNode(at, a, assertFormat); err != nil {
					return nil, err
				}
			default:
				err = fmt.Errorf("must be a boolean or a schema")
			}
		case "items":
			sub, ok := val.(map[string]any)
			if !ok {
				err = fmt.Errorf("must be a schema")
				break
			}
			if n.items, err = compileNode(at, sub, assertFormat); err != nil {
				return nil, err
			}
		case "enum":
			list, ok := val.([]any)
			if !ok || len(list) == 0 {
				err = fmt.Errorf("must be a non-empty array")
				break
			}
			n.enum = list
			for _, e := range list {
				n.enumText = append(n.enumText, display(e))
			}
		case "const":
			n.constant = &constValue{val}
		case "minimum":
			n.minimum, err = compileBound(val)
		case "maximum":
			n.maximum, err = compileBound(val)
		case "exclusiveMinimum":
			n.exclusiveMinimum, err = compileBound(val)
		case "exclusiveMaximum":
			n.exclusiveMaximum, err = compileBound(val)
		case "minLength":
			n.minLength, err = nonNegative(val)
		case "maxLength":
			n.maxLength, err = nonNegative(val)
		case "minItems":
			n.minItems, err = nonNegative(val)
		case "maxItems":
			n.maxItems, err = nonNegative(val)
		case "minProperties":
			n.minProps, err = nonNegative(val)
		case "maxProperties":
			n.maxProps, err = nonNegative(val)
		case "uniqueItems":
			b, ok := val.(bool)
			if !ok {
				err = fmt.Errorf("must be a boolean")
			}
			n.uniqueItems = b
		case "pattern":
			s, ok := val.(string)
			if !ok {
				err = fmt.Errorf("must be a string")
				break
			}
			n.pattern, err = regexp.Compile(s)
		case "format":
			s, ok := val.(string)
			if !ok {
				err = fmt.Errorf("must be a string")
				break
			}
			if !assertFormat {
				break
			}
			if _, known := formats[s]; !known {
				err = fmt.Errorf("format %q is not supported", s)
			}
			n.format = s
		default:
			if !annotations[kw] {
				err = fmt.Errorf("keyword is not supported")
			}
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", at, err)
		}
	}
	return n, nil
}

func (n *node) compileProperties(ptr string, val any, assertFormat bool) error {
	subs, err := compileMap(ptr, val, assertFormat)
	if err != nil {
		return err
	}
	n.props = make(map[string]*node, len(subs))
	for _, s := range subs {
		n.props[s.name] = s.schema
	}
	n.keys = slices.Sorted(maps.Keys(n.props))
	return nil
}

func (n *node) compilePatterns(ptr string, val any, assertFormat bool) error {
	subs, err := compileMap(ptr, val, assertFormat)
	if err != nil {
		return err
	}
	for _, s := range subs {
		re, err := regexp.Compile(s.name)
		if err != nil {
			return fmt.Errorf("%s/%s: %w", ptr, escapePointer(s.name), err)
		}
		n.patterns = append(n.patterns, patternProperty{key: re, schema: s.schema})
	}
	return nil
}

type namedNode struct {
	name   string
	schema *node
}

// compileMap compiles an object whose values are schemas, in key order.
func compileMap(ptr string, val any, assertFormat bool) ([]namedNode, error) {
	m, ok := val.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: must be an object", ptr)
	}
	var out []namedNode
	for _, name := range slices.Sorted(maps.Keys(m)) {
		at := ptr + "/" + escapePointer(name)
		sub, ok := m[name].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: must be a schema", at)
		}
		c, err := compileNode(at, sub, assertFormat)
		if err != nil {
			return nil, err
		}
		out = append(out, namedNode{name, c})
	}
	return out, nil
}

var jsonTypes = []string{"array", "boolean", "integer", "null", "number", "object", "string"}

func compileTypes(val any) ([]string, error) {
	var types []string
	switch t := val.(type) {
	case string:
		types = []string{t}
	case []any:
		var err error
		if types, err = stringList(t); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("must be a string or an array of strings")
	}
	for _, t := range types {
		if !slices.Contains(jsonTypes, t) {
			return nil, fmt.Errorf("%q is not a JSON type", t)
		}
	}
	return types, nil
}

func stringList(val any) ([]string, error) {
	list, ok := val.([]any)
	if !ok {
		return nil, fmt.Errorf("must be an array of strings")
	}
	out := make([]string, len(list))
	for i, e := range list {
		s, ok := e.(string)
		if !ok {
			return nil, fmt.Errorf("must be an array of strings")
		}
		out[i] = s
	}
	return out, nil
}

func compileBound(val any) (*bound, error) {
	n, ok := val.(json.Number)
	if !ok {
		return nil, fmt.Errorf("must be a number")
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil {
		return nil, fmt.Errorf("must be a number of ordinary size")
	}
	return &bound{f: f, written: string(n), text: plainNumber(string(n))}, nil
}

func nonNegative(val any) (int, error) {
	n, ok := val.(json.Number)
	if !ok {
		return 0, fmt.Errorf("must be a whole number")
	}
	i, err := strconv.Atoi(string(n))
	if err != nil || i < 0 {
		return 0, fmt.Errorf("must be a whole number of at least 0")
	}
	return i, nil
}

// plainNumber writes the JSON number s in plain decimal notation, such as
// 0.5 or 2, for a message.
func plainNumber(s string) string {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return s
	}
	if r.IsInt() {
		return r.Num().String()
	}
	if prec, exact := r.FloatPrec(); exact {
		return r.FloatString(prec)
	}
	f, _ := r.Float64()
	return strconv.FormatFloat(f, 'f', -1, 64)
}
