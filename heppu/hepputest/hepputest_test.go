package hepputest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/google/uuid"

	"github.com/heppu-ai/heppu-mcp/heppu"
)

// start is the test clock's epoch; the clock moves one second per reading,
// so the nth timestamp the emulator writes is stamp(n).
var start = time.Date(2025, 1, 15, 10, 30, 0, 0, time.UTC)

func stamp(n int) string { return start.Add(time.Duration(n) * time.Second).Format(time.RFC3339) }

// ticker is a clock that moves one second each time it is read.
type ticker struct {
	mu sync.Mutex
	t  time.Time
}

func (c *ticker) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

// testServer is a Server with a client of its own, so that no test shares
// connections with another.
type testServer struct {
	*Server
	t      *testing.T
	client *http.Client
}

// newTestServer starts a Server on the test clock. Keys default to
// DefaultKey, as in Options.
func newTestServer(t *testing.T, opts Options) *testServer {
	t.Helper()
	if opts.Now == nil {
		opts.Now = (&ticker{t: start}).now
	}
	srv, err := NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &testServer{Server: srv, t: t, client: &http.Client{Transport: tr}}
}

// result is a response read in full.
type result struct {
	status int
	header http.Header
	body   []byte
}

// with returns s for subtest t, so that its failures stop t, not the test
// that started the server.
func (s *testServer) with(t *testing.T) *testServer {
	c := *s
	c.t = t
	return &c
}

// url returns the address of path, which starts with /api/v1 or not.
func (s *testServer) url(path string) string {
	return strings.TrimSuffix(s.URL, apiPrefix) + path
}

// newRequest builds a request for path with x-api-key: key, unless key is
// empty.
func (s *testServer) newRequest(ctx context.Context, method, path, key, body string) *http.Request {
	s.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.url(path), rd)
	if err != nil {
		s.t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("x-api-key", key)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

// send sends req and reads the whole answer.
func (s *testServer) send(req *http.Request) result {
	s.t.Helper()
	resp, err := s.client.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatalf("%s %s: reading body: %v", req.Method, req.URL.Path, err)
	}
	return result{status: resp.StatusCode, header: resp.Header, body: body}
}

// do sends a request with DefaultKey.
func (s *testServer) do(method, path, body string) result {
	s.t.Helper()
	return s.send(s.newRequest(s.t.Context(), method, path, DefaultKey, body))
}

// create creates an agent with key and returns its ID.
func (s *testServer) create(key, body string) string {
	s.t.Helper()
	res := s.send(s.newRequest(s.t.Context(), http.MethodPost, "/api/v1/agents", key, body))
	if res.status != http.StatusCreated {
		s.t.Fatalf("creating %s: %d %s", body, res.status, res.body)
	}
	var env struct {
		Data struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(res.body, &env); err != nil {
		s.t.Fatal(err)
	}
	return env.Data.ID
}

// decode parses a JSON body into generic values.
func decode(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, body)
	}
	return m
}

// errorBody is the agents pages' error envelope.
func errorBody(status int, message string) map[string]any {
	return map[string]any{
		"success": false,
		"error":   map[string]any{"message": message, "code": float64(status)},
	}
}

// checkError checks that res is the documented error envelope.
func checkError(t *testing.T, res result, status int, message string) {
	t.Helper()
	if res.status != status {
		t.Errorf("status = %d, want %d; body %s", res.status, status, res.body)
	}
	if ct := res.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	if diff := cmp.Diff(errorBody(status, message), decode(t, res.body)); diff != "" {
		t.Errorf("body mismatch (-want +got):\n%s", diff)
	}
}

// data returns the data of a success envelope, after checking the rest.
func data(t *testing.T, res result, status int, message string) any {
	t.Helper()
	if res.status != status {
		t.Fatalf("status = %d, want %d; body %s", res.status, status, res.body)
	}
	env := decode(t, res.body)
	want := map[string]any{"success": true, "data": env["data"]}
	if message != "" {
		want["message"] = message
	}
	if diff := cmp.Diff(want, env); diff != "" {
		t.Errorf("envelope mismatch (-want +got):\n%s", diff)
	}
	return env["data"]
}

// checkID checks that m["id"] is a UUID in canonical form and replaces it
// with "ID", so that the rest of m can be compared.
func checkID(t *testing.T, m map[string]any) string {
	t.Helper()
	id, _ := m["id"].(string)
	if u, err := uuid.Parse(id); err != nil || u.String() != id {
		t.Errorf("id %q is not a canonical UUID", id)
	}
	m["id"] = "ID"
	return id
}

// Messages the tests expect, spelled out so that a change to them shows.
const (
	missingFields = "Missing required fields: name and type are required"
	invalidType   = "Invalid type. Must be 'voice' or 'chat'"
	invalidModel  = "Invalid model for agent type"
	nameTooLong   = "Name must be at most 255 characters"
	notAllowed    = "Method not allowed"
)

// equateEmpty treats nil and empty slices and maps alike, as JSON [] and a
// missing list decode differently but mean the same here.
var equateEmpty = cmpopts.EquateEmpty()

func TestAuth(t *testing.T) {
	t.Parallel()
	keys := map[string]string{"key-a": "acme"}
	tests := []struct {
		name    string
		header  http.Header
		status  int
		wantOrg string
	}{
		{"x-api-key", http.Header{"X-Api-Key": {"key-a"}}, 200, "acme"},
		{"bearer", http.Header{"Authorization": {"Bearer key-a"}}, 200, "acme"},
		{"bearer in lower case", http.Header{"Authorization": {"bearer key-a"}}, 200, "acme"},
		{"no key", http.Header{}, 401, ""},
		{"unknown key", http.Header{"X-Api-Key": {"key-b"}}, 401, ""},
		{"unknown bearer", http.Header{"Authorization": {"Bearer key-b"}}, 401, ""},
		{"basic scheme", http.Header{"Authorization": {"Basic key-a"}}, 401, ""},
		{"empty bearer", http.Header{"Authorization": {"Bearer "}}, 401, ""},
		{
			"x-api-key wins over bearer",
			http.Header{"X-Api-Key": {"key-b"}, "Authorization": {"Bearer key-a"}},
			401, "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newTestServer(t, Options{Keys: keys})
			req := s.newRequest(t.Context(), http.MethodGet, "/api/v1/agents", "", "")
			for k, v := range tt.header {
				req.Header[k] = v
			}
			res := s.send(req)
			if tt.status == http.StatusUnauthorized {
				checkError(t, res, tt.status, "Invalid API key")
			} else if res.status != tt.status {
				t.Errorf("status = %d, want %d; body %s", res.status, tt.status, res.body)
			}
			reqs := s.Requests()
			if len(reqs) != 1 || reqs[0].Org != tt.wantOrg {
				t.Errorf("recorded %+v, want one request of org %q", reqs, tt.wantOrg)
			}
		})
	}
}

