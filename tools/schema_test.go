package tools

import (
	"testing"

	"github.com/heppu-ai/heppu-mcp/schema"
)

// TestToolSchemas keeps every tool's schemas as golden files, so that a
// schema change shows in review, and checks that they are portable.
func TestToolSchemas(t *testing.T) {
	t.Parallel()
	ts := New(Options{})
	for _, st := range ts.ServerTools() {
		tool := st.Tool
		t.Run(tool.Name, func(t *testing.T) {
			t.Parallel()
			in, out := tool.RawInputSchema, tool.RawOutputSchema
			golden(t, tool.Name+".input.json", in)
			golden(t, tool.Name+".output.json", out)
			for _, doc := range [][]byte{in, out} {
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
