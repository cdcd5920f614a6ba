package tools

import (
	"context"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/rs/zerolog"
)

// TestHandlerPanic checks that a panic in a handler becomes an isError
// result and an error log line with the stack, and the server keeps
// serving.
func TestHandlerPanic(t *testing.T) {
	t.Parallel()
	logs := &syncBuffer{}
	ts := New(Options{Logger: zerolog.New(logs)})
	boom := &definition{name: "boom", title: "Boom", description: "Panics.",
		in: getAgentDef.in, out: getAgentDef.out}
	srv := server.NewMCPServer("heppu-mcp", "test")
	srv.AddTools(
		ts.serve(boom, func(context.Context, *call, mcp.CallToolRequest) *mcp.CallToolResult {
			panic("a bug in the handler")
		}),
		ts.serve(listAgentsDef, ts.listAgents),
	)
	c, err := client.NewInProcessClient(srv)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	if _, err := c.Initialize(ctx, init); err != nil {
		t.Fatal(err)
	}

	for range 2 { // and again: the server survived the first
		req := mcp.CallToolRequest{}
		req.Params.Name = "boom"
		res, err := c.CallTool(ctx, req)
		if err != nil {
			t.Fatalf("protocol error: %v", err)
		}
		if text := resultText(t, res); !res.IsError || !strings.Contains(text, "Internal error") {
			t.Errorf("panic result: isError=%v %q", res.IsError, text)
		}
	}
	req := mcp.CallToolRequest{}
	req.Params.Name = "list_agents"
	if res, err := c.CallTool(ctx, req); err != nil || !strings.Contains(resultText(t, res), "HEPPU_API_KEY") {
		t.Errorf("another tool after the panic: %v %+v", err, res)
	}

	log := logs.String()
	for _, want := range []string{`"level":"error"`, "a bug in the handler", `"stack":"goroutine`,
		`"outcome":"internal_error"`} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %s:\n%s", want, log)
		}
	}
}
