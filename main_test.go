package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/heppu-ai/heppu-mcp/heppu/hepputest"
)

// binary is the heppu-mcp executable that TestMain builds, so that the end
// to end tests drive the real program over real pipes.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "heppu-mcp-e2e")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "heppu-mcp")
	args := []string{"build", "-o", binary}
	if raceEnabled {
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, ".")...)
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		panic("building heppu-mcp: " + err.Error())
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

const e2eKey = "sk-live-e2e-secret-4f9a7c"

// process is a running heppu-mcp with a Go SDK client session on its stdio.
type process struct {
	session *sdk.ClientSession
	cmd     *exec.Cmd
	stdout  *lockedBuffer // a copy of everything the server wrote to stdout
	stderr  *lockedBuffer
}

// startServer runs the binary with args and env, and connects the official
// Go SDK client to it, negotiating protocolVersion ("" for the SDK's latest).
func startServer(t *testing.T, protocolVersion string, env []string, args ...string) *process {
	t.Helper()
	return startServerWith(t, protocolVersion, nil, env, args...)
}

// startServerWith is startServer with a client configured by opts, such as
// one that answers elicitations or takes log messages.
func startServerWith(t *testing.T, protocolVersion string, opts *sdk.ClientOptions, env []string,
	args ...string) *process {
	t.Helper()
	return startBinary(t, binary, protocolVersion, opts, env, args...)
}

// startBinary is startServerWith for the executable at bin.
func startBinary(t *testing.T, bin, protocolVersion string, opts *sdk.ClientOptions, env []string,
	args ...string) *process {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdoutPipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, stdout: &lockedBuffer{}, stderr: &lockedBuffer{}}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}

	transport := &sdk.IOTransport{
		Reader: io.NopCloser(io.TeeReader(stdoutPipe, p.stdout)),
		Writer: stdin,
	}
	client := sdk.NewClient(&sdk.Implementation{Name: "e2e", Version: "0"}, opts)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	session, err := client.Connect(ctx, transport, &sdk.ClientSessionOptions{ProtocolVersion: protocolVersion})
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("connecting: %v\nstderr:\n%s", err, p.stderr)
	}
	p.session = session
	t.Cleanup(func() { p.stop(t) })
	return p
}

// stop closes the session, which closes the server's stdin; the server must
// then exit by itself, cleanly.
func (p *process) stop(t *testing.T) {
	t.Helper()
	if p.cmd.ProcessState != nil {
		return
	}
	p.session.Close()
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("server exited with %v\nstderr:\n%s", err, p.stderr)
		}
	case <-time.After(20 * time.Second):
		p.cmd.Process.Kill()
		<-done
		t.Errorf("server did not exit after stdin closed")
	}
}

func (p *process) call(t *testing.T, tool string, args string) *sdk.CallToolResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := p.session.CallTool(ctx, &sdk.CallToolParams{Name: tool, Arguments: json.RawMessage(args)})
	if err != nil {
		t.Fatalf("calling %s: %v", tool, err)
	}
	return res
}

func textOf(t *testing.T, res *sdk.CallToolResult) string {
	t.Helper()
	if len(res.Content) != 1 {
		t.Fatalf("got %d content items, want 1", len(res.Content))
	}
	tc, ok := res.Content[0].(*sdk.TextContent)
	if !ok {
		t.Fatalf("content is %T, want text", res.Content[0])
	}
	return tc.Text
}

// checkStreams asserts that stdout carried JSON-RPC messages only, that
// stderr carried JSON log lines only, and that neither holds the key.
func (p *process) checkStreams(t *testing.T, secret string) {
	t.Helper()
	p.stop(t)
	sc := bufio.NewScanner(bytes.NewReader(p.stdout.Bytes()))
	sc.Buffer(nil, 1<<24)
	n := 0
	for sc.Scan() {
		var msg struct {
			JSONRPC string `json:"jsonrpc"`
		}
		if err := json.Unmarshal(sc.Bytes(), &msg); err != nil || msg.JSONRPC != "2.0" {
			t.Errorf("stdout line is not JSON-RPC: %q", sc.Text())
		}
		n++
	}
	if n == 0 {
		t.Error("stdout carried nothing")
	}
	for _, line := range strings.Split(strings.TrimSpace(p.stderr.String()), "\n") {
		if !json.Valid([]byte(line)) {
			t.Errorf("stderr line is not a JSON log line: %q", line)
		}
	}
	for name, s := range map[string]string{"stdout": p.stdout.String(), "stderr": p.stderr.String()} {
		if strings.Contains(s, secret) {
			t.Errorf("the API key appears on %s", name)
		}
	}
}

