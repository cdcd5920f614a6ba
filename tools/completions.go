package tools

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/rs/zerolog"

	"github.com/heppu-ai/heppu-mcp/heppu"
)

// maxCompletions is the most values one completion may hold, by the MCP
// specification, and so the page of agents agentId is completed from.
const maxCompletions = 100

// toneSuggestions complete the prompts' tone argument. They are only
// suggestions: any tone the user types works.
var toneSuggestions = []string{
	"friendly", "professional", "calm", "warm", "empathetic", "energetic", "formal",
	"playful", "concise",
}

// PromptCompletions returns the completion provider of the prompts'
// arguments, for server.WithPromptCompletionProvider: the tone argument is
// completed with suggestions, the free-text arguments get none.
func (ts *Toolset) PromptCompletions() server.PromptCompletionProvider {
	return promptCompleter{}
}

// ResourceCompletions returns the completion provider of the resource
// templates' arguments, for server.WithResourceCompletionProvider: the
// agentId of heppu://agents/{agentId} is completed with the ids of the
// organization's agents.
func (ts *Toolset) ResourceCompletions() server.ResourceCompletionProvider {
	return resourceCompleter{ts: ts}
}

type promptCompleter struct{}

// CompletePromptArgument completes the tone argument of the design prompts
// with the suggestions that match what was typed. Other arguments and
// unknown prompts get no values.
func (promptCompleter) CompletePromptArgument(_ context.Context, promptName string,
	arg mcp.CompleteArgument, _ mcp.CompleteContext) (*mcp.Completion, error) {
	if !slices.ContainsFunc(promptDefs, func(p *promptDef) bool { return p.name == promptName }) ||
		arg.Name != "tone" {
		return &mcp.Completion{Values: []string{}}, nil
	}
	values := matching(toneSuggestions, arg.Value, func(s string) []string { return []string{s} })
	if values == nil {
		values = []string{}
	}
	return &mcp.Completion{Values: values, Total: len(values)}, nil
}

type resourceCompleter struct{ ts *Toolset }

// CompleteResourceArgument completes the agentId of heppu://agents/{agentId}
// with the ids of the agents whose id or name starts with, or else
// contains, what was typed, ignoring case. It looks through the newest 100
// agents with one GET /agents; hasMore says when there are others. Other
// templates and arguments get no values.
func (rc resourceCompleter) CompleteResourceArgument(ctx context.Context, uri string,
	arg mcp.CompleteArgument, _ mcp.CompleteContext) (*mcp.Completion, error) {
	if uri != agentURITemplate || arg.Name != "agentId" {
		return &mcp.Completion{Values: []string{}}, nil
	}
	var out *mcp.Completion
	// Completions may come at every keystroke: their lines are debug lines.
	err := rc.ts.track(ctx, zerolog.DebugLevel, "completion", agentURITemplate,
		func(ctx context.Context, c *call) error {
			var err error
			out, err = rc.ts.completeAgentID(ctx, c, arg.Value)
			return err
		})
	return out, err
}

func (ts *Toolset) completeAgentID(ctx context.Context, c *call,
	typed string) (*mcp.Completion, error) {
	client, err := ts.clientOrError(ctx, c)
	if err != nil {
		return nil, err
	}
	page, err := client.ListAgents(ctx, &heppu.ListAgentsOptions{Limit: maxCompletions})
	if err != nil {
		c.outcome = "heppu_error"
		return nil, errors.New(failureText(err, operation{verb: "list the agents"}))
	}

	ids := matching(page.Agents, typed, func(a heppu.Agent) []string { return []string{a.ID, a.Name} })
	out := &mcp.Completion{Values: make([]string, 0, len(ids))}
	for _, a := range ids {
		out.Values = append(out.Values, a.ID)
	}
	out.Total = len(out.Values)
	if len(out.Values) > maxCompletions {
		out.Values = out.Values[:maxCompletions]
	}
	out.HasMore = out.Total > len(out.Values)

	// Agents past the first page were not looked at: there may be more
	// matches, and only when everything matches is their number known.
	if p := pagination(page, maxCompletions, 0); p.NextOffset != nil {
		out.HasMore, out.Total = true, 0
		if strings.TrimSpace(typed) == "" {
			out.Total = p.Total
		}
	}
	return out, nil
}

// matching returns the items one of whose keys starts with typed, then
// those one of whose keys contains it, each group in the given order.
// Case and surrounding space are ignored; an empty typed matches all.
func matching[T any](items []T, typed string, keys func(T) []string) []T {
	typed = strings.ToLower(strings.TrimSpace(typed))
	var prefixed, contained []T
	for _, it := range items {
		ks := keys(it)
		switch {
		case slices.ContainsFunc(ks, func(k string) bool {
			return strings.HasPrefix(strings.ToLower(k), typed)
		}):
			prefixed = append(prefixed, it)
		case slices.ContainsFunc(ks, func(k string) bool {
			return strings.Contains(strings.ToLower(k), typed)
		}):
			contained = append(contained, it)
		}
	}
	return append(prefixed, contained...)
}
