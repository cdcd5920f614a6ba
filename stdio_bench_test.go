package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
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
		serve func(ctx context.Context, srv *server.MCPServer, in io.Reader, out io.Writer) error
	}{
		{"mcp-go", func(ctx context.Context, srv *server.MCPServer, in io.Reader, out io.Writer) error {
			return server.NewStdioServer(srv).Listen(ctx, in, out)
		}},
		{"heppu-mcp", func(ctx context.Context, srv *server.MCPServer, in io.Reader, out io.Writer) error {
			return serveStdio(ctx, srv, in, out, zerolog.Nop())
		}},
	}
	const args = `{"name":"Customer Support Agent","type":"voice",` +
		`"instructions":"You are a helpful customer support agent. Be polite and professional.",` +
		`"config":{"voice":"sage","speed":1.0,"interruptionThreshold":0.5},` +
		`"toolIds":["web_search","calendar"]}`
	for _, tr := range transports {
		b.Run(tr.name, func(b *testing.B) {
			srv := sandboxServer(b)
			inR, inW := io.Pipe()
			outR, outW := io.Pipe()
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() {
				defer close(done)
				tr.serve(ctx, srv, inR, outW)
			}()
			b.Cleanup(func() {
				cancel()
				inW.Close()
				outR.Close()
				<-done
			})
			out := bufio.NewReader(outR)
			id := 0
			call := func(method, params string) {
				id++
				fmt.Fprintf(inW, `{"jsonrpc":"2.0","id":%d,"method":%q,"params":%s}`+"\n",
					id, method, params)
				want := fmt.Appendf(nil, `"id":%d,`, id)
				for {
					line, err := out.ReadBytes('\n')
					if err != nil {
						b.Fatal(err)
					}
					if !bytes.Contains(line, want) {
						continue // a notification
					}
					if bytes.Contains(line, []byte(`"isError":true`)) ||
						bytes.Contains(line, []byte(`"error":{`)) {
						b.Fatalf("%s failed: %s", method, line)
					}
					return
				}
			}
			call("initialize", `{"protocolVersion":"2025-06-18","capabilities":{},`+
				`"clientInfo":{"name":"bench","version":"0"}}`)
			fmt.Fprintln(inW, `{"jsonrpc":"2.0","method":"notifications/initialized"}`)
			params := `{"name":"create_agent","arguments":` + args + `}`
			b.ReportAllocs()
			for b.Loop() {
				call("tools/call", params)
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
