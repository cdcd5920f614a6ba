package heppu_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/heppu-ai/heppu-mcp/heppu"
)

// testKey is distinctive so that a leak into an error string is obvious.
const testKey = "hk_test_5ecr3tK3y_do_not_print"

const testUserAgent = "heppu-mcp/test"

const jsonType = "application/json"

const agentID = "550e8400-e29b-41d4-a716-446655440000"

// request is what a test server saw of one request.
type request struct {
	Method string
	// URI is the request target as sent, still escaped.
	URI         string
	Query       url.Values
	APIKey      string
	Accept      string
	ContentType string
	UserAgent   string
	Auth        string
	// Body is the decoded JSON body, or nil when there was none.
	Body any
}

// answer is a canned response.
type answer struct {
	status int
	header map[string]string
	body   string
	// retryAt, when set, sends Retry-After as the HTTP date this long
	// after the answer is written, so the wait a client reads does not
	// depend on how long the test waited to run.
	retryAt time.Duration
}

// recordingServer serves the same answer to every request and sends what it
// saw on the returned channel.
func recordingServer(t *testing.T, a answer) (*httptest.Server, <-chan request) {
	t.Helper()
	seen := make(chan request, 16)
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		raw, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("reading request body: %v", err)
		}
		var body any
		if len(raw) > 0 {
			if err := json.Unmarshal(raw, &body); err != nil {
				t.Errorf("request body %q is not JSON: %v", raw, err)
			}
		}
		seen <- request{
			Method:      r.Method,
			URI:         r.RequestURI,
			Query:       r.URL.Query(),
			APIKey:      r.Header.Get("x-api-key"),
			Accept:      r.Header.Get("Accept"),
			ContentType: r.Header.Get("Content-Type"),
			UserAgent:   r.Header.Get("User-Agent"),
			Auth:        r.Header.Get("Authorization"),
			Body:        body,
		}
		for k, v := range a.header {
			w.Header().Set(k, v)
		}
		if a.retryAt > 0 {
			w.Header().Set("Retry-After", time.Now().Add(a.retryAt).UTC().Format(http.TimeFormat))
		}
		if a.body != "" && w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(a.status)
		io.WriteString(w, a.body)
	})
	return srv, seen
}

