package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// stdioTimeout bounds every wait on the server: for a line of output, for
// a write to be taken in, and for the exit after stdin closes. A server
// built with the race detector decodes a 10 MB line some ten times slower.
var stdioTimeout = func() time.Duration {
	if raceEnabled {
		return time.Minute
	}
	return 20 * time.Second
}()

// The JSON-RPC 2.0 error codes.
const (
	codeParseError     = -32700
	codeInvalidRequest = -32600
	codeMethodNotFound = -32601
	codeInvalidParams  = -32602
)

// rawServer is the binary in sandbox mode with its stdio in the test's
// hands, so that it can be sent bytes no SDK client would send.
type rawServer struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan []byte // stdout, a line at a time; closed at EOF
	stderr *lockedBuffer
	got    []rpcMessage // everything read from stdout so far

	waitOnce sync.Once
	exited   chan struct{} // closed when cmd.Wait has returned
	waitErr  error
}

// rpcMessage is one line of the server's stdout.
type rpcMessage struct {
	id     string // the id as compact JSON, such as 7 or null; "" when absent
	method string
	result json.RawMessage
	err    *rpcError
	line   []byte
}

type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func startRaw(t *testing.T) *rawServer {
	t.Helper()
	cmd := exec.Command(binary, "--sandbox")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &rawServer{
		cmd:    cmd,
		stdin:  stdin,
		lines:  make(chan []byte, 64),
		stderr: &lockedBuffer{},
		exited: make(chan struct{}),
	}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}

	go func() {
		defer close(s.lines)
		r := bufio.NewReader(stdout)
		for {
			line, err := r.ReadBytes('\n')
			if len(line) > 0 {
				s.lines <- line
			}
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		// A test that ended early leaves the server running.
		s.cmd.Process.Kill()
		for range s.lines {
		}
		<-s.wait()
	})
	return s
}

// wait starts waiting for the process, once, and returns a channel closed
// when it has exited. Call it only after stdout has been read to its end.
func (s *rawServer) wait() <-chan struct{} {
	s.waitOnce.Do(func() {
		go func() {
			s.waitErr = s.cmd.Wait()
			close(s.exited)
		}()
	})
	return s.exited
}

// send writes data to the server's stdin.
func (s *rawServer) send(t *testing.T, data string) {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := io.WriteString(s.stdin, data)
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("writing to the server: %v\nstderr:\n%s", err, s.stderr)
		}
	case <-time.After(stdioTimeout):
		t.Fatalf("the server took in nothing for %v\nstderr:\n%s", stdioTimeout, s.stderr)
	}
}

// next reads the next message from stdout, and reports false at EOF.
func (s *rawServer) next(t *testing.T) (rpcMessage, bool) {
	t.Helper()
	select {
	case line, ok := <-s.lines:
		if !ok {
			return rpcMessage{}, false
		}
		m := parseMessage(t, line)
		s.got = append(s.got, m)
		return m, true
	case <-time.After(stdioTimeout):
		t.Fatalf("no output from the server for %v\nstderr:\n%s", stdioTimeout, s.stderr)
		return rpcMessage{}, false
	}
}

// await reads messages until there is an answer with each of ids, given as
// compact JSON. Answers may come in any order; requests are served
// concurrently.
func (s *rawServer) await(t *testing.T, ids ...string) {
	t.Helper()
	missing := slices.Clone(ids)
	for len(missing) > 0 {
		m, ok := s.next(t)
		if !ok {
			t.Fatalf("stdout ended with no answer to ids %v\nstderr:\n%s", missing, s.stderr)
		}
		missing = slices.DeleteFunc(missing, func(id string) bool { return id == m.id })
	}
}

// handshake initializes the session as a client would.
func (s *rawServer) handshake(t *testing.T) {
	t.Helper()
	s.handshakeWith(t, `{}`)
}

