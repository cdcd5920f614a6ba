package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/heppu-ai/heppu-mcp/heppu"
	"github.com/heppu-ai/heppu-mcp/schema"
)

type updateAgentArgs struct {
	agentRef
	heppu.UpdateAgentRequest
	DryRun bool `json:"dryRun,omitempty" jsonschema_description:"When true, read the agent and return the exact PATCH body and the resulting config, without changing anything."`
}

// UpdateAgentResult is update_agent's structured output.
type UpdateAgentResult struct {
	Agent    *heppu.Agent              `json:"agent,omitempty" jsonschema_description:"The agent as it now is, read back after the change. Absent on a dry run."`
	DryRun   bool                      `json:"dryRun,omitempty" jsonschema_description:"True when nothing was changed."`
	Request  *heppu.UpdateAgentRequest `json:"request,omitempty" jsonschema_description:"On a dry run, the exact body that would be sent to PATCH /agents/{agentId}."`
	Config   *heppu.Config             `json:"config,omitempty" jsonschema_description:"On a dry run, the config the agent would have afterwards."`
	Warnings []string                  `json:"warnings,omitempty" jsonschema_description:"Things the user should know, such as requested tools Heppu did not assign."`
	Sandbox  bool                      `json:"sandbox,omitempty" jsonschema_description:"True when the server runs against its built-in emulator: the agent is not real."`
}

const updateAgentDescription = `Change a Heppu agent: its name, status, model, instructions, config or tools. Give agentId and only what should change.

- config is merged: give just the keys to change (voice keys for a voice agent, widget keys for a chat agent) and the others keep their values.
- toolIds replaces the whole tool set: give every tool the agent should have; [] removes all tools. Heppu drops IDs the organization does not have; the result warns which requested tools were not assigned.
- instructions replaces the whole system prompt.
- status: active restores a deleted (inactive) agent.
- The type cannot change, and the model must suit the agent's type.

Returns the agent as it is after the change. Set dryRun to see the exact request and resulting config first. Repeating the same update is harmless.`

var updateAgentDef = &definition{
	name:        "update_agent",
	title:       "Update Heppu agent",
	description: updateAgentDescription,
	in:          loadSchema("update_agent.input.json", schema.Input),
	out:         loadSchema("update_agent.output.json", schema.Output),
	destructive: true,
	idempotent:  true,
}

// changeKeys are the arguments of update_agent that change something.
var changeKeys = []string{"name", "status", "model", "instructions", "config", "toolIds"}

// updateAgentRules rejects an update that changes nothing. The rules that
// depend on the agent's type wait until the agent has been read.
func updateAgentRules(args map[string]any, problems []schema.Problem) []schema.Problem {
	for _, k := range changeKeys {
		if v, ok := args[k]; ok && !isEmptyObject(v) {
			return problems
		}
	}
	return append(problems, schema.Problem{
		Keyword: "required",
		Message: "nothing to change: give at least one of name, status, model, " +
			"instructions, config or toolIds",
		Allowed: changeKeys,
	})
}

func isEmptyObject(v any) bool {
	m, ok := v.(map[string]any)
	return ok && len(m) == 0
}

func (ts *Toolset) updateAgent(ctx context.Context, c *call, req mcp.CallToolRequest) *mcp.CallToolResult {
	var args updateAgentArgs
	client, res := ts.begin(ctx, c, req, updateAgentRules, &args)
	if res != nil {
		return res
	}
	current, res := readAgent(ctx, c, client, args.AgentID)
	if res != nil {
		return res
	}

	// Now that the type is known, check what depends on it, before any change.
	model := ""
	if args.Model != nil {
		model = *args.Model
	}
	if problems := typeProblems(current.Type, model, configKeys(args.Config)); len(problems) > 0 {
		c.outcome = "invalid_arguments"
		return mcp.NewToolResultError(problemsText(c.def.name,
			fmt.Sprintf("this is a %s agent, and nothing was changed", current.Type),
			tidy(problems)))
	}

	body := args.UpdateAgentRequest
	if args.Config != nil {
		// The API may replace config wholesale, so send the whole of it.
		body.Config = mergeConfig(current.Config, args.Config)
	}

	if args.DryRun {
		c.outcome = "dry_run"
		resulting := current.Config
		if body.Config != nil {
			resulting = body.Config
		}
		return success(UpdateAgentResult{DryRun: true, Request: &body, Config: resulting,
			Sandbox: ts.sandbox})
	}

	if _, err := client.UpdateAgent(ctx, args.AgentID, &body); err != nil {
		return failure(c, err, operation{verb: "update the agent", agentID: args.AgentID})
	}

	// Heppu answers a PATCH with a bare confirmation; the model wants the agent.
	out := UpdateAgentResult{Sandbox: ts.sandbox}
	updated, err := client.GetAgent(ctx, args.AgentID)
	if err != nil {
		out.Warnings = append(out.Warnings, "The update was applied, but reading the agent "+
			"back failed ("+failureText(err, operation{verb: "read the agent",
			agentID: args.AgentID})+") Call get_agent to see it.")
		return success(out)
	}
	out.Agent = updated
	out.Warnings = append(out.Warnings, unassignedTools(body.ToolIDs, updated)...)
	if body.Config != nil {
		out.Warnings = append(out.Warnings, domainWarning(updated.Type, updated.Config)...)
	}
	return success(out)
}

// mergeConfig returns current with the keys set in change replacing
// theirs. Keys Heppu returned that this server does not know are kept.
func mergeConfig(current, change *heppu.Config) *heppu.Config {
	merged := map[string]json.RawMessage{}
	for _, c := range []*heppu.Config{current, change} {
		if c == nil {
			continue
		}
		var m map[string]json.RawMessage
		b, _ := json.Marshal(c)
		_ = json.Unmarshal(b, &m) // a Config always encodes as an object
		for k, v := range m {
			merged[k] = v
		}
	}
	b, _ := json.Marshal(merged)
	var out heppu.Config
	_ = json.Unmarshal(b, &out)
	return &out
}

// configKeys returns the keys cfg sets, sorted.
func configKeys(cfg *heppu.Config) []string {
	if cfg == nil {
		return nil
	}
	var m map[string]any
	b, _ := json.Marshal(cfg)
	_ = json.Unmarshal(b, &m)
	return sortedKeys(m)
}

// unassignedTools warns about each requested tool ID the agent did not get:
// Heppu drops IDs the organization does not have without a word.
func unassignedTools(requested []string, agent *heppu.Agent) []string {
	var warnings []string
	have := agent.ToolIDs()
	for _, id := range requested {
		if !slices.Contains(have, id) {
			warnings = append(warnings, fmt.Sprintf("toolIds: Heppu did not assign %q; the "+
				"organization probably does not have that tool.", id))
		}
	}
	return warnings
}
