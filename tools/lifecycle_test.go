package tools

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/heppu-ai/heppu-mcp/heppu"
)

// TestAnnotations pins each tool's hints, which clients use to decide what
// to ask the user before running a tool.
func TestAnnotations(t *testing.T) {
	t.Parallel()
	type hints struct{ ReadOnly, Destructive, Idempotent, OpenWorld bool }
	want := map[string]hints{
		"create_agent": {ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: true},
		"list_agents":  {ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: true},
		"get_agent":    {ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: true},
		"update_agent": {ReadOnly: false, Destructive: true, Idempotent: true, OpenWorld: true},
		"delete_agent": {ReadOnly: false, Destructive: true, Idempotent: true, OpenWorld: true},
	}
	got := map[string]hints{}
	for _, st := range New(Options{}).ServerTools() {
		a := st.Tool.Annotations
		got[st.Tool.Name] = hints{*a.ReadOnlyHint, *a.DestructiveHint, *a.IdempotentHint, *a.OpenWorldHint}
		if a.Title == "" || st.Tool.Title == "" {
			t.Errorf("%s has no title", st.Tool.Name)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("annotations (-want +got):\n%s", diff)
	}
}

func TestMergeConfig(t *testing.T) {
	t.Parallel()
	var current heppu.Config
	if err := json.Unmarshal([]byte(`{"voice":"sage","speed":1.3,"language":"fi"}`), &current); err != nil {
		t.Fatal(err)
	}
	merged := mergeConfig(&current, &heppu.Config{Voice: "coral", InterruptionThreshold: new(0.0)})

	b, err := json.Marshal(merged)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"voice":"coral","speed":1.3,"interruptionThreshold":0,"language":"fi"}`
	var w, g any
	json.Unmarshal([]byte(want), &w)
	json.Unmarshal(b, &g)
	if diff := cmp.Diff(w, g); diff != "" {
		t.Errorf("merged config (-want +got):\n%s", diff)
	}
	if current.Voice != "sage" {
		t.Error("mergeConfig changed the current config")
	}
}

func TestPagination(t *testing.T) {
	t.Parallel()
	yes, no := true, false
	agents := func(n int) []heppu.Agent { return make([]heppu.Agent, n) }
	tests := []struct {
		name          string
		page          heppu.AgentList
		limit, offset int
		wantNext      *int
	}{
		{"more by total", heppu.AgentList{Agents: agents(20), Pagination: heppu.Pagination{Total: 45}},
			20, 0, new(20)},
		{"last page by total", heppu.AgentList{Agents: agents(5), Pagination: heppu.Pagination{Total: 45}},
			20, 40, nil},
		{"hasMore wins", heppu.AgentList{Agents: agents(20), Pagination: heppu.Pagination{Total: 45, HasMore: &no}},
			20, 0, nil},
		{"hasMore without total", heppu.AgentList{Agents: agents(20), Pagination: heppu.Pagination{HasMore: &yes}},
			20, 20, new(40)},
		{"empty page never loops", heppu.AgentList{Pagination: heppu.Pagination{Total: 45, HasMore: &yes}},
			20, 60, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := pagination(&tt.page, tt.limit, tt.offset)
			if diff := cmp.Diff(tt.wantNext, got.NextOffset); diff != "" {
				t.Errorf("nextOffset (-want +got):\n%s", diff)
			}
		})
	}
}