func newEmulator(t *testing.T) *hepputest.Server {
	t.Helper()
	emu, err := hepputest.NewServer(hepputest.Options{Keys: map[string]string{e2eKey: "acme"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	return emu
}

// TestEndToEnd drives the real binary with the official Go SDK client, on
// both protocol eras a client may negotiate.
func TestEndToEnd(t *testing.T) {
	t.Parallel()
	for _, version := range []string{"", "2025-06-18", "2025-03-26"} {
		name := version
		if name == "" {
			name = "sdk-latest"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			emu := newEmulator(t)
			p := startServer(t, version,
				[]string{"HEPPU_API_KEY=" + e2eKey, "HEPPU_BASE_URL=" + emu.URL}, "--log-level", "debug")

			checkToolList(t, p)
			checkSeedCreates(t, p, emu)

			// An invalid call fails as a tool error and sends nothing.
			emu.ResetRequests()
			res := p.call(t, "create_agent", `{"name":"X","type":"voice","config":{"theme":"dark"}}`)
			if text := textOf(t, res); !res.IsError || !strings.Contains(text, "config.theme") {
				t.Errorf("invalid call: isError=%v %q", res.IsError, text)
			}
			if n := len(emu.Requests()); n != 0 {
				t.Errorf("invalid call sent %d requests to Heppu", n)
			}

			// A call Heppu fails is a tool error the model can act on.
			emu.FailNext(hepputest.Fault{NonJSON: true, Status: 502})
			res = p.call(t, "create_agent", `{"name":"Y","type":"chat"}`)
			if text := textOf(t, res); !res.IsError || !strings.Contains(text, "list_agents") {
				t.Errorf("failed call: isError=%v %q", res.IsError, text)
			}

			p.checkStreams(t, e2eKey)
			if !strings.Contains(p.stderr.String(), `"heppu request"`) {
				t.Error("no debug line for the Heppu requests at debug level")
			}
		})
	}
}

func checkToolList(t *testing.T, p *process) {
	t.Helper()
	res, err := p.session.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var create *sdk.Tool
	for _, tool := range res.Tools {
		if tool.Name == "create_agent" {
			create = tool
		}
	}
	if create == nil {
		t.Fatalf("tools/list has no create_agent: %v", res.Tools)
	}
	if create.InputSchema == nil || create.OutputSchema == nil || create.Annotations == nil {
		t.Fatalf("create_agent lacks a schema or annotations: %+v", create)
	}
	a := create.Annotations
	if a.ReadOnlyHint || a.DestructiveHint == nil || *a.DestructiveHint || a.IdempotentHint ||
		a.OpenWorldHint == nil || !*a.OpenWorldHint {
		t.Errorf("annotations = %+v", a)
	}
}

func checkSeedCreates(t *testing.T, p *process, emu *hepputest.Server) {
	t.Helper()
	tests := []struct{ args, want string }{
		{
			args: `{"name":"Customer Support Agent","type":"voice",
				"instructions":"You are a helpful customer support agent. Be polite and professional.",
				"config":{"voice":"sage","speed":1.0,"interruptionThreshold":0.5},
				"toolIds":["web_search","calendar"]}`,
			want: `{"name":"Customer Support Agent","type":"voice",
				"instructions":"You are a helpful customer support agent. Be polite and professional.",
				"config":{"voice":"sage","speed":1,"interruptionThreshold":0.5},
				"toolIds":["web_search","calendar"]}`,
		},
		{
			args: `{"name":"Website Chat Assistant","type":"chat","model":"gpt-4o",
				"instructions":"You are a friendly website assistant. Help users navigate the site and answer questions.",
				"config":{"theme":"dark","primaryColor":"#3B82F6","position":"bottom-right",
					"greeting":"Hello! How can I help you today?","placeholder":"Type your message...",
					"allowedDomains":["example.com"]},
				"toolIds":["calculator","web_search"]}`,
		},
	}
	for _, tt := range tests {
		emu.ResetRequests()
		res := p.call(t, "create_agent", tt.args)
		if res.IsError {
			t.Fatalf("create failed: %s", textOf(t, res))
		}
		reqs := emu.Requests()
		if len(reqs) != 1 || reqs[0].Method != http.MethodPost || reqs[0].Path != "/api/v1/agents" {
			t.Fatalf("Heppu got %+v, want one POST /api/v1/agents", reqs)
		}
		want := tt.want
		if want == "" {
			want = tt.args
		}
		if diff := cmp.Diff(decode(t, want), decode(t, string(reqs[0].Body))); diff != "" {
			t.Errorf("body Heppu received (-want +got):\n%s", diff)
		}
		if got := reqs[0].Header.Get("User-Agent"); !strings.HasPrefix(got, "heppu-mcp/") {
			t.Errorf("User-Agent = %q", got)
		}

		var out struct {
			Agent struct{ ID, Name string } `json:"agent"`
		}
		b, _ := json.Marshal(res.StructuredContent)
		if err := json.Unmarshal(b, &out); err != nil || out.Agent.ID == "" {
			t.Errorf("structured content has no agent: %s", b)
		}
		if text := textOf(t, res); !json.Valid([]byte(text)) || !strings.Contains(text, out.Agent.ID) {
			t.Errorf("text content is not the JSON copy: %q", text)
		}
	}
}

func decode(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("bad JSON %s: %v", s, err)
	}
	return v
}

// TestSandbox creates an agent with no key and no Heppu at all.
func TestSandbox(t *testing.T) {
	t.Parallel()
	p := startServer(t, "2025-06-18", nil, "--sandbox")

	instr := p.session.InitializeResult().Instructions
	if !strings.Contains(instr, "SANDBOX") || !strings.Contains(instr, "not real") {
		t.Errorf("instructions do not say the agents are not real: %q", instr)
	}
	res := p.call(t, "create_agent", `{"name":"Try","type":"voice"}`)
	if text := textOf(t, res); res.IsError || !strings.Contains(text, `"sandbox":true`) {
		t.Errorf("sandbox create: isError=%v %s", res.IsError, text)
	}
	p.checkStreams(t, "\x00never")
	if !strings.Contains(p.stderr.String(), "not real") {
		t.Errorf("start-up log does not say the agents are not real:\n%s", p.stderr)
	}
}

// TestMissingKey starts without a key: the server runs, warns, and each
// call explains how to set the key.
func TestMissingKey(t *testing.T) {
	t.Parallel()
	p := startServer(t, "", nil)

	res := p.call(t, "create_agent", `{"name":"A","type":"voice"}`)
	if text := textOf(t, res); !res.IsError || !strings.Contains(text, "HEPPU_API_KEY") {
		t.Errorf("call without key: isError=%v %q", res.IsError, text)
	}
	p.checkStreams(t, "\x00never")
	if !strings.Contains(p.stderr.String(), `"level":"warn"`) ||
		!strings.Contains(p.stderr.String(), "HEPPU_API_KEY") {
		t.Errorf("no start-up warning about the key:\n%s", p.stderr)
	}
}

// TestCommandLine covers the start-up errors and --version, through run.
func TestCommandLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr string // "" for success
		wantOut string
	}{
		{name: "version", args: []string{"--version"}, wantOut: "heppu-mcp "},
		{name: "plain http to a remote host", env: map[string]string{"HEPPU_BASE_URL": "http://api.example.com/v1"},
			wantErr: "not loopback"},
		{name: "not a URL scheme we speak", env: map[string]string{"HEPPU_BASE_URL": "ftp://example.com"},
			wantErr: "https"},
		{name: "credentials in the URL", env: map[string]string{"HEPPU_BASE_URL": "https://u:hunter2@example.com"},
			wantErr: "credentials"},
		{name: "bad log level", args: []string{"--log-level", "loud"}, wantErr: "log level"},
		{name: "bad env log level", env: map[string]string{"HEPPU_LOG_LEVEL": "loud"}, wantErr: "log level"},
		{name: "bad transport", args: []string{"--transport", "carrier-pigeon"}, wantErr: "stdio or http"},
		{name: "zero timeout", args: []string{"--timeout", "0s"}, wantErr: "positive"},
		{name: "unknown flag", args: []string{"--api-key", "x"}, wantErr: "api-key"},
		{name: "stray argument", args: []string{"sk-123"}, wantErr: "HEPPU_API_KEY"},
		{name: "unknown tool", args: []string{"--sandbox", "--tools", "list_agents,clone_agent"},
			wantErr: `unknown tool "clone_agent"; the tools are create_agent, list_agents, get_agent, update_agent, delete_agent`},
		{name: "unknown tool from the environment", args: []string{"--sandbox"},
			env: map[string]string{"HEPPU_TOOLS": "remove_agent"}, wantErr: `unknown tool "remove_agent"`},
		{name: "bad HEPPU_READ_ONLY", env: map[string]string{"HEPPU_READ_ONLY": "sometimes"},
			wantErr: "HEPPU_READ_ONLY must be true or false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			getenv := func(k string) string { return tt.env[k] }

			err := run(context.Background(), tt.args, getenv, strings.NewReader(""), &stdout, &stderr)

			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("run: %v", err)
				}
			} else if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("run error = %v, want one mentioning %q", err, tt.wantErr)
			}
			if !strings.Contains(stdout.String(), tt.wantOut) {
				t.Errorf("stdout = %q, want %q", stdout.String(), tt.wantOut)
			}
			if err != nil && strings.Contains(err.Error(), "hunter2") {
				t.Errorf("the error echoes a password: %v", err)
			}
		})
	}
}

// lockedBuffer is a bytes.Buffer safe for a writer and a reader at once.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}

func (b *lockedBuffer) String() string { return string(b.Bytes()) }
