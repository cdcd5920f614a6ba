package schema

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/heppu-ai/heppu-mcp/heppu"
)

// widget is a realistic argument type: required and optional fields,
// enums, ranges, lengths, patterns, a nested object and an array of
// objects.
type widget struct {
	Title   string   `json:"title" jsonschema:"minLength=1,maxLength=40" jsonschema_description:"Heading above the widget."`
	Theme   string   `json:"theme,omitempty" jsonschema:"enum=light,enum=dark" jsonschema_description:"Colour scheme."`
	Size    int      `json:"size,omitempty" jsonschema:"minimum=1,maximum=10" jsonschema_description:"Size step, 1 to 10."`
	Opacity *float64 `json:"opacity,omitempty" jsonschema:"minimum=0.5,maximum=1" jsonschema_description:"Opacity, 0.5 to 1."`
	Tags    []string `json:"tags,omitzero" jsonschema:"uniqueItems=true,maxItems=3,minLength=1" jsonschema_description:"Labels."`
	Layout  *layout  `json:"layout,omitempty" jsonschema_description:"Grid settings."`
	Slots   []slot   `json:"slots,omitempty" jsonschema_description:"Content slots."`
}

type layout struct {
	Columns int      `json:"columns" jsonschema:"minimum=1,maximum=4" jsonschema_description:"Columns, 1 to 4."`
	Gap     *float64 `json:"gap,omitempty" jsonschema:"exclusiveMinimum=0,exclusiveMaximum=2.5" jsonschema_description:"Gap in rem."`
}

type slot struct {
	ID     string `json:"id" jsonschema:"pattern=^[a-z]+$" jsonschema_description:"Lowercase slot name."`
	Colour string `json:"colour,omitempty" jsonschema:"pattern=^#([0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})$" jsonschema_description:"Hex colour."`
}

// summary is a realistic result type, with a map keyed by integers that
// the reflector would close.
type summary struct {
	ID     string         `json:"id" jsonschema_description:"The widget's ID."`
	Layout layout         `json:"layout" jsonschema_description:"Grid settings."`
	Counts map[int]string `json:"counts,omitempty" jsonschema_description:"Counts by size."`
}

const widgetInputJSON = `{"properties":{` +
	`"title":{"type":"string","maxLength":40,"minLength":1,` +
	`"description":"Heading above the widget."},` +
	`"theme":{"type":"string","enum":["light","dark"],"description":"Colour scheme."},` +
	`"size":{"type":"integer","maximum":10,"minimum":1,"description":"Size step, 1 to 10."},` +
	`"opacity":{"type":"number","maximum":1,"minimum":0.5,"description":"Opacity, 0.5 to 1."},` +
	`"tags":{"items":{"type":"string","minLength":1},"type":"array","maxItems":3,` +
	`"uniqueItems":true,"description":"Labels."},` +
	`"layout":{"properties":{` +
	`"columns":{"type":"integer","maximum":4,"minimum":1,"description":"Columns, 1 to 4."},` +
	`"gap":{"type":"number","exclusiveMaximum":2.5,"exclusiveMinimum":0,` +
	`"description":"Gap in rem."}},` +
	`"additionalProperties":false,"type":"object","required":["columns"],` +
	`"description":"Grid settings."},` +
	`"slots":{"items":{"properties":{` +
	`"id":{"type":"string","pattern":"^[a-z]+$","description":"Lowercase slot name."},` +
	`"colour":{"type":"string","pattern":"^#([0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})$",` +
	`"description":"Hex colour."}},` +
	`"additionalProperties":false,"type":"object","required":["id"]},` +
	`"type":"array","description":"Content slots."}},` +
	`"additionalProperties":false,"type":"object","required":["title"]}`