// handshakeWith initializes the session as a client with capabilities
// (JSON) would.
func (s *rawServer) handshakeWith(t *testing.T, capabilities string) {
	t.Helper()
	s.send(t, rpcRequest(1, "initialize", `{"protocolVersion":"2025-06-18","capabilities":`+
		capabilities+`,"clientInfo":{"name":"stdio-test","version":"0"}}`))
	s.await(t, "1")
	if m := s.got[len(s.got)-1]; m.result == nil {
		t.Fatalf("initialize failed: %s", m.line)
	}
	s.send(t, `{"jsonrpc":"2.0","method":"notifications/initialized"}`+"\n")
}

// finish closes stdin and reads stdout to its end. The server must then
// exit by itself, with status 0, having neither panicked nor written
// anything but JSON log lines to stderr.
func (s *rawServer) finish(t *testing.T) {
	t.Helper()
	if err := s.stdin.Close(); err != nil {
		t.Fatalf("closing stdin: %v", err)
	}
	for {
		if _, ok := s.next(t); !ok {
			break
		}
	}
	select {
	case <-s.wait():
	case <-time.After(stdioTimeout):
		t.Fatalf("the server did not exit within %v of stdin closing\nstderr:\n%s",
			stdioTimeout, s.stderr)
	}
	if s.waitErr != nil {
		t.Errorf("the server exited with %v after stdin closed\nstderr:\n%s", s.waitErr, s.stderr)
	}

	stderr := s.stderr.String()
	if strings.Contains(stderr, "panic:") || strings.Contains(stderr, "goroutine ") {
		t.Errorf("the server panicked:\n%s", stderr)
	}
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if !json.Valid([]byte(line)) {
			t.Errorf("stderr line is not a JSON log line: %.300q", line)
		}
	}
}

// answers returns the messages read after the handshake's answer.
func (s *rawServer) answers() []rpcMessage {
	i := slices.IndexFunc(s.got, func(m rpcMessage) bool { return m.id == "1" })
	return s.got[i+1:]
}

// parseMessage decodes one line of stdout, which must be a JSON-RPC 2.0
// message: a request or notification with a method, or an answer with an
// id and exactly one of result and error.
func parseMessage(t *testing.T, line []byte) rpcMessage {
	t.Helper()
	m := rpcMessage{line: line}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(line, &fields); err != nil {
		t.Errorf("stdout line is not a JSON object: %.300q", line)
		return m
	}
	if string(fields["jsonrpc"]) != `"2.0"` {
		t.Errorf("stdout line is not JSON-RPC 2.0: %.300s", line)
	}
	if raw, ok := fields["id"]; ok {
		var id bytes.Buffer
		if err := json.Compact(&id, raw); err != nil || !validID(id.String()) {
			t.Errorf("stdout line has an id that is not a string, number or null: %.300s", line)
		}
		m.id = id.String()
	}
	m.result = fields["result"]

	if raw, ok := fields["method"]; ok {
		if err := json.Unmarshal(raw, &m.method); err != nil || m.method == "" {
			t.Errorf("stdout line has a bad method: %.300s", line)
		}
		return m
	}
	_, hasError := fields["error"]
	switch {
	case m.id == "":
		t.Errorf("answer without an id: %.300s", line)
	case (m.result != nil) == hasError:
		t.Errorf("answer without exactly one of result and error: %.300s", line)
	case hasError:
		dec := json.NewDecoder(bytes.NewReader(fields["error"]))
		dec.DisallowUnknownFields()
		var e struct {
			Code    *int            `json:"code"`
			Message *string         `json:"message"`
			Data    json.RawMessage `json:"data"`
		}
		if err := dec.Decode(&e); err != nil || e.Code == nil || e.Message == nil {
			t.Errorf("error without an integer code and a message: %.300s", line)
			break
		}
		m.err = &rpcError{Code: *e.Code, Message: *e.Message}
	}
	return m
}

func validID(id string) bool {
	if id == "null" || strings.HasPrefix(id, `"`) {
		return true
	}
	_, err := strconv.ParseFloat(id, 64)
	return err == nil
}

