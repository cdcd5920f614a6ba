package tools

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/heppu-ai/heppu-mcp/heppu"
)

// getPrompt gets prompt name with args and returns its single text message.
func (h *harness) getPrompt(t *testing.T, name string, args map[string]string) (string, error) {
	t.Helper()
	req := mcp.GetPromptRequest{}
	req.Params.Name = name
	req.Params.Arguments = args
	res, err := h.mcp.GetPrompt(context.Background(), req)
	if err != nil {
		return "", err
	}
	if len(res.Messages) != 1 || res.Messages[0].Role != mcp.RoleUser {
		t.Fatalf("%s: got %+v, want one user message", name, res.Messages)
	}
	text, ok := res.Messages[0].Content.(mcp.TextContent)
	if !ok {
		t.Fatalf("%s: content is %T, want text", name, res.Messages[0].Content)
	}
	return text.Text, nil
}

func TestPromptList(t *testing.T) {
	t.Parallel()
	h := newFullHarness(t, harnessOptions{})
	list, err := h.mcp.ListPrompts(context.Background(), mcp.ListPromptsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	type arg struct {
		Name     string
		Required bool
	}
	got := map[string][]arg{}
	for _, p := range list.Prompts {
		if p.Description == "" || p.Title == "" {
			t.Errorf("%s has no title or description", p.Name)
		}
		for _, a := range p.Arguments {
			if a.Description == "" {
				t.Errorf("%s argument %s has no description", p.Name, a.Name)
			}
			got[p.Name] = append(got[p.Name], arg{a.Name, a.Required})
		}
	}
	want := map[string][]arg{
		"design_voice_agent": {{"purpose", true}, {"audience", false}, {"tone", false},
			{"language", false}},
		"design_chat_agent": {{"purpose", true}, {"domains", false}, {"audience", false},
			{"tone", false}, {"language", false}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("prompts and arguments (-want +got):\n%s", diff)
	}
}

func TestDesignPrompts(t *testing.T) {
	t.Parallel()
	h := newFullHarness(t, harnessOptions{})
	steps := []string{"list_agents", "create_agent", "dryRun: true", "heppu://catalog",
		"instructions", "toolIds", "1 to 255 characters"}

	for _, tc := range []struct {
		name string
		args map[string]string
		want []string
	}{
		{
			name: "design_voice_agent",
			args: map[string]string{"purpose": "Book tables for Trattoria Roma", "tone": "warm"},
			want: slices.Concat(steps, heppu.Voices, heppu.VoiceModels, heppu.CommonToolIDs, []string{
				"Book tables for Trattoria Roma", "Tone: warm", "Audience: not given yet",
				"type voice", "sage (the default)", "from 0.5 to 2.0", "from 0.0 to 1.0",
				"a positive number", "speed", "interruptionThreshold", "timeout",
			}),
		},
		{
			name: "design_chat_agent",
			args: map[string]string{"purpose": "Answer questions about returns",
				"domains": "shop.example.com, example.com", "language": "Finnish"},
			want: slices.Concat(steps, heppu.Themes, heppu.Positions, heppu.ChatModels,
				heppu.CommonToolIDs, []string{
					"Answer questions about returns", "shop.example.com, example.com",
					"Language: Finnish", "type chat", "gpt-4o (the default)", "allowedDomains",
					"primaryColor", "greeting", "placeholder",
				}),
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			text, err := h.getPrompt(t, tc.name, tc.args)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range tc.want {
				if !strings.Contains(text, want) {
					t.Errorf("the message does not mention %q:\n%s", want, text)
				}
			}
			for _, placeholder := range []string{"{", "}"} {
				if strings.Contains(text, placeholder) {
					t.Errorf("the message holds an unfilled placeholder:\n%s", text)
				}
			}
			if strings.Contains(text, "SANDBOX") {
				t.Error("the message speaks of a sandbox outside sandbox mode")
			}
		})
	}
}

func TestDesignPromptMissingPurpose(t *testing.T) {
	t.Parallel()
	h := newFullHarness(t, harnessOptions{})
	for _, name := range []string{"design_voice_agent", "design_chat_agent"} {
		for _, args := range []map[string]string{nil, {"purpose": "  "}, {"tone": "calm"}} {
			_, err := h.getPrompt(t, name, args)
			if err == nil || !strings.Contains(err.Error(), "needs the purpose argument") {
				t.Errorf("%s(%v): error %v, want one asking for the purpose", name, args, err)
			}
		}
	}
}

func TestDesignPromptSandbox(t *testing.T) {
	t.Parallel()
	ts := New(Options{Sandbox: true})
	res, err := promptHandlerOf(t, ts, "design_chat_agent")(context.Background(),
		mcp.GetPromptRequest{Params: mcp.GetPromptParams{Arguments: map[string]string{
			"purpose": "Try things out",
		}}})
	if err != nil {
		t.Fatal(err)
	}
	if text := res.Messages[0].Content.(mcp.TextContent).Text; !strings.Contains(text, sandboxNotice) {
		t.Errorf("the message lacks the sandbox notice:\n%s", text)
	}
}

func promptHandlerOf(t *testing.T, ts *Toolset, name string) server.PromptHandlerFunc {
	t.Helper()
	for _, p := range ts.Prompts() {
		if p.Prompt.Name == name {
			return p.Handler
		}
	}
	t.Fatalf("no prompt %s", name)
	return nil
}