func TestForInputJSON(t *testing.T) {
	t.Parallel()

	s, err := ForInput(widget{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(widgetInputJSON, string(s.JSON())); diff != "" {
		t.Errorf("ForInput(widget{}).JSON() mismatch (-want +got):\n%s", diff)
	}
}

func TestForInputPointer(t *testing.T) {
	t.Parallel()

	s, err := ForInput(&widget{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(widgetInputJSON, string(s.JSON())); diff != "" {
		t.Errorf("ForInput(&widget{}).JSON() mismatch (-want +got):\n%s", diff)
	}
}

func TestJSONDeterministic(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		name  string
		build func() *Schema
	}{
		{"input widget", func() *Schema { return MustForInput(widget{}) }},
		{"output summary", func() *Schema { return MustForOutput(summary{}) }},
		{"input CreateAgentRequest", func() *Schema {
			return MustForInput(heppu.CreateAgentRequest{})
		}},
		{"output Agent", func() *Schema { return MustForOutput(heppu.Agent{}) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			want := tc.build().JSON()
			for range 20 {
				if got := tc.build().JSON(); !bytes.Equal(want, got) {
					t.Fatalf("JSON() differs between builds:\n%s\n%s", want, got)
				}
			}
		})
	}
}

func TestJSONReturnsCopy(t *testing.T) {
	t.Parallel()

	s := MustForInput(widget{})
	b := s.JSON()
	b[0] = 'X'
	if got := s.JSON(); got[0] != '{' {
		t.Errorf("changing the result of JSON() changed the schema: %s", got)
	}
}

func TestForInputDocument(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		name string
		v    any
	}{
		{"widget", widget{}},
		{"CreateAgentRequest", heppu.CreateAgentRequest{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			doc := decodeObject(t, MustForInput(tc.v).JSON())
			for _, key := range []string{"$schema", "$id", "$defs"} {
				if _, ok := doc[key]; ok {
					t.Errorf("schema has %q", key)
				}
			}
			if doc["type"] != "object" {
				t.Errorf("root type = %v, want object", doc["type"])
			}
			eachObject(doc, "#", func(ptr string, node map[string]any) {
				if node["type"] != "object" || node["properties"] == nil {
					return
				}
				if node["additionalProperties"] != false {
					t.Errorf("%s: additionalProperties = %v, want false",
						ptr, node["additionalProperties"])
				}
			})
		})
	}
}

func TestForInputRequired(t *testing.T) {
	t.Parallel()

	doc := decodeObject(t, MustForInput(heppu.CreateAgentRequest{}).JSON())
	if diff := cmp.Diff([]any{"name", "type"}, doc["required"]); diff != "" {
		t.Errorf("required mismatch (-want +got):\n%s", diff)
	}
}

// TestCreateAgentEnums guards the enums of heppu.CreateAgentRequest's
// tags against drifting from heppu's documented lists.
func TestCreateAgentEnums(t *testing.T) {
	t.Parallel()

	doc := decodeObject(t, MustForInput(heppu.CreateAgentRequest{}).JSON())
	props := doc["properties"].(map[string]any)
	config := props["config"].(map[string]any)["properties"].(map[string]any)
	for _, tc := range []struct {
		name string
		prop any
		want []string
	}{
		{"type", props["type"], []string{string(heppu.Voice), string(heppu.Chat)}},
		{"model", props["model"], append(slices.Clone(heppu.VoiceModels), heppu.ChatModels...)},
		{"config.voice", config["voice"], heppu.Voices},
		{"config.theme", config["theme"], heppu.Themes},
		{"config.position", config["position"], heppu.Positions},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			var got []string
			enum, _ := tc.prop.(map[string]any)["enum"].([]any)
			for _, v := range enum {
				got = append(got, v.(string))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("enum of %s mismatch (-want +got):\n%s", tc.name, diff)
			}
		})
	}
}