// rpcRequest returns a JSON-RPC request line; params is JSON, or "" for none.
func rpcRequest(id int, method, params string) string {
	if params == "" {
		return fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":%q}`+"\n", id, method)
	}
	return fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":%q,"params":%s}`+"\n", id, method, params)
}

// TestStdioBadInput sends one bad line after the handshake. A request gets
// a JSON-RPC error (or, for bad tool arguments, a tool error), a line
// without an id gets a parse error or nothing, and the server goes on:
// the ping after it is answered, and closing stdin ends it cleanly.
func TestStdioBadInput(t *testing.T) {
	t.Parallel()
	const pingID = "99"
	huge := strings.Repeat("n", 10<<20)
	// JSON-RPC calls valid JSON that is not a request object an Invalid
	// Request; mcp-go v1.2.1 answers it with a parse error.
	notAnObject := []int{codeInvalidRequest, codeParseError}

	tests := []struct {
		name  string
		input string
		// answer is the id of the one answer input must get, as compact
		// JSON: "null" when the id could not be read, "" for no answer.
		answer string
		// codes are the JSON-RPC error codes the answer may carry; none
		// means it must be a result.
		codes []int
		// toolError is text the answer's isError result must hold.
		toolError string
		// eof closes stdin right after input, with no ping.
		eof bool
	}{
		{
			name:   "malformed JSON",
			input:  `{"jsonrpc":"2.0","id":2,"method":` + "\n",
			answer: "null", codes: []int{codeParseError},
		},
		{name: "blank line", input: "\n", answer: "null", codes: []int{codeParseError}},
		{name: "array", input: "[1,2]\n", answer: "null", codes: notAnObject},
		{name: "number", input: "42\n", answer: "null", codes: notAnObject},
		{name: "string", input: `"x"` + "\n", answer: "null", codes: notAnObject},
		{name: "null", input: "null\n", answer: "null", codes: notAnObject},
		{
			name:   "10 MB of garbage",
			input:  huge + "\n",
			answer: "null", codes: []int{codeParseError},
		},
		{
			name: "10 MB argument",
			input: rpcRequest(2, "tools/call", `{"name":"create_agent","arguments":`+
				`{"type":"voice","name":"`+huge+`"}}`),
			answer: "2", toolError: "name: must be at most 255 characters",
		},
		{
			name:   "wrong JSON-RPC version",
			input:  `{"jsonrpc":"1.0","id":2,"method":"ping"}` + "\n",
			answer: "2", codes: []int{codeInvalidRequest},
		},
		{
			name:   "unknown method",
			input:  rpcRequest(2, "agents/teleport", `{}`),
			answer: "2", codes: []int{codeMethodNotFound},
		},
		{
			name:  "unknown notification",
			input: `{"jsonrpc":"2.0","method":"notifications/teleported","params":{}}` + "\n",
		},
		{
			name:  "answer to no request",
			input: `{"jsonrpc":"2.0","id":2,"result":{}}` + "\n",
		},
		{
			name:   "params not an object",
			input:  rpcRequest(2, "tools/list", `"all"`),
			answer: "2", codes: []int{codeInvalidRequest, codeInvalidParams},
		},
		// JSON-RPC prefers Invalid params; mcp-go v1.2.1 answers any
		// params it cannot decode with Invalid Request.
		{
			name:   "tool name not a string",
			input:  rpcRequest(2, "tools/call", `{"name":42,"arguments":{}}`),
			answer: "2", codes: []int{codeInvalidParams, codeInvalidRequest},
		},
		{
			name:   "unknown tool",
			input:  rpcRequest(2, "tools/call", `{"name":"teleport_agent","arguments":{}}`),
			answer: "2", codes: []int{codeInvalidParams},
		},
		{
			name:   "arguments not an object",
			input:  rpcRequest(2, "tools/call", `{"name":"create_agent","arguments":"voice"}`),
			answer: "2", toolError: "must be an object",
		},
		{
			name:  "EOF inside a line",
			input: `{"jsonrpc":"2.0","id":2,"method":"pi`,
			eof:   true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := startRaw(t)
			s.handshake(t)

			s.send(t, tt.input)
			if !tt.eof {
				s.send(t, rpcRequest(99, "ping", ""))
				ids := []string{pingID}
				if tt.answer != "" {
					ids = append(ids, tt.answer)
				}
				s.await(t, ids...)
			}
			s.finish(t)

			seen := map[string]int{}
			for _, m := range s.answers() {
				seen[m.id]++
				switch {
				case m.id == pingID:
					if m.err != nil || string(m.result) != "{}" {
						t.Errorf("ping after the bad input: %s", m.line)
					}
				case tt.answer != "" && m.id == tt.answer:
					checkAnswer(t, m, tt.codes, tt.toolError)
				default:
					t.Errorf("unexpected message: %.300s", m.line)
				}
			}
			for id, n := range seen {
				if n > 1 {
					t.Errorf("%d answers with id %s", n, id)
				}
			}
		})
	}
}

