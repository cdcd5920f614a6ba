package tools

import (
	"context"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/heppu-ai/heppu-mcp/heppu"
	"github.com/heppu-ai/heppu-mcp/schema"
)

// defaultListLimit is list_agents' page size when the model gives none:
// enough to find an agent by name, small enough not to flood the context.
const defaultListLimit = 20

type listAgentsArgs struct {
	Type   heppu.AgentType `json:"type,omitempty" jsonschema:"enum=voice,enum=chat" jsonschema_description:"Only agents of this type."`
	Status heppu.Status    `json:"status,omitempty" jsonschema:"enum=active,enum=inactive,enum=training,enum=deployed" jsonschema_description:"Only agents in this status; inactive ones are deleted."`
	Limit  int             `json:"limit,omitempty" jsonschema:"minimum=1,maximum=100,default=20" jsonschema_description:"How many agents to return, 1 to 100; 20 when not given."`
	Offset int             `json:"offset,omitempty" jsonschema:"minimum=0,default=0" jsonschema_description:"How many agents to skip; pass the previous page's nextOffset to get the next page."`
}

// AgentSummary is an agent as list_agents shows it: enough to pick one,
// without its instructions and config.
type AgentSummary struct {
	ID        string          `json:"id" jsonschema_description:"The agent's id, for get_agent, update_agent and delete_agent."`
	Name      string          `json:"name" jsonschema_description:"The agent's name."`
	Type      heppu.AgentType `json:"type" jsonschema_description:"voice or chat."`
	Status    heppu.Status    `json:"status,omitempty" jsonschema_description:"active, inactive (deleted), training or deployed."`
	Model     string          `json:"model,omitempty" jsonschema_description:"The agent's model."`
	ToolIDs   []string        `json:"toolIds" jsonschema_description:"IDs of the agent's tools."`
	CreatedAt string          `json:"createdAt,omitempty" jsonschema_description:"When the agent was created."`
	UpdatedAt string          `json:"updatedAt,omitempty" jsonschema_description:"When the agent was last changed."`
}

// ListPagination says where a page stands in the whole list.
type ListPagination struct {
	Total      int  `json:"total" jsonschema_description:"How many agents match the filters in all."`
	Limit      int  `json:"limit" jsonschema_description:"The page size used."`
	Offset     int  `json:"offset" jsonschema_description:"How many agents were skipped."`
	NextOffset *int `json:"nextOffset,omitempty" jsonschema_description:"The offset of the next page; absent on the last page."`
}

// ListAgentsResult is list_agents' structured output.
type ListAgentsResult struct {
	Agents     []AgentSummary `json:"agents" jsonschema_description:"One page of agents, newest first."`
	Pagination ListPagination `json:"pagination" jsonschema_description:"Where this page stands; call again with offset set to nextOffset for more."`
	Sandbox    bool           `json:"sandbox,omitempty" jsonschema_description:"True when the server runs against its built-in emulator: the agents are not real."`
}

const listAgentsDescription = `List the organization's Heppu agents, newest first, as short summaries (id, name, type, status, model, tool IDs, timestamps; no instructions or config).

Use it to find an agent's id, to check whether an agent already exists before creating one, and to see what was created. Filter by type (voice or chat) and status (deleted agents are inactive). Returns 20 agents unless limit says otherwise (at most 100); when pagination.nextOffset is present, call again with offset set to it for the next page. Use get_agent for an agent's full details.`

var listAgentsDef = &definition{
	name:        "list_agents",
	title:       "List Heppu agents",
	description: listAgentsDescription,
	in:          loadSchema("list_agents.input.json", schema.Input),
	out:         loadSchema("list_agents.output.json", schema.Output),
	readOnly:    true,
	idempotent:  true,
}

func (ts *Toolset) listAgents(ctx context.Context, c *call, req mcp.CallToolRequest) *mcp.CallToolResult {
	var args listAgentsArgs
	client, res := ts.begin(ctx, c, req, nil, &args)
	if res != nil {
		return res
	}
	if args.Limit == 0 {
		args.Limit = defaultListLimit
	}
	page, err := client.ListAgents(ctx, &heppu.ListAgentsOptions{
		Type: args.Type, Status: args.Status, Limit: args.Limit, Offset: args.Offset,
	})
	if err != nil {
		return failure(c, err, operation{verb: "list the agents"})
	}

	out := ListAgentsResult{
		Agents:     make([]AgentSummary, 0, len(page.Agents)),
		Pagination: pagination(page, args.Limit, args.Offset),
		Sandbox:    ts.sandbox,
	}
	for _, a := range page.Agents {
		out.Agents = append(out.Agents, AgentSummary{
			ID: a.ID, Name: a.Name, Type: a.Type, Status: a.Status, Model: a.Model,
			ToolIDs: a.ToolIDs(), CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt,
		})
	}
	return success(out)
}

// pagination describes page, asked for with limit and offset. Heppu's
// pagination object is documented only in part, so what it leaves out is
// taken from the request, and the next offset from hasMore when given and
// otherwise from the total.
func pagination(page *heppu.AgentList, limit, offset int) ListPagination {
	p := ListPagination{Total: page.Pagination.Total, Limit: limit, Offset: offset}
	if page.Pagination.Limit > 0 {
		p.Limit = page.Pagination.Limit
	}
	if page.Pagination.Offset > 0 {
		p.Offset = page.Pagination.Offset
	}
	next := p.Offset + len(page.Agents)
	more := next < p.Total
	if page.Pagination.HasMore != nil {
		more = *page.Pagination.HasMore
	}
	if more && len(page.Agents) > 0 {
		p.NextOffset = &next
	}
	return p
}