// TestForInputEmbedded checks a tool's argument type that embeds the API's
// request and adds a field of its own.
func TestForInputEmbedded(t *testing.T) {
	t.Parallel()

	type args struct {
		heppu.CreateAgentRequest
		DryRun bool `json:"dryRun,omitempty" jsonschema_description:"Only check the arguments."`
	}
	s := MustForInput(args{})
	doc := decodeObject(t, s.JSON())

	var names []string
	for name := range doc["properties"].(map[string]any) {
		names = append(names, name)
	}
	slices.Sort(names)
	want := []string{"config", "dryRun", "instructions", "model", "name", "toolIds", "type"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("properties mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]any{"name", "type"}, doc["required"]); diff != "" {
		t.Errorf("required mismatch (-want +got):\n%s", diff)
	}

	problems := s.Validate(decode(t, `{"name":"A","type":"chat","dryRun":"yes","dry":true}`))
	wantProblems := []Problem{
		{
			Path: "dry", Keyword: "additionalProperties",
			Message: "is not an allowed argument", Allowed: want,
		},
		{Path: "dryRun", Keyword: "type", Message: "must be a boolean, not a string"},
	}
	if diff := cmp.Diff(wantProblems, problems); diff != "" {
		t.Errorf("Validate() mismatch (-want +got):\n%s", diff)
	}
	if got := CheckPortable(s.JSON(), Input); got != nil {
		t.Errorf("CheckPortable() = %q, want nothing", got)
	}
}

func TestForOutputOpen(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		name string
		v    any
	}{
		{"summary", summary{}},
		{"Agent", heppu.Agent{}},
		{"AgentList", heppu.AgentList{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			doc := decodeObject(t, MustForOutput(tc.v).JSON())
			eachObject(doc, "#", func(ptr string, node map[string]any) {
				if _, ok := node["additionalProperties"]; ok {
					t.Errorf("%s has additionalProperties: %v", ptr, node["additionalProperties"])
				}
			})
		})
	}
}

func TestForOutputAcceptsExtraKeys(t *testing.T) {
	t.Parallel()

	s := MustForOutput(heppu.Agent{})
	v := decode(t, `{"id":"a1","name":"Ada","type":"chat","instructions":"",`+
		`"region":"eu","config":{"theme":"dark","widgetVersion":3},`+
		`"tools":[{"id":"crm","vendor":"acme"}]}`)
	if got := s.Validate(v); got != nil {
		t.Errorf("Validate() = %v, want no problems", got)
	}
}

// TestForOutputAcceptsNewValues checks that an output schema constrains
// shapes, not values: a voice or type Heppu adds later, or a speed outside
// today's range, still conforms.
func TestForOutputAcceptsNewValues(t *testing.T) {
	t.Parallel()

	s := MustForOutput(heppu.Agent{})
	v := decode(t, `{"id":"a1","name":"","type":"video","instructions":"",`+
		`"config":{"voice":"marin","speed":3.5,"primaryColor":"blue","allowedDomains":["a","a"]}}`)
	if got := s.Validate(v); got != nil {
		t.Errorf("Validate() = %v, want no problems", got)
	}
	v = decode(t, `{"id":"a1","name":"Ada","type":"chat","instructions":"","config":{"speed":"x"}}`)
	if got := s.Validate(v); len(got) != 1 || got[0].Keyword != "type" {
		t.Errorf("Validate() = %v, want one type problem: shapes still count", got)
	}
}

func TestForInputErrors(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		name string
		v    any
		want string
	}{
		{"nil", nil, "reflecting schema"},
		{"string", "text", `root type is "string", not object`},
		{"slice", []widget{}, `root type is "array", not object`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			for _, build := range []func(any) (*Schema, error){ForInput, ForOutput} {
				_, err := build(tc.v)
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("error = %v, want one containing %q", err, tc.want)
				}
			}
		})
	}
}

func TestMustPanics(t *testing.T) {
	t.Parallel()

	for name, must := range map[string]func(any) *Schema{
		"MustForInput":  MustForInput,
		"MustForOutput": MustForOutput,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()

			defer func() {
				if recover() == nil {
					t.Errorf("%s(42) did not panic", name)
				}
			}()
			must(42)
		})
	}
}

