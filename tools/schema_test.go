package tools

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/heppu-ai/heppu-mcp/heppu"

	"github.com/heppu-ai/heppu-mcp/schema"
)

// TestToolSchemas keeps every tool's schemas as golden files, so that a
// schema change shows in review, and checks that they are portable.
func TestToolSchemas(t *testing.T) {
	t.Parallel()
	ts := New(Options{})
	if err := ts.CompileSchemas(); err != nil {
		t.Fatalf("CompileSchemas: %v", err)
	}
	for _, tt := range ts.table() {
		if err := tt.def.out.Compile(); err != nil {
			t.Errorf("%s output schema: %v", tt.def.name, err)
		}
	}
	for _, st := range ts.ServerTools() {
		tool := st.Tool
		t.Run(tool.Name, func(t *testing.T) {
			t.Parallel()
			in, out := tool.RawInputSchema, tool.RawOutputSchema
			golden(t, tool.Name+".input.json", in)
			golden(t, tool.Name+".output.json", out)
			for _, doc := range [][]byte{in, out} {
				if _, err := schema.Decode(doc); err != nil {
					t.Errorf("schema is not JSON: %v", err)
				}
				for _, p := range schema.CheckPortable(doc) {
					t.Errorf("not portable: %s", p)
				}
			}
			if tool.Description == "" {
				t.Error("no description")
			}
		})
	}
}

// TestSchemaEnums checks every enum a tool advertises against the heppu
// package's lists, which the struct tags copy: a value added to one and
// not the other would be refused, or sent to Heppu unchecked.
func TestSchemaEnums(t *testing.T) {
	t.Parallel()
	var statuses []string
	for _, s := range heppu.Statuses {
		statuses = append(statuses, string(s))
	}
	want := map[string][]string{
		"type":     {string(heppu.Voice), string(heppu.Chat)},
		"status":   statuses,
		"model":    slices.Concat(heppu.VoiceModels, heppu.ChatModels),
		"voice":    heppu.Voices,
		"theme":    heppu.Themes,
		"position": heppu.Positions,
	}
	checked := 0
	for _, st := range New(Options{}).ServerTools() {
		var doc map[string]any
		if err := json.Unmarshal(st.Tool.RawInputSchema, &doc); err != nil {
			t.Fatal(err)
		}
		var walk func(path string, node map[string]any)
		walk = func(path string, node map[string]any) {
			props, _ := node["properties"].(map[string]any)
			for name, p := range props {
				prop := p.(map[string]any)
				if enum, ok := prop["enum"].([]any); ok {
					var got []string
					for _, v := range enum {
						got = append(got, v.(string))
					}
					if diff := cmp.Diff(want[name], got); diff != "" {
						t.Errorf("%s %s%s enum (-want +got):\n%s", st.Tool.Name, path, name, diff)
					}
					checked++
				}
				walk(path+name+".", prop)
			}
		}
		walk("", doc)
	}
	if checked < 10 {
		t.Errorf("checked only %d enums; the walk missed some", checked)
	}
}
