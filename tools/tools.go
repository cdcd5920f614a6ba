// Package tools holds heppu-mcp's MCP tools: their definitions, generated
// from the heppu package's structs, their handlers, and the mapping of
// Heppu's failures to tool errors a model can act on.
//
// Every call takes the same way: arguments are normalised, validated
// against the very schema the tool advertises plus the rules a schema
// cannot state, decoded, sent to Heppu, and answered with structured
// content and a JSON text copy of it. Invalid input never reaches Heppu.
package tools

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/rs/zerolog"

	"github.com/heppu-ai/heppu-mcp/heppu"
	"github.com/heppu-ai/heppu-mcp/schema"
)

// Options configures a Toolset.
type Options struct {
	// Client calls Heppu. A client without a key is fine: the server still
	// starts, and each call explains how to set the key.
	Client *heppu.Client
	// Logger receives one info line per tool call and the client's debug
	// lines. The zero value logs nothing.
	Logger zerolog.Logger
	// Sandbox marks a client that talks to the built-in emulator, so that
	// results and instructions can say the agents are not real.
	Sandbox bool
	// Now is the clock of the idempotency window; nil means time.Now.
	Now func() time.Time
}

// Toolset is the set of Heppu tools with what their handlers share.
type Toolset struct {
	client  *heppu.Client
	log     zerolog.Logger
	sandbox bool
	creates *creates

	// inflight counts the calls being served, so a shutdown can let them
	// finish; idle is closed while it is zero.
	mu       sync.Mutex
	inflight int
	idle     chan struct{}
}

// New returns the toolset configured by opts.
func New(opts Options) *Toolset {
	return &Toolset{client: opts.Client, log: opts.Logger, sandbox: opts.Sandbox,
		creates: newCreates(opts.Now)}
}

// ServerTools returns the tools with their handlers, ready for
// server.MCPServer.AddTools.
func (ts *Toolset) ServerTools() []server.ServerTool {
	var out []server.ServerTool
	for _, t := range ts.table() {
		out = append(out, ts.serve(t.def, t.handle))
	}
	return out
}

// table pairs each tool's definition with its handler.
func (ts *Toolset) table() []struct {
	def    *definition
	handle handlerFunc
} {
	return []struct {
		def    *definition
		handle handlerFunc
	}{
		{createAgentDef, ts.createAgent},
		{listAgentsDef, ts.listAgents},
		{getAgentDef, ts.getAgent},
		{updateAgentDef, ts.updateAgent},
		{deleteAgentDef, ts.deleteAgent},
	}
}

// Wait blocks until no call is in flight or ctx is done, and reports
// whether the calls ended.
func (ts *Toolset) Wait(ctx context.Context) bool {
	ts.mu.Lock()
	idle := ts.idleLocked()
	ts.mu.Unlock()
	select {
	case <-idle:
		return true
	case <-ctx.Done():
		return false
	}
}

func (ts *Toolset) enter() {
	ts.mu.Lock()
	if ts.inflight == 0 {
		ts.idle = make(chan struct{})
	}
	ts.inflight++
	ts.mu.Unlock()
}

func (ts *Toolset) leave() {
	ts.mu.Lock()
	ts.inflight--
	if ts.inflight == 0 {
		close(ts.idle)
	}
	ts.mu.Unlock()
}

// idleLocked returns a channel closed while no call is in flight.
func (ts *Toolset) idleLocked() chan struct{} {
	if ts.inflight == 0 {
		closed := make(chan struct{})
		close(closed)
		return closed
	}
	return ts.idle
}

// Select returns the tools to serve: those named in allow (all when allow
// is empty), and of those only the read-only ones when readOnly is set;
// read-only wins over the allow-list. An unknown name is an error that
// lists the valid ones.
func (ts *Toolset) Select(allow []string, readOnly bool) ([]server.ServerTool, error) {
	all := ts.ServerTools()
	var names []string
	for _, st := range all {
		names = append(names, st.Tool.Name)
	}
	for _, n := range allow {
		if !slices.Contains(names, n) {
			return nil, fmt.Errorf("unknown tool %q; the tools are %s", n, strings.Join(names, ", "))
		}
	}
	var out []server.ServerTool
	for _, st := range all {
		if len(allow) > 0 && !slices.Contains(allow, st.Tool.Name) {
			continue
		}
		if readOnly && !*st.Tool.Annotations.ReadOnlyHint {
			continue
		}
		out = append(out, st)
	}
	return out, nil
}

