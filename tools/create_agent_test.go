package tools

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/heppu-ai/heppu-mcp/heppu"
	"github.com/heppu-ai/heppu-mcp/heppu/hepputest"
)

// The two examples of the Create Agent page.
const (
	seedVoiceArgs = `{"name":"Customer Support Agent","type":"voice",
		"instructions":"You are a helpful customer support agent. Be polite and professional.",
		"config":{"voice":"sage","speed":1.0,"interruptionThreshold":0.5},
		"toolIds":["web_search","calendar"]}`
	seedChatArgs = `{"name":"Website Chat Assistant","type":"chat","model":"gpt-4o",
		"instructions":"You are a friendly website assistant. Help users navigate the site and answer questions.",
		"config":{"theme":"dark","primaryColor":"#3B82F6","position":"bottom-right",
			"greeting":"Hello! How can I help you today?","placeholder":"Type your message...",
			"allowedDomains":["example.com"]},
		"toolIds":["calculator","web_search"]}`
)

func TestCreateAgentSeedExamples(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		args     string
		wantBody string // what Heppu must receive
		wantType heppu.AgentType
		model    string
	}{
		{
			name: "voice",
			args: seedVoiceArgs,
			wantBody: `{"name":"Customer Support Agent","type":"voice",
				"instructions":"You are a helpful customer support agent. Be polite and professional.",
				"config":{"voice":"sage","speed":1,"interruptionThreshold":0.5},
				"toolIds":["web_search","calendar"]}`,
			wantType: heppu.Voice,
			model:    "gpt-realtime-2025-08-28",
		},
		{
			name:     "chat",
			args:     seedChatArgs,
			wantBody: seedChatArgs,
			wantType: heppu.Chat,
			model:    "gpt-4o",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, harnessOptions{})

			var got CreateAgentResult
			structured(t, createAgentDef, h.call(t, "create_agent", tt.args), &got)

			posts := h.requestsTo(http.MethodPost)
			if len(posts) != 1 {
				t.Fatalf("Heppu got %d POSTs, want 1", len(posts))
			}
			if posts[0].Path != "/api/v1/agents" {
				t.Errorf("POST path = %q, want /api/v1/agents", posts[0].Path)
			}
			if k := posts[0].Header.Get("x-api-key"); k != testKey {
				t.Errorf("x-api-key = %q, want the configured key", k)
			}
			if diff := cmp.Diff(jsonValue(t, tt.wantBody), jsonValue(t, string(posts[0].Body))); diff != "" {
				t.Errorf("body Heppu received (-want +got):\n%s", diff)
			}

			a := got.Agent
			if a == nil || a.ID == "" {
				t.Fatalf("result has no agent: %+v", got)
			}
			if a.Type != tt.wantType || a.Model != tt.model || a.Status != heppu.StatusActive {
				t.Errorf("agent type/model/status = %s/%s/%s, want %s/%s/active",
					a.Type, a.Model, a.Status, tt.wantType, tt.model)
			}
			if got.DryRun || got.Request != nil || len(got.Warnings) != 0 {
				t.Errorf("unexpected dry run, request or warnings: %+v", got)
			}
		})
	}
}

func jsonValue(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("bad JSON %s: %v", s, err)
	}
	return v
}