func TestDefaultKey(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{})
	id := s.create(DefaultKey, `{"name":"a","type":"chat"}`)
	agents := s.Agents("default")
	if len(agents) != 1 || agents[0].ID != id {
		t.Errorf("Agents(default) = %+v, want the agent %s", agents, id)
	}
}

func TestRoutes(t *testing.T) {
	t.Parallel()
	const id = "550e8400-e29b-41d4-a716-446655440000"
	const item = "GET, PATCH, DELETE"
	tests := []struct {
		method, path string
		key          string
		status       int
		message      string
		allow        string
	}{
		{"GET", "/", DefaultKey, 404, "Not found", ""},
		{"GET", "/api/v1", DefaultKey, 404, "Not found", ""},
		{"GET", "/api/v1/agent", DefaultKey, 404, "Not found", ""},
		{"GET", "/api/v1/agentsx", DefaultKey, 404, "Not found", ""},
		{"GET", "/api/v1/agents/", DefaultKey, 404, "Not found", ""},
		{"GET", "/api/v1/agents/" + id + "/calls", DefaultKey, 404, "Not found", ""},
		{"GET", "/api/v2/agents", DefaultKey, 404, "Not found", ""},
		{"GET", "/api/v1/calls", "", 404, "Not found", ""},
		{"PUT", "/api/v1/agents", DefaultKey, 405, notAllowed, "GET, POST"},
		{"DELETE", "/api/v1/agents", "", 405, notAllowed, "GET, POST"},
		{"POST", "/api/v1/agents/" + id, DefaultKey, 405, notAllowed, item},
		{"PUT", "/api/v1/agents/" + id, DefaultKey, 405, notAllowed, item},
		{"GET", "/api/v1/agents", "", 401, "Invalid API key", ""},
		{"GET", "/api/v1/agents/" + id, "", 401, "Invalid API key", ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			t.Parallel()
			s := newTestServer(t, Options{})
			res := s.send(s.newRequest(t.Context(), tt.method, tt.path, tt.key, ""))
			checkError(t, res, tt.status, tt.message)
			if got := res.header.Get("Allow"); got != tt.allow {
				t.Errorf("Allow = %q, want %q", got, tt.allow)
			}
		})
	}
}

func TestCreate(t *testing.T) {
	t.Parallel()
	voiceDefaults := map[string]any{
		"voice": "sage", "speed": 1.0, "interruptionThreshold": 0.5, "timeout": 30.0,
	}
	chatDefaults := map[string]any{
		"theme": "dark", "primaryColor": "#3B82F6", "position": "bottom-right",
	}
	tests := []struct {
		name string
		body string
		want map[string]any
	}{
		{
			name: "voice defaults",
			body: `{"name":"Support","type":"voice"}`,
			want: map[string]any{
				"name": "Support", "type": "voice", "model": "gpt-realtime-2025-08-28",
				"instructions": "", "status": "active", "config": voiceDefaults,
			},
		},
		{
			name: "chat defaults",
			body: `{"name":"Widget","type":"chat"}`,
			want: map[string]any{
				"name": "Widget", "type": "chat", "model": "gpt-4o",
				"instructions": "", "status": "active", "config": chatDefaults,
			},
		},
		{
			name: "null and empty optional fields take defaults",
			body: `{"name":"Widget","type":"chat","model":"","instructions":null,` +
				`"config":null,"toolIds":null}`,
			want: map[string]any{
				"name": "Widget", "type": "chat", "model": "gpt-4o",
				"instructions": "", "status": "active", "config": chatDefaults,
			},
		},
		{
			name: "voice config overlays the defaults and keeps unknown keys",
			body: `{"name":"Support","type":"voice","instructions":"Be kind.",` +
				`"config":{"voice":"ash","speed":1.5,"volume":"loud"},` +
				`"toolIds":["web_search","calendar"]}`,
			want: map[string]any{
				"name": "Support", "type": "voice", "model": "gpt-realtime-2025-08-28",
				"instructions": "Be kind.", "status": "active",
				"config": map[string]any{
					"voice": "ash", "speed": 1.5, "interruptionThreshold": 0.5,
					"timeout": 30.0, "volume": "loud",
				},
			},
		},
		{
			name: "chat with a model and widget settings",
			body: `{"name":"Widget <b>","type":"chat","model":"gpt-4o-mini",` +
				`"config":{"theme":"light","allowedDomains":["example.com"]}}`,
			want: map[string]any{
				"name": "Widget <b>", "type": "chat", "model": "gpt-4o-mini",
				"instructions": "", "status": "active",
				"config": map[string]any{
					"theme": "light", "primaryColor": "#3B82F6", "position": "bottom-right",
					"allowedDomains": []any{"example.com"},
				},
			},
		},
		{
			name: "name of 255 characters",
			body: `{"name":"` + strings.Repeat("é", 255) + `","type":"chat"}`,
			want: map[string]any{
				"name": strings.Repeat("é", 255), "type": "chat", "model": "gpt-4o",
				"instructions": "", "status": "active", "config": chatDefaults,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newTestServer(t, Options{})
			res := s.do(http.MethodPost, "/api/v1/agents", tt.body)
			if ct := res.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", ct)
			}
			got, _ := data(t, res, 201, "Agent created successfully").(map[string]any)
			id := checkID(t, got)

			// The create answer has exactly the fields of the documented
			// example: no tools, phoneNumbers or updatedAt.
			want := map[string]any{"id": "ID", "createdAt": stamp(1)}
			for k, v := range tt.want {
				want[k] = v
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("created agent mismatch (-want +got):\n%s", diff)
			}
			if agents := s.Agents("default"); len(agents) != 1 || agents[0].ID != id {
				t.Errorf("stored %+v, want the agent %s", agents, id)
			}
		})
	}
}

