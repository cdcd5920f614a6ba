package tools_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/rs/zerolog"

	"github.com/heppu-ai/heppu-mcp/heppu"
	"github.com/heppu-ai/heppu-mcp/schema"
	"github.com/heppu-ai/heppu-mcp/tools"
)

// goDumps are what Go prints for a value formatted by mistake: a map, or a
// bad verb or argument.
var goDumps = []string{"map[", "%!"}

// sentRequests counts the requests a keyless client tried to send; it must
// stay zero.
type sentRequests struct{ n atomic.Int64 }

func (s *sentRequests) RoundTrip(*http.Request) (*http.Response, error) {
	s.n.Add(1)
	return nil, errors.New("no request may be sent without a key")
}

// FuzzArguments sends any bytes as the arguments of create_agent and
// update_agent through their handlers, with a client that has no key. A
// call must end as a single text result, valid or not, and never reach the
// network: arguments that pass end in the "no key" error, or a dry run.
func FuzzArguments(f *testing.F) {
	sent := &sentRequests{}
	client, err := heppu.NewClient(heppu.Options{
		BaseURL:    "http://127.0.0.1:9/api/v1", // discard; never dialled
		HTTPClient: &http.Client{Transport: sent},
	})
	if err != nil {
		f.Fatal(err)
	}
	// Calls run one at a time in a fuzzing process, so one buffer will do.
	var logs bytes.Buffer
	ts := tools.New(tools.Options{Client: client, Logger: zerolog.New(&logs)})
	handlers := map[string]server.ToolHandlerFunc{}
	for _, st := range ts.ServerTools() {
		handlers[st.Tool.Name] = st.Handler
	}
	names := []string{"create_agent", "update_agent"}
	for _, name := range names {
		if handlers[name] == nil {
			f.Fatalf("no %s among the server tools", name)
		}
	}

	const agentID = `"agentId":"550e8400-e29b-41d4-a716-446655440000"`
	for _, seed := range []string{
		`{"name":"Support line","type":"voice","config":{"voice":"coral","speed":1.1}}`,
		`{"name":"Web","type":"chat","model":"gpt-4o-mini","config":"{\"theme\":\"dark\"}",` +
			`"toolIds":["crm","salesforce"],"dryRun":true}`,
		`{"name":"V","type":"voice","model":"gpt-4o","config":{"theme":"dark","voice":"sage"}}`,
		`{` + agentID + `,"status":"active","config":{"primaryColor":"#fff"}}`,
		`{` + agentID + `,"dryRun":true}`,
		`{"agentId":"../../agents","name":"x","type":"chat"}`,
		`{"speed":2,"voice":"sage","map[":1,"%!d":"%!s(MISSING)"}`,
		`{"name":"` + strings.Repeat("n", 300) + `","type":"voice"}`,
		`{"config":{"speed":1e400}}`, `{"toolIds":"[\"a\",\"a\"]"}`,
		`[]`, `"{}"`, `null`, `1`, ``, `{`, "\xff", `{"a":1} {"b":2}`,
	} {
		f.Add([]byte(seed))
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		for _, name := range names {
			req := mcp.CallToolRequest{}
			req.Params.Name = name
			req.Params.Arguments = json.RawMessage(data)
			req.Params.RawArguments = json.RawMessage(data)

			logs.Reset()
			res, err := handlers[name](context.Background(), req)

			if err != nil {
				t.Fatalf("%s returned a Go error: %v", name, err)
			}
			checkLogs(t, name, logs.Bytes())
			checkResult(t, name, data, res)
			if n := sent.n.Load(); n != 0 {
				t.Fatalf("%s sent %d requests without a key", name, n)
			}
		}
	})
}

// checkLogs fails on a line at error level or above. With no network in
// play, such a line is the handler wrapper reporting a panic it recovered,
// which the fuzzer must see as the crash it is.
func checkLogs(t *testing.T, name string, logs []byte) {
	t.Helper()
	for line := range bytes.Lines(logs) {
		var entry struct {
			Level string `json:"level"`
		}
		if err := json.Unmarshal(line, &entry); err != nil {
			t.Fatalf("%s logged a line that is not JSON: %q", name, line)
		}
		lvl, _ := zerolog.ParseLevel(entry.Level)
		if lvl >= zerolog.ErrorLevel && lvl <= zerolog.PanicLevel {
			t.Fatalf("%s logged at level %q: %.2000s", name, entry.Level, line)
		}
	}
}

func checkResult(t *testing.T, name string, data []byte, res *mcp.CallToolResult) {
	t.Helper()
	if res == nil {
		t.Fatalf("%s returned no result", name)
	}
	if len(res.Content) != 1 {
		t.Fatalf("%s returned %d content items, want 1", name, len(res.Content))
	}
	text, ok := res.Content[0].(mcp.TextContent)
	if !ok {
		t.Fatalf("%s returned %T content, want text", name, res.Content[0])
	}
	if strings.TrimSpace(text.Text) == "" {
		t.Fatalf("%s returned an empty text", name)
	}
	if !res.IsError {
		// Without a key, only a dry run can succeed.
		var out struct {
			DryRun bool `json:"dryRun"`
		}
		if err := json.Unmarshal([]byte(text.Text), &out); err != nil || !out.DryRun {
			t.Errorf("%s succeeded without a key and without a dry run: %.500s", name, text.Text)
		}
		return
	}
	for _, dump := range goDumps {
		if strings.Contains(text.Text, dump) && !inInput(data, dump) {
			t.Errorf("%s error text has the Go dump %q: %s", name, dump, text.Text)
		}
	}
}

// inInput reports whether s occurs in the raw arguments or in any key or
// string they hold, at any depth of JSON inside strings: an error that
// names an offending key may echo it.
func inInput(data []byte, s string) bool {
	if bytes.Contains(data, []byte(s)) {
		return true
	}
	v, err := schema.Decode(data)
	return err == nil && inValue(v, s)
}

func inValue(v any, s string) bool {
	switch v := v.(type) {
	case string:
		return strings.Contains(v, s) || inInput([]byte(v), s)
	case []any:
		for _, item := range v {
			if inValue(item, s) {
				return true
			}
		}
	case map[string]any:
		for k, item := range v {
			if strings.Contains(k, s) || inValue(item, s) {
				return true
			}
		}
	}
	return false
}