// serve starts a test server of h, closed when the test ends.
func serve(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// newClient returns a client of the API served by srv under /api/v1.
func newClient(t *testing.T, srv *httptest.Server, opts heppu.Options) *heppu.Client {
	t.Helper()
	opts.BaseURL = srv.URL + "/api/v1"
	if opts.APIKey == "" {
		opts.APIKey = testKey
	}
	if opts.UserAgent == "" {
		opts.UserAgent = testUserAgent
	}
	c, err := heppu.NewClient(opts)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

// decodeJSON decodes s, failing the test when it is not JSON.
func decodeJSON(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("test JSON %q: %v", s, err)
	}
	return v
}

// checkNoKey fails the test when err's text holds the API key.
func checkNoKey(t *testing.T, err error) {
	t.Helper()
	if err != nil && strings.Contains(err.Error(), testKey) {
		t.Errorf("error %q contains the API key", err)
	}
}

func ptr[T any](v T) *T { return &v }

// endpoint calls one client method; the result is returned for comparison.
type endpoint struct {
	name string
	call func(context.Context, *heppu.Client) (any, error)
}

// endpoints calls every client method once, with an ordinary argument.
var endpoints = []endpoint{
	{"CreateAgent", func(ctx context.Context, c *heppu.Client) (any, error) {
		return c.CreateAgent(ctx, &heppu.CreateAgentRequest{Name: "Front desk", Type: heppu.Voice})
	}},
	{"ListAgents", func(ctx context.Context, c *heppu.Client) (any, error) {
		return c.ListAgents(ctx, nil)
	}},
	{"GetAgent", func(ctx context.Context, c *heppu.Client) (any, error) {
		return c.GetAgent(ctx, agentID)
	}},
	{"UpdateAgent", func(ctx context.Context, c *heppu.Client) (any, error) {
		return c.UpdateAgent(ctx, agentID, &heppu.UpdateAgentRequest{Name: ptr("Renamed")})
	}},
	{"DeleteAgent", func(ctx context.Context, c *heppu.Client) (any, error) {
		return c.DeleteAgent(ctx, agentID)
	}},
}

const voiceAgentJSON = `{
	"id": "550e8400-e29b-41d4-a716-446655440000",
	"name": "Front desk",
	"type": "voice",
	"status": "active",
	"model": "gpt-realtime-2025-08-28",
	"instructions": "Greet callers and book appointments.",
	"config": {"voice": "sage", "speed": 1.0, "interruptionThreshold": 0, "timeout": 30,
		"recording": true},
	"tools": [{"id": "calendar", "name": "Calendar", "description": "Books meetings",
		"category": "productivity", "config": {"provider": "google"}}],
	"phoneNumbers": ["+14155550100"],
	"createdAt": "2025-01-15T10:30:00Z",
	"updatedAt": "2025-01-16T08:00:00Z"
}`

var voiceAgent = &heppu.Agent{
	ID:           agentID,
	Name:         "Front desk",
	Type:         heppu.Voice,
	Status:       heppu.StatusActive,
	Model:        "gpt-realtime-2025-08-28",
	Instructions: "Greet callers and book appointments.",
	Config: &heppu.Config{
		Voice:                 "sage",
		Speed:                 ptr(1.0),
		InterruptionThreshold: ptr(0.0),
		Timeout:               ptr(30.0),
		Extra:                 map[string]json.RawMessage{"recording": json.RawMessage("true")},
	},
	Tools: []heppu.Tool{{
		ID:          "calendar",
		Name:        "Calendar",
		Description: "Books meetings",
		Category:    "productivity",
		Config:      map[string]any{"provider": "google"},
	}},
	PhoneNumbers: []string{"+14155550100"},
	CreatedAt:    "2025-01-15T10:30:00Z",
	UpdatedAt:    "2025-01-16T08:00:00Z",
}

const chatAgentJSON = `{
	"id": "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
	"name": "Site helper",
	"type": "chat",
	"status": "training",
	"model": "gpt-4o-mini",
	"instructions": "",
	"config": {"theme": "dark", "primaryColor": "#3B82F6", "position": "bottom-right",
		"greeting": "Hi!", "placeholder": "Ask me", "allowedDomains": ["example.com"]},
	"createdAt": "2025-01-15T10:30:00Z"
}`

var chatAgent = heppu.Agent{
	ID:     "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
	Name:   "Site helper",
	Type:   heppu.Chat,
	Status: heppu.StatusTraining,
	Model:  "gpt-4o-mini",
	Config: &heppu.Config{
		Theme:          "dark",
		PrimaryColor:   "#3B82F6",
		Position:       "bottom-right",
		Greeting:       "Hi!",
		Placeholder:    "Ask me",
		AllowedDomains: []string{"example.com"},
	},
	CreatedAt: "2025-01-15T10:30:00Z",
}

func TestEndpoints(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name string
		call func(context.Context, *heppu.Client) (any, error)
		// answer is the server's response.
		answer answer
		// method, uri and body are what the server must see; body is JSON,
		// or empty for no body.
		method string
		uri    string
		body   string
		want   any
	}{
		{
			name: "CreateAgent voice",
			call: func(ctx context.Context, c *heppu.Client) (any, error) {
				return c.CreateAgent(ctx, &heppu.CreateAgentRequest{
					Name:         "Front desk",
					Type:         heppu.Voice,
					Model:        "gpt-realtime-2025-08-28",
					Instructions: "Greet callers and book appointments.",
					Config: &heppu.Config{
						Voice:                 "sage",
						Speed:                 ptr(1.0),
						InterruptionThreshold: ptr(0.0),
					},
					ToolIDs: []string{"calendar"},
				})
			},
			answer: answer{status: http.StatusCreated, body: `{"success":true,"data":` +
				voiceAgentJSON + `,"message":"Agent created successfully"}`},
			method: http.MethodPost,
			uri:    "/api/v1/agents",
			body: `{"name":"Front desk","type":"voice","model":"gpt-realtime-2025-08-28",
				"instructions":"Greet callers and book appointments.",
				"config":{"voice":"sage","speed":1,"interruptionThreshold":0},
				"toolIds":["calendar"]}`,
			want: voiceAgent,
		},
		{
			name: "CreateAgent chat with only required fields",
			call: func(ctx context.Context, c *heppu.Client) (any, error) {
				return c.CreateAgent(ctx, &heppu.CreateAgentRequest{
					Name: "Site helper",
					Type: heppu.Chat,
				})
			},
			answer: answer{status: http.StatusCreated, body: envelope(chatAgentJSON)},
			method: http.MethodPost,
			uri:    "/api/v1/agents",
			body:   `{"name":"Site helper","type":"chat"}`,
			want:   &chatAgent,
		},
		{
			name: "CreateAgent with data and meta but no success",
			call: func(ctx context.Context, c *heppu.Client) (any, error) {
				return c.CreateAgent(ctx, &heppu.CreateAgentRequest{
					Name: "Site helper",
					Type: heppu.Chat,
				})
			},
			answer: answer{status: http.StatusOK, body: `{"data":` + chatAgentJSON +
				`,"meta":{"timestamp":"2025-01-15T10:30:00Z"}}`},
			method: http.MethodPost,
			uri:    "/api/v1/agents",
			body:   `{"name":"Site helper","type":"chat"}`,
			want:   &chatAgent,
		},
		{
			name: "ListAgents without options",
			call: func(ctx context.Context, c *heppu.Client) (any, error) {
				return c.ListAgents(ctx, nil)
			},
			answer: answer{status: http.StatusOK, body: envelope(`{"agents":[` +
				voiceAgentJSON + `,` + chatAgentJSON +
				`],"pagination":{"limit":50,"offset":0,"total":2}}`)},
			method: http.MethodGet,
			uri:    "/api/v1/agents",
			want: &heppu.AgentList{
				Agents:     []heppu.Agent{*voiceAgent, chatAgent},
				Pagination: heppu.Pagination{Limit: 50, Total: 2},
			},
		},
		{
			name: "ListAgents with zero options",
			call: func(ctx context.Context, c *heppu.Client) (any, error) {
				return c.ListAgents(ctx, &heppu.ListAgentsOptions{})
			},
			answer: answer{status: http.StatusOK, body: `{"data":{"agents":[],"pagination":` +
				`{"limit":50,"offset":0,"total":0,"hasMore":false}},` +
				`"meta":{"timestamp":"2025-01-15T10:30:00Z"}}`},
			method: http.MethodGet,
			uri:    "/api/v1/agents",
			want: &heppu.AgentList{
				Agents:     []heppu.Agent{},
				Pagination: heppu.Pagination{Limit: 50, HasMore: ptr(false)},
			},
		},
		{
			name: "ListAgents with every filter",
			call: func(ctx context.Context, c *heppu.Client) (any, error) {
				return c.ListAgents(ctx, &heppu.ListAgentsOptions{
					Type: heppu.Chat, Status: heppu.StatusTraining, Limit: 1, Offset: 1,
				})
			},
			answer: answer{status: http.StatusOK, body: envelope(`{"agents":[` + chatAgentJSON +
				`],"pagination":{"limit":1,"offset":1,"total":2,"hasMore":false}}`)},
			method: http.MethodGet,
			uri:    "/api/v1/agents?limit=1&offset=1&status=training&type=chat",
			want: &heppu.AgentList{
				Agents:     []heppu.Agent{chatAgent},
				Pagination: heppu.Pagination{Limit: 1, Offset: 1, Total: 2, HasMore: ptr(false)},
			},
		},
		{
			name: "ListAgents caps the limit",
			call: func(ctx context.Context, c *heppu.Client) (any, error) {
				return c.ListAgents(ctx, &heppu.ListAgentsOptions{Limit: 500, Offset: -3})
			},
			answer: answer{status: http.StatusOK, body: `{"success":true,"data":{"agents":[],` +
				`"pagination":{"limit":100,"offset":0,"total":0}}}`},
			method: http.MethodGet,
			uri:    "/api/v1/agents?limit=100",
			want: &heppu.AgentList{
				Agents:     []heppu.Agent{},
				Pagination: heppu.Pagination{Limit: 100},
			},
		},
		{
			name: "GetAgent",
			call: func(ctx context.Context, c *heppu.Client) (any, error) {
				return c.GetAgent(ctx, agentID)
			},
			answer: answer{status: http.StatusOK, body: envelope(voiceAgentJSON)},
			method: http.MethodGet,
			uri:    "/api/v1/agents/" + agentID,
			want:   voiceAgent,
		},
		{
			name: "GetAgent escapes the ID into one segment",
			call: func(ctx context.Context, c *heppu.Client) (any, error) {
				return c.GetAgent(ctx, "a/b?c")
			},
			answer: answer{status: http.StatusOK, body: envelope(voiceAgentJSON)},
			method: http.MethodGet,
			uri:    "/api/v1/agents/a%2Fb%3Fc",
			want:   voiceAgent,
		},
		{
			name: "GetAgent escapes a percent sign, a space and a hash",
			call: func(ctx context.Context, c *heppu.Client) (any, error) {
				return c.GetAgent(ctx, "50% off#1")
			},
			answer: answer{status: http.StatusOK, body: envelope(voiceAgentJSON)},
			method: http.MethodGet,
			uri:    "/api/v1/agents/50%25%20off%231",
			want:   voiceAgent,
		},
		{
			name: "GetAgent keeps a config value of an unexpected type",
			call: func(ctx context.Context, c *heppu.Client) (any, error) {
				return c.GetAgent(ctx, agentID)
			},
			answer: answer{status: http.StatusOK, body: `{"success":true,"data":{"id":"` + agentID +
				`","name":"Front desk","type":"voice","config":{"voice":"ash","speed":"fast"}}}`},
			method: http.MethodGet,
			uri:    "/api/v1/agents/" + agentID,
			want: &heppu.Agent{
				ID:   agentID,
				Name: "Front desk",
				Type: heppu.Voice,
				Config: &heppu.Config{
					Voice: "ash",
					Extra: map[string]json.RawMessage{"speed": json.RawMessage(`"fast"`)},
				},
			},
		},
		{
			name: "UpdateAgent",
			call: func(ctx context.Context, c *heppu.Client) (any, error) {
				return c.UpdateAgent(ctx, agentID, &heppu.UpdateAgentRequest{
					Name:    ptr("Reception"),
					Status:  ptr(heppu.StatusActive),
					Config:  &heppu.Config{Voice: "coral", Timeout: ptr(45.0)},
					ToolIDs: []string{},
				})
			},
			answer: answer{status: http.StatusOK, body: `{"success":true,"data":{"id":"` + agentID +
				`","updated":true},"message":"Agent updated successfully"}`},
			method: http.MethodPatch,
			uri:    "/api/v1/agents/" + agentID,
			body: `{"name":"Reception","status":"active","config":{"voice":"coral","timeout":45},
				"toolIds":[]}`,
			want: &heppu.UpdateResult{ID: agentID, Updated: true},
		},
		{
			name: "UpdateAgent leaves out unset fields",
			call: func(ctx context.Context, c *heppu.Client) (any, error) {
				return c.UpdateAgent(ctx, agentID, &heppu.UpdateAgentRequest{Instructions: ptr("")})
			},
			answer: answer{status: http.StatusOK,
				body: `{"data":{"id":"` + agentID + `","updated":true}}`},
			method: http.MethodPatch,
			uri:    "/api/v1/agents/" + agentID,
			body:   `{"instructions":""}`,
			want:   &heppu.UpdateResult{ID: agentID, Updated: true},
		},
		{
			name: "UpdateAgent with 204",
			call: func(ctx context.Context, c *heppu.Client) (any, error) {
				return c.UpdateAgent(ctx, "a/b", &heppu.UpdateAgentRequest{Model: ptr("gpt-4o")})
			},
			answer: answer{status: http.StatusNoContent},
			method: http.MethodPatch,
			uri:    "/api/v1/agents/a%2Fb",
			body:   `{"model":"gpt-4o"}`,
			want:   &heppu.UpdateResult{ID: "a/b", Updated: true},
		},
		{
			name: "DeleteAgent",
			call: func(ctx context.Context, c *heppu.Client) (any, error) {
				return c.DeleteAgent(ctx, agentID)
			},
			answer: answer{status: http.StatusOK, body: `{"success":true,"data":{"id":"` + agentID +
				`","deleted":true},"message":"Agent deleted successfully"}`},
			method: http.MethodDelete,
			uri:    "/api/v1/agents/" + agentID,
			want:   &heppu.DeleteResult{ID: agentID, Deleted: true},
		},
		{
			name: "DeleteAgent with 204",
			call: func(ctx context.Context, c *heppu.Client) (any, error) {
				return c.DeleteAgent(ctx, agentID)
			},
			answer: answer{status: http.StatusNoContent},
			method: http.MethodDelete,
			uri:    "/api/v1/agents/" + agentID,
			want:   &heppu.DeleteResult{ID: agentID, Deleted: true},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, seen := recordingServer(t, tc.answer)
			c := newClient(t, srv, heppu.Options{})

			got, err := tc.call(t.Context(), c)
			if err != nil {
				t.Fatalf("call: %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("result mismatch (-want +got):\n%s", diff)
			}

			want := request{
				Method:    tc.method,
				URI:       tc.uri,
				APIKey:    testKey,
				Accept:    "application/json",
				UserAgent: testUserAgent,
			}
			if u, err := url.ParseRequestURI(tc.uri); err == nil {
				want.Query = u.Query()
			}
			if tc.body != "" {
				want.ContentType = "application/json"
				want.Body = decodeJSON(t, tc.body)
			}
			if diff := cmp.Diff(want, <-seen); diff != "" {
				t.Errorf("request mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAPIErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		answer answer
		want   *heppu.APIError
		// slack is how much shorter than want.RetryAfter the wait may be,
		// for a Retry-After date read a moment after it was written.
		slack time.Duration
	}{
		{
			name: "401 agents page envelope",
			answer: answer{status: 401,
				body: `{"success":false,"error":{"message":"Invalid API key","code":401}}`},
			want: &heppu.APIError{StatusCode: 401, Code: "401", Message: "Invalid API key"},
		},
		{
			name: "401 errors page envelope",
			answer: answer{status: 401, body: `{"error":{"message":"Invalid API key format",` +
				`"status":401,"code":"invalid_api_key","timestamp":"2025-01-15T10:30:00Z"}}`},
			want: &heppu.APIError{StatusCode: 401, Code: "invalid_api_key",
				Message: "Invalid API key format"},
		},
		{
			name:   "401 echoing the key",
			answer: answer{status: 401, body: failed(401, "Bad key "+testKey)},
			want:   &heppu.APIError{StatusCode: 401, Code: "401", Message: "Bad key [redacted]"},
		},
		{
			name: "404",
			answer: answer{status: 404,
				body: `{"success":false,"error":{"message":"Agent not found","code":404}}`},
			want: &heppu.APIError{StatusCode: 404, Code: "404", Message: "Agent not found"},
		},
		{
			name: "400 missing fields",
			answer: answer{status: 400, body: `{"success":false,"error":{"message":` +
				`"Missing required fields: name and type are required","code":400}}`},
			want: &heppu.APIError{StatusCode: 400, Code: "400",
				Message: "Missing required fields: name and type are required"},
		},
		{
			name: "400 invalid type",
			answer: answer{status: 400, body: `{"success":false,"error":{"message":` +
				`"Invalid type. Must be 'voice' or 'chat'","code":400}}`},
			want: &heppu.APIError{StatusCode: 400, Code: "400",
				Message: "Invalid type. Must be 'voice' or 'chat'"},
		},
		{
			name: "403",
			answer: answer{status: 403, body: `{"error":{"message":"Key not permitted",` +
				`"status":403,"code":"forbidden","timestamp":"2025-01-15T10:30:00Z",` +
				`"details":{}}}`},
			want: &heppu.APIError{StatusCode: 403, Code: "forbidden", Message: "Key not permitted"},
		},
		{
			name: "409",
			answer: answer{status: 409,
				body: `{"success":false,"error":{"message":"Agent is being deployed","code":409}}`},
			want: &heppu.APIError{StatusCode: 409, Code: "409", Message: "Agent is being deployed"},
		},
		{
			name: "422",
			answer: answer{status: 422, body: `{"error":{"message":"Validation failed",` +
				`"status":422,"code":"validation_error","details":{"field":"config.speed"}}}`},
			want: &heppu.APIError{StatusCode: 422, Code: "validation_error",
				Message: "Validation failed"},
		},
		{
			name: "429 with Retry-After seconds",
			answer: answer{status: 429, header: map[string]string{"Retry-After": "30"},
				body: `{"error":{"message":"Slow down","status":429,"code":"rate_limited"}}`},
			want: &heppu.APIError{StatusCode: 429, Code: "rate_limited", Message: "Slow down",
				RetryAfter: 30 * time.Second},
		},
		{
			name: "429 with Retry-After date",
			answer: answer{status: 429, retryAt: 2 * time.Minute,
				body: `{"success":false,"error":{"message":"Too many requests","code":429}}`},
			want: &heppu.APIError{StatusCode: 429, Code: "429", Message: "Too many requests",
				RetryAfter: 2 * time.Minute},
			slack: 2 * time.Second, // the date has whole seconds
		},
		{
			name:   "429 without body or Retry-After",
			answer: answer{status: 429},
			want:   &heppu.APIError{StatusCode: 429, Message: "Too Many Requests"},
		},
		{
			name: "500 HTML",
			answer: answer{status: 500, header: map[string]string{"Content-Type": "text/html"},
				body: "<html><body><h1>Oops</h1><p>stack trace here</p></body></html>"},
			want: &heppu.APIError{StatusCode: 500, Message: "Internal Server Error"},
		},
		{
			name: "500 plain text",
			answer: answer{status: 500, header: map[string]string{"Content-Type": "text/plain"},
				body: "upstream connect error or disconnect/reset before headers"},
			want: &heppu.APIError{StatusCode: 500, Message: "Internal Server Error"},
		},
		{
			name: "502 HTML",
			answer: answer{status: 502, header: map[string]string{"Content-Type": "text/html"},
				body: "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"},
			want: &heppu.APIError{StatusCode: 502, Message: "Bad Gateway"},
		},
		{
			name:   "502 empty",
			answer: answer{status: 502},
			want:   &heppu.APIError{StatusCode: 502, Message: "Bad Gateway"},
		},
		{
			name: "503 HTML with Retry-After",
			answer: answer{status: 503,
				header: map[string]string{"Content-Type": "text/html", "Retry-After": "120"},
				body:   "<!DOCTYPE html><title>Maintenance</title>"},
			want: &heppu.APIError{StatusCode: 503, Message: "Service Unavailable",
				RetryAfter: 2 * time.Minute},
		},
		{
			name:   "504 empty",
			answer: answer{status: 504},
			want:   &heppu.APIError{StatusCode: 504, Message: "Gateway Timeout"},
		},
		{
			name: "500 with a huge body",
			answer: answer{status: 500, header: map[string]string{"Content-Type": "text/html"},
				body: strings.Repeat("<p>x</p>", 100_000)},
			want: &heppu.APIError{StatusCode: 500, Message: "Internal Server Error"},
		},
		{
			name:   "200 with success false",
			answer: answer{status: 200, body: failed(404, "Agent not found")},
			want:   &heppu.APIError{StatusCode: 502, Code: "404", Message: "Agent not found"},
		},
		{
			name:   "201 with success false and no error",
			answer: answer{status: 201, body: `{"success":false}`},
			want:   &heppu.APIError{StatusCode: 502, Message: "Created"},
		},
		{
			name: "redirect not followed",
			answer: answer{status: http.StatusTemporaryRedirect,
				header: map[string]string{"Location": "https://elsewhere.example/api/v1/agents"}},
			want: &heppu.APIError{StatusCode: 307, Message: "Temporary Redirect"},
		},
	}
	for _, tc := range tests {
		for _, ep := range endpoints {
			t.Run(tc.name+"/"+ep.name, func(t *testing.T) {
				t.Parallel()
				srv, _ := recordingServer(t, tc.answer)
				// Each answer is read once here; TestEmulatorRetries covers retries.
				c := newClient(t, srv, heppu.Options{MaxRetries: -1})

				got, err := ep.call(t.Context(), c)
				checkNoKey(t, err)
				apiErr, ok := errors.AsType[*heppu.APIError](err)
				if !ok {
					t.Fatalf("got (%v, %v), want an *APIError", got, err)
				}
				if !isNil(got) {
					t.Errorf("got result %+v with the error, want nil", got)
				}
				opt := cmpopts.IgnoreFields(heppu.APIError{}, "RetryAfter")
				if diff := cmp.Diff(tc.want, apiErr, opt); diff != "" {
					t.Errorf("error mismatch (-want +got):\n%s", diff)
				}
				wait, want := apiErr.RetryAfter, tc.want.RetryAfter
				if wait > want || wait < want-tc.slack {
					t.Errorf("RetryAfter = %v, want %v (less up to %v)", wait, want, tc.slack)
				}
				if got := heppu.StatusCode(err); got != tc.want.StatusCode {
					t.Errorf("StatusCode(err) = %d, want %d", got, tc.want.StatusCode)
				}
				if got, want := heppu.IsNotFound(err), tc.want.StatusCode == 404; got != want {
					t.Errorf("IsNotFound(err) = %t, want %t", got, want)
				}
				if got, want := heppu.IsUnauthorized(err), tc.want.StatusCode == 401; got != want {
					t.Errorf("IsUnauthorized(err) = %t, want %t", got, want)
				}
				if strings.Contains(err.Error(), "<") {
					t.Errorf("error %q repeats the body", err)
				}
			})
		}
	}
}

// isNil reports whether v, an endpoint's result, is a nil pointer.
func isNil(v any) bool {
	switch p := v.(type) {
	case *heppu.Agent:
		return p == nil
	case *heppu.AgentList:
		return p == nil
	case *heppu.UpdateResult:
		return p == nil
	case *heppu.DeleteResult:
		return p == nil
	}
	return v == nil
}

func TestAPIErrorText(t *testing.T) {
	t.Parallel()

	tests := []struct {
		err  *heppu.APIError
		want string
	}{
		{
			&heppu.APIError{StatusCode: 404, Code: "404", Message: "Agent not found"},
			"heppu: 404 Agent not found",
		},
		{&heppu.APIError{StatusCode: 502, Message: "Bad Gateway"}, "heppu: 502 Bad Gateway"},
		{
			&heppu.APIError{StatusCode: 401, Code: "invalid_api_key", Message: "Bad key format"},
			"heppu: 401 Bad key format (invalid_api_key)",
		},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			t.Parallel()
			if got := tc.err.Error(); got != tc.want {
				t.Errorf("Error() = %q, want %q", got, tc.want)
			}
			wrapped := fmt.Errorf("getting agent: %w", tc.err)
			if got := heppu.StatusCode(wrapped); got != tc.err.StatusCode {
				t.Errorf("StatusCode(wrapped) = %d, want %d", got, tc.err.StatusCode)
			}
		})
	}
	if got := heppu.StatusCode(errors.New("other")); got != 0 {
		t.Errorf("StatusCode(other error) = %d, want 0", got)
	}
}

// repeatReader yields the same byte forever.
type repeatReader byte

func (r repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

func TestResponseErrors(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name    string
		handler http.HandlerFunc
		// endpoints limits the case to these; nil means every endpoint.
		endpoints []string
		status    int
		// wantText is a part of the error text.
		wantText string
		wantErr  error
	}{
		{
			name:     "200 HTML",
			handler:  respond(200, "text/html", "<html><body>Welcome to nginx!</body></html>"),
			status:   200,
			wantText: "malformed JSON",
		},
		{
			name:     "200 plain text",
			handler:  respond(200, "text/plain", "OK"),
			status:   200,
			wantText: "malformed JSON",
		},
		{
			name:     "truncated JSON",
			handler:  respond(200, jsonType, `{"success":true,"data":{"id":"`+agentID+`","na`),
			status:   200,
			wantText: "truncated JSON",
		},
		{
			name: "body cut short by the connection",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Content-Length", "4096")
				w.WriteHeader(200)
				io.WriteString(w, `{"success":true,"data":{"id":"`)
			},
			status:   200,
			wantText: "truncated",
			wantErr:  io.ErrUnexpectedEOF,
		},
		{
			name:      "name is a number",
			handler:   respond(200, jsonType, envelope(`{"id":"x","name":42,"type":"voice"}`)),
			endpoints: []string{"CreateAgent", "GetAgent"},
			status:    200,
			wantText:  `field "name": got JSON number, want string`,
		},
		{
			name:      "tools is an object",
			handler:   respond(201, jsonType, envelope(`{"id":"x","tools":{"id":"crm"}}`)),
			endpoints: []string{"CreateAgent", "GetAgent"},
			status:    201,
			wantText:  `field "tools": got JSON object`,
		},
		{
			name:      "agents is an object",
			handler:   respond(200, jsonType, envelope(`{"agents":{},"pagination":{}}`)),
			endpoints: []string{"ListAgents"},
			status:    200,
			wantText:  `field "agents"`,
		},
		{
			name:      "deleted is a string",
			handler:   respond(200, jsonType, `{"success":true,"data":{"id":"x","deleted":"yes"}}`),
			endpoints: []string{"DeleteAgent"},
			status:    200,
			wantText:  `field "deleted"`,
		},
		{
			name:     "data is a string",
			handler:  respond(200, jsonType, `{"success":true,"data":"ok"}`),
			status:   200,
			wantText: "got JSON string",
		},
		{
			name:     "success is a string",
			handler:  respond(200, jsonType, `{"success":"true","data":{}}`),
			status:   200,
			wantText: `field "success"`,
		},
		{
			name:     "no data",
			handler:  respond(200, jsonType, `{"success":true,"message":"Agent deleted"}`),
			status:   200,
			wantText: `no "data"`,
		},
		{
			name:     "data null",
			handler:  respond(200, jsonType, `{"success":true,"data":null}`),
			status:   200,
			wantText: `no "data"`,
		},
		{
			name:     "body a JSON array",
			handler:  respond(200, jsonType, `[]`),
			status:   200,
			wantText: "got JSON array",
		},
		{
			name:     "empty 200",
			handler:  respond(200, jsonType, ""),
			status:   200,
			wantText: "empty body",
		},
		{
			name:      "204 to a request that promises a resource",
			handler:   respond(204, "", ""),
			endpoints: []string{"CreateAgent", "ListAgents", "GetAgent"},
			status:    204,
			wantText:  "empty body",
		},
		{
			name: "body over MaxResponseBytes",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, `{"success":true,"data":{"id":"x","name":"`)
				io.Copy(w, io.LimitReader(repeatReader('a'), heppu.MaxResponseBytes))
				io.WriteString(w, `"}}`)
			},
			status:  200,
			wantErr: heppu.ErrBodyTooLarge,
		},
	}
	for _, tc := range tests {
		for _, ep := range endpoints {
			if tc.endpoints != nil && !slices.Contains(tc.endpoints, ep.name) {
				continue
			}
			t.Run(tc.name+"/"+ep.name, func(t *testing.T) {
				t.Parallel()
				srv := serve(t, tc.handler)
				c := newClient(t, srv, heppu.Options{})

				got, err := ep.call(t.Context(), c)
				checkNoKey(t, err)
				respErr, ok := errors.AsType[*heppu.ResponseError](err)
				if !ok {
					t.Fatalf("got (%+v, %v), want a *ResponseError", got, err)
				}
				if !isNil(got) {
					t.Errorf("got result %+v with the error, want nil", got)
				}
				if respErr.StatusCode != tc.status {
					t.Errorf("StatusCode = %d, want %d", respErr.StatusCode, tc.status)
				}
				if !strings.Contains(err.Error(), tc.wantText) {
					t.Errorf("error %q does not contain %q", err, tc.wantText)
				}
				if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
					t.Errorf("error %q does not wrap %q", err, tc.wantErr)
				}
				if len(err.Error()) > 200 {
					t.Errorf("error is %d bytes, want a short one: %.200q", len(err.Error()), err)
				}
			})
		}
	}
}