// TestCreateAgentInvalidArguments sends arguments a model could plausibly
// get wrong. Each must fail as a tool error naming the field, before any
// request reaches Heppu.
func TestCreateAgentInvalidArguments(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 256)
	tests := []struct {
		name string
		args string
		want []string // each must appear in the error text
	}{
		{"no arguments", ``, []string{"name: is required", "type: is required"}},
		{"empty object", `{}`, []string{"name: is required", "type: is required"}},
		{"missing type", `{"name":"A"}`, []string{"type: is required"}},
		{"missing name", `{"type":"voice"}`, []string{"name: is required"}},
		{"empty name", `{"name":"","type":"voice"}`, []string{"name:"}},
		{"blank name", `{"name":"   ","type":"voice"}`, []string{"name: must not be blank"}},
		{"256-character name", `{"name":"` + long + `","type":"voice"}`, []string{"name:", "255"}},
		{"name a number", `{"name":42,"type":"voice"}`, []string{"name:", "string"}},
		{"name null", `{"name":null,"type":"voice"}`, []string{"name:", "null"}},
		{"type unknown", `{"name":"A","type":"phone"}`, []string{"type:", "voice", "chat"}},
		{"type capitalised", `{"name":"A","type":"Voice"}`, []string{"type:", "voice"}},
		{"type null", `{"name":"A","type":null}`, []string{"type:"}},
		{"model unknown", `{"name":"A","type":"chat","model":"gpt-5"}`, []string{"model:", "gpt-4o-mini"}},
		{"chat model on voice", `{"name":"A","type":"voice","model":"gpt-4o"}`,
			[]string{"model:", "gpt-realtime-2025-08-28"}},
		{"voice model on chat", `{"name":"A","type":"chat","model":"gpt-realtime-2025-08-28"}`,
			[]string{"model:", "chat"}},
		{"instructions an object", `{"name":"A","type":"voice","instructions":{"text":"hi"}}`,
			[]string{"instructions:"}},
		{"config an array", `{"name":"A","type":"voice","config":[1]}`, []string{"config:"}},
		{"config null", `{"name":"A","type":"voice","config":null}`, []string{"config:"}},
		{"speed too high", `{"name":"A","type":"voice","config":{"speed":2.5}}`,
			[]string{"config.speed:", "2"}},
		{"speed too low", `{"name":"A","type":"voice","config":{"speed":0.1}}`,
			[]string{"config.speed:", "0.5"}},
		{"speed a string", `{"name":"A","type":"voice","config":{"speed":"fast"}}`,
			[]string{"config.speed:", "number"}},
		{"threshold above 1", `{"name":"A","type":"voice","config":{"interruptionThreshold":1.5}}`,
			[]string{"config.interruptionThreshold:", "1"}},
		{"threshold negative", `{"name":"A","type":"voice","config":{"interruptionThreshold":-0.1}}`,
			[]string{"config.interruptionThreshold:"}},
		{"timeout zero", `{"name":"A","type":"voice","config":{"timeout":0}}`,
			[]string{"config.timeout:"}},
		{"timeout negative", `{"name":"A","type":"voice","config":{"timeout":-30}}`,
			[]string{"config.timeout:"}},
		{"unknown voice", `{"name":"A","type":"voice","config":{"voice":"alloy"}}`,
			[]string{"config.voice:", "sage"}},
		{"chat key on voice", `{"name":"A","type":"voice","config":{"theme":"dark"}}`,
			[]string{"config.theme:", "voice", "interruptionThreshold"}},
		{"voice key on chat", `{"name":"A","type":"chat","config":{"voice":"sage"}}`,
			[]string{"config.voice:", "chat", "allowedDomains"}},
		{"unknown config key", `{"name":"A","type":"chat","config":{"colour":"red"}}`,
			[]string{"config.colour:", "primaryColor"}},
		{"bad colour word", `{"name":"A","type":"chat","config":{"primaryColor":"blue"}}`,
			[]string{"config.primaryColor:", "hex"}},
		{"colour without hash", `{"name":"A","type":"chat","config":{"primaryColor":"3B82F6"}}`,
			[]string{"config.primaryColor:", "hex"}},
		{"colour too long", `{"name":"A","type":"chat","config":{"primaryColor":"#3B82F6FF"}}`,
			[]string{"config.primaryColor:"}},
		{"bad theme", `{"name":"A","type":"chat","config":{"theme":"blue"}}`,
			[]string{"config.theme:", "light", "dark"}},
		{"bad position", `{"name":"A","type":"chat","config":{"position":"center"}}`,
			[]string{"config.position:", "bottom-right"}},
		{"domain with scheme", `{"name":"A","type":"chat","config":{"allowedDomains":["https://example.com"]}}`,
			[]string{"config.allowedDomains[0]:", "host name"}},
		{"domain with path", `{"name":"A","type":"chat","config":{"allowedDomains":["example.com","example.com/shop"]}}`,
			[]string{"config.allowedDomains[1]:"}},
		{"domain with port", `{"name":"A","type":"chat","config":{"allowedDomains":["example.com:8080"]}}`,
			[]string{"config.allowedDomains[0]:"}},
		{"domains a string", `{"name":"A","type":"chat","config":{"allowedDomains":"example.com"}}`,
			[]string{"config.allowedDomains:", "array"}},
		{"duplicate domains", `{"name":"A","type":"chat","config":{"allowedDomains":["a.com","a.com"]}}`,
			[]string{"config.allowedDomains:"}},
		{"toolIds a string", `{"name":"A","type":"voice","toolIds":"web_search"}`,
			[]string{"toolIds:", "array"}},
		{"toolIds numbers", `{"name":"A","type":"voice","toolIds":[1,2]}`,
			[]string{"toolIds[0]:"}},
		{"duplicate toolIds", `{"name":"A","type":"voice","toolIds":["sms","sms"]}`,
			[]string{"toolIds:"}},
		{"unknown argument", `{"name":"A","type":"voice","description":"x"}`,
			[]string{"description:", "not an allowed argument", "instructions"}},
		{"config key at the top", `{"name":"A","type":"voice","voice":"sage"}`,
			[]string{"voice:", `{"config": {"voice": ...}}`}},
		{"dryRun a string", `{"name":"A","type":"voice","dryRun":"yes"}`,
			[]string{"dryRun:", "boolean"}},
		{"arguments an array", `[1,2]`, []string{"object"}},
		{"several at once", `{"name":"","type":"voice","config":{"speed":9,"theme":"dark"}}`,
			[]string{"name:", "config.speed:", "config.theme:"}},
		{"config string not JSON", `{"name":"A","type":"voice","config":"voice=sage"}`,
			[]string{"config:", "object"}},
	}
	if len(tests) < 30 {
		t.Fatalf("only %d cases; the issue asks for at least 30", len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, harnessOptions{})

			res := h.call(t, "create_agent", tt.args)

			text := resultText(t, res)
			if !res.IsError {
				t.Fatalf("not an error result: %s", text)
			}
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("error text lacks %q:\n%s", w, text)
				}
			}
			if !strings.Contains(text, "nothing was sent to Heppu") {
				t.Errorf("error text does not say nothing was sent:\n%s", text)
			}
			if n := len(h.emu.Requests()); n != 0 {
				t.Errorf("Heppu got %d requests, want none", n)
			}
		})
	}
}

