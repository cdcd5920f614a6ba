package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/rs/zerolog"

	"github.com/heppu-ai/heppu-mcp/heppu"
	"github.com/heppu-ai/heppu-mcp/heppu/hepputest"
	"github.com/heppu-ai/heppu-mcp/schema"
)

var update = flag.Bool("update", false, "rewrite the generated schema and catalog files (go generate ./tools)")

const testKey = "sk-test-0123456789abcdef"

// harness is a toolset behind an MCP server, behind an in-process client,
// with an emulated Heppu behind the toolset.
type harness struct {
	emu    *hepputest.Server
	mcp    *client.Client
	stderr *syncBuffer
}

type harnessOptions struct {
	noKey   bool
	timeout time.Duration
	now     func() time.Time // the toolset's clock; nil for the real one
}

func newHarness(t *testing.T, opts harnessOptions) *harness {
	t.Helper()
	emu, err := hepputest.NewServer(hepputest.Options{Keys: map[string]string{testKey: "acme"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })

	key := testKey
	if opts.noKey {
		key = ""
	}
	hc, err := heppu.NewClient(heppu.Options{BaseURL: emu.URL, APIKey: key, Timeout: opts.timeout})
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	ts := New(Options{Client: hc, Logger: zerolog.New(logs).Level(zerolog.DebugLevel), Now: opts.now})
	srv := server.NewMCPServer("heppu-mcp", "test", server.WithToolCapabilities(false))
	srv.AddTools(ts.ServerTools()...)

	c, err := client.NewInProcessClient(srv)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	ctx := context.Background()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "tools-test", Version: "0"}
	if _, err := c.Initialize(ctx, init); err != nil {
		t.Fatal(err)
	}
	return &harness{emu: emu, mcp: c, stderr: logs}
}

// call calls a tool with arguments given as JSON text, so that tests send
// exactly what a client would put on the wire.
func (h *harness) call(t *testing.T, tool, args string) *mcp.CallToolResult {
	t.Helper()
	req := mcp.CallToolRequest{}
	req.Params.Name = tool
	if args != "" {
		req.Params.Arguments = json.RawMessage(args)
	}
	res, err := h.mcp.CallTool(context.Background(), req)
	if err != nil {
		t.Fatalf("%s(%s): protocol error: %v", tool, args, err)
	}
	return res
}

// resultText returns the text of a result's single text content.
func resultText(t *testing.T, res *mcp.CallToolResult) string {
	t.Helper()
	if len(res.Content) != 1 {
		t.Fatalf("got %d content items, want 1", len(res.Content))
	}
	tc, ok := res.Content[0].(mcp.TextContent)
	if !ok {
		t.Fatalf("content is %T, want text", res.Content[0])
	}
	return tc.Text
}

// structured decodes a successful result's structured content into v,
// after checking it against the tool's output schema and its text copy.
func structured(t *testing.T, def *definition, res *mcp.CallToolResult, v any) {
	t.Helper()
	if res.IsError {
		t.Fatalf("%s failed: %s", def.name, resultText(t, res))
	}
	raw := res.RawStructuredContent
	if len(raw) == 0 {
		t.Fatal("no structured content")
	}
	doc, err := schema.Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	if problems := def.out.Validate(doc); len(problems) > 0 {
		t.Errorf("structured content does not match the output schema: %v\n%s", problems, raw)
	}
	var fromText any
	if err := json.Unmarshal([]byte(resultText(t, res)), &fromText); err != nil {
		t.Fatalf("text content is not JSON: %v", err)
	}
	var fromStructured any
	if err := json.Unmarshal(raw, &fromStructured); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(fromStructured, fromText); diff != "" {
		t.Errorf("text copy differs from structured content (-structured +text):\n%s", diff)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatal(err)
	}
}

// requestsTo returns the emulator's recorded requests with the given method.
func (h *harness) requestsTo(method string) []hepputest.Request {
	var out []hepputest.Request
	for _, r := range h.emu.Requests() {
		if r.Method == method {
			out = append(out, r)
		}
	}
	return out
}

// generated compares got with the file at path, which the server embeds as
// it is, or writes it there when the test runs with -update (which go
// generate ./tools does).
func generated(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go generate ./tools to create it)", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s is stale; run go generate ./tools (-file +generated):\n%s",
			path, cmp.Diff(indent(t, want), indent(t, got)))
	}
}

// indent returns JSON indented, for a readable diff.
func indent(t *testing.T, doc []byte) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Indent(&b, doc, "", "  "); err != nil {
		return string(doc)
	}
	return b.String()
}