func TestCreateErrors(t *testing.T) {
	t.Parallel()
	const chat = `{"name":"a","type":"chat",`
	tests := []struct {
		name    string
		body    string
		status  int
		message string
	}{
		{"not JSON", `{"name":`, 400, "Invalid JSON body"},
		{"empty body", ``, 400, "Invalid JSON body"},
		{"array", `[]`, 400, "Invalid JSON body"},
		{"null", `null`, 400, "Invalid JSON body"},
		{"string", `"agent"`, 400, "Invalid JSON body"},
		{
			"too large", `{"name":"` + strings.Repeat("a", maxBodyBytes) + `"}`,
			413, "Request body too large",
		},
		{"empty object", `{}`, 400, missingFields},
		{"no type", `{"name":"a"}`, 400, missingFields},
		{"no name", `{"type":"voice"}`, 400, missingFields},
		{"empty name", `{"name":"","type":"voice"}`, 400, missingFields},
		{"null name", `{"name":null,"type":"voice"}`, 400, missingFields},
		{"empty type", `{"name":"a","type":""}`, 400, missingFields},
		{"unknown type", `{"name":"a","type":"video"}`, 400, invalidType},
		{"type in capitals", `{"name":"a","type":"Voice"}`, 400, invalidType},
		{"numeric type", `{"name":"a","type":1}`, 400, invalidType},
		{"numeric name", `{"name":1,"type":"chat"}`, 400, "name must be a string"},
		{
			"name of 256 characters",
			`{"name":"` + strings.Repeat("é", 256) + `","type":"chat"}`,
			422, nameTooLong,
		},
		{"chat model on voice", `{"name":"a","type":"voice","model":"gpt-4o"}`, 422, invalidModel},
		{
			"voice model on chat",
			`{"name":"a","type":"chat","model":"gpt-realtime-2025-08-28"}`,
			422, invalidModel,
		},
		{"unknown model", `{"name":"a","type":"chat","model":"gpt-5"}`, 422, invalidModel},
		{"numeric model", `{"name":"a","type":"chat","model":4}`, 422, invalidModel},
		{"numeric instructions", chat + `"instructions":1}`, 400, "instructions must be a string"},
		{"string config", chat + `"config":"dark"}`, 400, "config must be an object"},
		{"array config", chat + `"config":[]}`, 400, "config must be an object"},
		{"string toolIds", chat + `"toolIds":"sms"}`, 400, "toolIds must be an array of strings"},
		{"numeric toolIds", chat + `"toolIds":[1]}`, 400, "toolIds must be an array of strings"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newTestServer(t, Options{})
			checkError(t, s.do(http.MethodPost, "/api/v1/agents", tt.body), tt.status, tt.message)
			if agents := s.Agents("default"); len(agents) != 0 {
				t.Errorf("a refused create stored %+v", agents)
			}
		})
	}
}

