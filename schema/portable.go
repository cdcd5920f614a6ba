package schema

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// unportableKeywords are keywords that some MCP clients (Gemini, OpenAI
// strict mode, older Cursor) refuse in a tool schema.
var unportableKeywords = []string{"$ref", "$defs", "definitions", "oneOf", "anyOf", "allOf", "not"}

// Keywords whose value is one schema, an array of schemas, or an object
// whose values are schemas. "properties" is walked on its own.
var (
	schemaKeywords = []string{
		"items", "additionalItems", "additionalProperties", "unevaluatedItems",
		"unevaluatedProperties", "propertyNames", "contains", "not", "if", "then", "else",
		"contentSchema",
	}
	schemaArrayKeywords = []string{"items", "prefixItems", "allOf", "anyOf", "oneOf"}
	schemaMapKeywords   = []string{"$defs", "definitions", "patternProperties", "dependentSchemas"}
)

// CheckPortable walks the schema document doc and returns one line for each
// construct that some MCP clients reject: "$ref", "$defs" or "definitions",
// "oneOf", "anyOf", "allOf", "not", a "type" given as an array, and a root
// whose type is not "object"; and for each property without a description
// (in an output schema, each of the root's own properties), which leaves a
// model guessing. Each line starts with the JSON pointer of the offending
// schema ("#" is the root). An empty result means the schema is portable.
func CheckPortable(doc json.RawMessage, use Use) []string {
	v, err := Decode(doc)
	if err != nil {
		return []string{"#: not valid JSON: " + err.Error()}
	}
	root, ok := v.(map[string]any)
	if !ok {
		return []string{"#: the schema is not an object"}
	}

	var lines []string
	switch t, ok := root["type"]; {
	case !ok:
		lines = append(lines, `#: root has no "type"; it must be "object"`)
	case t != "object":
		lines = append(lines, fmt.Sprintf(`#: root "type" is %s, not "object"`, display(t)))
	}
	describeDepth := -1 // every property
	if use == Output {
		describeDepth = 1
	}
	return checkNode("#", root, 1, describeDepth, lines)
}

// checkNode appends the problems of the schema node at ptr and of every
// schema nested in it. Properties at depth (the root's are at 1) must have
// a description unless describeDepth is positive and depth exceeds it.
func checkNode(ptr string, node map[string]any, depth, describeDepth int, lines []string) []string {
	for _, kw := range unportableKeywords {
		if _, ok := node[kw]; ok {
			lines = append(lines, fmt.Sprintf("%s: uses %q", ptr, kw))
		}
	}
	if _, ok := node["type"].([]any); ok {
		lines = append(lines, ptr+`: "type" is an array`)
	}

	if props, ok := node["properties"].(map[string]any); ok {
		for _, name := range slices.Sorted(maps.Keys(props)) {
			at := ptr + "/properties/" + escapePointer(name)
			prop, _ := props[name].(map[string]any)
			desc, _ := prop["description"].(string)
			if strings.TrimSpace(desc) == "" && (describeDepth < 0 || depth <= describeDepth) {
				lines = append(lines, fmt.Sprintf("%s: property %q has no description", at, name))
			}
			if prop != nil {
				lines = checkNode(at, prop, depth+1, describeDepth, lines)
			}
		}
	}

	for _, kw := range schemaKeywords {
		if sub, ok := node[kw].(map[string]any); ok {
			lines = checkNode(ptr+"/"+kw, sub, depth, describeDepth, lines)
		}
	}
	for _, kw := range schemaArrayKeywords {
		subs, _ := node[kw].([]any)
		for i, sub := range subs {
			if sub, ok := sub.(map[string]any); ok {
				lines = checkNode(fmt.Sprintf("%s/%s/%d", ptr, kw, i), sub, depth, describeDepth, lines)
			}
		}
	}
	for _, kw := range schemaMapKeywords {
		subs, _ := node[kw].(map[string]any)
		for _, name := range slices.Sorted(maps.Keys(subs)) {
			if sub, ok := subs[name].(map[string]any); ok {
				lines = checkNode(ptr+"/"+kw+"/"+escapePointer(name), sub, depth, describeDepth, lines)
			}
		}
	}
	return lines
}

// escapePointer escapes a key for use as a JSON pointer token.
func escapePointer(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return pointerEscaper.Replace(s)
}

var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")
