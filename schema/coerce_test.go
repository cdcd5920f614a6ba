package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/heppu-ai/heppu-mcp/heppu"
)

func TestDecode(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		name    string
		in      string
		want    any
		wantErr bool
	}{
		{
			name: "object with numbers",
			in:   `{"speed": 1.10, "timeout": 300, "big": 12345678901234567890}`,
			want: map[string]any{
				"speed":   json.Number("1.10"),
				"timeout": json.Number("300"),
				"big":     json.Number("12345678901234567890"),
			},
		},
		{name: "array", in: ` ["a", null, true] `, want: []any{"a", nil, true}},
		{name: "null", in: `null`, want: nil},
		{name: "trailing value", in: `{"a":1} {"b":2}`, wantErr: true},
		{name: "trailing garbage", in: `{"a":1}x`, wantErr: true},
		{name: "trailing bracket", in: `["a"]]`, wantErr: true},
		{name: "truncated", in: `{"a":`, wantErr: true},
		{name: "empty", in: ``, wantErr: true},
		{name: "blank", in: "  \n", wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			got, err := Decode([]byte(tc.in))
			if tc.wantErr {
				if err == nil {
					t.Errorf("Decode(%q) = %v, want an error", tc.in, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("Decode(%q): %v", tc.in, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Decode(%q) mismatch (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

func TestCoerceJSONStrings(t *testing.T) {
	t.Parallel()

	agent := MustForInput(heppu.CreateAgentRequest{})
	for _, tc := range []struct {
		name   string
		schema *Schema
		in     string
		want   string
	}{
		{
			name:   "object as string",
			schema: agent,
			in:     `{"name":"A","type":"voice","config":"{\"voice\":\"ash\",\"speed\":1.50}"}`,
			want:   `{"name":"A","type":"voice","config":{"voice":"ash","speed":1.50}}`,
		},
		{
			name:   "array as string",
			schema: agent,
			in:     `{"name":"A","type":"chat","toolIds":"[\"crm\", \"sms\"]"}`,
			want:   `{"name":"A","type":"chat","toolIds":["crm","sms"]}`,
		},
		{
			name:   "surrounding space",
			schema: agent,
			in:     `{"name":"A","type":"chat","toolIds":"  [\"crm\"]\n"}`,
			want:   `{"name":"A","type":"chat","toolIds":["crm"]}`,
		},
		{
			name:   "nested array as string",
			schema: agent,
			in:     `{"name":"A","type":"chat","config":{"allowedDomains":"[\"example.com\"]"}}`,
			want:   `{"name":"A","type":"chat","config":{"allowedDomains":["example.com"]}}`,
		},
		{
			name:   "string inside a string",
			schema: agent,
			in: `{"name":"A","type":"chat",` +
				`"config":"{\"allowedDomains\":\"[\\\"a.com\\\"]\"}"}`,
			want: `{"name":"A","type":"chat","config":{"allowedDomains":["a.com"]}}`,
		},
		{
			name:   "object inside an array item",
			schema: widgetSchema,
			in:     `{"title":"S","slots":["{\"id\":\"top\"}",{"id":"side"}]}`,
			want:   `{"title":"S","slots":[{"id":"top"},{"id":"side"}]}`,
		},
		{
			name:   "object as string inside an array as string",
			schema: widgetSchema,
			in:     `{"title":"S","slots":"[\"{\\\"id\\\":\\\"top\\\"}\"]"}`,
			want:   `{"title":"S","slots":[{"id":"top"}]}`,
		},
		{
			name:   "not JSON",
			schema: agent,
			in:     `{"name":"A","type":"chat","config":"{dark theme}","toolIds":"crm, sms"}`,
			want:   `{"name":"A","type":"chat","config":"{dark theme}","toolIds":"crm, sms"}`,
		},
		{
			name:   "wrong kind of JSON",
			schema: agent,
			in:     `{"name":"A","type":"chat","config":"[\"dark\"]","toolIds":"{\"id\":\"crm\"}"}`,
			want:   `{"name":"A","type":"chat","config":"[\"dark\"]","toolIds":"{\"id\":\"crm\"}"}`,
		},
		{
			name:   "scalar JSON",
			schema: agent,
			in:     `{"name":"A","type":"chat","config":"null","toolIds":"\"crm\""}`,
			want:   `{"name":"A","type":"chat","config":"null","toolIds":"\"crm\""}`,
		},
		{
			name:   "trailing data",
			schema: agent,
			in:     `{"name":"A","type":"chat","config":"{} {}"}`,
			want:   `{"name":"A","type":"chat","config":"{} {}"}`,
		},
		{
			name:   "string fields stay strings",
			schema: agent,
			in:     `{"name":"{\"a\":1}","type":"chat","instructions":"[1,2]"}`,
			want:   `{"name":"{\"a\":1}","type":"chat","instructions":"[1,2]"}`,
		},
		{
			name:   "unknown keys untouched",
			schema: agent,
			in:     `{"name":"A","type":"chat","extra":"{\"a\":1}"}`,
			want:   `{"name":"A","type":"chat","extra":"{\"a\":1}"}`,
		},
		{
			name:   "already structured",
			schema: agent,
			in:     `{"name":"A","type":"chat","config":{"theme":"dark"},"toolIds":["crm"]}`,
			want:   `{"name":"A","type":"chat","config":{"theme":"dark"},"toolIds":["crm"]}`,
		},
		{
			name:   "root not an object",
			schema: agent,
			in:     `"{\"name\":\"A\"}"`,
			want:   `{"name":"A"}`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			got, changed := tc.schema.CoerceJSONStrings(decode(t, tc.in))
			if diff := cmp.Diff(decode(t, tc.want), got); diff != "" {
				t.Errorf("CoerceJSONStrings(%s) mismatch (-want +got):\n%s", tc.in, diff)
			}
			if want := !cmp.Equal(decode(t, tc.in), decode(t, tc.want)); changed != want {
				t.Errorf("CoerceJSONStrings(%s) changed = %v, want %v", tc.in, changed, want)
			}
		})
	}
}

func TestCoerceJSONStringsLeavesInputAlone(t *testing.T) {
	t.Parallel()

	const in = `{"name":"A","type":"chat",` +
		`"config":{"allowedDomains":"[\"a.com\"]"},"toolIds":["crm"]}`
	v := decode(t, in)
	got, _ := createAgentSchema.CoerceJSONStrings(v)

	if diff := cmp.Diff(decode(t, in), v); diff != "" {
		t.Errorf("CoerceJSONStrings changed its argument (-want +got):\n%s", diff)
	}
	if problems := createAgentSchema.Validate(got); problems != nil {
		t.Errorf("Validate(coerced) = %v, want no problems", problems)
	}
}

func TestCoerceJSONStringsKeepsNumbers(t *testing.T) {
	t.Parallel()

	got, _ := createAgentSchema.CoerceJSONStrings(decode(t, `{"config":"{\"speed\":1.10}"}`))
	speed := got.(map[string]any)["config"].(map[string]any)["speed"]
	if speed != json.Number("1.10") {
		t.Errorf("speed = %#v, want json.Number(\"1.10\")", speed)
	}
}

// FuzzDecode holds Decode to encoding/json's Decoder with UseNumber: the
// same values from the same input, and an error where it has one.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		`{"speed": 1.10, "timeout": 300, "big": 12345678901234567890}`,
		` ["a", null, true, false, -0, 0.5e-3, 1E+2] `, `null`, `{"a":1} {"b":2}`, `{"a":1}x`,
		`["a"]]`, `{"a":`, ``, "  \n", `"\ud800"`, `"\ud83d\ude00"`, `"\udc00\ud800x"`,
		`"\u00e9\n\t\/\\\""`, "\"\xff\xfe\"", "\"caf\xc3\xa9\"", `{"a":1,"a":2}`, `01`, `1.`,
		`-`, `1e`, `[1,]`, `{"a" 1}`, `{,}`, `tru`, `nul`, "\"a\x01\"", `"\x"`, `"\u12"`,
		`{"a":{"b":[{"c":"d"}]}}`, `[[[[]]]]`, `"\ud800\u0041"`, `1e999`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Decode(data)

		d := json.NewDecoder(bytes.NewReader(data))
		d.UseNumber()
		var want any
		wantErr := d.Decode(&want)
		if wantErr == nil {
			if _, tokErr := d.Token(); tokErr != io.EOF {
				wantErr = errors.New("trailing data")
			}
		}

		if (err == nil) != (wantErr == nil) {
			t.Fatalf("Decode(%q) error = %v, encoding/json's = %v", data, err, wantErr)
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("Decode(%q) = %#v, encoding/json gives %#v", data, got, want)
		}
	})
}

func BenchmarkDecode(b *testing.B) {
	data := []byte(`{"name":"Front desk","type":"voice","model":"gpt-realtime-2025-08-28",` +
		`"instructions":"You answer calls for Acme Dental. Book, move and cancel appointments.",` +
		`"config":{"voice":"coral","speed":1.1,"interruptionThreshold":0.4,"timeout":300},` +
		`"toolIds":["calendar","crm","sms"]}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}