// definition describes a tool. Its schemas are built once, at start-up.
type definition struct {
	name        string
	title       string
	description string
	in, out     *schema.Schema
	readOnly    bool
	destructive bool
	idempotent  bool
}

// schemaFiles holds every tool's input and output schema, generated from
// the Go types by reflection and kept as compact JSON files: loading them
// costs nothing at start-up, where reflecting cost milliseconds, and a
// client launches the server often. TestToolSchemas checks that they match
// the types; run go generate ./tools after changing one.
//
//go:generate go test -run ^(TestToolSchemas|TestCatalogGenerated)$ -update .
//go:embed schemas/*.json
var schemaFiles embed.FS

// loadSchema compiles the embedded schema file name for use.
func loadSchema(name string, use schema.Use) *schema.Schema {
	doc, err := schemaFiles.ReadFile("schemas/" + name)
	if err != nil {
		panic(err)
	}
	return schema.Parse(doc, use)
}

// tool renders d as an MCP tool. The input schema is registered raw, as
// generated, so the schema advertised is the schema enforced.
func (d *definition) tool() mcp.Tool {
	t := mcp.NewToolWithRawSchema(d.name, d.description, d.in.JSON())
	t.Title = d.title
	t.RawOutputSchema = d.out.JSON()
	t.Annotations = mcp.ToolAnnotation{
		Title:           d.title,
		ReadOnlyHint:    mcp.ToBoolPtr(d.readOnly),
		DestructiveHint: mcp.ToBoolPtr(d.destructive),
		IdempotentHint:  mcp.ToBoolPtr(d.idempotent),
		OpenWorldHint:   mcp.ToBoolPtr(true),
	}
	return t
}

// call is what a handler learns during one tool call and the log line
// reports: the outcome, the agent concerned, and Heppu's last answer.
type call struct {
	def     *definition
	outcome string
	agentID string

	mu     sync.Mutex
	status int // HTTP status of Heppu's last answer, 0 before any
}

func (c *call) observe(ex heppu.Exchange) {
	c.mu.Lock()
	c.status = ex.Status
	c.mu.Unlock()
}

// lastStatus returns the HTTP status of Heppu's last answer, or 0.
func (c *call) lastStatus() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.status
}

type handlerFunc func(ctx context.Context, c *call, req mcp.CallToolRequest) *mcp.CallToolResult

// serve wraps h with what every call needs: a logger in the context for
// the Heppu client, a record of Heppu's answers, recovery from a panic,
// and the one info line per call.
func (ts *Toolset) serve(def *definition, h handlerFunc) server.ServerTool {
	log := ts.log.With().Str("tool", def.name).Logger()
	handler := func(ctx context.Context, req mcp.CallToolRequest) (res *mcp.CallToolResult, _ error) {
		ts.enter()
		defer ts.leave()
		start := time.Now()
		c := &call{def: def}
		ctx = heppu.WithObserver(log.WithContext(ctx), c.observe)

		defer func() {
			if r := recover(); r != nil {
				log.Error().Str("panic", fmt.Sprint(r)).Str("stack", string(debug.Stack())).
					Msg("tool handler panicked")
				c.outcome = "internal_error"
				res = mcp.NewToolResultError("Internal error in heppu-mcp while running " +
					def.name + "; the server keeps running. Check the state with a read tool " +
					"before trying again.")
			}
			ts.logCall(ctx, log, c, res, time.Since(start))
		}()
		return h(ctx, c, req), nil
	}
	return server.ServerTool{Tool: def.tool(), Handler: handler}
}

