package tools

import (
	"context"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/heppu-ai/heppu-mcp/heppu"
)

// agentRef is the agentId argument of the tools that act on one agent. The
// schema admits only a UUID, so nothing else can reach the request path:
// no "../", no "?" or "#", no escaped slash.
type agentRef struct {
	AgentID string `json:"agentId" jsonschema:"pattern=^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$" jsonschema_description:"The agent's id: a UUID such as 550e8400-e29b-41d4-a716-446655440000, as list_agents and create_agent return it."`
}

func (r *agentRef) agentID() string { return r.AgentID }

// readAgent fetches the agent a call is about, or returns an error result.
func readAgent(ctx context.Context, c *call, client *heppu.Client, id string) (*heppu.Agent, *mcp.CallToolResult) {
	agent, err := client.GetAgent(ctx, id)
	if err != nil {
		return nil, failure(c, err, operation{verb: "read the agent", agentID: id})
	}
	return agent, nil
}