// TestCreateAgentJSONStringArguments covers clients that send an object or
// array argument as a JSON string.
func TestCreateAgentJSONStringArguments(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})

	var got CreateAgentResult
	structured(t, createAgentDef, h.call(t, "create_agent", `{"name":"A","type":"chat",
		"config":"{\"theme\":\"light\",\"allowedDomains\":[\"example.com\"]}",
		"toolIds":"[\"sms\"]"}`), &got)

	posts := h.requestsTo(http.MethodPost)
	if len(posts) != 1 {
		t.Fatalf("Heppu got %d POSTs, want 1", len(posts))
	}
	want := `{"name":"A","type":"chat","config":{"theme":"light","allowedDomains":["example.com"]},
		"toolIds":["sms"]}`
	if diff := cmp.Diff(jsonValue(t, want), jsonValue(t, string(posts[0].Body))); diff != "" {
		t.Errorf("body Heppu received (-want +got):\n%s", diff)
	}
}

func TestCreateAgentWarnings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args string
		want []string // a substring of each expected warning, in order
	}{
		{"documented tools", `{"name":"A","type":"voice","toolIds":["sms","crm"]}`, nil},
		{"unknown tools", `{"name":"A","type":"voice","toolIds":["sms","salesforce","jira"]}`,
			[]string{`"salesforce"`, `"jira"`}},
		{"chat without domains", `{"name":"A","type":"chat"}`, []string{"any website"}},
		{"chat with empty domains", `{"name":"A","type":"chat","config":{"allowedDomains":[]}}`,
			[]string{"any website"}},
		{"chat with domains", `{"name":"A","type":"chat","config":{"allowedDomains":["a.example"]}}`, nil},
		{"both", `{"name":"A","type":"chat","toolIds":["zendesk"]}`,
			[]string{`"zendesk"`, "any website"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, harnessOptions{})

			var got CreateAgentResult
			structured(t, createAgentDef, h.call(t, "create_agent", tt.args), &got)

			if len(got.Warnings) != len(tt.want) {
				t.Fatalf("warnings = %q, want %d", got.Warnings, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(got.Warnings[i], w) {
					t.Errorf("warning %d = %q, want it to mention %s", i, got.Warnings[i], w)
				}
			}
		})
	}
}

