package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/heppu-ai/heppu-mcp/heppu/hepputest"
	"github.com/heppu-ai/heppu-mcp/tools"
)

// httpServer is heppu-mcp running in-process over HTTP, through run.
type httpServer struct {
	addr   string // the address it bound
	cancel context.CancelFunc
	done   chan error // run's result
	stderr *lockedBuffer
}

// startHTTP runs the program with --transport http on a fresh loopback
// port (or as args say), and returns once it is serving.
func startHTTP(t *testing.T, env map[string]string, args ...string) *httpServer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	s := &httpServer{cancel: cancel, done: make(chan error, 1), stderr: &lockedBuffer{}}
	args = append([]string{"--transport", "http", "--addr", "127.0.0.1:0"}, args...)
	go func() {
		err := run(ctx, args, func(k string) string { return env[k] }, strings.NewReader(""),
			io.Discard, pw)
		pw.Close()
		s.done <- err
	}()

	// The start-up line carries the address; the rest of stderr is kept.
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			s.stderr.Write(append(sc.Bytes(), '\n'))
			var line struct{ Message, Addr string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Message == "heppu-mcp serving" {
				ready <- line.Addr
			}
		}
	}()
	select {
	case s.addr = <-ready:
	case err := <-s.done:
		t.Fatalf("run ended before serving: %v\n%s", err, s.stderr)
	case <-time.After(30 * time.Second):
		t.Fatal("server did not start")
	}
	t.Cleanup(func() { s.stop(t) })
	return s
}

// stop shuts the server down as SIGTERM would and waits for run to return.
func (s *httpServer) stop(t *testing.T) {
	t.Helper()
	s.cancel()
	select {
	case err, ok := <-s.done:
		if !ok {
			return // already stopped and checked
		}
		if err != nil {
			t.Errorf("run: %v", err)
		}
		close(s.done)
	case <-time.After(30 * time.Second):
		t.Error("server did not stop")
	}
}

func (s *httpServer) url(path string) string {
	host := s.addr
	if h, port, err := net.SplitHostPort(s.addr); err == nil && net.ParseIP(h).IsUnspecified() {
		host = net.JoinHostPort("127.0.0.1", port)
	}
	return "http://" + host + path
}

// keyTransport adds headers to every request, as a client configured with
// a key does.
type keyTransport struct{ header http.Header }

func (k keyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	for name, v := range k.header {
		r.Header[name] = v
	}
	return http.DefaultTransport.RoundTrip(r)
}

// connect opens a Go SDK client session over streamable HTTP or SSE,
// sending header with every request.
func connect(t *testing.T, s *httpServer, sse bool, header http.Header) *sdk.ClientSession {
	t.Helper()
	hc := &http.Client{Transport: keyTransport{header}}
	var transport sdk.Transport = &sdk.StreamableClientTransport{Endpoint: s.url("/mcp"), HTTPClient: hc}
	if sse {
		transport = &sdk.SSEClientTransport{Endpoint: s.url("/sse"), HTTPClient: hc}
	}
	client := sdk.NewClient(&sdk.Implementation{Name: "http-e2e", Version: "0"}, nil)
	// The SSE stream lives on the context Connect gets, so it must outlive
	// this function.
	session, err := client.Connect(context.Background(), transport, &sdk.ClientSessionOptions{ProtocolVersion: "2025-06-18"})
	if err != nil {
		t.Fatalf("connecting: %v\n%s", err, s.stderr)
	}
	t.Cleanup(func() { session.Close() })
	return session
}

func callSession(t *testing.T, cs *sdk.ClientSession, tool, args string, out any) {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &sdk.CallToolParams{Name: tool, Arguments: json.RawMessage(args)})
	if err != nil {
		t.Fatalf("%s: %v", tool, err)
	}
	if res.IsError {
		t.Fatalf("%s failed: %s", tool, textOf(t, res))
	}
	b, _ := json.Marshal(res.StructuredContent)
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatal(err)
	}
}

func keyHeader(name, key string) http.Header {
	if name == "Authorization" {
		return http.Header{"Authorization": {"Bearer " + key}}
	}
	return http.Header{"X-Api-Key": {key}}
}

