package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/heppu-ai/heppu-mcp/heppu"
	"github.com/heppu-ai/heppu-mcp/heppu/hepputest"
	"github.com/heppu-ai/heppu-mcp/tools"
)

// startLifecycle runs the binary against a fresh emulator.
func startLifecycle(t *testing.T) (*process, *hepputest.Server) {
	t.Helper()
	emu := newEmulator(t)
	p := startServer(t, "2025-06-18",
		[]string{"HEPPU_API_KEY=" + e2eKey, "HEPPU_BASE_URL=" + emu.URL})
	return p, emu
}

// callInto calls a tool that must succeed and decodes its structured
// content into out.
func callInto(t *testing.T, p *process, tool, args string, out any) {
	t.Helper()
	res := p.call(t, tool, args)
	if res.IsError {
		t.Fatalf("%s(%s) failed: %s", tool, args, textOf(t, res))
	}
	b, err := json.Marshal(res.StructuredContent)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("%s: structured content %s: %v", tool, b, err)
	}
}

// callFails calls a tool that must fail as a tool error and returns the text.
func callFails(t *testing.T, p *process, tool, args string) string {
	t.Helper()
	res := p.call(t, tool, args)
	text := textOf(t, res)
	if !res.IsError {
		t.Fatalf("%s(%s) succeeded, want a tool error: %s", tool, args, text)
	}
	return text
}

// methods returns the methods of the requests the emulator got since the
// last reset, such as [GET PATCH GET].
func methods(emu *hepputest.Server) []string {
	var out []string
	for _, r := range emu.Requests() {
		out = append(out, r.Method)
	}
	return out
}

func checkMethods(t *testing.T, emu *hepputest.Server, want ...string) {
	t.Helper()
	if diff := cmp.Diff(want, methods(emu)); diff != "" {
		t.Errorf("requests to Heppu (-want +got):\n%s", diff)
	}
	emu.ResetRequests()
}

// TestLifecycle walks one agent through the five tools as a user would:
// create, find, read, change, delete and restore.
func TestLifecycle(t *testing.T) {
	t.Parallel()
	p, emu := startLifecycle(t)

	var created tools.CreateAgentResult
	callInto(t, p, "create_agent", `{"name":"Support line","type":"voice",
		"config":{"voice":"sage","speed":1.3,"interruptionThreshold":0.4},"toolIds":["web_search","calendar"]}`,
		&created)
	id := created.Agent.ID
	checkMethods(t, emu, http.MethodPost)

	var list tools.ListAgentsResult
	callInto(t, p, "list_agents", `{}`, &list)
	checkMethods(t, emu, http.MethodGet)
	if len(list.Agents) != 1 || list.Agents[0].ID != id || list.Pagination.Total != 1 {
		t.Fatalf("list = %+v", list)
	}
	if diff := cmp.Diff([]string{"web_search", "calendar"}, list.Agents[0].ToolIDs); diff != "" {
		t.Errorf("listed tool IDs (-want +got):\n%s", diff)
	}

	var got tools.GetAgentResult
	callInto(t, p, "get_agent", fmt.Sprintf(`{"agentId":%q}`, id), &got)
	checkMethods(t, emu, http.MethodGet)
	if got.Agent.Name != "Support line" || got.Agent.Config == nil || *got.Agent.Config.Speed != 1.3 {
		t.Errorf("get = %+v", got.Agent)
	}

	// Changing the voice alone keeps the speed: the config is merged.
	var updated tools.UpdateAgentResult
	callInto(t, p, "update_agent", fmt.Sprintf(`{"agentId":%q,"config":{"voice":"coral"}}`, id), &updated)
	patch := emu.Requests()[1]
	checkMethods(t, emu, http.MethodGet, http.MethodPatch, http.MethodGet)
	wantBody := `{"config":{"voice":"coral","speed":1.3,"interruptionThreshold":0.4,"timeout":30}}`
	if diff := cmp.Diff(decode(t, wantBody), decode(t, string(patch.Body))); diff != "" {
		t.Errorf("PATCH body (-want +got):\n%s", diff)
	}
	cfg := updated.Agent.Config
	if cfg.Voice != "coral" || *cfg.Speed != 1.3 || *cfg.InterruptionThreshold != 0.4 {
		t.Errorf("config after update = %+v", cfg)
	}

	// toolIds replaces the set; an ID Heppu does not assign is warned about.
	callInto(t, p, "update_agent", fmt.Sprintf(`{"agentId":%q,"toolIds":["calendar","salesforce"]}`, id),
		&updated)
	checkMethods(t, emu, http.MethodGet, http.MethodPatch, http.MethodGet)
	if diff := cmp.Diff([]string{"calendar"}, updated.Agent.ToolIDs()); diff != "" {
		t.Errorf("tools after replacement (-want +got):\n%s", diff)
	}
	if len(updated.Warnings) != 1 || !strings.Contains(updated.Warnings[0], `"salesforce"`) {
		t.Errorf("warnings = %q, want one about salesforce", updated.Warnings)
	}
	updated = tools.UpdateAgentResult{}
	callInto(t, p, "update_agent", fmt.Sprintf(`{"agentId":%q,"toolIds":[]}`, id), &updated)
	if body := string(emu.Requests()[1].Body); body != `{"toolIds":[]}` {
		t.Errorf("PATCH body = %s, want toolIds []", body)
	}
	emu.ResetRequests()
	if n := len(updated.Agent.Tools); n != 0 {
		t.Errorf("toolIds [] left %d tools", n)
	}

	var deleted tools.DeleteAgentResult
	callInto(t, p, "delete_agent", fmt.Sprintf(`{"agentId":%q}`, id), &deleted)
	checkMethods(t, emu, http.MethodGet, http.MethodDelete)
	if deleted.Status != heppu.StatusInactive || deleted.AlreadyInactive ||
		deleted.Name != "Support line" || !strings.Contains(deleted.Message, "status: active") {
		t.Errorf("delete = %+v", deleted)
	}
	callInto(t, p, "delete_agent", fmt.Sprintf(`{"agentId":%q}`, id), &deleted)
	checkMethods(t, emu, http.MethodGet)
	if !deleted.AlreadyInactive || !strings.Contains(deleted.Message, "already inactive") {
		t.Errorf("second delete = %+v", deleted)
	}

	updated = tools.UpdateAgentResult{}
	callInto(t, p, "update_agent", fmt.Sprintf(`{"agentId":%q,"status":"active"}`, id), &updated)
	emu.ResetRequests()
	if updated.Agent.Status != heppu.StatusActive || updated.Agent.Config.Voice != "coral" {
		t.Errorf("restored agent = %+v", updated.Agent)
	}
}

