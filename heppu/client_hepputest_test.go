package heppu_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/heppu-ai/heppu-mcp/heppu"
	"github.com/heppu-ai/heppu-mcp/heppu/hepputest"
)

// emulatorKey and otherKey belong to two organizations of the emulator.
const (
	emulatorKey = "hk_acme_" + testKey
	otherKey    = "hk_globex_" + testKey
)

// emulatorNow is the emulator's clock, so that timestamps can be compared.
var emulatorNow = time.Date(2025, 1, 15, 10, 30, 0, 0, time.UTC)

const emulatorStamp = "2025-01-15T10:30:00Z"

// newEmulator starts a hepputest server for two organizations and returns
// it with a client of the first. It is closed when the test ends.
func newEmulator(t *testing.T, opts heppu.Options) (*hepputest.Server, *heppu.Client) {
	t.Helper()
	srv, err := hepputest.NewServer(hepputest.Options{
		Keys: map[string]string{emulatorKey: "acme", otherKey: "globex"},
		Now:  func() time.Time { return emulatorNow },
	})
	if err != nil {
		t.Fatalf("hepputest.NewServer: %v", err)
	}
	t.Cleanup(func() { srv.Close() })

	opts.BaseURL = srv.URL
	opts.APIKey = emulatorKey
	opts.UserAgent = testUserAgent
	c, err := heppu.NewClient(opts)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return srv, c
}

// mustCreate creates an agent, failing the test on an error.
func mustCreate(t *testing.T, c *heppu.Client, req *heppu.CreateAgentRequest) *heppu.Agent {
	t.Helper()
	a, err := c.CreateAgent(t.Context(), req)
	if err != nil {
		t.Fatalf("CreateAgent(%q): %v", req.Name, err)
	}
	return a
}

// mustGet reads an agent, failing the test on an error.
func mustGet(t *testing.T, c *heppu.Client, id string) *heppu.Agent {
	t.Helper()
	a, err := c.GetAgent(t.Context(), id)
	if err != nil {
		t.Fatalf("GetAgent(%q): %v", id, err)
	}
	return a
}

// frontDesk is a voice agent with only the required fields.
var frontDesk = &heppu.CreateAgentRequest{Name: "Front desk", Type: heppu.Voice}

// agentOpts compares agents by what the client reads, tools by their IDs.
var agentOpts = cmp.Options{
	cmpopts.EquateEmpty(),
	cmpopts.IgnoreFields(heppu.Agent{}, "Tools"),
}