// TestHTTPTransports drives both HTTP transports with the Go SDK client,
// each request carrying its own key, in both header forms.
func TestHTTPTransports(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		sse    bool
		header string
		args   []string
	}{
		{"streamable, x-api-key", false, "x-api-key", nil},
		{"streamable stateless, bearer", false, "Authorization", []string{"--stateless"}},
		{"sse, bearer", true, "Authorization", nil},
		{"sse, x-api-key", true, "x-api-key", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			emu := newEmulator(t)
			s := startHTTP(t, map[string]string{"HEPPU_BASE_URL": emu.URL}, tt.args...)
			cs := connect(t, s, tt.sse, keyHeader(tt.header, e2eKey))

			var created tools.CreateAgentResult
			callSession(t, cs, "create_agent", `{"name":"Over HTTP","type":"chat",
				"config":{"allowedDomains":["example.com"]}}`, &created)
			var list tools.ListAgentsResult
			callSession(t, cs, "list_agents", `{}`, &list)
			if len(list.Agents) != 1 || list.Agents[0].ID != created.Agent.ID {
				t.Errorf("list = %+v", list.Agents)
			}
			for _, r := range emu.Requests() {
				if r.Org != "acme" {
					t.Errorf("%s %s reached Heppu without the request's key", r.Method, r.Path)
				}
			}
			if strings.Contains(s.stderr.String(), e2eKey) {
				t.Error("the key appears in the log")
			}
		})
	}
}