func TestUpdateAgentChecks(t *testing.T) {
	t.Parallel()
	p, emu := startLifecycle(t)
	var voice, chat tools.CreateAgentResult
	callInto(t, p, "create_agent", `{"name":"V","type":"voice"}`, &voice)
	callInto(t, p, "create_agent", `{"name":"C","type":"chat","config":{"allowedDomains":["a.example"]}}`, &chat)
	emu.ResetRequests()

	tests := []struct {
		name, args string
		want       []string
		requests   []string // what reaches Heppu
	}{
		{"nothing to change", `{"agentId":%q}`, []string{"nothing to change"}, nil},
		{"empty config", `{"agentId":%q,"config":{}}`, []string{"nothing to change"}, nil},
		{"widget key on a voice agent", `{"agentId":%q,"config":{"theme":"dark"}}`,
			[]string{"voice agent", "config.theme", "nothing was changed"}, []string{http.MethodGet}},
		{"chat model on a voice agent", `{"agentId":%q,"model":"gpt-4o-mini"}`,
			[]string{"model", "gpt-realtime-2025-08-28"}, []string{http.MethodGet}},
		{"type cannot change", `{"agentId":%q,"type":"chat"}`, []string{"type:"}, nil},
		{"blank name", `{"agentId":%q,"name":" "}`, []string{"name: must not be blank"}, nil},
		{"bad status", `{"agentId":%q,"status":"paused"}`, []string{"status:", "inactive"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := callFails(t, p, "update_agent", fmt.Sprintf(tt.args, voice.Agent.ID))
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("error text lacks %q:\n%s", w, text)
				}
			}
			checkMethods(t, emu, tt.requests...)
		})
	}

	t.Run("dry run", func(t *testing.T) {
		var res tools.UpdateAgentResult
		callInto(t, p, "update_agent", fmt.Sprintf(`{"agentId":%q,"name":"C2",
			"config":{"primaryColor":"#000"},"dryRun":true}`, chat.Agent.ID), &res)
		checkMethods(t, emu, http.MethodGet)
		if !res.DryRun || res.Agent != nil || res.Request == nil || *res.Request.Name != "C2" {
			t.Fatalf("dry run = %+v", res)
		}
		want := []string{"a.example"}
		if res.Config.PrimaryColor != "#000" || cmp.Diff(want, res.Config.AllowedDomains) != "" ||
			res.Request.Config.Theme != "dark" {
			t.Errorf("dry-run config = %+v, request config = %+v", res.Config, res.Request.Config)
		}
	})
}