func TestEmulatorLifecycle(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name   string
		create heppu.CreateAgentRequest
		// created is the agent as created: defaults filled in, no tools.
		created heppu.Agent
		// decoy is an agent of the other type, which filters must skip.
		decoy  heppu.CreateAgentRequest
		update heppu.UpdateAgentRequest
		// updated is the agent after update.
		updated heppu.Agent
	}{
		{
			name: "voice",
			create: heppu.CreateAgentRequest{
				Name:         "Front desk",
				Type:         heppu.Voice,
				Instructions: "Greet callers and book appointments.",
				Config:       &heppu.Config{Voice: "coral", Speed: ptr(1.25)},
				ToolIDs:      []string{"calendar", "web_search", "not_a_tool"},
			},
			created: heppu.Agent{
				Name:         "Front desk",
				Type:         heppu.Voice,
				Status:       heppu.StatusActive,
				Model:        "gpt-realtime-2025-08-28",
				Instructions: "Greet callers and book appointments.",
				Config: &heppu.Config{
					Voice:                 "coral",
					Speed:                 ptr(1.25),
					InterruptionThreshold: ptr(0.5),
					Timeout:               ptr(30.0),
				},
				CreatedAt: emulatorStamp,
			},
			decoy: heppu.CreateAgentRequest{Name: "Decoy", Type: heppu.Chat},
			update: heppu.UpdateAgentRequest{
				Name:         ptr("Reception"),
				Instructions: ptr(""),
				Config: &heppu.Config{
					Voice:                 "verse",
					Speed:                 ptr(0.5),
					InterruptionThreshold: ptr(0.0),
				},
				ToolIDs: []string{},
			},
			updated: heppu.Agent{
				Name:   "Reception",
				Type:   heppu.Voice,
				Status: heppu.StatusActive,
				Model:  "gpt-realtime-2025-08-28",
				Config: &heppu.Config{
					Voice:                 "verse",
					Speed:                 ptr(0.5),
					InterruptionThreshold: ptr(0.0),
				},
				CreatedAt: emulatorStamp,
				UpdatedAt: emulatorStamp,
			},
		},
		{
			name: "chat",
			create: heppu.CreateAgentRequest{
				Name:  "Site helper",
				Type:  heppu.Chat,
				Model: "gpt-4o-mini",
				Config: &heppu.Config{
					Theme:          "light",
					Greeting:       "Hi!",
					AllowedDomains: []string{"example.com"},
				},
				ToolIDs: []string{"crm"},
			},
			created: heppu.Agent{
				Name:   "Site helper",
				Type:   heppu.Chat,
				Status: heppu.StatusActive,
				Model:  "gpt-4o-mini",
				Config: &heppu.Config{
					Theme:          "light",
					PrimaryColor:   "#3B82F6",
					Position:       "bottom-right",
					Greeting:       "Hi!",
					AllowedDomains: []string{"example.com"},
				},
				CreatedAt: emulatorStamp,
			},
			decoy: heppu.CreateAgentRequest{Name: "Decoy", Type: heppu.Voice},
			update: heppu.UpdateAgentRequest{
				Model:   ptr("gpt-4"),
				Status:  ptr(heppu.StatusDeployed),
				ToolIDs: []string{"email", "sms"},
			},
			updated: heppu.Agent{
				Name:   "Site helper",
				Type:   heppu.Chat,
				Status: heppu.StatusDeployed,
				Model:  "gpt-4",
				Config: &heppu.Config{
					Theme:          "light",
					PrimaryColor:   "#3B82F6",
					Position:       "bottom-right",
					Greeting:       "Hi!",
					AllowedDomains: []string{"example.com"},
				},
				CreatedAt: emulatorStamp,
				UpdatedAt: emulatorStamp,
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, c := newEmulator(t, heppu.Options{})
			ctx := t.Context()

			// Create, with the defaults filled in and no tools in the answer.
			created := mustCreate(t, c, &tc.create)
			if created.ID == "" {
				t.Fatal("created agent has no ID")
			}
			id := created.ID
			want := tc.created
			want.ID = id
			if diff := cmp.Diff(&want, created, agentOpts); diff != "" {
				t.Errorf("CreateAgent mismatch (-want +got):\n%s", diff)
			}
			mustCreate(t, c, &tc.decoy)

			// Get: the richer view, with the known tools only.
			want.UpdatedAt = emulatorStamp
			got := mustGet(t, c, id)
			if diff := cmp.Diff(&want, got, agentOpts); diff != "" {
				t.Errorf("GetAgent after create mismatch (-want +got):\n%s", diff)
			}
			var wantTools []string
			for _, tool := range tc.create.ToolIDs {
				if tool != "not_a_tool" {
					wantTools = append(wantTools, tool)
				}
			}
			if diff := cmp.Diff(wantTools, got.ToolIDs(), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("tools after create mismatch (-want +got):\n%s", diff)
			}

			// List by type: only this agent, not the decoy.
			byType := &heppu.ListAgentsOptions{Type: tc.create.Type, Limit: 10}
			list, err := c.ListAgents(ctx, byType)
			if err != nil {
				t.Fatalf("ListAgents: %v", err)
			}
			if len(list.Agents) != 1 || list.Agents[0].ID != id {
				t.Errorf("ListAgents(type %s) = %+v, want only %s", tc.create.Type, list.Agents, id)
			}
			wantPage := heppu.Pagination{Limit: 10, Total: 1, HasMore: ptr(false)}
			if diff := cmp.Diff(wantPage, list.Pagination); diff != "" {
				t.Errorf("pagination mismatch (-want +got):\n%s", diff)
			}
			all, err := c.ListAgents(ctx, &heppu.ListAgentsOptions{Limit: 1, Offset: 1})
			if err != nil {
				t.Fatalf("ListAgents page 2: %v", err)
			}
			if all.Pagination.Total != 2 || len(all.Agents) != 1 {
				t.Errorf("ListAgents page 2 = %+v, want 1 of 2 agents", all)
			}

			// Update, then get: the confirmation, then the change.
			res, err := c.UpdateAgent(ctx, id, &tc.update)
			if err != nil {
				t.Fatalf("UpdateAgent: %v", err)
			}
			if diff := cmp.Diff(&heppu.UpdateResult{ID: id, Updated: true}, res); diff != "" {
				t.Errorf("UpdateAgent mismatch (-want +got):\n%s", diff)
			}
			wantUpdated := tc.updated
			wantUpdated.ID = id
			got = mustGet(t, c, id)
			if diff := cmp.Diff(&wantUpdated, got, agentOpts); diff != "" {
				t.Errorf("GetAgent after update mismatch (-want +got):\n%s", diff)
			}
			diff := cmp.Diff(tc.update.ToolIDs, got.ToolIDs(), cmpopts.EquateEmpty())
			if diff != "" {
				t.Errorf("tools after update mismatch (-want +got):\n%s", diff)
			}

			// Delete is soft: the agent stays, inactive.
			del, err := c.DeleteAgent(ctx, id)
			if err != nil {
				t.Fatalf("DeleteAgent: %v", err)
			}
			if diff := cmp.Diff(&heppu.DeleteResult{ID: id, Deleted: true}, del); diff != "" {
				t.Errorf("DeleteAgent mismatch (-want +got):\n%s", diff)
			}
			wantUpdated.Status = heppu.StatusInactive
			got = mustGet(t, c, id)
			if diff := cmp.Diff(&wantUpdated, got, agentOpts); diff != "" {
				t.Errorf("GetAgent after delete mismatch (-want +got):\n%s", diff)
			}
			deleted := &heppu.ListAgentsOptions{Status: heppu.StatusInactive}
			inactive, err := c.ListAgents(ctx, deleted)
			if err != nil {
				t.Fatalf("ListAgents(inactive): %v", err)
			}
			if len(inactive.Agents) != 1 || inactive.Agents[0].ID != id {
				t.Errorf("ListAgents(inactive) = %+v, want only %s", inactive.Agents, id)
			}

			// Update with StatusActive restores it.
			restore := &heppu.UpdateAgentRequest{Status: ptr(heppu.StatusActive)}
			if _, err := c.UpdateAgent(ctx, id, restore); err != nil {
				t.Fatalf("restoring: %v", err)
			}
			if got := mustGet(t, c, id); got.Status != heppu.StatusActive {
				t.Errorf("status after restore = %q, want active", got.Status)
			}

			checkEmulatorRequests(t, srv, []string{
				"POST /api/v1/agents",
				"POST /api/v1/agents",
				"GET /api/v1/agents/" + id,
				"GET /api/v1/agents",
				"GET /api/v1/agents",
				"PATCH /api/v1/agents/" + id,
				"GET /api/v1/agents/" + id,
				"DELETE /api/v1/agents/" + id,
				"GET /api/v1/agents/" + id,
				"GET /api/v1/agents",
				"PATCH /api/v1/agents/" + id,
				"GET /api/v1/agents/" + id,
			})
		})
	}
}

