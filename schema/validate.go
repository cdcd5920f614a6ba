package schema

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Problem is one way in which a value breaks its schema, worded for a
// language model to act on.
type Problem struct {
	// Path locates the offending value: "" for the root, "name",
	// "config.speed", "toolIds[2]". Properties are joined with dots and
	// array items written as [i]. For a missing or unknown key it is the
	// key's own path.
	Path string
	// Keyword is the JSON Schema keyword that failed, such as "required",
	// "additionalProperties", "type", "enum", "maximum" or "pattern".
	Keyword string
	// Message says what is wrong and what is allowed, such as
	// "must be at most 2" or "must be one of: light, dark".
	Message string
	// Allowed lists the allowed values of an "enum" problem, and the
	// declared keys of the object for an "additionalProperties" problem.
	// It is nil otherwise.
	Allowed []string
}

// String returns the problem as "path: message", or only the message for
// the root.
func (p Problem) String() string {
	if p.Path == "" {
		return p.Message
	}
	return p.Path + ": " + p.Message
}

// Validate checks v against the schema. v is a value as returned by
// [Decode]; values from encoding/json (float64 numbers) and Go's other
// number types work too. Validate returns every problem found, sorted by
// path and then message, without duplicates; nil means v is valid.
// Numbers a float64 cannot hold (1e400, 1e-400) are reported alone, before
// the rest is checked.
func (s *Schema) Validate(v any) []Problem {
	if hasOutsizedNumber(v) {
		return numberProblems(v, "")
	}
	root, err := s.compiled()
	if err != nil {
		return []Problem{{Message: "cannot be validated: " + err.Error()}}
	}
	w := walker{formats: s.formats}
	w.check(root, v)
	if len(w.problems) == 0 {
		return nil
	}
	problems := w.problems
	slices.SortFunc(problems, func(a, b Problem) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		if c := strings.Compare(a.Message, b.Message); c != 0 {
			return c
		}
		return strings.Compare(a.Keyword, b.Keyword)
	})
	return slices.CompactFunc(problems, func(a, b Problem) bool {
		return a.Path == b.Path && a.Keyword == b.Keyword && a.Message == b.Message
	})
}

// walker checks a value against a node tree. It keeps the way from the
// root to the current value as steps and renders a path only for a value
// that has a problem, so that a valid value costs no strings.
type walker struct {
	formats  bool
	steps    []step
	problems []Problem
}

// step is one move into a value: into an object's key, or, when key is
// empty and index is at least 0, into an array's item.
type step struct {
	key   string
	index int
}

func (w *walker) path() string {
	var b strings.Builder
	for _, s := range w.steps {
		if s.index >= 0 {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(s.index))
			b.WriteByte(']')
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s.key)
	}
	return b.String()
}

func (w *walker) add(keyword, message string) {
	w.problems = append(w.problems, Problem{Path: w.path(), Keyword: keyword, Message: message})
}

// addKey reports a problem with the key name of the current object.
func (w *walker) addKey(name, keyword, message string, allowed []string) {
	w.problems = append(w.problems, Problem{
		Path: joinKey(w.path(), name), Keyword: keyword, Message: message, Allowed: allowed,
	})
}

// check checks v against n. A value of the wrong type gets that one
// problem: the keywords for the right type would only add noise.
func (w *walker) check(n *node, v any) {
	if n.types != nil {
		if got := jsonType(v); !typeAllows(n.types, got, v) {
			if got == "" {
				w.add("type", fmt.Sprintf("is not a JSON value (a Go %T)", v))
			} else {
				w.add("type", typeMessage(got, n.types))
			}
			return
		}
	}
	if n.constant != nil && !equal(v, n.constant.v) {
		w.add("const", "must be "+display(n.constant.v))
	}
	if n.enum != nil && !slices.ContainsFunc(n.enum, func(e any) bool { return equal(v, e) }) {
		msg := "must be one of: " + strings.Join(n.enumText, ", ")
		if len(n.enumText) == 1 {
			msg = "must be " + n.enumText[0]
		}
		w.problems = append(w.problems, Problem{
			Path: w.path(), Keyword: "enum", Message: msg, Allowed: slices.Clone(n.enumText),
		})
	}
	switch x := v.(type) {
	case map[string]any:
		w.object(n, x)
	case []any:
		w.array(n, x)
	case string:
		w.string(n, x)
	case nil, bool:
	default:
		if num, ok := toNumber(v); ok {
			w.number(n, num)
		}
	}
}

