package bench_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// stdioPeer is an mcp-go stdio server in this process, over pipes.
type stdioPeer struct {
	in   *io.PipeWriter
	out  *bufio.Reader
	next int
	buf  []byte
}

func startStdio(tb testing.TB, srv *server.MCPServer) *stdioPeer {
	tb.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		server.NewStdioServer(srv).Listen(ctx, inR, outW)
	}()
	tb.Cleanup(func() {
		cancel()
		inW.Close()
		outR.Close()
		<-done
	})
	p := &stdioPeer{in: inW, out: bufio.NewReader(outR)}
	p.call(tb, "initialize", `{"protocolVersion":"2025-06-18","capabilities":{},`+
		`"clientInfo":{"name":"bench","version":"0"}}`)
	fmt.Fprintln(inW, `{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	return p
}

func (p *stdioPeer) call(tb testing.TB, method, params string) []byte {
	p.next++
	p.buf = fmt.Appendf(p.buf[:0], `{"jsonrpc":"2.0","id":%d,"method":%q,"params":%s}`+"\n",
		p.next, method, params)
	if _, err := p.in.Write(p.buf); err != nil {
		tb.Fatal(err)
	}
	for {
		line, err := p.out.ReadBytes('\n')
		if err != nil {
			tb.Fatal(err)
		}
		if bytes.Contains(line, []byte(`"method"`)) && !bytes.Contains(line, []byte(`"result"`)) {
			continue // a notification
		}
		if bytes.Contains(line, []byte(`"isError":true`)) || bytes.Contains(line, []byte(`"error"`)) {
			tb.Fatalf("%s failed: %s", method, line)
		}
		return line
	}
}

// BenchmarkStdio is one create_agent call over mcp-go's stdio transport in
// this process, with a canned Heppu answer: heppu-mcp's tool next to the
// bare server's, without process and pipe costs.
func BenchmarkStdio(b *testing.B) {
	params := `{"name":"create_agent","arguments":` + createArgs + `}`
	servers := map[string]func() *server.MCPServer{
		"heppu-mcp": func() *server.MCPServer {
			srv := server.NewMCPServer("heppu-mcp", "bench", server.WithToolCapabilities(false),
				server.WithLogging())
			h := cannedHandler(b)
			for _, st := range []server.ServerTool{{Tool: mcp.NewToolWithRawSchema("create_agent",
				"", json.RawMessage(`{"type":"object"}`)), Handler: h}} {
				srv.AddTool(st.Tool, st.Handler)
			}
			return srv
		},
		"bare": func() *server.MCPServer {
			srv := server.NewMCPServer("bare", "bench", server.WithToolCapabilities(false))
			client := &http.Client{Transport: canned{}}
			srv.AddTool(mcp.NewToolWithRawSchema("create_agent", "",
				json.RawMessage(`{"type":"object"}`)),
				func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
					hr, err := http.NewRequestWithContext(ctx, http.MethodPost,
						"http://127.0.0.1/api/v1/agents", bytes.NewReader(req.Params.RawArguments))
					if err != nil {
						return nil, err
					}
					hr.Header.Set("x-api-key", key)
					resp, err := client.Do(hr)
					if err != nil {
						return nil, err
					}
					defer resp.Body.Close()
					body, err := io.ReadAll(resp.Body)
					if err != nil {
						return nil, err
					}
					return mcp.NewToolResultText(string(body)), nil
				})
			return srv
		},
	}
	for _, name := range []string{"heppu-mcp", "bare"} {
		b.Run(name, func(b *testing.B) {
			p := startStdio(b, servers[name]())
			b.ReportAllocs()
			for b.Loop() {
				p.call(b, "tools/call", params)
			}
		})
	}
}