// checkEmulatorRequests compares the requests the emulator saw with want,
// given as "METHOD /path", and checks the headers every one must carry.
func checkEmulatorRequests(t *testing.T, srv *hepputest.Server, want []string) {
	t.Helper()
	var got []string
	for _, r := range srv.Requests() {
		got = append(got, r.Method+" "+r.RawPath)
		if r.Org != "acme" {
			t.Errorf("%s %s: organization %q, want acme", r.Method, r.RawPath, r.Org)
		}
		if ua := r.Header.Get("User-Agent"); ua != testUserAgent {
			t.Errorf("%s %s: User-Agent %q, want %q", r.Method, r.RawPath, ua, testUserAgent)
		}
		hasBody := r.Method == http.MethodPost || r.Method == http.MethodPatch
		if ct := r.Header.Get("Content-Type"); (ct == "application/json") != hasBody {
			t.Errorf("%s %s: Content-Type %q", r.Method, r.RawPath, ct)
		}
		if hasBody != (len(r.Body) > 0) {
			t.Errorf("%s %s: body %q", r.Method, r.RawPath, r.Body)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("requests mismatch (-want +got):\n%s", diff)
	}
}

func TestEmulatorAPIErrors(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name string
		call func(context.Context, *heppu.Client, string) error
		// rawPath is the path the emulator must have seen, when set.
		rawPath string
		want    *heppu.APIError
	}{
		{
			name: "unknown key",
			call: func(ctx context.Context, c *heppu.Client, _ string) error {
				_, err := c.WithAPIKey("hk_unknown").ListAgents(ctx, nil)
				return err
			},
			want: &heppu.APIError{StatusCode: 401, Code: "401", Message: "Invalid API key"},
		},
		{
			name: "another organization's agent",
			call: func(ctx context.Context, c *heppu.Client, id string) error {
				_, err := c.WithAPIKey(otherKey).GetAgent(ctx, id)
				return err
			},
			want: &heppu.APIError{StatusCode: 404, Code: "404", Message: "Agent not found"},
		},
		{
			name: "unknown agent",
			call: func(ctx context.Context, c *heppu.Client, _ string) error {
				_, err := c.DeleteAgent(ctx, "6ba7b810-9dad-11d1-80b4-00c04fd430c8")
				return err
			},
			want: &heppu.APIError{StatusCode: 404, Code: "404", Message: "Agent not found"},
		},
		{
			name: "ID with a slash and a question mark",
			call: func(ctx context.Context, c *heppu.Client, _ string) error {
				_, err := c.UpdateAgent(ctx, "a/b?c", &heppu.UpdateAgentRequest{Name: ptr("x")})
				return err
			},
			rawPath: "/api/v1/agents/a%2Fb%3Fc",
			want:    &heppu.APIError{StatusCode: 404, Code: "404", Message: "Agent not found"},
		},
		{
			name: "missing name",
			call: func(ctx context.Context, c *heppu.Client, _ string) error {
				_, err := c.CreateAgent(ctx, &heppu.CreateAgentRequest{Type: heppu.Voice})
				return err
			},
			want: &heppu.APIError{StatusCode: 400, Code: "400",
				Message: "Missing required fields: name and type are required"},
		},
		{
			name: "invalid type",
			call: func(ctx context.Context, c *heppu.Client, _ string) error {
				_, err := c.CreateAgent(ctx, &heppu.CreateAgentRequest{Name: "x", Type: "robot"})
				return err
			},
			want: &heppu.APIError{StatusCode: 400, Code: "400",
				Message: "Invalid type. Must be 'voice' or 'chat'"},
		},
		{
			name: "model of the other type",
			call: func(ctx context.Context, c *heppu.Client, id string) error {
				_, err := c.UpdateAgent(ctx, id, &heppu.UpdateAgentRequest{Model: ptr("gpt-4o")})
				return err
			},
			want: &heppu.APIError{StatusCode: 422, Code: "422",
				Message: "Invalid model for agent type"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, c := newEmulator(t, heppu.Options{})
			id := mustCreate(t, c, frontDesk).ID

			err := tc.call(t.Context(), c, id)
			checkNoKey(t, err)
			apiErr, ok := errors.AsType[*heppu.APIError](err)
			if !ok {
				t.Fatalf("got %v, want an *APIError", err)
			}
			if diff := cmp.Diff(tc.want, apiErr); diff != "" {
				t.Errorf("error mismatch (-want +got):\n%s", diff)
			}
			if tc.rawPath != "" {
				reqs := srv.Requests()
				if got := reqs[len(reqs)-1].RawPath; got != tc.rawPath {
					t.Errorf("path sent = %q, want %q", got, tc.rawPath)
				}
			}
		})
	}
}

