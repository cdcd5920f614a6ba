//lint:file-ignore SA1019 MCP logging is deprecated only from the 2026-07-28 protocol on; the 2025-era sessions tested here, which most clients still use, negotiate it.

package main

import (
	"context"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// TestLogMessages checks that each tool call reaches the client as an MCP
// log message, at the level the client set.
func TestLogMessages(t *testing.T) {
	t.Parallel()
	logs := make(chan *sdk.LoggingMessageParams, 16)
	opts := &sdk.ClientOptions{LoggingMessageHandler: func(_ context.Context, r *sdk.LoggingMessageRequest) {
		logs <- r.Params
	}}
	p := startServerWith(t, "2025-06-18", opts, nil, "--sandbox")
	next := func() *sdk.LoggingMessageParams {
		t.Helper()
		select {
		case m := <-logs:
			return m
		case <-time.After(20 * time.Second):
			t.Fatal("no log message arrived")
			return nil
		}
	}

	setLevel(t, p, "info")
	p.call(t, "list_agents", `{}`)
	m := next()
	data, _ := m.Data.(map[string]any)
	if m.Level != "info" || data["tool"] != "list_agents" || data["outcome"] != "ok" {
		t.Errorf("log message = %+v", m)
	}

	// At "warning", a successful call sends nothing and a failed one warns.
	// Messages keep their order, so the warning arriving first shows that
	// no info message came before it.
	setLevel(t, p, "warning")
	p.call(t, "list_agents", `{}`)
	p.call(t, "get_agent", `{"agentId":"nope"}`)
	m = next()
	data, _ = m.Data.(map[string]any)
	if m.Level != "warning" || data["tool"] != "get_agent" || data["outcome"] != "invalid_arguments" {
		t.Errorf("log message = %+v, want the get_agent warning", m)
	}
}

// setLevel sends logging/setLevel, which the clients of the 2025 protocol
// eras use; the SDK deprecates it for the 2026 era only.
func setLevel(t *testing.T, p *process, level sdk.LoggingLevel) {
	t.Helper()
	params := &sdk.SetLoggingLevelParams{Level: level}
	if err := p.session.SetLoggingLevel(context.Background(), params); err != nil {
		t.Fatal(err)
	}
}