// TestListAgentsPaging pages through 120 agents: none missing, none twice.
func TestListAgentsPaging(t *testing.T) {
	t.Parallel()
	p, emu := startLifecycle(t)
	client, err := heppu.NewClient(heppu.Options{BaseURL: emu.URL, APIKey: e2eKey})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for i := range 120 {
		typ := heppu.Voice
		if i%3 == 0 {
			typ = heppu.Chat
		}
		a, err := client.CreateAgent(context.Background(),
			&heppu.CreateAgentRequest{Name: fmt.Sprintf("agent %03d", i), Type: typ})
		if err != nil {
			t.Fatal(err)
		}
		want[a.ID] = true
	}
	emu.ResetRequests()

	seen := map[string]int{}
	offset, pages := 0, 0
	for {
		var page tools.ListAgentsResult
		callInto(t, p, "list_agents", fmt.Sprintf(`{"limit":50,"offset":%d}`, offset), &page)
		pages++
		if page.Pagination.Total != 120 || page.Pagination.Limit != 50 {
			t.Errorf("page %d pagination = %+v", pages, page.Pagination)
		}
		for _, a := range page.Agents {
			seen[a.ID]++
		}
		if page.Pagination.NextOffset == nil {
			break
		}
		offset = *page.Pagination.NextOffset
		if pages > 5 {
			t.Fatal("paging does not end")
		}
	}
	if pages != 3 || len(emu.Requests()) != 3 {
		t.Errorf("took %d pages and %d requests, want 3 and 3", pages, len(emu.Requests()))
	}
	for id, n := range seen {
		if !want[id] || n != 1 {
			t.Errorf("agent %s seen %d times (known: %v)", id, n, want[id])
		}
	}
	if len(seen) != 120 {
		t.Errorf("saw %d agents, want 120", len(seen))
	}

	var page tools.ListAgentsResult
	callInto(t, p, "list_agents", `{"type":"chat","limit":100}`, &page)
	if page.Pagination.Total != 40 || len(page.Agents) != 40 || page.Pagination.NextOffset != nil {
		t.Errorf("chat filter: total %d, %d agents, next %v", page.Pagination.Total,
			len(page.Agents), page.Pagination.NextOffset)
	}
	for _, a := range page.Agents {
		if a.Type != heppu.Chat {
			t.Errorf("chat filter returned a %s agent", a.Type)
		}
	}
	callInto(t, p, "delete_agent", fmt.Sprintf(`{"agentId":%q}`, page.Agents[0].ID), new(tools.DeleteAgentResult))
	callInto(t, p, "list_agents", `{"status":"inactive"}`, &page)
	if len(page.Agents) != 1 || page.Agents[0].Status != heppu.StatusInactive {
		t.Errorf("status filter = %+v", page.Agents)
	}
	callInto(t, p, "list_agents", `{}`, &page)
	if len(page.Agents) != 20 || page.Pagination.Limit != 20 || *page.Pagination.NextOffset != 20 {
		t.Errorf("default page: %d agents, pagination %+v", len(page.Agents), page.Pagination)
	}
}

// TestAgentIDs checks that only a UUID reaches the request path, and that
// an unknown one is a 404 the model can act on.
func TestAgentIDs(t *testing.T) {
	t.Parallel()
	p, emu := startLifecycle(t)
	const uuid = "550e8400-e29b-41d4-a716-446655440000"
	bad := []string{"../../x", "123", "", uuid + "x", uuid + "/../x", "550e8400%2Fe29b",
		uuid + "?status=x", uuid + "#x", " " + uuid, "550e8400-e29b-41d4-a716-44665544000g"}
	for _, tool := range []string{"get_agent", "update_agent", "delete_agent"} {
		extra := ""
		if tool == "update_agent" {
			extra = `,"name":"x"`
		}
		for _, id := range bad {
			text := callFails(t, p, tool, fmt.Sprintf(`{"agentId":%q%s}`, id, extra))
			if !strings.Contains(text, "agentId: must be an agent id") {
				t.Errorf("%s(%q): %s", tool, id, text)
			}
		}
		text := callFails(t, p, tool, fmt.Sprintf(`{"%s":1}`, "name"))
		if !strings.Contains(text, "agentId: is required") {
			t.Errorf("%s without agentId: %s", tool, text)
		}
		if n := len(emu.Requests()); n != 0 {
			t.Errorf("%s: %d requests reached Heppu with bad ids", tool, n)
		}

		text = callFails(t, p, tool, fmt.Sprintf(`{"agentId":%q%s}`, uuid, extra))
		if !strings.Contains(text, "no agent with id "+uuid) || !strings.Contains(text, "list_agents") {
			t.Errorf("%s of an unknown id: %s", tool, text)
		}
		checkMethods(t, emu, http.MethodGet)
	}
}