// emulatorEndpoint calls one client method on agent id.
type emulatorEndpoint struct {
	name string
	// mutates is true when the call changes the store when applied.
	mutates bool
	call    func(ctx context.Context, c *heppu.Client, id string) (any, error)
}

var emulatorEndpoints = []emulatorEndpoint{
	{"CreateAgent", true, func(ctx context.Context, c *heppu.Client, _ string) (any, error) {
		return c.CreateAgent(ctx, &heppu.CreateAgentRequest{Name: "Second", Type: heppu.Chat})
	}},
	{"ListAgents", false, func(ctx context.Context, c *heppu.Client, _ string) (any, error) {
		return c.ListAgents(ctx, &heppu.ListAgentsOptions{Limit: 100})
	}},
	{"GetAgent", false, func(ctx context.Context, c *heppu.Client, id string) (any, error) {
		return c.GetAgent(ctx, id)
	}},
	{"UpdateAgent", true, func(ctx context.Context, c *heppu.Client, id string) (any, error) {
		return c.UpdateAgent(ctx, id, &heppu.UpdateAgentRequest{Name: ptr("Renamed")})
	}},
	{"DeleteAgent", true, func(ctx context.Context, c *heppu.Client, id string) (any, error) {
		return c.DeleteAgent(ctx, id)
	}},
}

