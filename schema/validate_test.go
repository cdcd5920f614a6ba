package schema

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/heppu-ai/heppu-mcp/heppu"
)

var (
	widgetSchema      = MustForInput(widget{})
	createAgentSchema = MustForInput(heppu.CreateAgentRequest{})
)

// badFormat is the message of every "pattern" problem.
const badFormat = "does not match the required format"

var (
	widgetKeys = []string{"layout", "opacity", "size", "slots", "tags", "theme", "title"}
	layoutKeys = []string{"columns", "gap"}
	slotKeys   = []string{"colour", "id"}
	agentKeys  = []string{"config", "instructions", "model", "name", "toolIds", "type"}
	configKeys = []string{
		"allowedDomains", "greeting", "interruptionThreshold", "placeholder", "position",
		"primaryColor", "speed", "theme", "timeout", "voice",
	}
)

func TestValidateWidget(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		name string
		in   string
		want []Problem
	}{
		{
			name: "valid",
			in: `{"title":"Sales","theme":"dark","size":3,"opacity":0.75,"tags":["a","b"],` +
				`"layout":{"columns":2,"gap":1.5},"slots":[{"id":"top","colour":"#fff"}]}`,
		},
		{
			name: "valid minimal",
			in:   `{"title":"S"}`,
		},
		{
			name: "required",
			in:   `{}`,
			want: []Problem{{Path: "title", Keyword: "required", Message: "is required"}},
		},
		{
			name: "nested required",
			in:   `{"title":"S","layout":{},"slots":[{"id":"a"},{}]}`,
			want: []Problem{
				{Path: "layout.columns", Keyword: "required", Message: "is required"},
				{Path: "slots[1].id", Keyword: "required", Message: "is required"},
			},
		},
		{
			name: "unknown keys split per key",
			in:   `{"title":"S","voice":"ash","colour":"red","layout":{"columns":1,"rows":2}}`,
			want: []Problem{
				{
					Path: "colour", Keyword: "additionalProperties",
					Message: "is not an allowed argument", Allowed: widgetKeys,
				},
				{
					Path: "layout.rows", Keyword: "additionalProperties",
					Message: "is not an allowed key", Allowed: layoutKeys,
				},
				{
					Path: "voice", Keyword: "additionalProperties",
					Message: "is not an allowed argument", Allowed: widgetKeys,
				},
			},
		},
		{
			name: "unknown key in array item",
			in:   `{"title":"S","slots":[{"id":"a","size":2}]}`,
			want: []Problem{{
				Path: "slots[0].size", Keyword: "additionalProperties",
				Message: "is not an allowed key", Allowed: slotKeys,
			}},
		},
		{
			name: "enum",
			in:   `{"title":"S","theme":"blue"}`,
			want: []Problem{{
				Path: "theme", Keyword: "enum",
				Message: "must be one of: light, dark", Allowed: []string{"light", "dark"},
			}},
		},
		{
			name: "minimum and maximum",
			in:   `{"title":"S","size":0,"opacity":1.5}`,
			want: []Problem{
				{Path: "opacity", Keyword: "maximum", Message: "must be at most 1"},
				{Path: "size", Keyword: "minimum", Message: "must be at least 1"},
			},
		},
		{
			name: "decimal minimum printed plainly",
			in:   `{"title":"S","opacity":0.25}`,
			want: []Problem{{Path: "opacity", Keyword: "minimum", Message: "must be at least 0.5"}},
		},
		{
			name: "exclusive bounds",
			in:   `{"title":"S","layout":{"columns":5,"gap":0}}`,
			want: []Problem{
				{Path: "layout.columns", Keyword: "maximum", Message: "must be at most 4"},
				{
					Path: "layout.gap", Keyword: "exclusiveMinimum",
					Message: "must be greater than 0",
				},
			},
		},
		{
			name: "exclusive maximum",
			in:   `{"title":"S","layout":{"columns":1,"gap":2.5}}`,
			want: []Problem{{
				Path: "layout.gap", Keyword: "exclusiveMaximum", Message: "must be less than 2.5",
			}},
		},
		{
			name: "integer",
			in:   `{"title":"S","size":2.5}`,
			want: []Problem{{Path: "size", Keyword: "type", Message: "must be a whole number"}},
		},
		{
			name: "integer written with a fraction of zero",
			in:   `{"title":"S","size":2.0}`,
		},
		{
			name: "lengths",
			in:   `{"title":"","tags":["x",""]}`,
			want: []Problem{
				{Path: "tags[1]", Keyword: "minLength", Message: "must be at least 1 character"},
				{Path: "title", Keyword: "minLength", Message: "must be at least 1 character"},
			},
		},
		{
			name: "max length counts characters",
			in:   `{"title":"` + strings.Repeat("é", 41) + `"}`,
			want: []Problem{{
				Path: "title", Keyword: "maxLength", Message: "must be at most 40 characters",
			}},
		},
		{
			name: "max length of exactly the limit",
			in:   `{"title":"` + strings.Repeat("é", 40) + `"}`,
		},
		{
			name: "array length and duplicates",
			in:   `{"title":"S","tags":["a","b","a","c"]}`,
			want: []Problem{
				{Path: "tags", Keyword: "maxItems", Message: "must have at most 3 items"},
				{
					Path: "tags", Keyword: "uniqueItems",
					Message: "must not contain duplicates (items 0 and 2 are equal)",
				},
			},
		},
		{
			name: "pattern",
			in:   `{"title":"S","slots":[{"id":"Top","colour":"#12345"}]}`,
			want: []Problem{
				{Path: "slots[0].colour", Keyword: "pattern", Message: badFormat},
				{Path: "slots[0].id", Keyword: "pattern", Message: badFormat},
			},
		},
		{
			name: "types",
			in:   `{"title":7,"theme":true,"size":"3","tags":"a","layout":[],"slots":{}}`,
			want: []Problem{
				{Path: "layout", Keyword: "type", Message: "must be an object, not an array"},
				{Path: "size", Keyword: "type", Message: "must be an integer, not a string"},
				{Path: "slots", Keyword: "type", Message: "must be an array, not an object"},
				{Path: "tags", Keyword: "type", Message: "must be an array, not a string"},
				{Path: "theme", Keyword: "type", Message: "must be a string, not a boolean"},
				{Path: "title", Keyword: "type", Message: "must be a string, not a number"},
			},
		},
		{
			name: "nulls",
			in:   `{"title":null,"opacity":null,"layout":null,"tags":[null]}`,
			want: []Problem{
				{Path: "layout", Keyword: "type", Message: "must be an object, not null"},
				{Path: "opacity", Keyword: "type", Message: "must be a number, not null"},
				{Path: "tags[0]", Keyword: "type", Message: "must be a string, not null"},
				{Path: "title", Keyword: "type", Message: "must be a string, not null"},
			},
		},
		{
			name: "root null",
			in:   `null`,
			want: []Problem{{Keyword: "type", Message: "must be an object, not null"}},
		},
		{
			name: "root array",
			in:   `[]`,
			want: []Problem{{Keyword: "type", Message: "must be an object, not an array"}},
		},
		{
			name: "many problems at once",
			in: `{"theme":"blue","size":11,"extra":1,"tags":["a","a"],` +
				`"layout":{"columns":0},"slots":[{"id":"ok"},{"id":"NO"},{"id":1}]}`,
			want: []Problem{
				{
					Path: "extra", Keyword: "additionalProperties",
					Message: "is not an allowed argument", Allowed: widgetKeys,
				},
				{Path: "layout.columns", Keyword: "minimum", Message: "must be at least 1"},
				{Path: "size", Keyword: "maximum", Message: "must be at most 10"},
				{Path: "slots[1].id", Keyword: "pattern", Message: badFormat},
				{Path: "slots[2].id", Keyword: "type", Message: "must be a string, not a number"},
				{
					Path: "tags", Keyword: "uniqueItems",
					Message: "must not contain duplicates (items 0 and 1 are equal)",
				},
				{
					Path: "theme", Keyword: "enum",
					Message: "must be one of: light, dark", Allowed: []string{"light", "dark"},
				},
				{Path: "title", Keyword: "required", Message: "is required"},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			got := widgetSchema.Validate(decode(t, tc.in))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Validate(%s) mismatch (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

func TestValidateCreateAgent(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		name string
		in   string
		want []Problem
	}{
		{
			name: "voice agent",
			in: `{"name":"Front desk","type":"voice","model":"gpt-realtime-2025-08-28",` +
				`"instructions":"Greet callers.","config":{"voice":"sage","speed":1.25,` +
				`"interruptionThreshold":0,"timeout":300},"toolIds":["calendar","crm"]}`,
		},
		{
			name: "chat agent",
			in: `{"name":"Site helper","type":"chat","config":{"theme":"dark",` +
				`"primaryColor":"#3B82F6","position":"bottom-left","greeting":"Hi!",` +
				`"allowedDomains":["example.com","www.example.com","localhost"]}}`,
		},
		{
			name: "missing name and type",
			in:   `{"instructions":"Be brief."}`,
			want: []Problem{
				{Path: "name", Keyword: "required", Message: "is required"},
				{Path: "type", Keyword: "required", Message: "is required"},
			},
		},
		{
			name: "blank name",
			in:   `{"name":"   ","type":"chat"}`,
			want: []Problem{{Path: "name", Keyword: "pattern", Message: badFormat}},
		},
		{
			name: "empty name",
			in:   `{"name":"","type":"chat"}`,
			want: []Problem{
				{Path: "name", Keyword: "pattern", Message: badFormat},
				{Path: "name", Keyword: "minLength", Message: "must be at least 1 character"},
			},
		},
		{
			name: "long name",
			in:   `{"name":"` + strings.Repeat("a", 256) + `","type":"chat"}`,
			want: []Problem{{
				Path: "name", Keyword: "maxLength", Message: "must be at most 255 characters",
			}},
		},
		{
			name: "unknown type",
			in:   `{"name":"A","type":"sms"}`,
			want: []Problem{{
				Path: "type", Keyword: "enum",
				Message: "must be one of: voice, chat", Allowed: []string{"voice", "chat"},
			}},
		},
		{
			name: "unknown model",
			in:   `{"name":"A","type":"chat","model":"gpt-5"}`,
			want: []Problem{{
				Path: "model", Keyword: "enum",
				Message: "must be one of: gpt-realtime-2025-08-28, gpt-4o, gpt-4o-mini, " +
					"gpt-4, gpt-4-turbo, gpt-3.5-turbo",
				Allowed: []string{
					"gpt-realtime-2025-08-28", "gpt-4o", "gpt-4o-mini",
					"gpt-4", "gpt-4-turbo", "gpt-3.5-turbo",
				},
			}},
		},
		{
			name: "unknown arguments and config keys",
			in: `{"name":"A","type":"voice","voice":"ash","dryrun":true,` +
				`"config":{"colour":"red"}}`,
			want: []Problem{
				{
					Path: "config.colour", Keyword: "additionalProperties",
					Message: "is not an allowed key", Allowed: configKeys,
				},
				{
					Path: "dryrun", Keyword: "additionalProperties",
					Message: "is not an allowed argument", Allowed: agentKeys,
				},
				{
					Path: "voice", Keyword: "additionalProperties",
					Message: "is not an allowed argument", Allowed: agentKeys,
				},
			},
		},
		{
			name: "voice settings out of range",
			in: `{"name":"A","type":"voice","config":{"voice":"robot","speed":2.5,` +
				`"interruptionThreshold":-0.1,"timeout":0}}`,
			want: []Problem{
				{
					Path: "config.interruptionThreshold", Keyword: "minimum",
					Message: "must be at least 0",
				},
				{Path: "config.speed", Keyword: "maximum", Message: "must be at most 2"},
				{
					Path: "config.timeout", Keyword: "exclusiveMinimum",
					Message: "must be greater than 0",
				},
				{
					Path: "config.voice", Keyword: "enum",
					Message: "must be one of: ash, ballad, coral, sage, verse, shimmer",
					Allowed: []string{"ash", "ballad", "coral", "sage", "verse", "shimmer"},
				},
			},
		},
		{
			name: "slow speed",
			in:   `{"name":"A","type":"voice","config":{"speed":0.4}}`,
			want: []Problem{{
				Path: "config.speed", Keyword: "minimum", Message: "must be at least 0.5",
			}},
		},
		{
			name: "null config and null tool",
			in:   `{"name":"A","type":"chat","config":null,"toolIds":["crm",null]}`,
			want: []Problem{
				{Path: "config", Keyword: "type", Message: "must be an object, not null"},
				{Path: "toolIds[1]", Keyword: "type", Message: "must be a string, not null"},
			},
		},
		{
			name: "tool IDs",
			in:   `{"name":"A","type":"chat","toolIds":["crm","","crm"]}`,
			want: []Problem{
				{
					Path: "toolIds", Keyword: "uniqueItems",
					Message: "must not contain duplicates (items 0 and 2 are equal)",
				},
				{Path: "toolIds[1]", Keyword: "minLength", Message: "must be at least 1 character"},
			},
		},
		{
			name: "widget settings",
			in: `{"name":"A","type":"chat","config":{"theme":"blue","position":"middle",` +
				`"primaryColor":"blue","allowedDomains":["https://example.com","example.com"]}}`,
			want: []Problem{
				{
					Path: "config.allowedDomains[0]", Keyword: "pattern",
					Message: badFormat,
				},
				{
					Path: "config.position", Keyword: "enum",
					Message: "must be one of: bottom-right, bottom-left, top-right, top-left",
					Allowed: []string{"bottom-right", "bottom-left", "top-right", "top-left"},
				},
				{Path: "config.primaryColor", Keyword: "pattern", Message: badFormat},
				{
					Path: "config.theme", Keyword: "enum",
					Message: "must be one of: light, dark", Allowed: []string{"light", "dark"},
				},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			got := createAgentSchema.Validate(decode(t, tc.in))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Validate(%s) mismatch (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

func TestValidatePrimaryColor(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		colour string
		valid  bool
	}{
		{"#3B82F6", true},
		{"#3b82f6", true},
		{"#fff", true},
		{"#FFF", true},
		{"3B82F6", false},
		{"#3B82F", false},
		{"#3B82F6A0", false},
		{"#ggg", false},
		{"", false},
		{"blue", false},
		{" #fff", false},
	} {
		t.Run(tc.colour, func(t *testing.T) {
			t.Parallel()

			v := map[string]any{
				"name": "A", "type": "chat",
				"config": map[string]any{"primaryColor": tc.colour},
			}
			assertValid(t, createAgentSchema.Validate(v), tc.valid)
		})
	}
}

func TestValidateAllowedDomains(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		domain string
		valid  bool
	}{
		{"example.com", true},
		{"www.example.com", true},
		{"localhost", true},
		{"my-site.example.co.uk", true},
		{"xn--bcher-kva.example", true},
		{strings.Repeat("a", 63) + ".com", true},
		{"https://example.com", false},
		{"example.com/path", false},
		{"example.com:8080", false},
		{"*.example.com", false},
		{"", false},
		{"exa mple.com", false},
		{"-example.com", false},
		{"example-.com", false},
		{"example..com", false},
		{"example.com.", false},
		{strings.Repeat("a", 64) + ".com", false},
		{strings.Repeat("a.", 127) + "ab", false},
	} {
		t.Run(tc.domain, func(t *testing.T) {
			t.Parallel()

			v := map[string]any{
				"name": "A", "type": "chat",
				"config": map[string]any{"allowedDomains": []any{tc.domain}},
			}
			assertValid(t, createAgentSchema.Validate(v), tc.valid)
		})
	}
}

func TestValidateName(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		name  string
		valid bool
	}{
		{"Front desk", true},
		{" padded ", true},
		{"x", true},
		{"", false},
		{" ", false},
		{"\t\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			v := map[string]any{"name": tc.name, "type": "voice"}
			assertValid(t, createAgentSchema.Validate(v), tc.valid)
		})
	}
}

// TestValidateGoValues checks values that did not come from Decode, such
// as float64 numbers from encoding/json.
func TestValidateGoValues(t *testing.T) {
	t.Parallel()

	v := map[string]any{
		"name": "A", "type": "voice",
		"config": map[string]any{"speed": 3.0, "timeout": 30},
	}
	want := []Problem{{Path: "config.speed", Keyword: "maximum", Message: "must be at most 2"}}
	if diff := cmp.Diff(want, createAgentSchema.Validate(v)); diff != "" {
		t.Errorf("Validate() mismatch (-want +got):\n%s", diff)
	}
}

func TestValidateConcurrent(t *testing.T) {
	t.Parallel()

	v := decode(t, `{"name":"","type":"robot","config":{"speed":9}}`)
	want := createAgentSchema.Validate(v)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				if diff := cmp.Diff(want, createAgentSchema.Validate(v)); diff != "" {
					t.Errorf("concurrent Validate() mismatch (-want +got):\n%s", diff)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestProblemString(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		p    Problem
		want string
	}{
		{
			Problem{Path: "config.speed", Keyword: "maximum", Message: "must be at most 2"},
			"config.speed: must be at most 2",
		},
		{
			Problem{Path: "toolIds[2]", Keyword: "type", Message: "must be a string, not null"},
			"toolIds[2]: must be a string, not null",
		},
		{
			Problem{Keyword: "type", Message: "must be an object, not null"},
			"must be an object, not null",
		},
	} {
		if got := tc.p.String(); got != tc.want {
			t.Errorf("%#v.String() = %q, want %q", tc.p, got, tc.want)
		}
	}
}

// TestValidatePath checks how paths are written: keys joined with dots,
// array items as [i], and a key that looks like an index still a key.
func TestValidatePath(t *testing.T) {
	t.Parallel()

	s := Parse([]byte(`{"type":"object","properties":{"a":{"type":"object",
		"properties":{"2":{"type":"array","items":{"type":"object","required":["c"],
		"properties":{"b":{"type":"array","items":{"type":"string"}}}}}}}}}`), Input)
	v := decode(t, `{"a":{"2":[{"c":0,"b":["x",1]},{}]}}`)
	want := []Problem{
		{Path: "a.2[0].b[1]", Keyword: "type", Message: "must be a string, not a number"},
		{Path: "a.2[1].c", Keyword: "required", Message: "is required"},
	}
	if diff := cmp.Diff(want, s.Validate(v)); diff != "" {
		t.Errorf("Validate() mismatch (-want +got):\n%s", diff)
	}
}

// TestValidateAllocations guards against work that belongs at start-up,
// such as compiling, creeping into each call. It does not run in parallel
// so that other tests do not count towards the allocations.
func TestValidateAllocations(t *testing.T) {
	v := decode(t, createAgentArgs)
	allocs := testing.AllocsPerRun(100, func() {
		if p := createAgentSchema.Validate(v); p != nil {
			t.Fatalf("Validate() = %v, want no problems", p)
		}
	})
	// Compiling the schema allocates thousands of times; validating one set
	// of arguments about a hundred.
	if allocs > 400 {
		t.Errorf("Validate() allocates %v times per call, want at most 400", allocs)
	}
}

// createAgentArgs is a realistic set of create_agent arguments.
const createAgentArgs = `{
	"name": "Front desk",
	"type": "voice",
	"model": "gpt-realtime-2025-08-28",
	"instructions": "You answer calls for Acme Dental. Book, move and cancel appointments.",
	"config": {"voice": "coral", "speed": 1.1, "interruptionThreshold": 0.4, "timeout": 300},
	"toolIds": ["calendar", "crm", "sms"]
}`

func BenchmarkValidate(b *testing.B) {
	v := decode(b, createAgentArgs)
	b.ReportAllocs()
	for b.Loop() {
		if p := createAgentSchema.Validate(v); p != nil {
			b.Fatalf("Validate() = %v, want no problems", p)
		}
	}
}

func BenchmarkValidateInvalid(b *testing.B) {
	v := decode(b, `{"name":"","type":"robot","voice":"ash","config":{"speed":9,"colour":"red"}}`)
	b.ReportAllocs()
	for b.Loop() {
		if p := createAgentSchema.Validate(v); p == nil {
			b.Fatal("Validate() found no problems")
		}
	}
}

func assertValid(t *testing.T, problems []Problem, valid bool) {
	t.Helper()
	if valid && problems != nil {
		t.Errorf("Validate() = %v, want no problems", problems)
	}
	if !valid && problems == nil {
		t.Error("Validate() found no problems, want some")
	}
}

// TestValidateFormat checks that a "format" in the advertised input schema
// is enforced, and that output schemas leave formats to their readers.
func TestValidateFormat(t *testing.T) {
	t.Parallel()

	type event struct {
		At time.Time `json:"at" jsonschema_description:"When it happens."`
	}
	in, out := MustForInput(event{}), MustForOutput(event{})
	v := decode(t, `{"at":"next Tuesday"}`)

	want := []Problem{{Path: "at", Keyword: "format", Message: "is not a valid date-time"}}
	if diff := cmp.Diff(want, in.Validate(v)); diff != "" {
		t.Errorf("input Validate() mismatch (-want +got):\n%s", diff)
	}
	if got := out.Validate(v); got != nil {
		t.Errorf("output Validate() = %v, want no problems", got)
	}
	if got := in.Validate(decode(t, `{"at":"2025-06-01T09:30:00Z"}`)); got != nil {
		t.Errorf("Validate(RFC 3339 time) = %v, want no problems", got)
	}
}

// BenchmarkForInput shows what Validate does not pay per call.
func BenchmarkForInput(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		MustForInput(heppu.CreateAgentRequest{})
	}
}
