package main

import (
	"bytes"
	"context"
	"io"
	"strconv"
	"testing"

	"github.com/mark3labs/mcp-go/server"
	"github.com/rs/zerolog"

	"github.com/heppu-ai/heppu-mcp/tools"
)

// BenchmarkStdioTransport is one create_agent call of the real server, in
// this process over pipes, against the sandbox's emulator on loopback:
// served by mcp-go's stdio server, and by the transport heppu-mcp ships.
// The same server and the same calls; only the transport differs.
func BenchmarkStdioTransport(b *testing.B) {
	transports := []struct {
		name  string
		serve func(ctx context.Context, srv *server.MCPServer) func(io.Reader, io.Writer) error
	}{
		{"mcp-go", func(ctx context.Context, srv *server.MCPServer) func(io.Reader, io.Writer) error {
			return func(in io.Reader, out io.Writer) error {
				return server.NewStdioServer(srv).Listen(ctx, in, out)
			}
		}},
		{"heppu-mcp", ourStdio},
	}
	const params = `{"name":"create_agent","arguments":{"name":"Customer Support Agent",` +
		`"type":"voice","instructions":"You are a helpful customer support agent. ` +
		`Be polite and professional.","config":{"voice":"sage","speed":1.0,` +
		`"interruptionThreshold":0.5},"toolIds":["web_search","calendar"]}}`
	for _, tr := range transports {
		b.Run(tr.name, func(b *testing.B) {
			c := startPipe(b, tr.serve(b.Context(), sandboxServer(b)))
			c.send(b, rpcRequest(1, "initialize", `{"protocolVersion":"2025-06-18",`+
				`"capabilities":{},"clientInfo":{"name":"bench","version":"0"}}`))
			c.answer(b, "1")
			c.send(b, `{"jsonrpc":"2.0","method":"notifications/initialized"}`+"\n")
			b.ReportAllocs()
			id := 1
			for b.Loop() {
				id++
				c.send(b, rpcRequest(id, "tools/call", params))
				if res := c.answer(b, strconv.Itoa(id)); res["error"] != nil ||
					bytes.Contains(res["result"], []byte(`"isError":true`)) {
					b.Fatalf("create_agent failed: %s %s", res["error"], res["result"])
				}
			}
		})
	}
}

// sandboxServer is the server run builds with --sandbox, logging at info
// level to nowhere, as a terminal nobody reads would.
func sandboxServer(b *testing.B) *server.MCPServer {
	b.Helper()
	logger := zerolog.New(io.Discard).Level(zerolog.InfoLevel).With().Timestamp().Logger()
	client, stop, err := newClient(&config{sandbox: true}, logger)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(stop)
	toolset := tools.New(tools.Options{Client: client, Logger: logger, Sandbox: true})
	served, err := toolset.Select(nil, false)
	if err != nil {
		b.Fatal(err)
	}
	return newServer(toolset, served, &server.Hooks{})
}
