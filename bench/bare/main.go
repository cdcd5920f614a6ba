// Command bare is the baseline heppu-mcp is measured against: an mcp-go
// server with one create_agent tool that forwards its raw arguments to
// POST {HEPPU_BASE_URL}/agents and returns Heppu's answer as text. It
// does no validation, no logging and no error mapping, so the difference
// between it and heppu-mcp is what heppu-mcp's own work costs. It is a
// benchmark fixture, not a product: see bench/README.md.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

const inputSchema = `{"type":"object","properties":{"name":{"type":"string"},` +
	`"type":{"type":"string"}},"required":["name","type"]}`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bare:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bare", flag.ContinueOnError)
	transport := fs.String("transport", "stdio", "`stdio` or http")
	addr := fs.String("addr", "127.0.0.1:0", "http listen address")
	if err := fs.Parse(args); err != nil {
		return err
	}

	f := &forwarder{
		url:    strings.TrimRight(os.Getenv("HEPPU_BASE_URL"), "/") + "/agents",
		key:    os.Getenv("HEPPU_API_KEY"),
		client: &http.Client{Timeout: 30 * time.Second},
	}
	srv := server.NewMCPServer("bare", "0.0.0", server.WithToolCapabilities(false))
	srv.AddTool(mcp.NewToolWithRawSchema("create_agent", "Create a Heppu agent.",
		json.RawMessage(inputSchema)), f.createAgent)

	if *transport == "stdio" {
		return server.NewStdioServer(srv).Listen(ctx, os.Stdin, os.Stdout)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/mcp", server.NewStreamableHTTPServer(srv, server.WithEndpointPath("/mcp")))
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	line, _ := json.Marshal(map[string]string{"message": "bare serving", "addr": ln.Addr().String()})
	fmt.Fprintf(os.Stderr, "%s\n", line)
	go func() {
		<-ctx.Done()
		hs.Close()
	}()
	if err := hs.Serve(ln); err != http.ErrServerClosed {
		return err
	}
	return nil
}

// forwarder sends create_agent's arguments to Heppu unchanged.
type forwarder struct {
	url    string
	key    string
	client *http.Client
}

func (f *forwarder) createAgent(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	body := []byte(req.Params.RawArguments)
	if len(body) == 0 {
		var err error
		if body, err = json.Marshal(req.Params.Arguments); err != nil {
			return nil, err
		}
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, f.url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set("x-api-key", f.key)
	resp, err := f.client.Do(hr)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return mcp.NewToolResultText(string(out)), nil
}