// envelope wraps data in the agents pages' success envelope.
func envelope(data string) string { return `{"success":true,"data":` + data + `}` }

// failed is the agents pages' error envelope.
func failed(status int, message string) string {
	return fmt.Sprintf(`{"success":false,"error":{"message":%q,"code":%d}}`, message, status)
}

// respond returns a handler that answers with status, content type and body.
func respond(status int, contentType, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

func TestTransportErrors(t *testing.T) {
	t.Parallel()

	// hang blocks until the client gives up on the request. The server
	// notices a closed connection only once the body has been read.
	hang := func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		<-r.Context().Done()
	}

	tests := []struct {
		name string
		// start returns the base URL to call and the context to call it with.
		start       func(t *testing.T) (string, context.Context)
		timeout     time.Duration
		wantSent    bool
		wantTimeout bool
		wantErr     error
	}{
		{
			name: "connection reset",
			start: func(t *testing.T) (string, context.Context) {
				srv := serve(t, resetConnection(t))
				return srv.URL, t.Context()
			},
			wantSent: true,
		},
		{
			name: "connection refused",
			start: func(t *testing.T) (string, context.Context) {
				return "http://" + closedAddr(t), t.Context()
			},
			wantSent: false,
		},
		{
			name: "context cancelled before the call",
			start: func(t *testing.T) (string, context.Context) {
				srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
					t.Errorf("%s %s reached the server", r.Method, r.URL)
				})
				ctx, cancel := context.WithCancel(t.Context())
				cancel()
				return srv.URL, ctx
			},
			wantSent: true,
			wantErr:  context.Canceled,
		},
		{
			name: "context cancelled while waiting",
			start: func(t *testing.T) (string, context.Context) {
				ctx, cancel := context.WithCancel(t.Context())
				srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
					cancel()
					hang(w, r)
				})
				return srv.URL, ctx
			},
			wantSent: true,
			wantErr:  context.Canceled,
		},
		{
			name: "timeout",
			start: func(t *testing.T) (string, context.Context) {
				srv := serve(t, hang)
				return srv.URL, t.Context()
			},
			timeout:     50 * time.Millisecond,
			wantSent:    true,
			wantTimeout: true,
			wantErr:     context.DeadlineExceeded,
		},
		{
			name: "caller's deadline",
			start: func(t *testing.T) (string, context.Context) {
				srv := serve(t, hang)
				ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
				t.Cleanup(cancel)
				return srv.URL, ctx
			},
			wantSent:    true,
			wantTimeout: true,
			wantErr:     context.DeadlineExceeded,
		},
	}
	for _, tc := range tests {
		for _, ep := range endpoints {
			t.Run(tc.name+"/"+ep.name, func(t *testing.T) {
				t.Parallel()
				base, ctx := tc.start(t)
				c, err := heppu.NewClient(heppu.Options{
					BaseURL: base + "/api/v1",
					APIKey:  testKey,
					Timeout: tc.timeout,
				})
				if err != nil {
					t.Fatalf("NewClient: %v", err)
				}
				// Most of these failures are retried, here without waits;
				// the last attempt fails as the first did.
				heppu.SetRetryWait(c, time.Millisecond, noWait)

				got, err := ep.call(ctx, c)
				checkNoKey(t, err)
				tErr, ok := errors.AsType[*heppu.TransportError](err)
				if !ok {
					t.Fatalf("got (%+v, %v), want a *TransportError", got, err)
				}
				if !isNil(got) {
					t.Errorf("got result %+v with the error, want nil", got)
				}
				if tErr.Sent != tc.wantSent {
					t.Errorf("Sent = %t, want %t (error %v)", tErr.Sent, tc.wantSent, err)
				}
				if tErr.Timeout() != tc.wantTimeout {
					t.Errorf("Timeout() = %t, want %t (%v)", tErr.Timeout(), tc.wantTimeout, err)
				}
				if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
					t.Errorf("error %q does not wrap %q", err, tc.wantErr)
				}
				if tErr.Method == "" || !strings.HasPrefix(tErr.Path, "/agents") {
					t.Errorf("Method, Path = %q, %q, want the request's", tErr.Method, tErr.Path)
				}
				if strings.Contains(err.Error(), "http://") {
					t.Errorf("error %q repeats the URL", err)
				}
			})
		}
	}
}