// TestHTTPTwoOrganizations uses two keys at once: each session sees only
// its own organization's agents.
func TestHTTPTwoOrganizations(t *testing.T) {
	t.Parallel()
	emu, err := hepputest.NewServer(hepputest.Options{Keys: map[string]string{"key-a": "org-a", "key-b": "org-b"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	s := startHTTP(t, map[string]string{"HEPPU_BASE_URL": emu.URL})

	sessions := map[string]*sdk.ClientSession{
		"org-a": connect(t, s, false, keyHeader("x-api-key", "key-a")),
		"org-b": connect(t, s, true, keyHeader("Authorization", "key-b")),
	}
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		failed []string
	)
	for org, cs := range sessions {
		for i := range 5 {
			wg.Go(func() {
				args := fmt.Sprintf(`{"name":"%s %d","type":"voice"}`, org, i)
				res, err := cs.CallTool(context.Background(),
					&sdk.CallToolParams{Name: "create_agent", Arguments: json.RawMessage(args)})
				if err != nil || res.IsError {
					mu.Lock()
					failed = append(failed, fmt.Sprintf("%s: %v %+v", args, err, res))
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	for _, f := range failed {
		t.Errorf("create failed: %s", f)
	}

	for org, cs := range sessions {
		var list tools.ListAgentsResult
		callSession(t, cs, "list_agents", `{}`, &list)
		if len(list.Agents) != 5 {
			t.Errorf("%s sees %d agents, want its own 5", org, len(list.Agents))
		}
		for _, a := range list.Agents {
			if !strings.HasPrefix(a.Name, org) {
				t.Errorf("%s sees %q", org, a.Name)
			}
		}
	}
}

// TestHTTPKeyFallback: on loopback, HEPPU_API_KEY serves requests without
// a key of their own; on any other address it does not.
func TestHTTPKeyFallback(t *testing.T) {
	t.Parallel()
	emu := newEmulator(t)
	env := map[string]string{"HEPPU_BASE_URL": emu.URL, "HEPPU_API_KEY": e2eKey}

	t.Run("loopback", func(t *testing.T) {
		t.Parallel()
		s := startHTTP(t, env)
		cs := connect(t, s, false, nil)
		var out tools.CreateAgentResult
		callSession(t, cs, "create_agent", `{"name":"Fallback","type":"voice"}`, &out)
	})
	t.Run("not loopback", func(t *testing.T) {
		t.Parallel()
		s := startHTTP(t, env, "--addr", "0.0.0.0:0")
		for _, path := range []string{"/mcp", "/sse", "/message"} {
			resp := post(t, s.url(path), nil, `{"jsonrpc":"2.0","id":1,"method":"ping"}`)
			if resp.StatusCode != http.StatusUnauthorized ||
				!strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("%s without a key: %d %q, want 401 with WWW-Authenticate: Bearer",
					path, resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
			}
		}
		cs := connect(t, s, false, keyHeader("Authorization", e2eKey))
		var out tools.CreateAgentResult
		callSession(t, cs, "create_agent", `{"name":"Own key","type":"voice"}`, &out)
	})
}

func post(t *testing.T, url string, header http.Header, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header.Clone()
	if req.Header == nil {
		req.Header = http.Header{}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// TestHTTPGuards covers Origin, Host, body size, the sandbox and /healthz.
func TestHTTPGuards(t *testing.T) {
	t.Parallel()
	s := startHTTP(t, nil, "--sandbox", "--allowed-origins", "https://app.example.com")
	initialize := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",
		"capabilities":{},"clientInfo":{"name":"c","version":"1"}}}`

	tests := []struct {
		name   string
		origin string
		body   string
		want   int
	}{
		{"no origin", "", initialize, http.StatusOK},
		{"loopback origin", "http://localhost:6274", initialize, http.StatusOK},
		{"allowed origin", "https://app.example.com", initialize, http.StatusOK},
		{"foreign origin", "https://evil.example", initialize, http.StatusForbidden},
		{"null origin", "null", initialize, http.StatusForbidden},
		{"body over 1 MiB", "", `{"x":"` + strings.Repeat("a", 1<<20) + `"}`, http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			if tt.origin != "" {
				h.Set("Origin", tt.origin)
			}
			if got := post(t, s.url("/mcp"), h, tt.body).StatusCode; got != tt.want {
				t.Errorf("status = %d, want %d", got, tt.want)
			}
		})
	}

	// A loopback server refuses a foreign Host header: DNS rebinding.
	req, err := http.NewRequest(http.MethodPost, s.url("/mcp"), strings.NewReader(initialize))
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "evil.example"
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	rebound, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	rebound.Body.Close()
	if rebound.StatusCode != http.StatusForbidden {
		t.Errorf("foreign Host: status %d, want 403", rebound.StatusCode)
	}

	// The sandbox needs no key over HTTP either.
	var created tools.CreateAgentResult
	callSession(t, connect(t, s, false, nil), "create_agent", `{"name":"Sandboxed","type":"voice"}`, &created)
	if !created.Sandbox || created.Agent == nil {
		t.Errorf("sandbox create over HTTP = %+v", created)
	}

	resp, err := http.Get(s.url("/healthz"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var health struct{ Status, Version string }
	if err := json.NewDecoder(resp.Body).Decode(&health); err != nil || resp.StatusCode != 200 ||
		health.Version != buildVersion() {
		t.Errorf("healthz: %d %+v %v", resp.StatusCode, health, err)
	}
}

// TestHTTPShutdownDrains stops the server while a call waits on Heppu: the
// server stops accepting, the call still completes, and run returns.
func TestHTTPShutdownDrains(t *testing.T) {
	t.Parallel()
	emu := hepputest.NewHandler(hepputest.Options{Keys: map[string]string{e2eKey: "acme"}})
	arrived, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			once.Do(func() { close(arrived) })
			<-release
		}
		emu.ServeHTTP(w, r)
	}))
	t.Cleanup(upstream.Close)

	s := startHTTP(t, map[string]string{"HEPPU_BASE_URL": upstream.URL + "/api/v1", "HEPPU_API_KEY": e2eKey})
	cs := connect(t, s, false, nil)

	result := make(chan *sdk.CallToolResult, 1)
	go func() {
		res, err := cs.CallTool(context.Background(), &sdk.CallToolParams{Name: "create_agent",
			Arguments: json.RawMessage(`{"name":"In flight","type":"voice"}`)})
		if err != nil {
			t.Errorf("in-flight call: %v", err)
		}
		result <- res
	}()
	<-arrived
	s.cancel() // as SIGTERM does

	// New connections are refused once shutdown has begun.
	deadline := time.Now().Add(10 * time.Second)
	for {
		conn, err := net.Dial("tcp", s.addr)
		if err != nil {
			break
		}
		conn.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server still accepts connections during shutdown")
		}
		runtime.Gosched()
	}
	close(release)

	if res := <-result; res == nil || res.IsError {
		t.Fatalf("in-flight call did not complete: %+v", res)
	}
	if err := <-s.done; err != nil {
		t.Errorf("run: %v", err)
	}
	close(s.done)
	if n := len(emu.Agents("acme")); n != 1 {
		t.Errorf("%d agents created, want 1", n)
	}
}
