package tools

import (
	"context"
	"fmt"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/heppu-ai/heppu-mcp/heppu"
	"github.com/heppu-ai/heppu-mcp/schema"
)

// createAgentArgs are create_agent's arguments: the API's request body plus
// the tool's own dryRun.
type createAgentArgs struct {
	heppu.CreateAgentRequest
	DryRun bool `json:"dryRun,omitempty" jsonschema_description:"When true, validate the arguments and return the exact request body that would be sent to Heppu, without creating anything."`
	// IdempotencyKey makes a repeated create safe; see creates.
	IdempotencyKey string `json:"idempotencyKey,omitempty" jsonschema:"minLength=1,maxLength=200" jsonschema_description:"Optional. A unique string for this create, such as a UUID. A repeat with the same key and the same arguments within 24 hours returns the first agent instead of creating another; the same key with other arguments is an error."`
}

// CreateAgentResult is create_agent's structured output.
type CreateAgentResult struct {
	Agent    *heppu.Agent              `json:"agent,omitempty" jsonschema_description:"The agent Heppu created. Absent on a dry run."`
	DryRun   bool                      `json:"dryRun,omitempty" jsonschema_description:"True when nothing was sent to Heppu."`
	Request  *heppu.CreateAgentRequest `json:"request,omitempty" jsonschema_description:"On a dry run, the exact body that would be sent to POST /agents."`
	Warnings []string                  `json:"warnings,omitempty" jsonschema_description:"Things the user should know about the result, such as tool IDs Heppu may have dropped."`
	Sandbox  bool                      `json:"sandbox,omitempty" jsonschema_description:"True when the server runs against its built-in emulator: the agent is not real."`
	Replayed bool                      `json:"replayed,omitempty" jsonschema_description:"True when an earlier call with the same idempotencyKey created this agent; no new agent was made."`
}

const createAgentDescription = `Create a Heppu agent: a voice agent that answers phone calls, or a chat agent that runs as a widget on a website.

Give name and type. Optional: model, instructions (the agent's system prompt: who it is, what it does, how it speaks; write it fully, it is what the agent follows), config and toolIds.

- Voice agents: model gpt-realtime-2025-08-28 (the default and only choice). config keys: voice (ash, ballad, coral, sage, verse, shimmer; default sage), speed (0.5-2.0, default 1.0), interruptionThreshold (0.0-1.0, default 0.5), timeout (call timeout in seconds).
- Chat agents: model gpt-4o (default), gpt-4o-mini, gpt-4, gpt-4-turbo or gpt-3.5-turbo. config keys: theme (light or dark), primaryColor (hex such as #3B82F6), position (bottom-right, bottom-left, top-right, top-left), greeting, placeholder, allowedDomains (host names such as example.com; empty lets any site embed the widget).

Config keys of the other type are rejected. Heppu applies defaults for anything left out. toolIds enables tools such as web_search, calculator, calendar, email, crm, weather, sms; Heppu silently drops IDs the organization does not have, and the result warns about undocumented ones. New agents are active. Each call creates a new agent, so check list_agents first to avoid duplicates, and never repeat a create whose outcome was unknown without checking. Set dryRun to see the exact request without creating anything. Give an idempotencyKey (such as a fresh UUID) to make a repeated call safe: within 24 hours the same key and arguments return the first agent.`

var createAgentDef = &definition{
	name:        "create_agent",
	title:       "Create Heppu agent",
	description: createAgentDescription,
	in:          loadSchema("create_agent.input.json", schema.Input),
	out:         loadSchema("create_agent.output.json", schema.Output),
}

// createAgentRules checks what depends on the agent's type.
func createAgentRules(args map[string]any, problems []schema.Problem) []schema.Problem {
	t := heppu.AgentType(stringArg(args, "type"))
	if !heppu.ValidType(t) {
		return problems
	}
	cfg, _ := args["config"].(map[string]any)
	return withTypeProblems(problems, t, stringArg(args, "model"), sortedKeys(cfg))
}

func stringArg(args map[string]any, key string) string {
	s, _ := args[key].(string)
	return s
}

func (ts *Toolset) createAgent(ctx context.Context, c *call, req mcp.CallToolRequest) *mcp.CallToolResult {
	var args createAgentArgs
	if res := parseArgs(c, req, createAgentRules, &args); res != nil {
		return res
	}
	body := args.CreateAgentRequest
	warnings := append(toolIDWarnings(body.ToolIDs), domainWarning(body.Type, body.Config)...)

	if args.DryRun {
		c.outcome = "dry_run"
		return success(CreateAgentResult{DryRun: true, Request: &body, Warnings: warnings,
			Sandbox: ts.sandbox})
	}

	client, res := ts.clientFor(ctx, c)
	if res != nil {
		return res
	}
	if args.IdempotencyKey != "" {
		return ts.createOnce(ctx, c, client, args.IdempotencyKey, &body, warnings)
	}
	agent, err := client.CreateAgent(ctx, &body)
	if err != nil {
		return failure(c, err, operation{verb: "create the agent", create: true, name: body.Name})
	}

	c.agentID = agent.ID
	return success(CreateAgentResult{Agent: agent, Warnings: warnings, Sandbox: ts.sandbox})
}

// createOnce makes the create under an idempotencyKey: the first call with
// the key sends the POST; repeats with the same arguments, concurrent or
// within the window, get its agent without a POST of their own.
func (ts *Toolset) createOnce(ctx context.Context, c *call, client *heppu.Client, idemKey string,
	body *heppu.CreateAgentRequest, warnings []string) *mcp.CallToolResult {
	owner := keyOwner(ctx)
	entry, owned, conflict := ts.creates.claim(owner, idemKey, body)
	if conflict {
		c.outcome = "invalid_arguments"
		return mcp.NewToolResultError(fmt.Sprintf("idempotencyKey %q was already used with "+
			"other arguments in the last 24 hours; nothing was sent to Heppu. Use a new key "+
			"for a different agent, or the same arguments to get the agent it created.", idemKey))
	}
	if !owned {
		agent, err := entry.wait(ctx)
		if err != nil {
			return failure(c, err, operation{verb: "create the agent", create: true, name: body.Name})
		}
		if agent == nil {
			c.outcome = "heppu_error"
			return mcp.NewToolResultError("An earlier call with the same idempotencyKey failed " +
				"to create the agent. " + checkBeforeRetry(operation{name: body.Name}))
		}
		c.agentID, c.outcome = agent.ID, "replayed"
		return success(CreateAgentResult{Agent: agent, Warnings: warnings, Sandbox: ts.sandbox,
			Replayed: true})
	}

	agent, err := client.CreateAgent(ctx, body)
	ts.creates.finish(owner, idemKey, entry, agent)
	if err != nil {
		return failure(c, err, operation{verb: "create the agent", create: true, name: body.Name})
	}
	c.agentID = agent.ID
	return success(CreateAgentResult{Agent: agent, Warnings: warnings, Sandbox: ts.sandbox})
}