// resetConnection returns a handler that resets the connection without
// answering.
func resetConnection(t *testing.T) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("hijacking: %v", err)
			return
		}
		if tcp, ok := conn.(*net.TCPConn); ok {
			tcp.SetLinger(0)
		}
		conn.Close()
	}
}

// closedAddr returns a loopback address where nothing listens.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listening: %v", err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestBodyCutOff(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name        string
		cancel      bool
		wantTimeout bool
		wantErr     error
	}{
		{name: "timeout", wantTimeout: true, wantErr: context.DeadlineExceeded},
		{name: "cancel", cancel: true, wantErr: context.Canceled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, `{"success":true,"data":{"id":"`)
				http.NewResponseController(w).Flush()
				if tc.cancel {
					cancel()
				}
				<-r.Context().Done()
			})
			c := newClient(t, srv, heppu.Options{Timeout: 50 * time.Millisecond})
			if tc.cancel {
				c = newClient(t, srv, heppu.Options{})
			}
			heppu.SetRetryWait(c, time.Millisecond, noWait)

			_, err := c.GetAgent(ctx, agentID)
			checkNoKey(t, err)
			tErr, ok := errors.AsType[*heppu.TransportError](err)
			if !ok {
				t.Fatalf("got %v, want a *TransportError", err)
			}
			if !tErr.Sent || tErr.Timeout() != tc.wantTimeout {
				t.Errorf("Sent, Timeout() = %t, %t, want true, %t",
					tErr.Sent, tErr.Timeout(), tc.wantTimeout)
			}
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("error %v does not wrap %v", err, tc.wantErr)
			}
		})
	}
}