func TestGet(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		want map[string]any
	}{
		{
			name: "voice agent has phone numbers",
			body: `{"name":"Support","type":"voice","toolIds":["calendar","web_search"]}`,
			want: map[string]any{
				"name": "Support", "type": "voice", "status": "active",
				"model": "gpt-realtime-2025-08-28", "instructions": "",
				"config": map[string]any{
					"voice": "sage", "speed": 1.0, "interruptionThreshold": 0.5, "timeout": 30.0,
				},
				"tools": []any{
					map[string]any{
						"id": "calendar", "name": "Calendar", "category": "productivity",
						"description": "Checks availability and books appointments.",
						"config":      map[string]any{},
					},
					map[string]any{
						"id": "web_search", "name": "Web Search", "category": "information",
						"description": "Searches the web for current information.",
						"config":      map[string]any{},
					},
				},
				"phoneNumbers": []any{},
				"createdAt":    stamp(1),
				"updatedAt":    stamp(1),
			},
		},
		{
			name: "chat agent has none",
			body: `{"name":"Widget","type":"chat","instructions":"Hi."}`,
			want: map[string]any{
				"name": "Widget", "type": "chat", "status": "active",
				"model": "gpt-4o", "instructions": "Hi.",
				"config": map[string]any{
					"theme": "dark", "primaryColor": "#3B82F6", "position": "bottom-right",
				},
				"tools":     []any{},
				"createdAt": stamp(1),
				"updatedAt": stamp(1),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newTestServer(t, Options{})
			id := s.create(DefaultKey, tt.body)
			res := s.do(http.MethodGet, "/api/v1/agents/"+id, "")
			got, _ := data(t, res, 200, "").(map[string]any)
			checkID(t, got)
			tt.want["id"] = "ID"
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("agent mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNotFound(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{Keys: map[string]string{DefaultKey: "default", "other": "other"}})
	theirs := s.create("other", `{"name":"theirs","type":"chat"}`)
	ids := []string{
		"550e8400-e29b-41d4-a716-446655440000",
		"not-a-uuid",
		"a%2Fb",
		"%2E%2E",
		theirs,
	}
	for _, id := range ids {
		for _, method := range []string{http.MethodGet, http.MethodPatch, http.MethodDelete} {
			t.Run(method+" "+id, func(t *testing.T) {
				body := ""
				if method == http.MethodPatch {
					body = `{"name":"x"}`
				}
				res := s.with(t).do(method, "/api/v1/agents/"+id, body)
				checkError(t, res, 404, "Agent not found")
			})
		}
	}
	if agents := s.Agents("other"); len(agents) != 1 || agents[0].Name != "theirs" ||
		agents[0].Status != heppu.StatusActive {
		t.Errorf("the other organization's agent changed: %+v", agents)
	}
}

func TestOrgIsolation(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{Keys: map[string]string{"key-a": "acme", "key-b": "globex"}})
	a1 := s.create("key-a", `{"name":"a1","type":"voice"}`)
	b1 := s.create("key-b", `{"name":"b1","type":"chat"}`)
	a2 := s.create("key-a", `{"name":"a2","type":"chat"}`)

	for key, want := range map[string][]string{"key-a": {a2, a1}, "key-b": {b1}} {
		req := s.newRequest(t.Context(), http.MethodGet, "/api/v1/agents", key, "")
		var page heppu.AgentList
		raw, _ := json.Marshal(data(t, s.send(req), 200, ""))
		if err := json.Unmarshal(raw, &page); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, a := range page.Agents {
			got = append(got, a.ID)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s lists (-want +got):\n%s", key, diff)
		}
	}

	var stored []string
	for _, a := range s.Agents("acme") {
		stored = append(stored, a.ID)
	}
	if diff := cmp.Diff([]string{a1, a2}, stored); diff != "" {
		t.Errorf("Agents(acme) (-want +got):\n%s", diff)
	}
	if got := s.Agents("nobody"); len(got) != 0 {
		t.Errorf("Agents(nobody) = %+v, want none", got)
	}
}

func TestList(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{})
	voice := s.create(DefaultKey, `{"name":"v","type":"voice","toolIds":["sms"],`+
		`"config":{"voice":"ash"}}`)
	chat := s.create(DefaultKey, `{"name":"c","type":"chat","instructions":"Hi."}`)

	got, _ := data(t, s.do(http.MethodGet, "/api/v1/agents", ""), 200, "").(map[string]any)
	// List entries show tools without category or config; get adds them.
	want := map[string]any{
		"agents": []any{
			map[string]any{
				"id": chat, "name": "c", "type": "chat", "status": "active",
				"model": "gpt-4o", "instructions": "Hi.",
				"config": map[string]any{
					"theme": "dark", "primaryColor": "#3B82F6", "position": "bottom-right",
				},
				"tools":     []any{},
				"createdAt": stamp(2), "updatedAt": stamp(2),
			},
			map[string]any{
				"id": voice, "name": "v", "type": "voice", "status": "active",
				"model": "gpt-realtime-2025-08-28", "instructions": "",
				"config": map[string]any{
					"voice": "ash", "speed": 1.0, "interruptionThreshold": 0.5, "timeout": 30.0,
				},
				"tools": []any{
					map[string]any{
						"id": "sms", "name": "SMS", "description": "Sends text messages.",
					},
				},
				"phoneNumbers": []any{},
				"createdAt":    stamp(1), "updatedAt": stamp(1),
			},
		},
		"pagination": map[string]any{
			"limit": 50.0, "offset": 0.0, "total": 2.0, "hasMore": false,
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("list mismatch (-want +got):\n%s", diff)
	}
}

// listPage lists with query q and decodes the page.
func (s *testServer) listPage(q string) heppu.AgentList {
	s.t.Helper()
	res := s.do(http.MethodGet, "/api/v1/agents"+q, "")
	var env struct {
		Success bool            `json:"success"`
		Data    heppu.AgentList `json:"data"`
	}
	if err := json.Unmarshal(res.body, &env); err != nil || res.status != 200 || !env.Success {
		s.t.Fatalf("GET /agents%s: %d %s", q, res.status, res.body)
	}
	return env.Data
}

func TestListPagination(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{})
	var created []string
	for i := range 120 {
		typ := []string{"voice", "chat"}[i%2]
		body := fmt.Sprintf(`{"name":"a%d","type":%q}`, i, typ)
		created = append(created, s.create(DefaultKey, body))
	}
	slices.Reverse(created) // newest first

	var seen []string
	for _, want := range []heppu.Pagination{
		{Limit: 50, Offset: 0, Total: 120, HasMore: new(true)},
		{Limit: 50, Offset: 50, Total: 120, HasMore: new(true)},
		{Limit: 50, Offset: 100, Total: 120, HasMore: new(false)},
	} {
		page := s.listPage(fmt.Sprintf("?limit=50&offset=%d", want.Offset))
		if diff := cmp.Diff(want, page.Pagination); diff != "" {
			t.Errorf("offset %d: pagination (-want +got):\n%s", want.Offset, diff)
		}
		for _, a := range page.Agents {
			seen = append(seen, a.ID)
		}
	}
	if diff := cmp.Diff(created, seen); diff != "" {
		t.Errorf("pages together (-want +got):\n%s", diff)
	}

	type page = heppu.Pagination
	more, last := new(true), new(false)
	tests := []struct {
		query string
		want  heppu.Pagination
		ids   []string
	}{
		{"", page{Limit: 50, Total: 120, HasMore: more}, created[:50]},
		{"?limit=&offset=", page{Limit: 50, Total: 120, HasMore: more}, created[:50]},
		{"?limit=100", page{Limit: 100, Total: 120, HasMore: more}, created[:100]},
		{
			"?limit=2&offset=119", page{Limit: 2, Offset: 119, Total: 120, HasMore: last},
			created[119:],
		},
		{"?offset=500", page{Limit: 50, Offset: 500, Total: 120, HasMore: last}, nil},
		{
			"?offset=9223372036854775807",
			page{Limit: 50, Offset: 1<<63 - 1, Total: 120, HasMore: last}, nil,
		},
		{
			"?type=voice&limit=3", page{Limit: 3, Total: 60, HasMore: more},
			[]string{created[1], created[3], created[5]},
		},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			page := s.with(t).listPage(tt.query)
			if diff := cmp.Diff(tt.want, page.Pagination); diff != "" {
				t.Errorf("pagination (-want +got):\n%s", diff)
			}
			var ids []string
			for _, a := range page.Agents {
				ids = append(ids, a.ID)
			}
			if diff := cmp.Diff(tt.ids, ids, equateEmpty); diff != "" {
				t.Errorf("agents (-want +got):\n%s", diff)
			}
		})
	}
}

