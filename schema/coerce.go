package schema

import (
	"maps"
	"slices"
	"strings"
)

// CoerceJSONStrings works around clients that send an object or array
// argument as a string of JSON. Wherever the schema expects an object or an
// array, at any depth reachable through properties, items and
// additionalProperties, and v holds a string whose JSON is of that kind, the
// string is replaced by the parsed value (numbers as json.Number). Anything
// else is left as it is. v itself is never modified: the result shares what
// did not change and copies what did. changed reports whether any string
// was parsed, so that a caller holding v's JSON may use it as it is.
func (s *Schema) CoerceJSONStrings(v any) (out any, changed bool) {
	root, err := s.compiled()
	if err != nil {
		return v, false // Validate reports the broken schema
	}
	return coerce(root, v)
}

// coerce returns v with its JSON strings parsed where sch expects an object
// or an array, and whether anything changed.
func coerce(sch *node, v any) (any, bool) {
	if sch == nil {
		return v, false
	}
	switch val := v.(type) {
	case string:
		return parseContainer(sch, val)

	case map[string]any:
		var out map[string]any
		for k, child := range val {
			sub := sch.props[k]
			if sub == nil {
				sub = sch.extra
			}
			nv, changed := coerce(sub, child)
			if !changed {
				continue
			}
			if out == nil {
				out = maps.Clone(val)
			}
			out[k] = nv
		}
		if out == nil {
			return v, false
		}
		return out, true

	case []any:
		var out []any
		for i, child := range val {
			nv, changed := coerce(sch.items, child)
			if !changed {
				continue
			}
			if out == nil {
				out = slices.Clone(val)
			}
			out[i] = nv
		}
		if out == nil {
			return v, false
		}
		return out, true
	}
	return v, false
}

// parseContainer parses str when sch wants an object or an array (and not
// a string) and str holds JSON of that kind.
func parseContainer(sch *node, str string) (any, bool) {
	if sch.types == nil {
		return str, false
	}
	trimmed := strings.TrimSpace(str)
	if trimmed == "" || (trimmed[0] != '{' && trimmed[0] != '[') {
		return str, false
	}
	types := sch.types
	if slices.Contains(types, "string") {
		return str, false
	}
	wantObject := slices.Contains(types, "object")
	wantArray := slices.Contains(types, "array")

	parsed, err := Decode([]byte(trimmed))
	if err != nil {
		return str, false
	}
	switch parsed.(type) {
	case map[string]any:
		if !wantObject {
			return str, false
		}
	case []any:
		if !wantArray {
			return str, false
		}
	default:
		return str, false
	}

	// A client that stringifies an object may have stringified inside it
	// as well.
	out, _ := coerce(sch, parsed)
	return out, true
}