// logCall writes the one info line of a call to the log and, as an MCP
// log message, to the client, which receives it if it asked for that
// level (logging/setLevel).
func (ts *Toolset) logCall(ctx context.Context, log zerolog.Logger, c *call,
	res *mcp.CallToolResult, d time.Duration) {
	outcome := c.outcome
	if outcome == "" {
		outcome = "ok"
		if res != nil && res.IsError {
			outcome = "error"
		}
	}
	ev := log.Info().Str("outcome", outcome).Dur("duration", d)
	data := map[string]any{"tool": c.def.name, "outcome": outcome, "durationMs": d.Milliseconds()}
	if s := c.lastStatus(); s != 0 {
		ev = ev.Int("heppu_status", s)
		data["heppuStatus"] = s
	}
	if c.agentID != "" {
		ev = ev.Str("agent_id", c.agentID)
		data["agentId"] = c.agentID
	}
	ev.Msg("tool call")

	level := mcp.LoggingLevelInfo
	switch {
	case outcome == "internal_error":
		level = mcp.LoggingLevelError
	case res != nil && res.IsError:
		level = mcp.LoggingLevelWarning
	}
	if srv := server.ServerFromContext(ctx); srv != nil {
		// A client that did not ask for logs, or cannot take them, gets none.
		_ = srv.SendLogMessageToClient(ctx, mcp.NewLoggingMessageNotification(level, "heppu-mcp", data))
	}
}

// begin parses a call's arguments into dst and returns the Heppu client
// to serve it with, or the error result that ends the call.
func (ts *Toolset) begin(ctx context.Context, c *call, req mcp.CallToolRequest, rules ruleFunc,
	dst any) (*heppu.Client, *mcp.CallToolResult) {
	if res := parseArgs(c, req, rules, dst); res != nil {
		return nil, res
	}
	if ref, ok := dst.(interface{ agentID() string }); ok {
		c.agentID = ref.agentID()
	}
	return ts.clientFor(ctx, c)
}

type apiKeyKey struct{}

// WithAPIKey returns a context under which tool calls use key for Heppu
// instead of the configured one. The HTTP transport sets it from each
// request's own Authorization or x-api-key header.
func WithAPIKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, apiKeyKey{}, key)
}

// APIKey returns the key WithAPIKey put in ctx, or "".
func APIKey(ctx context.Context) string {
	key, _ := ctx.Value(apiKeyKey{}).(string)
	return key
}

// heppuClient returns the Heppu client for a request: with the request's
// own key when it brought one, else the configured client; nil when there
// is no key to call with.
func (ts *Toolset) heppuClient(ctx context.Context) *heppu.Client {
	if ts.client == nil {
		return nil
	}
	if key := APIKey(ctx); key != "" && !ts.sandbox {
		return ts.client.WithAPIKey(key)
	}
	if !ts.client.HasAPIKey() {
		return nil
	}
	return ts.client
}

// clientFor is heppuClient for a tool call: no key is an error result
// that says how to set one.
func (ts *Toolset) clientFor(ctx context.Context, c *call) (*heppu.Client, *mcp.CallToolResult) {
	client := ts.heppuClient(ctx)
	if client == nil {
		c.outcome = "no_api_key"
		return nil, mcp.NewToolResultError(noKeyText)
	}
	return client, nil
}

const noKeyText = "No Heppu API key is set, so nothing was sent to Heppu. " +
	"The user must put the organization's API key in the HEPPU_API_KEY environment " +
	"variable of this server's entry in the MCP client's configuration (the \"env\" " +
	"block; Claude Desktop's extension settings for the bundle) and restart the server. To try the tools without a key, start the server " +
	"with --sandbox. Calls with dryRun: true work without a key."

// success renders v as structured content with a JSON text copy of it, for
// clients that ignore structured output.
func success(v any) *mcp.CallToolResult {
	b, err := json.Marshal(v)
	if err != nil {
		// The results are plain structs of strings, numbers and slices.
		panic(fmt.Sprintf("encoding tool result: %v", err))
	}
	return &mcp.CallToolResult{
		Content:              []mcp.Content{mcp.NewTextContent(string(b))},
		RawStructuredContent: b,
	}
}