func TestListFilters(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{})
	v1 := s.create(DefaultKey, `{"name":"v1","type":"voice"}`)
	c1 := s.create(DefaultKey, `{"name":"c1","type":"chat"}`)
	v2 := s.create(DefaultKey, `{"name":"v2","type":"voice"}`)
	c2 := s.create(DefaultKey, `{"name":"c2","type":"chat"}`)
	data(t, s.do(http.MethodDelete, "/api/v1/agents/"+v2, ""), 200, "Agent deleted successfully")
	data(t, s.do(http.MethodPatch, "/api/v1/agents/"+c1, `{"status":"deployed"}`), 200,
		"Agent updated successfully")

	tests := []struct {
		query string
		want  []string
	}{
		{"", []string{c2, v2, c1, v1}},
		{"?type=voice", []string{v2, v1}},
		{"?type=chat", []string{c2, c1}},
		{"?status=active", []string{c2, v1}},
		{"?status=inactive", []string{v2}},
		{"?status=deployed", []string{c1}},
		{"?status=training", nil},
		{"?type=voice&status=active", []string{v1}},
		{"?type=chat&status=inactive", nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			page := s.with(t).listPage(tt.query)
			var ids []string
			for _, a := range page.Agents {
				ids = append(ids, a.ID)
			}
			if diff := cmp.Diff(tt.want, ids); diff != "" {
				t.Errorf("agents (-want +got):\n%s", diff)
			}
			if page.Pagination.Total != len(tt.want) {
				t.Errorf("total = %d, want %d", page.Pagination.Total, len(tt.want))
			}
		})
	}
}

func TestListErrors(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{})
	tests := []struct {
		query   string
		message string
	}{
		{"?type=video", invalidType},
		{"?status=deleted", "Invalid status"},
		{"?limit=0", "limit must be between 1 and 100"},
		{"?limit=101", "limit must be between 1 and 100"},
		{"?limit=-1", "limit must be between 1 and 100"},
		{"?limit=ten", "limit must be between 1 and 100"},
		{"?offset=-1", "offset must be a non-negative integer"},
		{"?offset=1.5", "offset must be a non-negative integer"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			res := s.with(t).do(http.MethodGet, "/api/v1/agents"+tt.query, "")
			checkError(t, res, 400, tt.message)
		})
	}
}

func TestUpdate(t *testing.T) {
	t.Parallel()
	const create = `{"name":"Support","type":"voice","instructions":"Be kind.",` +
		`"config":{"voice":"ash","speed":1.5},"toolIds":["web_search","calendar"]}`
	tool := func(id string) heppu.Tool {
		d := describeTool(id)
		return heppu.Tool{
			ID: d.ID, Name: d.Name, Description: d.Description, Category: d.Category,
			Config: map[string]any{},
		}
	}
	keep := func(*heppu.Agent) {}
	tests := []struct {
		name   string
		body   string
		change func(a *heppu.Agent)
	}{
		{"nothing", `{}`, keep},
		{"name", `{"name":"Sales"}`, func(a *heppu.Agent) { a.Name = "Sales" }},
		{"status", `{"status":"deployed"}`, func(a *heppu.Agent) { a.Status = "deployed" }},
		{"model", `{"model":"gpt-realtime-2025-08-28"}`, keep},
		{"instructions", `{"instructions":""}`, func(a *heppu.Agent) { a.Instructions = "" }},
		{"nulls change nothing", `{"name":null,"config":null,"toolIds":null}`, keep},
		{
			"config is replaced, not merged",
			`{"config":{"voice":"coral"}}`,
			func(a *heppu.Agent) { a.Config = &heppu.Config{Voice: "coral"} },
		},
		{
			"config keeps unknown keys",
			`{"config":{"speed":0.5,"volume":3}}`,
			func(a *heppu.Agent) {
				a.Config = &heppu.Config{
					Speed: new(0.5),
					Extra: map[string]json.RawMessage{"volume": json.RawMessage("3")},
				}
			},
		},
		{"empty config", `{"config":{}}`, func(a *heppu.Agent) { a.Config = &heppu.Config{} }},
		{
			"toolIds replace the tools, unknown and repeated IDs dropped",
			`{"toolIds":["sms","teleport","calculator","sms"]}`,
			func(a *heppu.Agent) { a.Tools = []heppu.Tool{tool("sms"), tool("calculator")} },
		},
		{"empty toolIds remove all", `{"toolIds":[]}`, func(a *heppu.Agent) { a.Tools = nil }},
		{
			"several fields",
			`{"name":"Sales","status":"inactive","toolIds":["email"]}`,
			func(a *heppu.Agent) {
				a.Name, a.Status = "Sales", heppu.StatusInactive
				a.Tools = []heppu.Tool{tool("email")}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newTestServer(t, Options{})
			id := s.create(DefaultKey, create)
			want := s.Agents("default")[0]

			res := s.do(http.MethodPatch, "/api/v1/agents/"+id, tt.body)
			got := data(t, res, 200, "Agent updated successfully")
			if diff := cmp.Diff(map[string]any{"id": id, "updated": true}, got); diff != "" {
				t.Errorf("update answer (-want +got):\n%s", diff)
			}

			tt.change(&want)
			want.UpdatedAt = stamp(2)
			if diff := cmp.Diff(want, s.Agents("default")[0], equateEmpty); diff != "" {
				t.Errorf("stored agent (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUpdateErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		body    string
		status  int
		message string
	}{
		{"not JSON", `{`, 400, "Invalid JSON body"},
		{"empty body", ``, 400, "Invalid JSON body"},
		{"array", `[{"name":"x"}]`, 400, "Invalid JSON body"},
		{"same type", `{"type":"voice"}`, 400, "Agent type cannot be changed"},
		{"other type", `{"type":"chat","name":"x"}`, 400, "Agent type cannot be changed"},
		{"empty name", `{"name":""}`, 400, "Name cannot be empty"},
		{"numeric name", `{"name":7}`, 400, "name must be a string"},
		{"long name", `{"name":"` + strings.Repeat("x", 256) + `"}`, 422, nameTooLong},
		{"unknown status", `{"status":"deleted"}`, 400, "Invalid status"},
		{"empty status", `{"status":""}`, 400, "Invalid status"},
		{"chat model on voice", `{"model":"gpt-4o"}`, 422, invalidModel},
		{"empty model", `{"model":""}`, 422, invalidModel},
		{"numeric instructions", `{"instructions":5}`, 400, "instructions must be a string"},
		{"array config", `{"config":["sage"]}`, 400, "config must be an object"},
		{"string toolIds", `{"toolIds":"sms"}`, 400, "toolIds must be an array of strings"},
		{"valid fields with a bad one", `{"name":"ok","status":"gone"}`, 400, "Invalid status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newTestServer(t, Options{})
			id := s.create(DefaultKey, `{"name":"Support","type":"voice","toolIds":["sms"]}`)
			before := s.Agents("default")

			res := s.do(http.MethodPatch, "/api/v1/agents/"+id, tt.body)
			checkError(t, res, tt.status, tt.message)
			if diff := cmp.Diff(before, s.Agents("default")); diff != "" {
				t.Errorf("a refused update changed the agent (-before +after):\n%s", diff)
			}
		})
	}
}

func TestDelete(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{})
	id := s.create(DefaultKey, `{"name":"Support","type":"voice","instructions":"Hi.",`+
		`"toolIds":["crm"]}`)
	before := s.Agents("default")[0]

	// Deleting twice succeeds twice, the same way.
	for i := range 2 {
		got := data(t, s.do(http.MethodDelete, "/api/v1/agents/"+id, ""), 200,
			"Agent deleted successfully")
		if diff := cmp.Diff(map[string]any{"id": id, "deleted": true}, got); diff != "" {
			t.Errorf("delete %d answer (-want +got):\n%s", i+1, diff)
		}
	}

	// The agent is kept, inactive, and still listed and readable.
	want := before
	want.Status, want.UpdatedAt = heppu.StatusInactive, stamp(3)
	if diff := cmp.Diff([]heppu.Agent{want}, s.Agents("default")); diff != "" {
		t.Errorf("after delete (-want +got):\n%s", diff)
	}
	data(t, s.do(http.MethodGet, "/api/v1/agents/"+id, ""), 200, "")
	if page := s.listPage("?status=inactive"); len(page.Agents) != 1 || page.Agents[0].ID != id {
		t.Errorf("inactive agents = %+v, want the deleted one", page.Agents)
	}

	// Setting it active again restores it.
	data(t, s.do(http.MethodPatch, "/api/v1/agents/"+id, `{"status":"active"}`), 200,
		"Agent updated successfully")
	want.Status, want.UpdatedAt = heppu.StatusActive, stamp(4)
	if diff := cmp.Diff([]heppu.Agent{want}, s.Agents("default")); diff != "" {
		t.Errorf("after restore (-want +got):\n%s", diff)
	}
}

func TestToolIDsOption(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{ToolIDs: []string{"sms", "crm_sync"}})
	s.create(DefaultKey, `{"name":"a","type":"chat","toolIds":["web_search","crm_sync","sms"]}`)
	want := []heppu.Tool{
		{
			ID: "crm_sync", Name: "crm_sync", Description: "Custom tool crm_sync.",
			Category: "custom", Config: map[string]any{},
		},
		{
			ID: "sms", Name: "SMS", Description: "Sends text messages.",
			Category: "communication", Config: map[string]any{},
		},
	}
	if diff := cmp.Diff(want, s.Agents("default")[0].Tools); diff != "" {
		t.Errorf("tools (-want +got):\n%s", diff)
	}
}

func TestAgentsKeepsUnreadableConfig(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{})
	id := s.create(DefaultKey, `{"name":"a","type":"voice","config":{"speed":"fast"}}`)

	// Heppu does not document config checks, so a string speed is stored;
	// Agents keeps it raw rather than lose it, and reads the rest.
	got := s.Agents("default")[0]
	want := map[string]json.RawMessage{"speed": json.RawMessage(`"fast"`)}
	if got.ID != id || got.Config == nil || got.Config.Voice != "sage" {
		t.Fatalf("Agents = %+v", got)
	}
	if diff := cmp.Diff(want, got.Config.Extra); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
}

