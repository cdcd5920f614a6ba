package schema_test

import (
	"bytes"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	validator "github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"

	"github.com/heppu-ai/heppu-mcp/schema"
)

// oracle is an independent, complete JSON Schema validator compiled from
// the same document as a schema.Schema. The tests hold our validator's
// findings against it: the same values pass, and the same faults are found
// at the same places. It is a test dependency only; the server does not
// pay for its start-up.
type oracle struct{ root *validator.Schema }

func newOracle(t testing.TB, s *schema.Schema) *oracle {
	t.Helper()
	doc, err := validator.UnmarshalJSON(bytes.NewReader(s.JSON()))
	if err != nil {
		t.Fatal(err)
	}
	c := validator.NewCompiler()
	c.DefaultDraft(validator.Draft2020)
	c.AssertFormat()
	if err := c.AddResource("mem:///schema.json", doc); err != nil {
		t.Fatal(err)
	}
	root, err := c.Compile("mem:///schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return &oracle{root: root}
}

// faults returns "path keyword" for each fault the oracle finds in v,
// sorted and without duplicates, in the form of schema.Problem.
func (o *oracle) faults(t testing.TB, v any) []string {
	err := o.root.Validate(v)
	if err == nil {
		return nil
	}
	var verr *validator.ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("oracle: %v", err)
	}
	var out []string
	var walk func(e *validator.ValidationError)
	walk = func(e *validator.ValidationError) {
		path := oraclePath(v, e.InstanceLocation)
		switch k := e.ErrorKind.(type) {
		case *kind.Schema, *kind.Group, *kind.Reference:
			for _, cause := range e.Causes {
				walk(cause)
			}
		case *kind.Required:
			for _, name := range k.Missing {
				out = append(out, joinPath(path, name)+" required")
			}
		case *kind.AdditionalProperties:
			for _, name := range k.Properties {
				out = append(out, joinPath(path, name)+" additionalProperties")
			}
		default:
			out = append(out, path+" "+e.ErrorKind.KeywordPath()[0])
		}
	}
	walk(verr)
	slices.Sort(out)
	return slices.Compact(out)
}

// found puts our problems in the oracle's form.
func found(problems []schema.Problem) []string {
	var out []string
	for _, p := range problems {
		out = append(out, p.Path+" "+p.Keyword)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// oraclePath writes the oracle's location tokens as a Problem path, walking
// v to tell an array index from a key.
func oraclePath(v any, tokens []string) string {
	var b strings.Builder
	for _, tok := range tokens {
		switch cur := v.(type) {
		case []any:
			b.WriteString("[" + tok + "]")
			v = nil
			if i, err := strconv.Atoi(tok); err == nil && i < len(cur) {
				v = cur[i]
			}
		case map[string]any:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(tok)
			v = cur[tok]
		}
	}
	return b.String()
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// checkOracle fails t if s and the oracle disagree about v.
func checkOracle(t *testing.T, name string, s *schema.Schema, o *oracle, v any) {
	t.Helper()
	problems := s.Validate(v)
	for _, p := range problems {
		if p.Keyword == "type" && strings.Contains(p.Message, "ordinary size") {
			return // numbers the oracle cannot take are refused before validation
		}
	}
	if diff := cmp.Diff(o.faults(t, v), found(problems)); diff != "" {
		t.Errorf("%s: Validate disagrees with the reference validator (-reference +ours):\n%s",
			name, diff)
	}
}

// TestValidateAgreesWithOracle holds Validate to the reference validator
// on keywords the tool schemas do not use today, so that a type added
// later is enforced as its schema says.
func TestValidateAgreesWithOracle(t *testing.T) {
	t.Parallel()

	doc := `{"type":"object","required":["id"],"minProperties":1,"maxProperties":6,` +
		`"properties":{` +
		`"id":{"type":"string","format":"uuid"},` +
		`"site":{"type":"string","format":"uri"},` +
		`"ip":{"type":"string","format":"ipv4"},` +
		`"day":{"type":"string","format":"date"},` +
		`"kind":{"const":"fixed"},` +
		`"tags":{"type":"array","minItems":1,"maxItems":2,"uniqueItems":true,` +
		`"items":{"type":["string","null"]}},` +
		`"counts":{"type":"object","patternProperties":{"^[0-9]+$":{"type":"integer","minimum":0}},` +
		`"additionalProperties":{"type":"boolean"}},` +
		`"ratio":{"type":"number","exclusiveMaximum":1,"minimum":-1}}}`
	s := schema.Parse([]byte(doc), schema.Input)
	if err := s.Compile(); err != nil {
		t.Fatal(err)
	}
	o := newOracle(t, s)
	for _, value := range []string{
		`{"id":"550e8400-e29b-41d4-a716-446655440000","site":"https://example.com","ip":"10.0.0.1",` +
			`"day":"2025-06-01","kind":"fixed","tags":["a",null],"counts":{"1":2,"x":true},"ratio":0.5}`,
		`{}`,
		`{"id":"nope","site":"relative/path","ip":"::1","day":"2025-13-01","kind":"other"}`,
		`{"id":"550e8400-e29b-41d4-a716-446655440000","tags":[],"counts":{"7":-1,"8":1.5,"y":"no"}}`,
		`{"id":"550e8400-e29b-41d4-a716-446655440000","tags":["a","a","b"],"ratio":1}`,
		`{"id":"550e8400-e29b-41d4-a716-446655440000","tags":[1],"ratio":-1.0000001}`,
		`{"id":"550e8400-e29b-41d4-a716-446655440000","a":1,"b":2,"c":3,"d":4,"e":5,"f":6}`,
		`{"id":7,"kind":null,"counts":[],"tags":"a"}`,
	} {
		v, err := schema.Decode([]byte(value))
		if err != nil {
			t.Fatal(err)
		}
		checkOracle(t, value, s, o, v)
	}
}
