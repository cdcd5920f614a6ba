package tools

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/heppu-ai/heppu-mcp/heppu"

	"github.com/heppu-ai/heppu-mcp/schema"
)

// schemaSources are the Go types each tool's schemas are generated from.
var schemaSources = map[string]struct{ in, out any }{
	"create_agent": {createAgentArgs{}, CreateAgentResult{}},
	"list_agents":  {listAgentsArgs{}, ListAgentsResult{}},
	"get_agent":    {getAgentArgs{}, GetAgentResult{}},
	"update_agent": {updateAgentArgs{}, UpdateAgentResult{}},
	"delete_agent": {deleteAgentArgs{}, DeleteAgentResult{}},
}

// TestToolSchemas checks that the schema files the tools load are the ones
// reflection generates from the Go types today (go generate ./tools writes
// them), that the tools advertise exactly those, and that they are
// portable. The files double as golden files: a schema change shows in
// review.
func TestToolSchemas(t *testing.T) {
	t.Parallel()
	ts := New(Options{})
	for _, tt := range ts.table() {
		for _, s := range []*schema.Schema{tt.def.in, tt.def.out} {
			if err := s.Compile(); err != nil {
				t.Errorf("%s: embedded schema does not compile: %v", tt.def.name, err)
			}
		}
	}
	tools := ts.ServerTools()
	if len(tools) != len(schemaSources) {
		t.Errorf("%d tools, %d schema sources; add the new tool's types to schemaSources",
			len(tools), len(schemaSources))
	}
	for _, st := range tools {
		tool := st.Tool
		t.Run(tool.Name, func(t *testing.T) {
			t.Parallel()
			src, ok := schemaSources[tool.Name]
			if !ok {
				t.Fatalf("no schema source for %s", tool.Name)
			}
			in := schema.MustForInput(src.in).JSON()
			out := schema.MustForOutput(src.out).JSON()
			generated(t, filepath.Join("schemas", tool.Name+".input.json"), in)
			generated(t, filepath.Join("schemas", tool.Name+".output.json"), out)
			if *update {
				return // the tools loaded the files as they were
			}
			if !bytes.Equal(tool.RawInputSchema, in) {
				t.Errorf("advertised input schema differs from the generated one:\n%s\n%s",
					tool.RawInputSchema, in)
			}
			if !bytes.Equal(tool.RawOutputSchema, out) {
				t.Errorf("advertised output schema differs from the generated one:\n%s\n%s",
					tool.RawOutputSchema, out)
			}
			for _, p := range schema.CheckPortable(in, schema.Input) {
				t.Errorf("input schema not portable: %s", p)
			}
			for _, p := range schema.CheckPortable(out, schema.Output) {
				t.Errorf("output schema not portable: %s", p)
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