func (w *walker) object(n *node, obj map[string]any) {
	for _, name := range n.required {
		if _, ok := obj[name]; !ok {
			w.addKey(name, "required", "is required", nil)
		}
	}
	if len(obj) < n.minProps {
		w.add("minProperties", "must have at least "+count(n.minProps, "key"))
	}
	if n.maxProps >= 0 && len(obj) > n.maxProps {
		w.add("maxProperties", "must have at most "+count(n.maxProps, "key"))
	}
	for name, child := range obj {
		sub := n.props[name]
		if sub == nil && w.patterns(n, name, child) {
			continue
		}
		if sub == nil {
			if n.closed {
				msg := "is not an allowed key"
				if len(w.steps) == 0 {
					msg = "is not an allowed argument"
				}
				w.addKey(name, "additionalProperties", msg, slices.Clone(n.keys))
				continue
			}
			if sub = n.extra; sub == nil {
				continue
			}
		}
		w.steps = append(w.steps, step{key: name, index: -1})
		w.check(sub, child)
		w.steps = w.steps[:len(w.steps)-1]
	}
}

// patterns checks child against every pattern property whose pattern
// matches its key name, and reports whether there was one.
func (w *walker) patterns(n *node, name string, child any) bool {
	matched := false
	for _, p := range n.patterns {
		if !p.key.MatchString(name) {
			continue
		}
		matched = true
		w.steps = append(w.steps, step{key: name, index: -1})
		w.check(p.schema, child)
		w.steps = w.steps[:len(w.steps)-1]
	}
	return matched
}

func (w *walker) array(n *node, arr []any) {
	if len(arr) < n.minItems {
		w.add("minItems", "must have at least "+count(n.minItems, "item"))
	}
	if n.maxItems >= 0 && len(arr) > n.maxItems {
		w.add("maxItems", "must have at most "+count(n.maxItems, "item"))
	}
	if n.uniqueItems {
		if i, j, ok := duplicate(arr); ok {
			w.add("uniqueItems", fmt.Sprintf(
				"must not contain duplicates (items %d and %d are equal)", i, j))
		}
	}
	if n.items == nil {
		return
	}
	for i, item := range arr {
		w.steps = append(w.steps, step{index: i})
		w.check(n.items, item)
		w.steps = w.steps[:len(w.steps)-1]
	}
}

// duplicate finds the first item equal to an earlier one and returns the
// earlier item's index and its own.
func duplicate(arr []any) (int, int, bool) {
	for j := 1; j < len(arr); j++ {
		for i := range j {
			if equal(arr[i], arr[j]) {
				return i, j, true
			}
		}
	}
	return 0, 0, false
}

func (w *walker) string(n *node, s string) {
	if n.minLength > 0 || n.maxLength >= 0 {
		runes := utf8.RuneCountInString(s)
		if runes < n.minLength {
			w.add("minLength", "must be at least "+count(n.minLength, "character"))
		}
		if n.maxLength >= 0 && runes > n.maxLength {
			w.add("maxLength", "must be at most "+count(n.maxLength, "character"))
		}
	}
	if n.pattern != nil && !n.pattern.MatchString(s) {
		w.add("pattern", "does not match the required format")
	}
	if w.formats && n.format != "" && !formats[n.format](s) {
		w.add("format", "is not a valid "+n.format)
	}
}

func (w *walker) number(n *node, num number) {
	if b := n.minimum; b != nil && num.compare(b) < 0 {
		w.add("minimum", "must be at least "+b.text)
	}
	if b := n.maximum; b != nil && num.compare(b) > 0 {
		w.add("maximum", "must be at most "+b.text)
	}
	if b := n.exclusiveMinimum; b != nil && num.compare(b) <= 0 {
		w.add("exclusiveMinimum", "must be greater than "+b.text)
	}
	if b := n.exclusiveMaximum; b != nil && num.compare(b) >= 0 {
		w.add("exclusiveMaximum", "must be less than "+b.text)
	}
}

// jsonType names the JSON type of v, with every number a "number"; it
// returns "" for a Go value that is not JSON.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	if _, ok := toNumber(v); ok {
		return "number"
	}
	return ""
}

// typeAllows reports whether a value v of JSON type got is one of types.
func typeAllows(types []string, got string, v any) bool {
	for _, t := range types {
		switch {
		case t == got:
			return true
		case t == "integer" && got == "number":
			if num, _ := toNumber(v); num.isInteger() {
				return true
			}
		}
	}
	return false
}

// typeMessage says which JSON types are allowed and which one was given,
// such as "must be a string, not null".
func typeMessage(got string, want []string) string {
	if got == "number" && slices.Equal(want, []string{"integer"}) {
		return "must be a whole number"
	}
	named := make([]string, len(want))
	for i, w := range want {
		named[i] = typeName(w)
	}
	return "must be " + strings.Join(named, " or ") + ", not " + typeName(got)
}

func typeName(t string) string {
	switch t {
	case "null":
		return "null"
	case "integer", "object", "array":
		return "an " + t
	}
	return "a " + t
}

// count returns "1 item", "2 items" and so on.
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// display writes a JSON value for a message: strings bare, numbers as
// written, anything else as JSON.
func display(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case nil:
		return "null"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// joinKey returns the path of property name inside the object at path.
func joinKey(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