func TestRealClock(t *testing.T) {
	t.Parallel()
	srv, err := NewServer(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	s := &testServer{Server: srv, t: t, client: &http.Client{}}
	before := time.Now().UTC().Truncate(time.Second)
	s.create(DefaultKey, `{"name":"a","type":"chat"}`)
	after := time.Now().UTC()

	created := s.Agents("default")[0].CreatedAt
	ts, err := time.Parse(time.RFC3339, created)
	if err != nil || !strings.HasSuffix(created, "Z") || strings.Contains(created, ".") {
		t.Fatalf("createdAt = %q, want RFC 3339 in UTC to the second", created)
	}
	if ts.Before(before) || ts.After(after) {
		t.Errorf("createdAt = %s, want between %s and %s", ts, before, after)
	}
}

func TestRequests(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{})
	s.do(http.MethodPatch, "/api/v1/agents/a%2Fb?x=1", `{"name":"n"}`)
	s.send(s.newRequest(t.Context(), http.MethodGet, "/api/v1/agents?limit=5&type=chat", "", ""))

	want := []Request{
		{
			Method:  "PATCH",
			Path:    "/api/v1/agents/a/b",
			RawPath: "/api/v1/agents/a%2Fb",
			Query:   map[string][]string{"x": {"1"}},
			Body:    []byte(`{"name":"n"}`),
			Org:     "default",
		},
		{
			Method:  "GET",
			Path:    "/api/v1/agents",
			RawPath: "/api/v1/agents",
			Query:   map[string][]string{"limit": {"5"}, "type": {"chat"}},
			Body:    []byte{},
		},
	}
	got := s.Requests()
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(Request{}, "Header")); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if len(got) == 2 && got[0].Header.Get("X-Api-Key") != DefaultKey {
		t.Errorf("header of the first request = %v, want its x-api-key", got[0].Header)
	}

	// What Requests returns is a copy.
	got[0].Body[0] = 'X'
	got[0].Header.Set("X-Api-Key", "changed")
	if again := s.Requests(); string(again[0].Body) != `{"name":"n"}` ||
		again[0].Header.Get("X-Api-Key") != DefaultKey {
		t.Errorf("changing the result of Requests changed the record: %+v", again[0])
	}

	s.ResetRequests()
	if got := s.Requests(); len(got) != 0 {
		t.Errorf("after ResetRequests: %+v", got)
	}
	s.do(http.MethodGet, "/api/v1/agents", "")
	if got := s.Requests(); len(got) != 1 {
		t.Errorf("after one more request: %d recorded, want 1", len(got))
	}
}

