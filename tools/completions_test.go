package tools

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/heppu-ai/heppu-mcp/heppu"
)

// complete asks for the completions of argument name of ref, typed so far.
func (h *harness) complete(t *testing.T, ref any, name, typed string) (*mcp.Completion, error) {
	t.Helper()
	req := mcp.CompleteRequest{}
	req.Params.Ref = ref
	req.Params.Argument = mcp.CompleteArgument{Name: name, Value: typed}
	res, err := h.mcp.Complete(context.Background(), req)
	if err != nil {
		return nil, err
	}
	return &res.Completion, nil
}

var agentTemplateRef = mcp.ResourceReference{Type: "ref/resource", URI: "heppu://agents/{agentId}"}

func promptRef(name string) mcp.PromptReference {
	return mcp.PromptReference{Type: "ref/prompt", Name: name}
}

func TestAgentIDCompletion(t *testing.T) {
	t.Parallel()
	h := newFullHarness(t, harnessOptions{})
	desk := h.createAgent(t, `{"name":"Front desk","type":"voice"}`)
	shop := h.createAgent(t, `{"name":"Shop helper","type":"chat"}`)
	booking := h.createAgent(t, `{"name":"Table booking","type":"voice"}`)
	all := []string{booking.ID, shop.ID, desk.ID} // newest first, as listed

	for _, tc := range []struct {
		name, typed string
		want        []string
	}{
		{"empty", "", all},
		{"id prefix", shop.ID[:4], []string{shop.ID}},
		{"whole id", strings.ToUpper(desk.ID), []string{desk.ID}},
		{"name prefix", "front", []string{desk.ID}},
		{"name prefix before contains", "sh", []string{shop.ID}},
		// "book" starts Table booking's second word only: a contains match.
		{"contains", "BOOK", []string{booking.ID}},
		// Ids are hex: only the names hold a t.
		{"prefix before contains", "t", []string{booking.ID, desk.ID}},
		{"space trimmed", "  front ", []string{desk.ID}},
		{"none", "zzz", []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.emu.ResetRequests()
			got, err := h.complete(t, agentTemplateRef, "agentId", tc.typed)
			if err != nil {
				t.Fatal(err)
			}
			want := &mcp.Completion{Values: tc.want, Total: len(tc.want)}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("completion of %q (-want +got):\n%s", tc.typed, diff)
			}
			reqs := h.emu.Requests()
			if len(reqs) != 1 || reqs[0].Method != http.MethodGet ||
				!strings.HasSuffix(reqs[0].Path, "/agents") || reqs[0].Query.Get("limit") != "100" {
				t.Errorf("Heppu got %+v, want one GET /agents?limit=100", reqs)
			}
		})
	}
}

// TestAgentIDCompletionMore checks total and hasMore when the organization
// has more agents than one completion looks through.
func TestAgentIDCompletionMore(t *testing.T) {
	t.Parallel()
	h := newFullHarness(t, harnessOptions{})
	hc, err := heppu.NewClient(heppu.Options{BaseURL: h.emu.URL, APIKey: testKey})
	if err != nil {
		t.Fatal(err)
	}
	const n = maxCompletions + 5
	for i := range n {
		_, err := hc.CreateAgent(context.Background(),
			&heppu.CreateAgentRequest{Name: fmt.Sprintf("Agent %03d", i), Type: heppu.Chat})
		if err != nil {
			t.Fatal(err)
		}
	}

	got, err := h.complete(t, agentTemplateRef, "agentId", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Values) != maxCompletions || got.Total != n || !got.HasMore {
		t.Errorf("empty value: %d values, total %d, hasMore %t; want %d, %d, true",
			len(got.Values), got.Total, got.HasMore, maxCompletions, n)
	}

	// The oldest agents are past the first page: their number is unknown.
	got, err = h.complete(t, agentTemplateRef, "agentId", "agent 000")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Values) != 0 || got.Total != 0 || !got.HasMore {
		t.Errorf("value past the page: %+v, want no values, no total, hasMore", got)
	}
}

func TestAgentIDCompletionErrors(t *testing.T) {
	t.Parallel()

	t.Run("no key", func(t *testing.T) {
		t.Parallel()
		h := newFullHarness(t, harnessOptions{noKey: true})
		_, err := h.complete(t, agentTemplateRef, "agentId", "")
		if err == nil || !strings.Contains(err.Error(), "HEPPU_API_KEY") {
			t.Errorf("error %v, want one naming HEPPU_API_KEY", err)
		}
		if n := len(h.emu.Requests()); n != 0 {
			t.Errorf("%d requests reached Heppu, want none", n)
		}
	})

	t.Run("other argument or template", func(t *testing.T) {
		t.Parallel()
		h := newFullHarness(t, harnessOptions{})
		for _, tc := range []struct {
			ref  any
			name string
		}{
			{agentTemplateRef, "id"},
			{mcp.ResourceReference{Type: "ref/resource", URI: "heppu://catalog"}, "agentId"},
		} {
			got, err := h.complete(t, tc.ref, tc.name, "")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(&mcp.Completion{Values: []string{}}, got); diff != "" {
				t.Errorf("completion of %s (-want +got):\n%s", tc.name, diff)
			}
		}
		if n := len(h.emu.Requests()); n != 0 {
			t.Errorf("%d requests reached Heppu, want none", n)
		}
	})
}

func TestPromptCompletion(t *testing.T) {
	t.Parallel()
	h := newFullHarness(t, harnessOptions{})
	for _, tc := range []struct {
		name, prompt, arg, typed string
		want                     []string
	}{
		{"tone empty", "design_voice_agent", "tone", "", toneSuggestions},
		{"tone prefix before contains", "design_voice_agent", "tone", "f",
			[]string{"friendly", "formal", "professional", "playful"}},
		{"tone case", "design_chat_agent", "tone", "PRO", []string{"professional"}},
		{"tone contains", "design_chat_agent", "tone", "al",
			[]string{"professional", "calm", "formal"}},
		{"tone unknown", "design_chat_agent", "tone", "grumpy", []string{}},
		{"domains", "design_chat_agent", "domains", "", []string{}},
		{"purpose", "design_voice_agent", "purpose", "", []string{}},
		{"unknown prompt", "design_robot", "tone", "", []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := h.complete(t, promptRef(tc.prompt), tc.arg, tc.typed)
			if err != nil {
				t.Fatal(err)
			}
			want := &mcp.Completion{Values: tc.want, Total: len(tc.want)}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("completion of %s %q (-want +got):\n%s", tc.arg, tc.typed, diff)
			}
		})
	}
	if n := len(h.emu.Requests()); n != 0 {
		t.Errorf("%d requests reached Heppu, want none", n)
	}
}

func TestMatching(t *testing.T) {
	t.Parallel()
	words := []string{"alpha", "Beta", "alphabet", "gamma"}
	self := func(s string) []string { return []string{s} }
	for _, tc := range []struct {
		typed string
		want  []string
	}{
		{"", words},
		{"alp", []string{"alpha", "alphabet"}},
		{"BET", []string{"Beta", "alphabet"}},
		{"mm", []string{"gamma"}},
		{"x", nil},
	} {
		got := matching(words, tc.typed, self)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("matching(%q) (-want +got):\n%s", tc.typed, diff)
		}
	}
	if !slices.Equal(matching(words, "a", self), []string{"alpha", "alphabet", "Beta", "gamma"}) {
		t.Error("prefix matches do not come first")
	}
}