// checkAnswer checks an answer against the error codes it may carry, or,
// when there are none, the text its isError result must hold.
func checkAnswer(t *testing.T, m rpcMessage, codes []int, toolError string) {
	t.Helper()
	if len(codes) > 0 {
		if m.err == nil || !slices.Contains(codes, m.err.Code) {
			t.Errorf("answer = %.300s, want an error with a code in %v", m.line, codes)
		}
		return
	}
	var res struct {
		IsError bool `json:"isError"`
		Content []struct {
			Text string `json:"text"`
		} `json:"content"`
	}
	if m.err != nil || json.Unmarshal(m.result, &res) != nil || len(res.Content) != 1 {
		t.Fatalf("answer = %.300s, want a tool result with one content item", m.line)
	}
	if !res.IsError || !strings.Contains(res.Content[0].Text, toolError) {
		t.Errorf("tool result = %.300s, want isError and %q", m.line, toolError)
	}
}

// TestStdioAnswersEveryRequestBeforeEOF pipelines requests and closes stdin
// straight after them, as a script piping a file into the server does.
// Closing stdin ends the session, but every request read before it must
// still be served and answered, like the calls in flight when the HTTP
// server shuts down.
func TestStdioAnswersEveryRequestBeforeEOF(t *testing.T) {
	t.Parallel()
	s := startRaw(t)
	s.handshake(t)

	const dryRuns, createID, pingID = 20, 22, 23
	var in strings.Builder
	for id := 2; id < 2+dryRuns; id++ {
		in.WriteString(rpcRequest(id, "tools/call", fmt.Sprintf(`{"name":"create_agent",`+
			`"arguments":{"name":"Dry %d","type":"voice","dryRun":true}}`, id)))
	}
	in.WriteString(rpcRequest(createID, "tools/call",
		`{"name":"create_agent","arguments":{"name":"Real","type":"chat"}}`))
	in.WriteString(rpcRequest(pingID, "ping", ""))
	s.send(t, in.String())
	s.finish(t)

	answered := map[string]rpcMessage{}
	for _, m := range s.answers() {
		answered[m.id] = m
	}
	var missing []int
	for id := 2; id <= pingID; id++ {
		if _, ok := answered[strconv.Itoa(id)]; !ok {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		t.Errorf("%d of %d requests read before EOF got no answer: ids %v",
			len(missing), pingID-1, missing)
	}
	if m, ok := answered[strconv.Itoa(createID)]; ok {
		if m.err != nil || bytes.Contains(m.result, []byte(`"isError":true`)) {
			t.Errorf("the create in flight at EOF did not complete: %.300s", m.line)
		}
	}
}

// TestStdioElicitation asks the user to confirm a delete over raw stdio: the
// client's answer, or its error, reaches the tool, and a client that closes
// stdin instead of answering ends the question at once, not after the
// grace the end of input gives calls in flight.
func TestStdioElicitation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// answer is the client's answer, with %s for the request's id; ""
		// closes stdin instead.
		answer string
		// want is text the delete's tool error must hold; "" means the
		// delete must succeed.
		want string
	}{
		{
			name:   "accepted",
			answer: `{"jsonrpc":"2.0","id":%s,"result":{"action":"accept","content":{"confirm":true}}}`,
		},
		{
			name:   "answered with an error",
			answer: `{"jsonrpc":"2.0","id":%s,"error":{"code":-32000,"message":"dialog closed"}}`,
			want:   "elicitation failed: dialog closed",
		},
		{name: "stdin closed", want: "closed stdin before answering"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := startRaw(t)
			s.handshakeWith(t, `{"elicitation":{}}`)
			s.send(t, rpcRequest(2, "tools/call",
				`{"name":"create_agent","arguments":{"name":"Old line","type":"voice"}}`))
			s.await(t, "2")
			var created struct {
				StructuredContent struct {
					Agent struct{ ID string } `json:"agent"`
				} `json:"structuredContent"`
			}
			if err := json.Unmarshal(s.got[len(s.got)-1].result, &created); err != nil ||
				created.StructuredContent.Agent.ID == "" {
				t.Fatalf("create_agent: %s", s.got[len(s.got)-1].line)
			}

			s.send(t, rpcRequest(3, "tools/call", fmt.Sprintf(
				`{"name":"delete_agent","arguments":{"agentId":%q}}`, created.StructuredContent.Agent.ID)))
			var question rpcMessage
			for question.method != "elicitation/create" {
				m, ok := s.next(t)
				if !ok {
					t.Fatalf("stdout ended before the question\nstderr:\n%s", s.stderr)
				}
				question = m
			}
			if !strings.Contains(string(question.line), "Old line") {
				t.Errorf("the question does not name the agent: %s", question.line)
			}
			if tt.answer != "" {
				s.send(t, fmt.Sprintf(tt.answer, question.id)+"\n")
				s.await(t, "3")
			}
			s.finish(t)

			i := slices.IndexFunc(s.got, func(m rpcMessage) bool { return m.id == "3" })
			if i < 0 {
				t.Fatal("the delete got no answer")
			}
			if tt.want == "" {
				checkNoToolError(t, s.got[i])
			} else {
				checkAnswer(t, s.got[i], nil, tt.want)
			}
			if strings.Contains(s.stderr.String(), "not answered in time") {
				t.Errorf("the question outlived stdin: the end of input waited out its grace")
			}
		})
	}
}