func TestHandlerServedElsewhere(t *testing.T) {
	t.Parallel()
	h := NewHandler(Options{Keys: map[string]string{"k": "org"}})
	ts := httptest.NewServer(h)
	defer ts.Close()
	srv := &Server{URL: ts.URL + apiPrefix, Handler: h}
	s := &testServer{Server: srv, t: t, client: ts.Client()}
	id := s.create("k", `{"name":"a","type":"chat"}`)
	if agents := h.Agents("org"); len(agents) != 1 || agents[0].ID != id {
		t.Errorf("Agents(org) = %+v, want the agent %s", agents, id)
	}
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{})
	const workers, each = 8, 10
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				body := fmt.Sprintf(`{"name":"w%d-%d","type":"chat"}`, w, i)
				req := s.newRequest(context.Background(), http.MethodPost, "/api/v1/agents",
					DefaultKey, body)
				resp, err := s.client.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				s.Agents("default")
				s.Requests()
			}
		})
	}
	wg.Wait()

	page := s.listPage("?limit=100")
	ids := map[string]bool{}
	for _, a := range page.Agents {
		ids[a.ID] = true
	}
	if page.Pagination.Total != workers*each || len(ids) != workers*each {
		t.Errorf("total %d, %d distinct IDs; want %d of each",
			page.Pagination.Total, len(ids), workers*each)
	}
}

// createBody is the request most fault tests send: a create, so that
// whether it was applied shows in the store.
const createBody = `{"name":"a","type":"chat"}`

// createRequest sends a create and returns the raw response and error.
func (s *testServer) createRequest(ctx context.Context) (*http.Response, error) {
	return s.client.Do(s.newRequest(ctx, http.MethodPost, "/api/v1/agents", DefaultKey, createBody))
}

// checkApplied checks whether the faulted create was applied.
func (s *testServer) checkApplied(want bool) {
	s.t.Helper()
	if got := len(s.Agents("default")) == 1; got != want {
		s.t.Errorf("create applied = %v, want %v", got, want)
	}
}

func TestFaultAnswers(t *testing.T) {
	t.Parallel()
	const envelope = `{"success":false,"error":{"message":"Too many requests","code":429}}`
	tests := []struct {
		name        string
		fault       Fault
		status      int
		contentType string
		body        string // compared unless html or normal is set
		html        bool   // the body is an HTML page
		normal      bool   // the body is the usual answer
		header      http.Header
		applied     bool
	}{
		{
			name: "status with body and header",
			fault: Fault{
				Status: 429, Body: envelope, Header: http.Header{"Retry-After": {"7"}},
			},
			status: 429, contentType: "application/json", body: envelope,
			header: http.Header{"Retry-After": {"7"}},
		},
		{
			name:   "status without body",
			fault:  Fault{Status: 502},
			status: 502,
		},
		{
			name:   "status with a content type",
			fault:  Fault{Status: 503, Body: "down", ContentType: "text/plain"},
			status: 503, contentType: "text/plain", body: "down",
		},
		{
			name:   "success status with a failure body",
			fault:  Fault{Status: 200, Body: `{"success":false}`},
			status: 200, contentType: "application/json", body: `{"success":false}`,
		},
		{
			name:   "status applied",
			fault:  Fault{Status: 500, Body: "{}", Apply: true},
			status: 500, contentType: "application/json", body: "{}", applied: true,
		},
		{
			name:   "HTML page",
			fault:  Fault{NonJSON: true},
			status: 502, contentType: "text/html; charset=utf-8", html: true,
		},
		{
			name:   "HTML page with a status, applied",
			fault:  Fault{NonJSON: true, Status: 504, Apply: true},
			status: 504, contentType: "text/html; charset=utf-8", html: true, applied: true,
		},
		{
			name:   "zero fault answers normally",
			fault:  Fault{Header: http.Header{"X-Extra": {"1"}}},
			status: 201, contentType: "application/json", normal: true,
			header: http.Header{"X-Extra": {"1"}}, applied: true,
		},
		{
			name:   "short delay answers normally",
			fault:  Fault{Delay: time.Millisecond},
			status: 201, contentType: "application/json", normal: true, applied: true,
		},
		{
			name:   "short delay then a status",
			fault:  Fault{Delay: time.Millisecond, Status: 503},
			status: 503,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newTestServer(t, Options{})
			s.FailNext(tt.fault)
			res := s.send(s.newRequest(t.Context(), http.MethodPost, "/api/v1/agents",
				DefaultKey, createBody))

			if res.status != tt.status {
				t.Errorf("status = %d, want %d", res.status, tt.status)
			}
			if got := res.header.Get("Content-Type"); got != tt.contentType {
				t.Errorf("Content-Type = %q, want %q", got, tt.contentType)
			}
			switch {
			case tt.html:
				if !strings.Contains(string(res.body), "<html>") || json.Valid(res.body) {
					t.Errorf("body = %q, want an HTML page", res.body)
				}
			case tt.normal:
				data(t, res, 201, "Agent created successfully")
			case string(res.body) != tt.body:
				t.Errorf("body = %q, want %q", res.body, tt.body)
			}
			for k := range tt.header {
				if got, want := res.header.Get(k), tt.header.Get(k); got != want {
					t.Errorf("header %s = %q, want %q", k, got, want)
				}
			}
			s.checkApplied(tt.applied)
			if n := len(s.Requests()); n != 1 {
				t.Errorf("%d requests recorded, want 1", n)
			}
		})
	}
}

func TestFaultQueue(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{})
	s.FailNext(Fault{Status: 500}, Fault{Status: 503})
	s.FailNext(Fault{Status: 504})

	// Faults are consumed in order by requests of any route, known or not,
	// with a key or without.
	steps := []struct {
		path, key string
		status    int
	}{
		{"/nowhere", "", 500},
		{"/api/v1/agents", "", 503},
		{"/api/v1/agents", DefaultKey, 504},
		{"/nowhere", "", 404},
		{"/api/v1/agents", "", 401},
		{"/api/v1/agents", DefaultKey, 200},
	}
	for _, step := range steps {
		res := s.send(s.newRequest(t.Context(), http.MethodGet, step.path, step.key, ""))
		if res.status != step.status {
			t.Errorf("GET %s: status %d, want %d", step.path, res.status, step.status)
		}
	}
	if n := len(s.Requests()); n != len(steps) {
		t.Errorf("%d requests recorded, want %d", n, len(steps))
	}
}