// decode decodes a JSON literal of a test, failing the test on error.
func decode(t testing.TB, s string) any {
	t.Helper()
	v, err := Decode([]byte(s))
	if err != nil {
		t.Fatalf("Decode(%s): %v", s, err)
	}
	return v
}

// decodeObject decodes a schema document into a map.
func decodeObject(t testing.TB, doc json.RawMessage) map[string]any {
	t.Helper()
	m, ok := decode(t, string(doc)).(map[string]any)
	if !ok {
		t.Fatalf("schema is not an object: %s", doc)
	}
	return m
}

// eachObject calls fn for node and for every object nested in it, with a
// JSON pointer to each.
func eachObject(node any, ptr string, fn func(ptr string, node map[string]any)) {
	switch n := node.(type) {
	case map[string]any:
		fn(ptr, n)
		for k, v := range n {
			eachObject(v, ptr+"/"+k, fn)
		}
	case []any:
		for _, v := range n {
			eachObject(v, ptr+"/[]", fn)
		}
	}
}

// TestParseRefusesWhatItCannotEnforce checks that a document is refused,
// when compiled, for any keyword Validate would not enforce: advertising
// it would promise a check that never happens.
func TestParseRefusesWhatItCannotEnforce(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		name, doc, want string
	}{
		{"unknown keyword", `{"type":"object","properties":{"a":{"type":"string","contentEncoding":"base64"}}}`,
			`#/properties/a/contentEncoding: keyword is not supported`},
		{"combinator", `{"type":"object","anyOf":[{"required":["a"]}]}`, `#/anyOf: keyword is not supported`},
		{"unknown format", `{"type":"object","properties":{"e":{"type":"string","format":"email"}}}`,
			`#/properties/e/format: format "email" is not supported`},
		{"bad pattern", `{"type":"object","properties":{"p":{"type":"string","pattern":"(?<x"}}}`,
			`#/properties/p/pattern: error parsing regexp`},
		{"root not an object", `{"type":"string"}`, `root type is [string], not object`},
		{"not JSON", `{"type":`, `schema is not JSON`},
		{"bad type", `{"type":"object","properties":{"a":{"type":"text"}}}`, `"text" is not a JSON type`},
		{"negative length", `{"type":"object","properties":{"a":{"maxLength":-1}}}`, `at least 0`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			s := Parse([]byte(tc.doc), Input)
			err := s.Compile()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Compile() = %v, want an error containing %q", err, tc.want)
			}
			want := []Problem{{Message: "cannot be validated: " + err.Error()}}
			if diff := cmp.Diff(want, s.Validate(map[string]any{})); diff != "" {
				t.Errorf("Validate() mismatch (-want +got):\n%s", diff)
			}
		})
	}

	// An output schema does not assert formats, so any format is fine.
	s := Parse([]byte(`{"type":"object","properties":{"e":{"type":"string","format":"email"}}}`), Output)
	if err := s.Compile(); err != nil {
		t.Errorf("output schema with a format: %v", err)
	}
}

// TestParseMatchesForInput checks that a document loaded with Parse is the
// schema reflection builds: the same JSON, the same verdicts.
func TestParseMatchesForInput(t *testing.T) {
	t.Parallel()

	s := Parse(widgetSchema.JSON(), Input)
	if !bytes.Equal(s.JSON(), widgetSchema.JSON()) {
		t.Errorf("JSON() = %s, want %s", s.JSON(), widgetSchema.JSON())
	}
	v := decode(t, `{"theme":"blue","size":11,"extra":1,"tags":["a","a"]}`)
	if diff := cmp.Diff(widgetSchema.Validate(v), s.Validate(v)); diff != "" {
		t.Errorf("Validate() mismatch (-ForInput +Parse):\n%s", diff)
	}
}
