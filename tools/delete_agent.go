package tools

import (
	"context"
	"errors"
	"fmt"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/heppu-ai/heppu-mcp/heppu"
	"github.com/heppu-ai/heppu-mcp/schema"
)

type deleteAgentArgs struct {
	agentRef
}

// DeleteAgentResult is delete_agent's structured output.
type DeleteAgentResult struct {
	AgentID         string       `json:"agentId" jsonschema_description:"The agent's id."`
	Name            string       `json:"name" jsonschema_description:"The agent's name."`
	Status          heppu.Status `json:"status" jsonschema_description:"The agent's status now: inactive."`
	AlreadyInactive bool         `json:"alreadyInactive,omitempty" jsonschema_description:"True when the agent was inactive before the call, so nothing changed."`
	Message         string       `json:"message" jsonschema_description:"What happened and how to undo it."`
	Sandbox         bool         `json:"sandbox,omitempty" jsonschema_description:"True when the server runs against its built-in emulator: the agent is not real."`
}

const deleteAgentDescription = `Delete a Heppu agent. Heppu's delete is soft: the agent becomes inactive and stops working, while its configuration, history and metrics are kept; update_agent with status: active restores it.

Takes the agent's id (list_agents finds it by name). Confirm with the user which agent is meant before deleting; where the client supports it, the server also asks the user to confirm, naming the agent. An agent that is already inactive is reported as such and left alone.`

var deleteAgentDef = &definition{
	name:        "delete_agent",
	title:       "Delete Heppu agent",
	description: deleteAgentDescription,
	in:          loadSchema("delete_agent.input.json", schema.Input),
	out:         loadSchema("delete_agent.output.json", schema.Output),
	destructive: true,
	idempotent:  true,
}

func (ts *Toolset) deleteAgent(ctx context.Context, c *call, req mcp.CallToolRequest) *mcp.CallToolResult {
	var args deleteAgentArgs
	client, res := ts.begin(ctx, c, req, nil, &args)
	if res != nil {
		return res
	}
	// Read first: the DELETE answer does not say whether the agent was
	// already inactive, and the result should name the agent.
	agent, res := readAgent(ctx, c, client, args.AgentID)
	if res != nil {
		return res
	}
	out := DeleteAgentResult{AgentID: agent.ID, Name: agent.Name, Status: heppu.StatusInactive,
		Sandbox: ts.sandbox}
	if agent.Status == heppu.StatusInactive {
		out.AlreadyInactive = true
		out.Message = "The agent was already inactive (deleted); nothing changed. " +
			"update_agent with status: active restores it."
		return success(out)
	}

	switch ok, err := confirmDelete(ctx, agent); {
	case err != nil:
		c.outcome = "not_confirmed"
		return mcp.NewToolResultError("Could not ask the user to confirm the delete (" +
			err.Error() + "); nothing was deleted.")
	case !ok:
		c.outcome = "not_confirmed"
		return mcp.NewToolResultError(fmt.Sprintf("The user did not confirm deleting %q, "+
			"so nothing was deleted. Do not retry unless the user asks again.", agent.Name))
	}

	if _, err := client.DeleteAgent(ctx, args.AgentID); err != nil {
		return failure(c, err, operation{verb: "delete the agent", agentID: args.AgentID})
	}
	out.Message = "The agent is now inactive: it no longer answers, and its configuration, " +
		"history and metrics are kept. update_agent with status: active restores it."
	return success(out)
}

// confirmDelete asks the user, through the client, to confirm deleting
// agent. It reports true without asking when the client cannot be asked
// (no elicitation capability, or a protocol era without server-initiated
// requests): the client's own approval of destructive tools then stands.
func confirmDelete(ctx context.Context, agent *heppu.Agent) (bool, error) {
	srv := server.ServerFromContext(ctx)
	session, ok := server.ClientSessionFromContext(ctx).(server.SessionWithClientInfo)
	if srv == nil || !ok || session.GetClientCapabilities().Elicitation == nil {
		return true, nil
	}
	req := mcp.ElicitationRequest{}
	req.Params.Message = fmt.Sprintf("Delete the Heppu %s agent %q (%s)? It becomes inactive "+
		"and stops working; its data is kept, and it can be restored.", agent.Type, agent.Name, agent.ID)
	req.Params.RequestedSchema = map[string]any{
		"type": "object",
		"properties": map[string]any{
			"confirm": map[string]any{
				"type":        "boolean",
				"title":       "Delete " + agent.Name,
				"description": "Check to delete the agent.",
			},
		},
		"required": []string{"confirm"},
	}
	res, err := srv.RequestElicitation(ctx, req)
	switch {
	case errors.Is(err, server.ErrElicitationNotSupported),
		errors.Is(err, server.ErrServerInitiatedRequestUnsupported):
		return true, nil
	case err != nil:
		return false, err
	}
	content, _ := res.Content.(map[string]any)
	return res.Action == mcp.ElicitationResponseActionAccept && content["confirm"] == true, nil
}