func TestCreateAgentDryRun(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{noKey: true})

	var got CreateAgentResult
	structured(t, createAgentDef, h.call(t, "create_agent",
		`{"name":"A","type":"voice","config":{"speed":1.25,"interruptionThreshold":0},
		"toolIds":["sms","pager"],"dryRun":true}`), &got)

	if n := len(h.emu.Requests()); n != 0 {
		t.Errorf("Heppu got %d requests on a dry run, want none", n)
	}
	if !got.DryRun || got.Agent != nil || got.Request == nil {
		t.Fatalf("dry run result = %+v", got)
	}
	body, err := json.Marshal(got.Request)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"name":"A","type":"voice","config":{"speed":1.25,"interruptionThreshold":0},
		"toolIds":["sms","pager"]}`
	if diff := cmp.Diff(jsonValue(t, want), jsonValue(t, string(body))); diff != "" {
		t.Errorf("dry-run request (-want +got):\n%s", diff)
	}
	if len(got.Warnings) != 1 || !strings.Contains(got.Warnings[0], "pager") {
		t.Errorf("warnings = %q, want one about pager", got.Warnings)
	}
}

func TestCreateAgentNoKey(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{noKey: true})

	res := h.call(t, "create_agent", `{"name":"A","type":"voice"}`)

	text := resultText(t, res)
	if !res.IsError || !strings.Contains(text, "HEPPU_API_KEY") || !strings.Contains(text, "--sandbox") {
		t.Errorf("result = %v %q, want an error explaining HEPPU_API_KEY", res.IsError, text)
	}
	if n := len(h.emu.Requests()); n != 0 {
		t.Errorf("Heppu got %d requests, want none", n)
	}
}

// TestCreateAgentHeppuFailures checks that each way Heppu can fail becomes
// an error result a model can act on, and that a create is sent once.
func TestCreateAgentHeppuFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault hepputest.Fault
		want  []string
		not   []string
		posts int // POSTs Heppu must see; 0 means exactly 1
	}{
		{"400", hepputest.Fault{Status: 400,
			Body: `{"success":false,"error":{"message":"Invalid type. Must be 'voice' or 'chat'","code":400}}`},
			[]string{"HTTP 400", "Invalid type. Must be 'voice' or 'chat'", "nothing was changed"},
			[]string{"may or may not"}, 0},
		{"422 long message", hepputest.Fault{Status: 422,
			Body: `{"success":false,"error":{"message":"` + strings.Repeat("bad ", 500) + `","code":422}}`},
			[]string{"HTTP 422", "bad bad", "…"}, nil, 0},
		{"markup in the message", hepputest.Fault{Status: 400,
			Body: `{"success":false,"error":{"message":"<b>name</b> is <i>invalid</i>","code":400}}`},
			[]string{"HTTP 400: name is invalid)"}, []string{"<", ">"}, 0},
		{"escaped markup in the message", hepputest.Fault{Status: 400,
			Body: `{"success":false,"error":{"message":"bad &lt;script&gt;alert(1)&lt;/script&gt; name","code":400}}`},
			[]string{"bad alert(1) name"}, []string{"<", "&lt;", "script"}, 0},
		{"an HTML page as the message", hepputest.Fault{Status: 502,
			Body: `{"error":{"message":"<!DOCTYPE html><html><body><h1>502</h1>nginx</body></html>"}}`},
			[]string{"HTTP 502: Bad Gateway"}, []string{"<", "nginx"}, 0},
		{"401", hepputest.Fault{Status: 401,
			Body: `{"success":false,"error":{"message":"Invalid API key","code":401}}`},
			[]string{"rejected the API key", "HEPPU_API_KEY", "restart"}, []string{testKey}, 0},
		{"401 errors-page envelope", hepputest.Fault{Status: 401,
			Body: `{"error":{"message":"Invalid API key format","status":401,"code":"invalid_api_key"}}`},
			[]string{"Invalid API key format", "HEPPU_API_KEY"}, nil, 0},
		{"403", hepputest.Fault{Status: 403,
			Body: `{"success":false,"error":{"message":"Forbidden","code":403}}`},
			[]string{"HTTP 403", "not allowed"}, nil, 0},
		// A 429 means Heppu turned the create away unprocessed, so the client
		// retries it, unless Retry-After asks for longer than it waits.
		{"429 with a long Retry-After", hepputest.Fault{Status: 429,
			Body:   `{"success":false,"error":{"message":"Too many requests","code":429}}`,
			Header: http.Header{"Retry-After": {"60"}}},
			[]string{"HTTP 429", "Wait 1m0s"}, nil, 0},
		{"429 on every try", hepputest.Fault{Status: 429, Body: `{}`},
			[]string{"HTTP 429", "Wait a little"}, nil, 1 + heppu.DefaultMaxRetries},
		{"500", hepputest.Fault{Status: 500, Body: `{"success":false,"error":{"message":"boom","code":500}}`},
			[]string{"HTTP 500", "may or may not have been created", "list_agents", `"A"`}, nil, 0},
		{"502 HTML page", hepputest.Fault{NonJSON: true, Status: 502},
			[]string{"HTTP 502", "Bad Gateway", "may or may not", "list_agents"}, []string{"<html", "<"}, 0},
		{"503 applied", hepputest.Fault{Status: 503, Apply: true},
			[]string{"HTTP 503", "may or may not", "list_agents"}, nil, 0},
		{"reset connection", hepputest.Fault{Reset: true},
			[]string{"did not answer", "may or may not", "list_agents"}, nil, 0},
		{"truncated answer", hepputest.Fault{Truncate: true},
			[]string{"could not be read", "probably created", "list_agents"}, nil, 0},
		{"hang past the timeout", hepputest.Fault{Hang: true},
			[]string{"did not answer in time", "may or may not", "list_agents"}, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, harnessOptions{timeout: 2 * time.Second})
			posts := max(tt.posts, 1)
			for range posts {
				h.emu.FailNext(tt.fault)
			}

			res := h.call(t, "create_agent", `{"name":"A","type":"voice"}`)

			text := resultText(t, res)
			if !res.IsError {
				t.Fatalf("not an error result: %s", text)
			}
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("error text lacks %q:\n%s", w, text)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(text, n) {
					t.Errorf("error text contains %q:\n%s", n, text)
				}
			}
			if n := len(h.requestsTo(http.MethodPost)); n != posts {
				t.Errorf("Heppu got %d POSTs, want exactly %d (a create is retried only "+
					"when Heppu provably did not take it)", n, posts)
			}
		})
	}
}

func TestCreateAgentAnnotations(t *testing.T) {
	t.Parallel()
	tool := createAgentDef.tool()
	a := tool.Annotations
	got := map[string]bool{
		"readOnly": *a.ReadOnlyHint, "destructive": *a.DestructiveHint,
		"idempotent": *a.IdempotentHint, "openWorld": *a.OpenWorldHint,
	}
	want := map[string]bool{"readOnly": false, "destructive": false, "idempotent": false, "openWorld": true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("annotations (-want +got):\n%s", diff)
	}
	if a.Title == "" || tool.Title == "" {
		t.Error("create_agent has no title")
	}
}

// TestCallLogLine checks the one info line per call, and that the key
// never reaches the log, at debug level too.
func TestCallLogLine(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})

	var got CreateAgentResult
	structured(t, createAgentDef, h.call(t, "create_agent", seedVoiceArgs), &got)
	h.emu.FailNext(hepputest.Fault{Status: 401,
		Body: `{"success":false,"error":{"message":"Invalid API key","code":401}}`})
	h.call(t, "create_agent", seedVoiceArgs)

	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(h.stderr.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", l)
		}
		if m["message"] == "tool call" {
			lines = append(lines, m)
		}
	}
	if len(lines) != 2 {
		t.Fatalf("got %d tool call lines, want 2:\n%s", len(lines), h.stderr.String())
	}
	first, second := lines[0], lines[1]
	if first["tool"] != "create_agent" || first["outcome"] != "ok" ||
		first["heppu_status"] != float64(201) || first["agent_id"] != got.Agent.ID {
		t.Errorf("first line = %v", first)
	}
	if _, ok := first["duration"]; !ok {
		t.Errorf("first line has no duration: %v", first)
	}
	if second["outcome"] != "heppu_error" || second["heppu_status"] != float64(401) {
		t.Errorf("second line = %v", second)
	}
	if strings.Contains(h.stderr.String(), testKey) {
		t.Error("the API key appears in the log")
	}
}
