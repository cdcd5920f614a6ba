package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/heppu-ai/heppu-mcp/heppu/hepputest"
)

// TestCancelReachesHeppu cancels a call while Heppu hangs: the server must
// cancel its request to Heppu too, which the emulator sees as the client
// going away.
func TestCancelReachesHeppu(t *testing.T) {
	t.Parallel()
	emu := hepputest.NewHandler(hepputest.Options{Keys: map[string]string{e2eKey: "acme"}})
	arrived := make(chan struct{}, 1)
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		emu.ServeHTTP(w, r)
	}))
	t.Cleanup(upstream.Close)
	emu.FailNext(hepputest.Fault{Hang: true})

	p := startServer(t, "2025-06-18", []string{"HEPPU_API_KEY=" + e2eKey,
		"HEPPU_BASE_URL=" + upstream.URL + "/api/v1"}, "--timeout", "10m")

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := p.session.CallTool(ctx, &sdk.CallToolParams{Name: "list_agents",
			Arguments: json.RawMessage(`{}`)})
		done <- err
	}()
	<-arrived
	cancel()

	select {
	case r := <-emu.HangReleased():
		if r.Method != http.MethodGet || r.Path != "/api/v1/agents" {
			t.Errorf("released %s %s, want the list request", r.Method, r.Path)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Heppu's request was not cancelled with the call")
	}
	if err := <-done; err == nil {
		t.Error("the cancelled call returned no error to the client")
	}
	// The server keeps serving after a cancelled call.
	if res := p.call(t, "list_agents", `{}`); res.IsError {
		t.Errorf("next call failed: %s", textOf(t, res))
	}
}

// secretKey is what a leak would look like; Heppu is told to echo it back.
const secretKey = "sk-live-NEVER-PRINT-7c1e0b"

// exerciseEveryTool runs every tool at least once through call, with
// successes and failures (invalid arguments, a 401 echoing the key, a 500,
// an unknown id), and returns every result's text and structured content.
func exerciseEveryTool(t *testing.T, emu *hepputest.Server,
	call func(tool, args string) (text string, structured any)) []string {
	t.Helper()
	var out []string
	do := func(tool, args string) string {
		text, sc := call(tool, args)
		b, _ := json.Marshal(sc)
		out = append(out, text, string(b))
		return text
	}
	created := do("create_agent", `{"name":"Secret test","type":"voice","idempotencyKey":"s-1"}`)
	var res struct{ Agent struct{ ID string } }
	if err := json.Unmarshal([]byte(created), &res); err != nil || res.Agent.ID == "" {
		t.Fatalf("create did not succeed: %s", created)
	}
	id := res.Agent.ID
	do("create_agent", `{"name":"Secret test","type":"voice","idempotencyKey":"s-1"}`)
	do("create_agent", `{"name":"","type":"voice","voice":"sage"}`)
	do("list_agents", `{"type":"voice"}`)
	do("get_agent", fmt.Sprintf(`{"agentId":%q}`, id))
	do("get_agent", `{"agentId":"550e8400-e29b-41d4-a716-446655440000"}`)
	do("update_agent", fmt.Sprintf(`{"agentId":%q,"config":{"voice":"coral"},"dryRun":true}`, id))
	do("update_agent", fmt.Sprintf(`{"agentId":%q,"config":{"voice":"coral"}}`, id))
	emu.FailNext(hepputest.Fault{Status: 401,
		Body: `{"success":false,"error":{"message":"Invalid API key ` + secretKey + `","code":401}}`})
	do("list_agents", `{}`)
	emu.FailNext(hepputest.Fault{Status: 500, Body: `{"error":{"message":"key=` + secretKey + `"}}`})
	do("create_agent", `{"name":"Fails","type":"chat"}`)
	do("delete_agent", fmt.Sprintf(`{"agentId":%q}`, id))
	do("delete_agent", fmt.Sprintf(`{"agentId":%q}`, id))
	return out
}

func checkNoSecret(t *testing.T, where string, texts ...string) {
	t.Helper()
	if where == "a result" && !strings.Contains(strings.Join(texts, "\n"), "[redacted]") {
		t.Error("no result shows the echoed key redacted: the leak path was not exercised")
	}
	for _, s := range texts {
		if strings.Contains(s, secretKey) {
			t.Errorf("the API key appears in %s: %.200s", where, s)
		}
	}
}

// TestKeyNeverLeaks runs every tool, with failures, at debug level, over
// stdio and over HTTP, and looks for the key everywhere it could surface.
func TestKeyNeverLeaks(t *testing.T) {
	t.Parallel()
	newEmu := func(t *testing.T) *hepputest.Server {
		emu, err := hepputest.NewServer(hepputest.Options{Keys: map[string]string{secretKey: "acme"}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { emu.Close() })
		return emu
	}

	t.Run("stdio", func(t *testing.T) {
		t.Parallel()
		emu := newEmu(t)
		p := startServer(t, "", []string{"HEPPU_API_KEY=" + secretKey, "HEPPU_BASE_URL=" + emu.URL},
			"--log-level", "debug")
		results := exerciseEveryTool(t, emu, func(tool, args string) (string, any) {
			res := p.call(t, tool, args)
			return textOf(t, res), res.StructuredContent
		})
		checkNoSecret(t, "a result", results...)
		p.stop(t)
		checkNoSecret(t, "stdout", p.stdout.String())
		checkNoSecret(t, "stderr", p.stderr.String())
		if !strings.Contains(p.stderr.String(), `"level":"debug"`) {
			t.Error("no debug lines: the test did not run at debug level")
		}
	})

	t.Run("http", func(t *testing.T) {
		t.Parallel()
		emu := newEmu(t)
		s := startHTTP(t, map[string]string{"HEPPU_BASE_URL": emu.URL}, "--log-level", "debug")
		cs := connect(t, s, false, keyHeader("Authorization", secretKey))
		results := exerciseEveryTool(t, emu, func(tool, args string) (string, any) {
			res, err := cs.CallTool(context.Background(),
				&sdk.CallToolParams{Name: tool, Arguments: json.RawMessage(args)})
			if err != nil {
				t.Fatalf("%s: %v", tool, err)
			}
			return textOf(t, res), res.StructuredContent
		})
		checkNoSecret(t, "a result", results...)
		s.stop(t)
		checkNoSecret(t, "stderr", s.stderr.String())
		if !strings.Contains(s.stderr.String(), `"level":"debug"`) {
			t.Error("no debug lines: the test did not run at debug level")
		}
	})
}