func TestNoAPIKey(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
	})
	c, err := heppu.NewClient(heppu.Options{BaseURL: srv.URL})
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	if c.HasAPIKey() {
		t.Error("HasAPIKey() = true for a client without a key")
	}

	for _, ep := range endpoints {
		t.Run(ep.name, func(t *testing.T) {
			got, err := ep.call(t.Context(), c)
			if !errors.Is(err, heppu.ErrNoAPIKey) {
				t.Errorf("got (%+v, %v), want ErrNoAPIKey", got, err)
			}
		})
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("the server got %d requests, want none", n)
	}
}

func TestInvalidAgentID(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
	})
	c := newClient(t, srv, heppu.Options{})

	for _, id := range []string{"", ".", ".."} {
		calls := map[string]func() (any, error){
			"GetAgent": func() (any, error) { return c.GetAgent(t.Context(), id) },
			"UpdateAgent": func() (any, error) {
				return c.UpdateAgent(t.Context(), id, &heppu.UpdateAgentRequest{Name: ptr("x")})
			},
			"DeleteAgent": func() (any, error) { return c.DeleteAgent(t.Context(), id) },
		}
		for name, call := range calls {
			if got, err := call(); err == nil {
				t.Errorf("%s(%q) = %+v, want an error", name, id, got)
			}
		}
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("the server got %d requests, want none", n)
	}
}

