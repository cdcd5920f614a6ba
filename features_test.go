package main

import (
	"context"
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/heppu-ai/heppu-mcp/tools"
)

func toolNames(t *testing.T, p *process) []string {
	t.Helper()
	res, err := p.session.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range res.Tools {
		names = append(names, tool.Name)
	}
	slices.Sort(names)
	return names
}

// TestToolSelection covers --read-only and --tools, and their
// environment equivalents; read-only wins over the allow-list.
func TestToolSelection(t *testing.T) {
	t.Parallel()
	all := []string{"create_agent", "delete_agent", "get_agent", "list_agents", "update_agent"}
	tests := []struct {
		name string
		env  []string
		args []string
		want []string
	}{
		{"all by default", nil, nil, all},
		{"read-only", nil, []string{"--read-only"}, []string{"get_agent", "list_agents"}},
		{"read-only from the environment", []string{"HEPPU_READ_ONLY=true"}, nil,
			[]string{"get_agent", "list_agents"}},
		{"allow-list", nil, []string{"--tools", "create_agent, get_agent"},
			[]string{"create_agent", "get_agent"}},
		{"allow-list from the environment", []string{"HEPPU_TOOLS=list_agents"}, nil,
			[]string{"list_agents"}},
		{"read-only wins", nil, []string{"--read-only", "--tools", "create_agent,get_agent"},
			[]string{"get_agent"}},
		{"read-only in the environment wins over the flag list",
			[]string{"HEPPU_READ_ONLY=1"}, []string{"--tools", "delete_agent,list_agents"},
			[]string{"list_agents"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := startServer(t, "2025-06-18", tt.env, append([]string{"--sandbox"}, tt.args...)...)
			if got := toolNames(t, p); !slices.Equal(got, tt.want) {
				t.Errorf("tools = %v, want %v", got, tt.want)
			}
			prompts, err := p.session.ListPrompts(context.Background(), nil)
			if err != nil {
				t.Fatal(err)
			}
			wantPrompts := 0
			if slices.Contains(tt.want, "create_agent") {
				wantPrompts = 2 // the design prompts end in create_agent
			}
			if len(prompts.Prompts) != wantPrompts {
				t.Errorf("%d prompts served, want %d", len(prompts.Prompts), wantPrompts)
			}
			instr := p.session.InitializeResult().Instructions
			if only := strings.Contains(instr, "offers only these tools"); only != (len(tt.want) < len(all)) {
				t.Errorf("instructions name the served tools: %v; want %v", only, len(tt.want) < len(all))
			}
		})
	}
}

// TestVersion checks that --version and serverInfo.version agree, as
// built and with -ldflags.
func TestVersion(t *testing.T) {
	t.Parallel()
	stamped := filepath.Join(t.TempDir(), "heppu-mcp")
	build := exec.Command("go", "build", "-ldflags", "-X main.version=v9.8.7-test", "-o", stamped, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building: %v\n%s", err, out)
	}
	for _, tc := range []struct{ name, bin, want string }{
		{"as built", binary, ""},
		{"with -ldflags", stamped, "v9.8.7-test"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := exec.Command(tc.bin, "--version").Output()
			if err != nil {
				t.Fatal(err)
			}
			printed := strings.TrimPrefix(strings.TrimSpace(string(out)), "heppu-mcp ")
			if tc.want != "" && printed != tc.want {
				t.Errorf("--version = %q, want %q", printed, tc.want)
			}
			p := startBinary(t, tc.bin, "2025-06-18", nil, nil, "--sandbox")
			if got := p.session.InitializeResult().ServerInfo.Version; got != printed || got == "" {
				t.Errorf("serverInfo.version = %q, --version says %q", got, printed)
			}
		})
	}
}

// TestDeleteConfirmation: a client that supports elicitation is asked to
// confirm a delete, naming the agent; only an accepted confirmation deletes.
func TestDeleteConfirmation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		answer  *sdk.ElicitResult
		deleted bool
	}{
		{"accepted", &sdk.ElicitResult{Action: "accept", Content: map[string]any{"confirm": true}}, true},
		{"accepted unchecked", &sdk.ElicitResult{Action: "accept", Content: map[string]any{"confirm": false}}, false},
		{"declined", &sdk.ElicitResult{Action: "decline"}, false},
		{"cancelled", &sdk.ElicitResult{Action: "cancel"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			asked := make(chan string, 1)
			opts := &sdk.ClientOptions{ElicitationHandler: func(_ context.Context, r *sdk.ElicitRequest) (*sdk.ElicitResult, error) {
				asked <- r.Params.Message
				return tt.answer, nil
			}}
			emu := newEmulator(t)
			p := startServerWith(t, "2025-06-18", opts,
				[]string{"HEPPU_API_KEY=" + e2eKey, "HEPPU_BASE_URL=" + emu.URL})
			var created tools.CreateAgentResult
			callInto(t, p, "create_agent", `{"name":"Old sales line","type":"voice"}`, &created)
			emu.ResetRequests()

			res := p.call(t, "delete_agent", fmt.Sprintf(`{"agentId":%q}`, created.Agent.ID))

			select {
			case msg := <-asked:
				if !strings.Contains(msg, "Old sales line") {
					t.Errorf("the question does not name the agent: %q", msg)
				}
			default:
				t.Fatal("the user was not asked")
			}
			text := textOf(t, res)
			deletes := 0
			for _, r := range emu.Requests() {
				if r.Method == http.MethodDelete {
					deletes++
				}
			}
			if tt.deleted {
				if res.IsError || deletes != 1 {
					t.Errorf("accepted: isError=%v, %d DELETEs: %s", res.IsError, deletes, text)
				}
				return
			}
			if !res.IsError || !strings.Contains(text, "nothing was deleted") || deletes != 0 {
				t.Errorf("not confirmed: isError=%v, %d DELETEs: %s", res.IsError, deletes, text)
			}
		})
	}
}
