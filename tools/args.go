package tools

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/heppu-ai/heppu-mcp/heppu"
	"github.com/heppu-ai/heppu-mcp/schema"
)

// ruleFunc checks what a schema cannot say. It gets the arguments, which
// may have failed the schema too (so it must not assume any field's type),
// and the schema's problems, and returns the whole list: it may replace a
// problem with a more precise one.
type ruleFunc func(args map[string]any, problems []schema.Problem) []schema.Problem

// parseArgs normalises a call's arguments, validates them against the
// tool's input schema and rules, and decodes them into dst. It returns an
// error result naming every problem at once, or nil.
func parseArgs(c *call, req mcp.CallToolRequest, rules ruleFunc, dst any) *mcp.CallToolResult {
	v, err := rawArguments(req)
	if err != nil {
		c.outcome = "invalid_arguments"
		return mcp.NewToolResultError(fmt.Sprintf(
			"The arguments of %s are not valid JSON (%v); nothing was sent to Heppu. "+
				"Send a JSON object.", c.def.name, err))
	}
	v, _ = c.def.in.CoerceJSONStrings(v)

	problems := c.def.in.Validate(v)
	if args, ok := v.(map[string]any); ok && rules != nil {
		problems = rules(args, problems)
	}
	problems = tidy(problems)
	if len(problems) > 0 {
		c.outcome = "invalid_arguments"
		return mcp.NewToolResultError(problemsText(c.def.name, "nothing was sent to Heppu", problems))
	}

	// The value passed the schema built from dst's type, so it fits; it
	// is stored as it is, not decoded from JSON a second time.
	if err := schema.Assign(dst, v); err != nil {
		c.outcome = "invalid_arguments"
		return mcp.NewToolResultError(fmt.Sprintf(
			"The arguments of %s could not be read (%v); nothing was sent to Heppu.",
			c.def.name, err))
	}
	return nil
}

// rawArguments returns the call's arguments decoded with exact numbers.
// Missing arguments are an empty object.
func rawArguments(req mcp.CallToolRequest) (any, error) {
	var data []byte
	switch a := req.GetRawArguments().(type) {
	case json.RawMessage:
		data = a
	case nil:
	default:
		b, err := json.Marshal(a)
		if err != nil {
			return nil, err
		}
		data = b
	}
	if s := bytes.TrimSpace(data); len(s) == 0 || string(s) == "null" {
		return map[string]any{}, nil
	}
	return schema.Decode(data)
}

// problemsText renders validation problems for the model: one line each,
// with where, what is wrong, and what is allowed.
func problemsText(tool, consequence string, problems []schema.Problem) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Invalid arguments for %s; %s. "+
		"Fix every problem below and call %s again:", tool, consequence, tool)
	for _, p := range problems {
		b.WriteString("\n- ")
		b.WriteString(p.String())
		if p.Keyword == "additionalProperties" && len(p.Allowed) > 0 {
			b.WriteString(" (allowed: " + strings.Join(p.Allowed, ", ") + ")")
		}
	}
	return b.String()
}

// formatHints replace the schema's generic pattern message with one that
// says what the format is. Keys are paths without array indices.
var formatHints = map[string]string{
	"name": "must not be blank",
	"agentId": "must be an agent id, a UUID such as 550e8400-e29b-41d4-a716-446655440000; " +
		"list_agents shows the ids",
	"config.primaryColor":   "must be a hex colour such as #3B82F6 or #fff",
	"config.allowedDomains": "must be a bare host name such as example.com or www.example.com, with no scheme, path, port or wildcard",
}

// explain makes a schema problem more specific where the schema alone
// cannot: a format's meaning, or a config key given at the top level.
func explain(p schema.Problem) schema.Problem {
	switch p.Keyword {
	case "pattern":
		if hint, ok := formatHints[stripIndices(p.Path)]; ok {
			p.Message = hint
		}
	case "additionalProperties":
		if isConfigKey(p.Path) {
			p.Message = fmt.Sprintf("is a config setting: put it inside config, as "+
				"{\"config\": {%q: ...}}", p.Path)
			p.Allowed = nil
		}
	}
	return p
}

// tidy explains each problem, drops a format problem where the same value
// is already too short (an empty name is not also "blank"), and orders
// them by path so that the problems of one field stand together.
func tidy(problems []schema.Problem) []schema.Problem {
	short := map[string]bool{}
	for _, p := range problems {
		if p.Keyword == "minLength" {
			short[p.Path] = true
		}
	}
	out := make([]schema.Problem, 0, len(problems))
	for _, p := range problems {
		if p.Keyword == "pattern" && short[p.Path] {
			continue
		}
		out = append(out, explain(p))
	}
	slices.SortStableFunc(out, func(a, b schema.Problem) int { return strings.Compare(a.Path, b.Path) })
	return out
}

// stripIndices turns "config.allowedDomains[2]" into "config.allowedDomains".
func stripIndices(path string) string {
	for {
		i := strings.IndexByte(path, '[')
		if i < 0 {
			return path
		}
		j := strings.IndexByte(path[i:], ']')
		if j < 0 {
			return path
		}
		path = path[:i] + path[i+j+1:]
	}
}

func isConfigKey(name string) bool {
	return slices.Contains(heppu.VoiceConfigKeys, name) ||
		slices.Contains(heppu.ChatConfigKeys, name)
}