func TestWithAPIKey(t *testing.T) {
	t.Parallel()
	srv, seen := recordingServer(t, answer{status: 200,
		body: envelope(`{"agents":[],"pagination":{"limit":50,"offset":0,"total":0}}`)})
	c := newClient(t, srv, heppu.Options{})
	other := c.WithAPIKey("hk_other")

	if _, err := other.ListAgents(t.Context(), nil); err != nil {
		t.Fatalf("ListAgents with the new key: %v", err)
	}
	if _, err := c.ListAgents(t.Context(), nil); err != nil {
		t.Fatalf("ListAgents with the old key: %v", err)
	}

	base := request{Method: http.MethodGet, URI: "/api/v1/agents", Query: url.Values{},
		Accept: "application/json", UserAgent: testUserAgent}
	for _, key := range []string{"hk_other", testKey} {
		want := base
		want.APIKey = key
		if diff := cmp.Diff(want, <-seen); diff != "" {
			t.Errorf("request mismatch (-want +got):\n%s", diff)
		}
	}
	if other.BaseURL() != c.BaseURL() {
		t.Errorf("BaseURL() = %q, want %q", other.BaseURL(), c.BaseURL())
	}
	if !other.HasAPIKey() || c.WithAPIKey("").HasAPIKey() {
		t.Error("HasAPIKey does not follow the key")
	}
}