func TestFaultTruncate(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{})
	s.FailNext(Fault{Truncate: true})
	resp, err := s.createRequest(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("reading the body: %v, want %v", err, io.ErrUnexpectedEOF)
	}
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("status = %d, want 201", resp.StatusCode)
	}
	if resp.ContentLength != int64(2*len(body)) && resp.ContentLength != int64(2*len(body)+1) {
		t.Errorf("got %d of %d bytes, want half", len(body), resp.ContentLength)
	}
	if json.Valid(body) {
		t.Errorf("truncated body %q is valid JSON", body)
	}
	s.checkApplied(true)
}

func TestFaultReset(t *testing.T) {
	t.Parallel()
	for _, apply := range []bool{false, true} {
		t.Run("apply="+strconv.FormatBool(apply), func(t *testing.T) {
			t.Parallel()
			s := newTestServer(t, Options{})
			s.FailNext(Fault{Reset: true, Apply: apply})
			resp, err := s.createRequest(t.Context())
			if err == nil {
				resp.Body.Close()
				t.Fatalf("got status %d, want a connection reset", resp.StatusCode)
			}
			if !errors.Is(err, syscall.ECONNRESET) {
				t.Errorf("error = %v, want a connection reset", err)
			}
			s.checkApplied(apply)
		})
	}
}

// notifyHang returns a channel that receives each request as it starts
// to hang.
func (s *testServer) notifyHang() <-chan Request {
	hanging := make(chan Request, 4)
	s.mu.Lock()
	s.onHang = func(r Request) { hanging <- r }
	s.mu.Unlock()
	return hanging
}

func TestFaultHang(t *testing.T) {
	t.Parallel()
	for _, apply := range []bool{false, true} {
		t.Run("apply="+strconv.FormatBool(apply), func(t *testing.T) {
			t.Parallel()
			s := newTestServer(t, Options{})
			hanging := s.notifyHang()
			s.FailNext(Fault{Hang: true, Apply: apply})

			// The client's deadline passes once the request is known to
			// hang, so that a slow start cannot pass for the hang.
			ctx, giveUp := context.WithCancelCause(t.Context())
			defer giveUp(nil)
			done := make(chan error, 1)
			go func() {
				resp, err := s.createRequest(ctx)
				if err == nil {
					resp.Body.Close()
				}
				done <- err
			}()
			<-hanging
			select {
			case err := <-done:
				t.Fatalf("the hung request returned: %v", err)
			default:
			}
			giveUp(context.DeadlineExceeded)
			if err := <-done; !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("error = %v, want the client's deadline", err)
			}

			select {
			case req := <-s.HangReleased():
				if req.Method != http.MethodPost || string(req.Body) != createBody {
					t.Errorf("released %s %q, want the hung create", req.Method, req.Body)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the hung request was not released after the client gave up")
			}
			s.checkApplied(apply)
		})
	}
}

func TestFaultHangTimeout(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{})
	s.FailNext(Fault{Hang: true})
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	resp, err := s.createRequest(ctx)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("got status %d, want no answer", resp.StatusCode)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error = %v, want the client's deadline", err)
	}
	s.checkApplied(false)
}

func TestFaultSlowDelay(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Options{})
	s.FailNext(Fault{Delay: time.Hour})
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	resp, err := s.createRequest(ctx)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("got status %d before the delay passed", resp.StatusCode)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error = %v, want the client's deadline", err)
	}
	s.checkApplied(false)
}

func TestFaultOversize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		size, want int
	}{
		{size: 1 << 20, want: 1 << 20},
		{size: 17 << 20, want: 17 << 20},
		{size: 1, want: len(`{"success":true,"data":{"padding":""}}`)},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.size), func(t *testing.T) {
			t.Parallel()
			s := newTestServer(t, Options{})
			s.FailNext(Fault{Oversize: tt.size})
			res := s.do(http.MethodPost, "/api/v1/agents", createBody)
			if res.status != 200 || len(res.body) != tt.want {
				t.Errorf("got %d with %d bytes, want 200 with %d",
					res.status, len(res.body), tt.want)
			}
			var env struct {
				Success bool `json:"success"`
				Data    struct {
					Padding string `json:"padding"`
				} `json:"data"`
			}
			if err := json.Unmarshal(res.body, &env); err != nil || !env.Success {
				t.Errorf("body is not a success envelope: %v", err)
			}
			s.checkApplied(false)
		})
	}
}

func TestCloseReleasesHang(t *testing.T) {
	t.Parallel()
	srv, err := NewServer(Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := &testServer{Server: srv, t: t, client: &http.Client{Transport: &http.Transport{}}}
	hanging := s.notifyHang()
	srv.FailNext(Fault{Hang: true}, Fault{Delay: time.Hour})

	// One request hangs, one is delayed; neither has a deadline.
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			resp, err := s.createRequest(context.Background())
			if err == nil {
				resp.Body.Close()
			}
			errs <- err
		}()
	}
	<-hanging

	if err := srv.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	for range 2 {
		if err := <-errs; err == nil {
			t.Error("a held request got an answer, want a closed connection")
		}
	}
	select {
	case r := <-srv.HangReleased():
		t.Errorf("HangReleased got %s %s, released by Close, not the client", r.Method, r.Path)
	default:
	}
	if err := srv.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if resp, err := s.createRequest(t.Context()); err == nil {
		resp.Body.Close()
		t.Error("a request after Close got an answer")
	}
}

func TestMaxRequests(t *testing.T) {
	t.Parallel()
	h := NewHandler(Options{MaxRequests: 2})
	for _, p := range []string{"/api/v1/agents?offset=1", "/api/v1/agents?offset=2", "/api/v1/agents?offset=3"} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, p, nil)
		req.Header.Set("x-api-key", DefaultKey)
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d", p, rec.Code)
		}
	}
	var got []string
	for _, r := range h.Requests() {
		got = append(got, r.Query.Get("offset"))
	}
	if diff := cmp.Diff([]string{"2", "3"}, got); diff != "" {
		t.Errorf("kept requests by offset (-want +got):\n%s", diff)
	}
}