func TestEmulatorFaults(t *testing.T) {
	t.Parallel()

	type class int
	const (
		apiError class = iota
		responseError
		transportError
	)
	tests := []struct {
		name  string
		fault hepputest.Fault
		// timeout is the client's Options.Timeout; zero for the default.
		timeout time.Duration
		// fresh gives each request a connection of its own. net/http replays
		// a GET once when a reused connection fails before any answer, which
		// would spend the fault on the first try.
		fresh bool
		class class
		// want is the APIError of an apiError class.
		want *heppu.APIError
		// wantText is a part of the error text.
		wantText string
		wantErr  error
		// wantSent and wantTimeout describe a transportError.
		wantSent    bool
		wantTimeout bool
		// applied is whether a mutating request took effect.
		applied bool
	}{
		{
			name: "401 errors page envelope",
			fault: hepputest.Fault{Status: 401, Body: `{"error":{` +
				`"message":"Invalid API key format","status":401,"code":"invalid_api_key"}}`},
			class: apiError,
			want: &heppu.APIError{StatusCode: 401, Code: "invalid_api_key",
				Message: "Invalid API key format"},
		},
		{
			name: "403",
			fault: hepputest.Fault{Status: 403,
				Body: `{"success":false,"error":{"message":"Forbidden","code":403}}`},
			class: apiError,
			want:  &heppu.APIError{StatusCode: 403, Code: "403", Message: "Forbidden"},
		},
		{
			name: "409",
			fault: hepputest.Fault{Status: 409,
				Body: `{"success":false,"error":{"message":"Agent is busy","code":409}}`},
			class: apiError,
			want:  &heppu.APIError{StatusCode: 409, Code: "409", Message: "Agent is busy"},
		},
		{
			name: "429 with Retry-After",
			fault: hepputest.Fault{Status: 429, Header: http.Header{"Retry-After": {"7"}},
				Body: `{"success":false,"error":{"message":"Too many requests","code":429}}`},
			class: apiError,
			want: &heppu.APIError{StatusCode: 429, Code: "429", Message: "Too many requests",
				RetryAfter: 7 * time.Second},
		},
		{
			name:  "500 empty",
			fault: hepputest.Fault{Status: 500},
			class: apiError,
			want:  &heppu.APIError{StatusCode: 500, Message: "Internal Server Error"},
		},
		{
			name:  "502 proxy page",
			fault: hepputest.Fault{NonJSON: true},
			class: apiError,
			want:  &heppu.APIError{StatusCode: 502, Message: "Bad Gateway"},
		},
		{
			name: "503 proxy page",
			fault: hepputest.Fault{NonJSON: true, Status: 503,
				Header: http.Header{"Retry-After": {"60"}}},
			class: apiError,
			want: &heppu.APIError{StatusCode: 503, Message: "Service Unavailable",
				RetryAfter: time.Minute},
		},
		{
			name:  "504 text",
			fault: hepputest.Fault{Status: 504, ContentType: "text/plain", Body: "upstream gone"},
			class: apiError,
			want:  &heppu.APIError{StatusCode: 504, Message: "Gateway Timeout"},
		},
		{
			name:  "502 after applying",
			fault: hepputest.Fault{Status: 502, Apply: true},
			class: apiError,
			want:  &heppu.APIError{StatusCode: 502, Message: "Bad Gateway"},
			// The ambiguous failure: Heppu acted, the answer was lost.
			applied: true,
		},
		{
			name: "200 with success false",
			fault: hepputest.Fault{Status: 200,
				Body: `{"success":false,"error":{"message":"Invalid API key","code":401}}`},
			class: apiError,
			want:  &heppu.APIError{StatusCode: 502, Code: "401", Message: "Invalid API key"},
		},
		{
			name:     "200 proxy page",
			fault:    hepputest.Fault{NonJSON: true, Status: 200},
			class:    responseError,
			wantText: "malformed JSON",
		},
		{
			name:     "200 truncated JSON",
			fault:    hepputest.Fault{Status: 200, Body: `{"success":true,"data":{"id":"x","na`},
			class:    responseError,
			wantText: "truncated JSON",
		},
		{
			name:     "200 wrong shape",
			fault:    hepputest.Fault{Status: 200, Body: `{"success":true,"data":[1,2,3]}`},
			class:    responseError,
			wantText: "got JSON array",
		},
		{
			name:     "200 without data",
			fault:    hepputest.Fault{Status: 200, Body: `{"success":true}`},
			class:    responseError,
			wantText: `no "data"`,
		},
		{
			name:     "body cut off",
			fault:    hepputest.Fault{Truncate: true},
			class:    responseError,
			wantText: "truncated",
			wantErr:  io.ErrUnexpectedEOF,
			applied:  true,
		},
		{
			name:    "oversized body",
			fault:   hepputest.Fault{Oversize: heppu.MaxResponseBytes + 1},
			class:   responseError,
			wantErr: heppu.ErrBodyTooLarge,
		},
		{
			name:     "reset",
			fault:    hepputest.Fault{Reset: true},
			fresh:    true,
			class:    transportError,
			wantSent: true,
		},
		{
			name:     "reset after applying",
			fault:    hepputest.Fault{Reset: true, Apply: true},
			fresh:    true,
			class:    transportError,
			wantSent: true,
			applied:  true,
		},
		{
			name:        "hang past the timeout",
			fault:       hepputest.Fault{Hang: true},
			timeout:     50 * time.Millisecond,
			class:       transportError,
			wantSent:    true,
			wantTimeout: true,
			wantErr:     context.DeadlineExceeded,
		},
		{
			name:        "delay past the timeout",
			fault:       hepputest.Fault{Delay: time.Minute},
			timeout:     50 * time.Millisecond,
			class:       transportError,
			wantSent:    true,
			wantTimeout: true,
			wantErr:     context.DeadlineExceeded,
		},
	}
	for _, tc := range tests {
		for _, ep := range emulatorEndpoints {
			t.Run(tc.name+"/"+ep.name, func(t *testing.T) {
				t.Parallel()
				// Each fault is seen once here; TestEmulatorRetries covers
				// which of them are retried.
				opts := heppu.Options{Timeout: tc.timeout, MaxRetries: -1}
				if tc.fresh {
					noReuse := &http.Transport{DisableKeepAlives: true}
					opts.HTTPClient = &http.Client{Transport: noReuse}
				}
				srv, c := newEmulator(t, opts)
				id := mustCreate(t, c, frontDesk).ID
				before := srv.Agents("acme")

				srv.FailNext(tc.fault)
				got, err := ep.call(t.Context(), c, id)
				checkNoKey(t, err)
				if !isNil(got) {
					t.Errorf("got result %+v with the error, want nil", got)
				}
				switch tc.class {
				case apiError:
					apiErr, ok := errors.AsType[*heppu.APIError](err)
					if !ok {
						t.Fatalf("got %v, want an *APIError", err)
					}
					if diff := cmp.Diff(tc.want, apiErr); diff != "" {
						t.Errorf("error mismatch (-want +got):\n%s", diff)
					}
				case responseError:
					if _, ok := errors.AsType[*heppu.ResponseError](err); !ok {
						t.Fatalf("got %v, want a *ResponseError", err)
					}
				case transportError:
					tErr, ok := errors.AsType[*heppu.TransportError](err)
					if !ok {
						t.Fatalf("got %v, want a *TransportError", err)
					}
					if tErr.Sent != tc.wantSent || tErr.Timeout() != tc.wantTimeout {
						t.Errorf("Sent, Timeout() = %t, %t, want %t, %t (error %v)",
							tErr.Sent, tErr.Timeout(), tc.wantSent, tc.wantTimeout, err)
					}
				}
				if !strings.Contains(err.Error(), tc.wantText) {
					t.Errorf("error %q does not contain %q", err, tc.wantText)
				}
				if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
					t.Errorf("error %q does not wrap %q", err, tc.wantErr)
				}
				if tc.fault.Hang {
					select {
					case released := <-srv.HangReleased():
						hung := srv.Requests()[1]
						if released.Method != hung.Method || released.RawPath != hung.RawPath {
							t.Errorf("released %s %s, want %s %s", released.Method,
								released.RawPath, hung.Method, hung.RawPath)
						}
					case <-time.After(10 * time.Second):
						t.Fatal("the emulator never saw the client give up")
					}
				}

				// The fault is spent: the store shows whether the request
				// took effect, and the next request is served normally.
				after := srv.Agents("acme")
				diff := cmp.Diff(before, after, cmpopts.EquateEmpty())
				if wantChange := tc.applied && ep.mutates; (diff != "") != wantChange {
					t.Errorf("store changed = %t, want %t (-before +after):\n%s",
						diff != "", wantChange, diff)
				}
				if _, err := c.GetAgent(t.Context(), id); err != nil {
					t.Errorf("GetAgent after the fault: %v", err)
				}
			})
		}
	}
}