func TestWithAPIKeyKeepsTimeout(t *testing.T) {
	t.Parallel()
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	c := newClient(t, srv, heppu.Options{Timeout: 50 * time.Millisecond})
	heppu.SetRetryWait(c, time.Millisecond, noWait)
	c = c.WithAPIKey("hk_other")

	_, err := c.GetAgent(t.Context(), agentID)
	if tErr, ok := errors.AsType[*heppu.TransportError](err); !ok || !tErr.Timeout() {
		t.Errorf("got %v, want a timeout", err)
	}
}

func TestParseBaseURL(t *testing.T) {
	t.Parallel()

	tests := []struct {
		raw  string
		want string
		// wantErr is a part of the error text, or empty for success.
		wantErr string
		// secret must not appear in the error.
		secret string
	}{
		{raw: "https://v2.heppu.ai/api/v1", want: "https://v2.heppu.ai/api/v1"},
		{raw: "https://v2.heppu.ai/api/v1/", want: "https://v2.heppu.ai/api/v1"},
		{raw: "https://v2.heppu.ai/api/v1///", want: "https://v2.heppu.ai/api/v1"},
		{raw: "HTTPS://v2.heppu.ai", want: "https://v2.heppu.ai"},
		{raw: "https://v2.heppu.ai:8443/", want: "https://v2.heppu.ai:8443"},
		{raw: "http://127.0.0.1:8080", want: "http://127.0.0.1:8080"},
		{raw: "http://127.0.0.2/api/v1", want: "http://127.0.0.2/api/v1"},
		{raw: "http://localhost", want: "http://localhost"},
		{raw: "http://LocalHost:3000/api/v1/", want: "http://LocalHost:3000/api/v1"},
		{raw: "http://[::1]:9", want: "http://[::1]:9"},
		{raw: "http://example.com", wantErr: "not loopback"},
		{raw: "http://localhost.example.com", wantErr: "not loopback"},
		{raw: "http://0.0.0.0:8080", wantErr: "not loopback"},
		{raw: "http://10.0.0.1", wantErr: "not loopback"},
		{raw: "ftp://v2.heppu.ai/api/v1", wantErr: "https"},
		{raw: "ws://localhost", wantErr: "https"},
		{raw: "/api/v1", wantErr: "absolute"},
		{raw: "v2.heppu.ai/api/v1", wantErr: "absolute"},
		{raw: "", wantErr: "absolute"},
		{raw: "https://", wantErr: "absolute"},
		{raw: "https://bob:hunter2@v2.heppu.ai/api/v1", wantErr: "credentials", secret: "hunter2"},
		{raw: "https://:hunter2@v2.heppu.ai", wantErr: "credentials", secret: "hunter2"},
		{raw: "http://bob:hunter2@example.com", wantErr: "credentials", secret: "hunter2"},
		{raw: "http://hunter2@localhost", wantErr: "credentials", secret: "hunter2"},
		{raw: "https://bob:hunter2%zz@v2.heppu.ai", wantErr: "not a valid URL", secret: "hunter2"},
		{raw: "https://v2.heppu.ai/api/v1?key=hunter2", wantErr: "query", secret: "hunter2"},
		{raw: "https://v2.heppu.ai/api/v1#top", wantErr: "fragment"},
	}
	for _, tc := range tests {
		t.Run(tc.raw, func(t *testing.T) {
			t.Parallel()
			got, err := heppu.ParseBaseURL(tc.raw)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("ParseBaseURL(%q): %v", tc.raw, err)
				}
				if got.String() != tc.want {
					t.Errorf("ParseBaseURL(%q) = %q, want %q", tc.raw, got, tc.want)
				}
				c, err := heppu.NewClient(heppu.Options{BaseURL: tc.raw})
				if err != nil {
					t.Fatalf("NewClient: %v", err)
				}
				if c.BaseURL() != tc.want {
					t.Errorf("BaseURL() = %q, want %q", c.BaseURL(), tc.want)
				}
				return
			}

			if err == nil {
				t.Fatalf("ParseBaseURL(%q) = %q, want an error", tc.raw, got)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseBaseURL(%q) error %q does not contain %q", tc.raw, err, tc.wantErr)
			}
			_, nerr := heppu.NewClient(heppu.Options{BaseURL: tc.raw, APIKey: testKey})
			if tc.raw != "" && nerr == nil {
				t.Errorf("NewClient accepted %q", tc.raw)
			}
			for _, e := range []error{err, nerr} {
				checkNoKey(t, e)
				if tc.secret != "" && e != nil && strings.Contains(e.Error(), tc.secret) {
					t.Errorf("error %q repeats the secret", e)
				}
			}
		})
	}
}

