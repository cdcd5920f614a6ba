package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/rs/zerolog"
)

func TestPeek(t *testing.T) {
	t.Parallel()
	tests := []struct {
		line    string
		request bool
		answer  bool
		id      string // a numeric id
	}{
		{line: `{"jsonrpc":"2.0","id":1,"method":"ping"}`, request: true, id: "1"},
		{line: `{"jsonrpc":"2.0","id":"a","method":"ping"}`, request: true},
		{line: `{"jsonrpc":"2.0","id":7,"result":{}}`, answer: true, id: "7"},
		{line: `{"jsonrpc":"2.0","id":7,"error":{"code":-1,"message":"no"}}`, answer: true, id: "7"},
		{line: `{"jsonrpc":"2.0","id":"s","result":{}}`, answer: true},
		{line: `{"jsonrpc":"2.0","result":{"id":3},"id":12}`, answer: true, id: "12"}, // the id may come last
		{line: `{"jsonrpc":"2.0","method":"notifications/initialized"}`},              // no id: a notification
		{line: `{"jsonrpc":"2.0","id":null,"method":"ping"}`},                         // a null id is none
		{line: `{"jsonrpc":"2.0","id":null,"error":{}}`},
		{line: `{"jsonrpc":"2.0","method":"m","params":{"id":5}}`},           // only the top level counts
		{line: `{"\u0069d":4,"method":"ping"}`, request: true, id: "4"},      // keys may be escaped
		{line: `{"id":1,"id":null,"method":"ping"}`, request: true, id: "1"}, // the first id counts
		{line: `{"id":1}`, id: "1"},                                          // neither a method nor a result
		{line: `[{"id":1,"method":"ping"}]`},                                 // not an object
		{line: `not json`},
		{line: "\n"},
	}
	for _, tt := range tests {
		env := peek([]byte(tt.line))
		if env.request != tt.request || env.answer != tt.answer || string(env.id) != tt.id {
			t.Errorf("peek(%s) = {request %t, answer %t, id %q}, want {%t, %t, %q}", tt.line,
				env.request, env.answer, env.id, tt.request, tt.answer, tt.id)
		}
	}
}

// pipeClient is a client of a stdio server in this process, over pipes.
type pipeClient struct {
	in    *io.PipeWriter
	lines chan []byte
	done  chan error // the server's return
}

// startPipe runs serve over pipes as a client's stdin and stdout, and
// reads what it writes line by line.
func startPipe(tb testing.TB, serve func(in io.Reader, out io.Writer) error) *pipeClient {
	tb.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	c := &pipeClient{in: inW, lines: make(chan []byte, 16), done: make(chan error, 1)}
	go func() {
		c.done <- serve(inR, outW)
		outW.Close()
	}()
	go func() {
		defer close(c.lines)
		r := bufio.NewReader(outR)
		for {
			line, err := r.ReadBytes('\n')
			if err != nil {
				return
			}
			c.lines <- line
		}
	}()
	tb.Cleanup(func() {
		inW.Close()
		for range c.lines {
		}
	})
	return c
}

// ourStdio serves srv with serveStdio under ctx, for startPipe.
func ourStdio(ctx context.Context, srv *server.MCPServer) func(io.Reader, io.Writer) error {
	return func(in io.Reader, out io.Writer) error {
		return serveStdio(ctx, srv, in, out, zerolog.Nop())
	}
}

func (c *pipeClient) send(tb testing.TB, line string) {
	tb.Helper()
	if _, err := io.WriteString(c.in, line); err != nil {
		tb.Fatal(err)
	}
}

// answer reads lines until the answer to the request with (numeric) id,
// skipping others.
func (c *pipeClient) answer(tb testing.TB, id string) map[string]json.RawMessage {
	tb.Helper()
	for line := range c.lines {
		if !json.Valid(line) {
			tb.Fatalf("stdout line %q is not JSON", line)
		}
		if env := peek(line); !env.answer || string(env.id) != id {
			continue
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(line, &m); err != nil {
			tb.Fatalf("stdout line %q: %v", line, err)
		}
		return m
	}
	tb.Fatalf("stdout ended with no answer to id %s", id)
	return nil
}

// TestServeStdioPanic: a handler that panics past every recover of its own
// gets an internal error with its request's id, and the server serves on.
func TestServeStdioPanic(t *testing.T) {
	t.Parallel()
	srv := server.NewMCPServer("test", "0", server.WithToolCapabilities(false))
	srv.AddTool(mcp.NewToolWithRawSchema("boom", "Panics.", json.RawMessage(`{"type":"object"}`)),
		func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			panic("boom")
		})
	c := startPipe(t, ourStdio(t.Context(), srv))
	c.send(t, rpcRequest(1, "initialize", `{"protocolVersion":"2025-06-18","capabilities":{},`+
		`"clientInfo":{"name":"test","version":"0"}}`))
	c.answer(t, "1")

	c.send(t, rpcRequest(2, "tools/call", `{"name":"boom","arguments":{}}`))
	var e rpcError
	if err := json.Unmarshal(c.answer(t, "2")["error"], &e); err != nil || e.Code != mcp.INTERNAL_ERROR {
		t.Errorf("answer to the panicking call: %+v, %v; want code %d", e, err, mcp.INTERNAL_ERROR)
	}
	c.send(t, rpcRequest(3, "ping", ""))
	if got := string(c.answer(t, "3")["result"]); got != "{}" {
		t.Errorf("ping after the panic = %s, want {}", got)
	}
	c.in.Close()
	if err := <-c.done; err != nil {
		t.Errorf("serveStdio = %v after stdin closed, want nil", err)
	}
}

// TestServeStdioStop: when ctx is done, as on SIGTERM, the calls in flight
// are cancelled and serveStdio returns without waiting for stdin to end.
func TestServeStdioStop(t *testing.T) {
	t.Parallel()
	started, cancelled := make(chan struct{}), make(chan struct{})
	srv := server.NewMCPServer("test", "0", server.WithToolCapabilities(false))
	srv.AddTool(mcp.NewToolWithRawSchema("wait", "Waits.", json.RawMessage(`{"type":"object"}`)),
		func(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			close(started)
			<-ctx.Done()
			close(cancelled)
			return mcp.NewToolResultError("cancelled"), nil
		})
	ctx, stop := context.WithCancel(t.Context())
	c := startPipe(t, ourStdio(ctx, srv))
	c.send(t, rpcRequest(1, "tools/call", `{"name":"wait","arguments":{}}`))
	<-started

	stop()
	if err := <-c.done; err != nil {
		t.Errorf("serveStdio = %v when stopped, want nil", err)
	}
	select {
	case <-cancelled:
	default:
		t.Error("serveStdio returned before the call in flight was cancelled")
	}
}
