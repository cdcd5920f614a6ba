package schema

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/heppu-ai/heppu-mcp/heppu"
)

func TestCheckPortable(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		name string
		doc  string
		want []string
	}{
		{
			name: "portable",
			doc: `{"type":"object","properties":{"name":{"type":"string","description":"Name."},` +
				`"tags":{"type":"array","description":"Tags.","items":{"type":"string"}}}}`,
		},
		{
			name: "ref and defs",
			doc: `{"type":"object","$defs":{"Config":{"type":"object"}},` +
				`"properties":{"config":{"$ref":"#/$defs/Config","description":"Settings."}}}`,
			want: []string{
				`#: uses "$defs"`,
				`#/properties/config: uses "$ref"`,
			},
		},
		{
			name: "definitions",
			doc:  `{"type":"object","definitions":{"A":{"type":"string"}}}`,
			want: []string{`#: uses "definitions"`},
		},
		{
			name: "combinators",
			doc: `{"type":"object","properties":{` +
				`"a":{"description":"A.","oneOf":[{"type":"string"},{"type":"number"}]},` +
				`"b":{"description":"B.","anyOf":[{"type":"string"}]},` +
				`"c":{"description":"C.","allOf":[{"type":"string"}]},` +
				`"d":{"description":"D.","not":{"type":"string"}}}}`,
			want: []string{
				`#/properties/a: uses "oneOf"`,
				`#/properties/b: uses "anyOf"`,
				`#/properties/c: uses "allOf"`,
				`#/properties/d: uses "not"`,
			},
		},
		{
			name: "type array",
			doc: `{"type":"object","properties":` +
				`{"speed":{"type":["number","null"],"description":"Speed."}}}`,
			want: []string{`#/properties/speed: "type" is an array`},
		},
		{
			name: "missing descriptions at any depth",
			doc: `{"type":"object","properties":{` +
				`"config":{"type":"object","description":"Settings.","properties":{` +
				`"theme":{"type":"string"},"colour":{"type":"string","description":"  "}}},` +
				`"slots":{"type":"array","description":"Slots.","items":{"type":"object",` +
				`"properties":{"id":{"type":"string"}}}},` +
				`"open":true}}`,
			want: []string{
				`#/properties/config/properties/colour: property "colour" has no description`,
				`#/properties/config/properties/theme: property "theme" has no description`,
				`#/properties/open: property "open" has no description`,
				`#/properties/slots/items/properties/id: property "id" has no description`,
			},
		},
		{
			name: "nested in additionalProperties and defs",
			doc: `{"type":"object","additionalProperties":{"anyOf":[{"type":"string"}]},` +
				`"$defs":{"A":{"oneOf":[{"type":"string"}]}}}`,
			want: []string{
				`#: uses "$defs"`,
				`#/additionalProperties: uses "anyOf"`,
				`#/$defs/A: uses "oneOf"`,
			},
		},
		{
			name: "inside a combinator",
			doc:  `{"type":"object","allOf":[{"properties":{"a/b":{"type":"string"}}}]}`,
			want: []string{
				`#: uses "allOf"`,
				`#/allOf/0/properties/a~1b: property "a/b" has no description`,
			},
		},
		{
			name: "root array",
			doc:  `{"type":"array","items":{"type":"string"}}`,
			want: []string{`#: root "type" is array, not "object"`},
		},
		{
			name: "root without type",
			doc:  `{"properties":{}}`,
			want: []string{`#: root has no "type"; it must be "object"`},
		},
		{
			name: "root type array",
			doc:  `{"type":["object","null"]}`,
			want: []string{
				`#: root "type" is ["object","null"], not "object"`,
				`#: "type" is an array`,
			},
		},
		{
			name: "boolean schema",
			doc:  `true`,
			want: []string{"#: the schema is not an object"},
		},
		{
			name: "not JSON",
			doc:  `{"type":`,
			want: []string{"#: not valid JSON: unexpected EOF"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			got := CheckPortable(json.RawMessage(tc.doc), Input)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("CheckPortable(%s) mismatch (-want +got):\n%s", tc.doc, diff)
			}
		})
	}
}

func TestCheckPortableGenerated(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		name   string
		use    Use
		schema func() (*Schema, error)
	}{
		{"input widget", Input, func() (*Schema, error) { return ForInput(widget{}) }},
		{"input CreateAgentRequest", Input, func() (*Schema, error) {
			return ForInput(heppu.CreateAgentRequest{})
		}},
		{"output summary", Output, func() (*Schema, error) { return ForOutput(summary{}) }},
		{"output Agent", Output, func() (*Schema, error) { return ForOutput(heppu.Agent{}) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			s, err := tc.schema()
			if err != nil {
				t.Fatal(err)
			}
			if got := CheckPortable(s.JSON(), tc.use); got != nil {
				t.Errorf("CheckPortable() = %q, want nothing", got)
			}
		})
	}
}

// TestCheckPortableOutputDescriptions checks that an output schema needs
// descriptions on the result's own fields only.
func TestCheckPortableOutputDescriptions(t *testing.T) {
	t.Parallel()

	doc := json.RawMessage(`{"type":"object","properties":{` +
		`"agent":{"type":"object","description":"The agent.","properties":{"id":{"type":"string"}}},` +
		`"list":{"type":"array","description":"Items.","items":{"type":"object","properties":{"n":{"type":"number"}}}},` +
		`"warnings":{"type":"array","items":{"type":"string"}}}}`)
	want := []string{`#/properties/warnings: property "warnings" has no description`}
	if diff := cmp.Diff(want, CheckPortable(doc, Output)); diff != "" {
		t.Errorf("CheckPortable(output) mismatch (-want +got):\n%s", diff)
	}
	if got := CheckPortable(doc, Input); len(got) != 3 {
		t.Errorf("CheckPortable(input) = %q, want the three properties without a description", got)
	}
}