// checkNoToolError checks that an answer is a tool result without isError.
func checkNoToolError(t *testing.T, m rpcMessage) {
	t.Helper()
	if m.err != nil || m.result == nil || bytes.Contains(m.result, []byte(`"isError":true`)) {
		t.Errorf("answer = %.300s, want a successful tool result", m.line)
	}
}

// TestStdioLogMessagesAtEOF closes stdin right after a call: the call's
// log message, queued as it ended, still reaches the client before the
// server exits.
func TestStdioLogMessagesAtEOF(t *testing.T) {
	t.Parallel()
	s := startRaw(t)
	s.handshake(t)
	s.send(t, rpcRequest(2, "logging/setLevel", `{"level":"info"}`))
	s.await(t, "2")

	s.send(t, rpcRequest(3, "tools/call",
		`{"name":"create_agent","arguments":{"name":"Dry","type":"chat","dryRun":true}}`))
	s.finish(t)

	var answered, logged bool
	for _, m := range s.answers() {
		switch {
		case m.id == "3":
			answered = true
			checkNoToolError(t, m)
		case m.method == "notifications/message":
			logged = logged || bytes.Contains(m.line, []byte(`"tool":"create_agent"`))
		}
	}
	if !answered || !logged {
		t.Errorf("after stdin closed: answered %t, logged %t; want both", answered, logged)
	}
}
