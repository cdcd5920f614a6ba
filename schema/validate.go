package schema

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"

	validator "github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
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
// [Decode]; values from encoding/json (float64 numbers) work too. Validate
// returns every problem found, sorted by path and then message, without
// duplicates; nil means v is valid. Numbers a float64 cannot hold (1e400,
// 1e-400) are reported alone, before the rest is checked.
func (s *Schema) Validate(v any) []Problem {
	if problems := numberProblems(v, ""); len(problems) > 0 {
		return problems
	}
	c, err := s.compiled()
	if err != nil {
		return []Problem{{Message: "cannot be validated: " + err.Error()}}
	}
	err = c.root.Validate(v)
	if err == nil {
		return nil
	}
	var verr *validator.ValidationError
	if !errors.As(err, &verr) {
		return []Problem{{Message: "cannot be validated: " + err.Error()}}
	}

	problems := c.problems(verr, v, nil)
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

// problems appends to out the problems of e and its causes. The validator
// reports wrapper nodes (the root, groups of sibling errors, references)
// that carry no fault of their own; only their causes become problems.
func (c *compiledSchema) problems(e *validator.ValidationError, v any, out []Problem) []Problem {
	switch e.ErrorKind.(type) {
	case *kind.Schema, *kind.Group, *kind.Reference, *kind.AllOf:
		for _, cause := range e.Causes {
			out = c.problems(cause, v, out)
		}
		return out
	}

	path := instancePath(v, e.InstanceLocation)
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		for _, name := range k.Missing {
			out = append(out, Problem{
				Path:    joinKey(path, name),
				Keyword: "required",
				Message: "is required",
			})
		}
		return out

	case *kind.DependentRequired:
		return appendDependent(out, path, "dependentRequired", k.Prop, k.Missing)
	case *kind.Dependency:
		return appendDependent(out, path, "dependencies", k.Prop, k.Missing)

	case *kind.AdditionalProperties:
		msg := "is not an allowed key"
		if len(e.InstanceLocation) == 0 {
			msg = "is not an allowed argument"
		}
		for _, name := range k.Properties {
			out = append(out, Problem{
				Path:    joinKey(path, name),
				Keyword: "additionalProperties",
				Message: msg,
				Allowed: slices.Clone(c.declared[e.SchemaURL]),
			})
		}
		return out

	case *kind.Enum:
		allowed := make([]string, len(k.Want))
		for i, w := range k.Want {
			allowed[i] = display(w)
		}
		msg := "must be one of: " + strings.Join(allowed, ", ")
		if len(allowed) == 1 {
			msg = "must be " + allowed[0]
		}
		return append(out, Problem{Path: path, Keyword: "enum", Message: msg, Allowed: allowed})
	}

	keyword := ""
	if kp := e.ErrorKind.KeywordPath(); len(kp) > 0 {
		keyword = kp[0]
	}
	return append(out, Problem{Path: path, Keyword: keyword, Message: message(e.ErrorKind)})
}

// message words a single fault that concerns the value at its own path.
func message(k validator.ErrorKind) string {
	switch k := k.(type) {
	case *kind.Type:
		return typeMessage(k.Got, k.Want)
	case *kind.Const:
		return "must be " + display(k.Want)
	case *kind.Format:
		return "is not a valid " + k.Want
	case *kind.Pattern:
		return "does not match the required format"
	case *kind.MinLength:
		return "must be at least " + count(k.Want, "character")
	case *kind.MaxLength:
		return "must be at most " + count(k.Want, "character")
	case *kind.Minimum:
		return "must be at least " + formatRat(k.Want)
	case *kind.Maximum:
		return "must be at most " + formatRat(k.Want)
	case *kind.ExclusiveMinimum:
		return "must be greater than " + formatRat(k.Want)
	case *kind.ExclusiveMaximum:
		return "must be less than " + formatRat(k.Want)
	case *kind.MultipleOf:
		return "must be a multiple of " + formatRat(k.Want)
	case *kind.MinItems:
		return "must have at least " + count(k.Want, "item")
	case *kind.MaxItems:
		return "must have at most " + count(k.Want, "item")
	case *kind.UniqueItems:
		return fmt.Sprintf("must not contain duplicates (items %d and %d are equal)",
			k.Duplicates[0], k.Duplicates[1])
	case *kind.MinProperties:
		return "must have at least " + count(k.Want, "key")
	case *kind.MaxProperties:
		return "must have at most " + count(k.Want, "key")
	case *kind.PropertyNames:
		return fmt.Sprintf("has a key that is not allowed: %q", k.Property)
	case *kind.AdditionalItems:
		return fmt.Sprintf("has %s too many", count(k.Count, "item"))
	case *kind.Contains, *kind.MinContains, *kind.MaxContains:
		return "does not have the required items"
	case *kind.AnyOf:
		return "does not match any of the allowed forms"
	case *kind.OneOf:
		if len(k.Subschemas) > 1 {
			return "matches more than one of the allowed forms"
		}
		return "does not match any of the allowed forms"
	case *kind.Not:
		return "has a form that is not allowed"
	case *kind.FalseSchema:
		return "is not allowed"
	case *kind.InvalidJsonValue:
		return fmt.Sprintf("is not a JSON value (a Go %T)", k.Value)
	}
	return "is not valid"
}

func appendDependent(out []Problem, path, keyword, prop string, missing []string) []Problem {
	for _, name := range missing {
		out = append(out, Problem{
			Path:    joinKey(path, name),
			Keyword: keyword,
			Message: fmt.Sprintf("is required when %s is given", prop),
		})
	}
	return out
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

// formatRat writes r in plain decimal notation, such as 0.5 or 2.
func formatRat(r *big.Rat) string {
	if r.IsInt() {
		return r.Num().String()
	}
	if prec, exact := r.FloatPrec(); exact {
		return r.FloatString(prec)
	}
	f, _ := r.Float64()
	return strconv.FormatFloat(f, 'f', -1, 64)
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

// instancePath renders the validator's location tokens as "a.b[2].c". The
// tokens do not tell an array index from a property named "2", so the path
// is walked through v itself.
func instancePath(v any, tokens []string) string {
	if len(tokens) == 0 {
		return ""
	}
	var b strings.Builder
	for _, tok := range tokens {
		switch cur := v.(type) {
		case []any:
			b.WriteString("[" + tok + "]")
			if i, err := strconv.Atoi(tok); err == nil && i >= 0 && i < len(cur) {
				v = cur[i]
			} else {
				v = nil
			}
		case map[string]any:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(tok)
			v = cur[tok]
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(tok)
			v = nil
		}
	}
	return b.String()
}

// joinKey returns the path of property name inside the object at path.
func joinKey(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