func TestNewClientDefaults(t *testing.T) {
	t.Parallel()
	c, err := heppu.NewClient(heppu.Options{})
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	if c.BaseURL() != heppu.DefaultBaseURL {
		t.Errorf("BaseURL() = %q, want %q", c.BaseURL(), heppu.DefaultBaseURL)
	}
	if c.HasAPIKey() {
		t.Error("HasAPIKey() = true, want false")
	}
}

func TestRedirectNotFollowed(t *testing.T) {
	t.Parallel()
	var leaked atomic.Int32
	target := serve(t, func(w http.ResponseWriter, r *http.Request) {
		leaked.Add(1)
	})
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+r.URL.Path, http.StatusFound)
	})

	clients := map[string]*http.Client{
		"own client":   nil,
		"given client": {},
		"given redirects": {CheckRedirect: func(*http.Request, []*http.Request) error {
			return nil
		}},
	}
	for name, hc := range clients {
		t.Run(name, func(t *testing.T) {
			c := newClient(t, srv, heppu.Options{HTTPClient: hc})
			_, err := c.GetAgent(t.Context(), agentID)
			if got := heppu.StatusCode(err); got != http.StatusFound {
				t.Errorf("got %v, want an *APIError with status 302", err)
			}
		})
	}
	if n := leaked.Load(); n != 0 {
		t.Errorf("the redirect target got %d requests, want none", n)
	}
}

func TestObserver(t *testing.T) {
	t.Parallel()
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPost:
			respond(201, jsonType, envelope(chatAgentJSON))(w, r)
		case r.Method == http.MethodGet && r.URL.Path == "/api/v1/agents":
			respond(200, jsonType, `{"data":{"agents":[],"pagination":{}}}`)(w, r)
		default:
			respond(404, jsonType, failed(404, "Agent not found"))(w, r)
		}
	})
	c := newClient(t, srv, heppu.Options{})

	// The results do not matter here, only what the observer sees.
	var got []heppu.Exchange
	ctx := heppu.WithObserver(t.Context(), func(ex heppu.Exchange) { got = append(got, ex) })
	c.CreateAgent(ctx, &heppu.CreateAgentRequest{Name: "Site helper", Type: heppu.Chat})
	c.ListAgents(ctx, &heppu.ListAgentsOptions{Limit: 5})
	c.GetAgent(ctx, "a/b")
	c.DeleteAgent(t.Context(), agentID)     // no observer
	c.WithAPIKey("").GetAgent(ctx, agentID) // nothing sent
	// A client with no pooled connection, so that the failure is a refusal,
	// which is retried: the observer sees every attempt.
	down := newClient(t, srv, heppu.Options{})
	heppu.SetRetryWait(down, time.Millisecond, noWait)
	srv.Close()
	down.UpdateAgent(ctx, agentID, &heppu.UpdateAgentRequest{})

	want := []heppu.Exchange{
		{Method: http.MethodPost, Path: "/agents", Status: 201},
		{Method: http.MethodGet, Path: "/agents", Status: 200},
		{Method: http.MethodGet, Path: "/agents/a%2Fb", Status: 404},
	}
	for range 1 + heppu.DefaultMaxRetries {
		want = append(want, heppu.Exchange{Method: http.MethodPatch, Path: "/agents/" + agentID})
	}
	opts := cmpopts.IgnoreFields(heppu.Exchange{}, "Duration", "Err")
	if diff := cmp.Diff(want, got, opts); diff != "" {
		t.Errorf("exchanges mismatch (-want +got):\n%s", diff)
	}
	for i, ex := range got {
		if wantErr := i >= 2; (ex.Err != nil) != wantErr {
			t.Errorf("exchange %d: Err = %v, want error %t", i, ex.Err, wantErr)
		}
		if ex.Duration <= 0 {
			t.Errorf("exchange %d: Duration = %v, want it measured", i, ex.Duration)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		respond(200, jsonType, envelope(voiceAgentJSON))(w, r)
	})
	c := newClient(t, srv, heppu.Options{})

	errs := make(chan error, 20)
	for range cap(errs) {
		go func() {
			_, err := c.GetAgent(t.Context(), agentID)
			errs <- err
		}()
	}
	for range cap(errs) {
		if err := <-errs; err != nil {
			t.Errorf("GetAgent: %v", err)
		}
	}
}

func TestConnectionsReused(t *testing.T) {
	t.Parallel()
	// calls is how many requests are in flight at once, as from as many
	// sessions of a server.
	const calls = 32

	tests := []struct {
		name string
		hc   *http.Client
		// wantRedials is how many connections the second round dials.
		wantRedials int32
	}{
		{name: "own transport", wantRedials: 0},
		{
			name:        "given transport",
			hc:          &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2}},
			wantRedials: calls - 2,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var dials atomic.Int32
			arrived := make(chan struct{})
			proceed := make(chan struct{}, calls)
			srv := httptest.NewUnstartedServer(http.HandlerFunc(
				func(w http.ResponseWriter, r *http.Request) {
					arrived <- struct{}{}
					select {
					case <-proceed:
						respond(200, jsonType, envelope(voiceAgentJSON))(w, r)
					case <-r.Context().Done():
					}
				}))
			srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
				if s == http.StateNew {
					dials.Add(1)
				}
			}
			srv.Start()
			t.Cleanup(srv.Close)
			c := newClient(t, srv, heppu.Options{HTTPClient: tc.hc})

			// Each round holds every call in the handler until all have
			// arrived, so that each needs a connection of its own. A body
			// read to its end has put its connection back in the pool by
			// the time the call returns.
			var got [2]int32
			for round := range got {
				before := dials.Load()
				errs := make(chan error, calls)
				for range calls {
					go func() {
						_, err := c.GetAgent(t.Context(), agentID)
						errs <- err
					}()
				}
				for range calls {
					receive(t, arrived)
				}
				for range calls {
					proceed <- struct{}{}
				}
				for range calls {
					if err := <-errs; err != nil {
						t.Fatalf("GetAgent: %v", err)
					}
				}
				got[round] = dials.Load() - before
			}

			if want := [2]int32{calls, tc.wantRedials}; got != want {
				t.Errorf("connections dialled per round of %d calls = %v, want %v",
					calls, got, want)
			}
		})
	}
}

// receive waits for a value from ch, failing the test if none comes in a
// long while: requests that cannot all be in flight at once would otherwise
// hang it.
func receive[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatal("no request arrived in 10s")
		panic("unreachable")
	}
}
