package bench_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/rs/zerolog"

	"github.com/heppu-ai/heppu-mcp/heppu"
	"github.com/heppu-ai/heppu-mcp/heppu/hepputest"
	"github.com/heppu-ai/heppu-mcp/schema"
	"github.com/heppu-ai/heppu-mcp/tools"
)

// createArgs is the seed voice agent of Heppu's documentation, as
// heppubench sends it.
const createArgs = `{"name":"Customer Support Agent","type":"voice",` +
	`"instructions":"You are a helpful customer support agent. Be polite and professional.",` +
	`"config":{"voice":"sage","speed":1.0,"interruptionThreshold":0.5},` +
	`"toolIds":["web_search","calendar"]}`

// createdBody is what Heppu answers to createArgs.
const createdBody = `{"success":true,"data":{"id":"550e8400-e29b-41d4-a716-446655440000",` +
	`"name":"Customer Support Agent","type":"voice","model":"gpt-realtime-2025-08-28",` +
	`"instructions":"You are a helpful customer support agent. Be polite and professional.",` +
	`"status":"active","config":{"voice":"sage","speed":1.0,"interruptionThreshold":0.5},` +
	`"createdAt":"2025-01-15T10:30:00Z"},"message":"Agent created successfully"}`

const key = "bench-key"

// canned answers every request with createdBody, without a network, so
// that allocations and CPU are heppu-mcp's own.
type canned struct{}

func (canned) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	return &http.Response{
		StatusCode: http.StatusCreated,
		Header:     http.Header{"Content-Type": {"application/json"}},
		Body:       io.NopCloser(strings.NewReader(createdBody)),
		Request:    r,
	}, nil
}

// createAgentHandler returns heppu-mcp's create_agent handler, logging at
// info level to nowhere as the server does to stderr.
func createAgentHandler(tb testing.TB, opts heppu.Options) server.ToolHandlerFunc {
	tb.Helper()
	opts.APIKey = key
	client, err := heppu.NewClient(opts)
	if err != nil {
		tb.Fatal(err)
	}
	ts := tools.New(tools.Options{Client: client, Logger: zerolog.New(io.Discard)})
	for _, st := range ts.ServerTools() {
		if st.Tool.Name == "create_agent" {
			return st.Handler
		}
	}
	tb.Fatal("no create_agent tool")
	return nil
}

// cannedHandler is createAgentHandler towards the canned transport.
func cannedHandler(tb testing.TB) server.ToolHandlerFunc {
	return createAgentHandler(tb, heppu.Options{BaseURL: "http://127.0.0.1/api/v1",
		HTTPClient: &http.Client{Transport: canned{}}})
}

// emulatorHandler is createAgentHandler towards a hepputest server.
func emulatorHandler(tb testing.TB) (server.ToolHandlerFunc, *hepputest.Server) {
	emu, err := hepputest.NewServer(hepputest.Options{Keys: map[string]string{key: "bench"},
		MaxRequests: 10})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { emu.Close() })
	return createAgentHandler(tb, heppu.Options{BaseURL: emu.URL}), emu
}

// request is a tools/call of create_agent as the stdio transport decodes
// it: the arguments both decoded and raw.
func request(tb testing.TB) mcp.CallToolRequest {
	var args map[string]any
	if err := json.Unmarshal([]byte(createArgs), &args); err != nil {
		tb.Fatal(err)
	}
	var req mcp.CallToolRequest
	req.Params.Name = "create_agent"
	req.Params.Arguments = args
	req.Params.RawArguments = json.RawMessage(createArgs)
	return req
}

func call(tb testing.TB, h server.ToolHandlerFunc, req mcp.CallToolRequest) {
	res, err := h(context.Background(), req)
	if err != nil {
		tb.Fatal(err)
	}
	if res.IsError {
		tb.Fatalf("create_agent failed: %+v", res.Content)
	}
}

// BenchmarkCreateAgentInProcess is one create_agent call through the
// tool's handler, against hepputest on loopback. Allocations include the
// emulator's, which BenchmarkDirectPOST shows alone.
func BenchmarkCreateAgentInProcess(b *testing.B) {
	h, _ := emulatorHandler(b)
	req := request(b)
	b.ReportAllocs()
	for b.Loop() {
		call(b, h, req)
	}
}

// BenchmarkCreateAgentCanned is one create_agent call through the tool's
// handler with a canned Heppu answer: heppu-mcp's own cost per call
// (validation, decoding, logging, the client, the result).
func BenchmarkCreateAgentCanned(b *testing.B) {
	h := cannedHandler(b)
	req := request(b)
	b.ReportAllocs()
	for b.Loop() {
		call(b, h, req)
	}
}

// BenchmarkBareForwardCanned is the bare server's handler's work with the
// same canned answer: the raw arguments as the body, the answer as text.
func BenchmarkBareForwardCanned(b *testing.B) {
	client := &http.Client{Transport: canned{}}
	req := request(b)
	b.ReportAllocs()
	for b.Loop() {
		hr, err := http.NewRequestWithContext(context.Background(), http.MethodPost,
			"http://127.0.0.1/api/v1/agents", bytes.NewReader(req.Params.RawArguments))
		if err != nil {
			b.Fatal(err)
		}
		hr.Header.Set("Content-Type", "application/json")
		hr.Header.Set("x-api-key", key)
		resp, err := client.Do(hr)
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			b.Fatal(err)
		}
		_ = mcp.NewToolResultText(string(body))
	}
}

// BenchmarkDirectPOST is the POST /agents heppu-mcp makes, sent with
// net/http straight to hepputest: the floor under
// BenchmarkCreateAgentInProcess.
func BenchmarkDirectPOST(b *testing.B) {
	emu, err := hepputest.NewServer(hepputest.Options{Keys: map[string]string{key: "bench"},
		MaxRequests: 10})
	if err != nil {
		b.Fatal(err)
	}
	defer emu.Close()
	client := &http.Client{}
	b.ReportAllocs()
	for b.Loop() {
		hr, _ := http.NewRequest(http.MethodPost, emu.URL+"/agents", strings.NewReader(createArgs))
		hr.Header.Set("Content-Type", "application/json")
		hr.Header.Set("x-api-key", key)
		resp, err := client.Do(hr)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}

// BenchmarkSchemaForInput is reflecting and compiling the request's input
// schema once: what a call would cost if the schema were built per call.
func BenchmarkSchemaForInput(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		buildSchema(b)
	}
}

// buildSchema reflects and compiles the request's schema, as go generate
// and the tests do.
func buildSchema(tb testing.TB) {
	if _, err := schema.ForInput(heppu.CreateAgentRequest{}); err != nil {
		tb.Fatal(err)
	}
}

// TestSchemaBuiltOnce shows that a create_agent call does not reflect or
// compile its schema: a whole call allocates far less than building the
// schema of its request body alone.
func TestSchemaBuiltOnce(t *testing.T) {
	h := cannedHandler(t)
	req := request(t)
	call(t, h, req) // the first call may fill caches

	perCall := testing.AllocsPerRun(50, func() { call(t, h, req) })
	perSchema := testing.AllocsPerRun(3, func() { buildSchema(t) })
	t.Logf("allocations: %.0f per create_agent call, %.0f per schema build", perCall, perSchema)
	if perCall*4 > perSchema {
		t.Errorf("a call allocates %.0f times, more than a quarter of a schema build (%.0f): "+
			"is the schema built per call?", perCall, perSchema)
	}
}
