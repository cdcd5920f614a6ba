package tools

import (
	"context"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/heppu-ai/heppu-mcp/heppu"
	"github.com/heppu-ai/heppu-mcp/schema"
)

type getAgentArgs struct {
	agentRef
}

// GetAgentResult is get_agent's structured output.
type GetAgentResult struct {
	Agent   *heppu.Agent `json:"agent" jsonschema_description:"The agent with its instructions, config, tools and phone numbers."`
	Sandbox bool         `json:"sandbox,omitempty" jsonschema_description:"True when the server runs against its built-in emulator: the agent is not real."`
}

const getAgentDescription = `Get one Heppu agent in full: name, type, status, model, instructions (system prompt), config (voice or widget settings), tools and phone numbers.

Use it before changing an agent, to see its current settings, or to show the user what an agent does. Takes the agent's id; list_agents finds it by name.`

var getAgentDef = &definition{
	name:        "get_agent",
	title:       "Get Heppu agent",
	description: getAgentDescription,
	in:          loadSchema("get_agent.input.json", schema.Input),
	out:         loadSchema("get_agent.output.json", schema.Output),
	readOnly:    true,
	idempotent:  true,
}

func (ts *Toolset) getAgent(ctx context.Context, c *call, req mcp.CallToolRequest) *mcp.CallToolResult {
	var args getAgentArgs
	client, res := ts.begin(ctx, c, req, nil, &args)
	if res != nil {
		return res
	}
	agent, res := readAgent(ctx, c, client, args.AgentID)
	if res != nil {
		return res
	}
	return success(GetAgentResult{Agent: agent, Sandbox: ts.sandbox})
}
