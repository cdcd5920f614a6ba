package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/buger/jsonparser"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/rs/zerolog"
)

// eofGrace bounds how long the requests read before the end of input may
// take to be answered.
const eofGrace = 10 * time.Second

// serveStdio serves srv over newline-delimited JSON-RPC on in and out until
// in ends or ctx is done.
//
// It takes the place of mcp-go's stdio server, for three reasons. That
// server cancels the requests in flight when its input ends and drops those
// still queued, so a client that writes its last requests and closes stdin
// gets no answers, or "cancelled" ones for creates that may have happened;
// here every request read is answered first (within eofGrace). It hands each
// line over twice (from a reader goroutine to the loop, from the loop to a
// worker pool) and decodes it five times before the server decodes it
// again; here the goroutine that read a request serves it, and a line is
// classified in one pass over its top-level keys. And it writes its requests
// to the client (elicitation) without the lock its answers take.
func serveStdio(ctx context.Context, srv *server.MCPServer, in io.Reader, out io.Writer,
	log zerolog.Logger) error {
	t := &stdioTransport{
		srv:       srv,
		in:        bufio.NewReaderSize(in, 64<<10),
		out:       out,
		log:       log,
		inputDone: make(chan struct{}),
		pending:   map[int64]chan elicitAnswer{},
	}
	t.session = &stdioSession{t: t, notifications: make(chan mcp.JSONRPCNotification, 100)}
	if err := srv.RegisterSession(ctx, t.session); err != nil {
		return fmt.Errorf("registering the stdio session: %w", err)
	}
	defer srv.UnregisterSession(ctx, t.session.SessionID())

	// Requests run under reqCtx, so that stopping cancels the ones in flight.
	reqCtx, cancel := context.WithCancel(srv.WithContext(ctx, t.session))
	defer cancel()
	stopPump, pumped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(pumped)
		t.writeNotifications(stopPump)
	}()
	go t.read(reqCtx)

	var readErr error
	select {
	case <-t.inputDone:
		readErr = t.readErr
		if !t.calls.wait(ctx, eofGrace) {
			log.Warn().Dur("grace", eofGrace).
				Msg("stdin closed; cancelling the requests not answered in time")
		}
	case <-ctx.Done():
	}
	t.calls.stop()
	cancel()
	// Cancelled, the calls still running end promptly.
	t.calls.wait(context.Background(), eofGrace)
	close(stopPump)
	<-pumped
	if readErr != nil && !errors.Is(readErr, io.EOF) {
		return fmt.Errorf("reading stdin: %w", readErr)
	}
	return nil
}

// stdioTransport is one stdio connection: its single session, the reader,
// the writer, and the server's own requests awaiting the client's answer.
type stdioTransport struct {
	srv     *server.MCPServer
	session *stdioSession
	log     zerolog.Logger

	in        *bufio.Reader // read by one goroutine at a time; see read
	readErr   error         // why input ended; read only once inputDone is closed
	inputDone chan struct{}

	wmu sync.Mutex // one message per Write, whole
	out io.Writer

	calls requests

	nextID    atomic.Int64 // of the requests to the client
	pendingMu sync.Mutex
	pending   map[int64]chan elicitAnswer
}

// read reads lines until input ends. A request is served by the goroutine
// that read it, after it has started another to read on: the request needs
// no hand-over before it is served, and the input is still read while it
// runs (a cancellation, the answer to an elicitation). Notifications and
// answers are handled in the order they came.
func (t *stdioTransport) read(ctx context.Context) {
	for {
		line, err := t.in.ReadBytes('\n')
		if err != nil {
			// A last line without its newline may be cut short; it is not
			// served.
			if len(bytes.TrimSpace(line)) > 0 {
				t.log.Warn().Int("bytes", len(line)).
					Msg("stdin ended inside a line; the line was not served")
			}
			t.readErr = err
			close(t.inputDone)
			return
		}
		env := peek(line)
		switch {
		case env.request:
			if !t.calls.start() {
				return // stopping: the request gets no answer
			}
			go t.read(ctx)
			t.serve(ctx, line, env)
			t.calls.done()
			return
		case env.answer:
			t.answered(env, line)
		default:
			// Notifications, and lines that are no request: the server
			// answers those with a JSON-RPC error.
			t.serve(ctx, line, env)
		}
	}
}

// serve hands one message to the server and writes its answer, if any.
func (t *stdioTransport) serve(ctx context.Context, line []byte, env envelope) {
	defer func() {
		if r := recover(); r != nil {
			t.log.Error().Str("panic", fmt.Sprint(r)).Str("stack", string(debug.Stack())).
				Msg("serving a stdio message panicked")
			if env.request {
				var msg struct{ ID any }
				_ = json.Unmarshal(line, &msg)
				t.write(mcp.NewJSONRPCError(mcp.NewRequestId(msg.ID), mcp.INTERNAL_ERROR,
					"internal error in heppu-mcp", nil))
			}
		}
	}()
	if res := t.srv.HandleMessage(ctx, line); res != nil {
		t.write(res)
	}
}

// write sends one message to the client. A failure is logged: the client
// has gone, and the end of its input will follow.
func (t *stdioTransport) write(msg any) error {
	b, err := json.Marshal(msg)
	if err != nil {
		t.log.Error().Err(err).Msg("encoding a stdio message")
		return err
	}
	b = append(b, '\n')
	t.wmu.Lock()
	_, err = t.out.Write(b)
	t.wmu.Unlock()
	if err != nil {
		t.log.Warn().Err(err).Msg("writing to stdout")
	}
	return err
}

// writeNotifications writes what the server sends through the session
// until stop is closed, and then what is still queued, such as the log
// messages of the last calls.
func (t *stdioTransport) writeNotifications(stop <-chan struct{}) {
	for {
		select {
		case n := <-t.session.notifications:
			t.write(n)
		case <-stop:
			for len(t.session.notifications) > 0 { // no other reader: this cannot block
				t.write(<-t.session.notifications)
			}
			return
		}
	}
}

// envelope is what one pass over a line's top-level keys tells.
type envelope struct {
	request bool   // a method and an id: it must be answered
	answer  bool   // an id and a result or error, no method: the client's answer
	id      []byte // the id when it is a number, as sent: ours always are
}

// peek classifies a line without decoding its values. It does not check
// that the line is valid JSON: the server does, and answers a request that
// is not with a parse error.
func peek(line []byte) envelope {
	var (
		env            envelope
		idSeen, idSet  bool // the first id counts, and null is none
		method, result bool
	)
	jsonparser.ObjectEach(line, func(key, value []byte, typ jsonparser.ValueType, _ int) error {
		if bytes.IndexByte(key, '\\') >= 0 {
			if k, err := jsonparser.Unescape(key, nil); err == nil {
				key = k
			}
		}
		switch string(key) {
		case "id":
			if !idSeen {
				idSeen, idSet = true, typ != jsonparser.Null
				if typ == jsonparser.Number {
					env.id = value
				}
			}
		case "method":
			method = true
		case "result", "error":
			result = true
		}
		return nil
	})
	env.request = method && idSet
	env.answer = !method && idSet && result
	return env
}

// elicitAnswer is the client's answer to an elicitation request.
type elicitAnswer struct {
	result *mcp.ElicitationResult
	err    error
}

// answered routes the client's answer to the request of ours it answers;
// an answer to nothing we asked is dropped.
func (t *stdioTransport) answered(env envelope, line []byte) {
	id, err := strconv.ParseInt(string(env.id), 10, 64)
	if err != nil {
		return // our ids are integers
	}
	t.pendingMu.Lock()
	ch, ok := t.pending[id]
	delete(t.pending, id)
	t.pendingMu.Unlock()
	if !ok {
		t.log.Debug().Int64("id", id).Msg("stdin: an answer to no pending request")
		return
	}

	var msg struct {
		Result json.RawMessage `json:"result"`
		Error  *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	var a elicitAnswer
	switch err := json.Unmarshal(line, &msg); {
	case err != nil:
		a.err = fmt.Errorf("decoding the elicitation answer: %w", err)
	case msg.Error != nil:
		a.err = fmt.Errorf("elicitation failed: %s (%d)", msg.Error.Message, msg.Error.Code)
	default:
		a.result = &mcp.ElicitationResult{}
		if err := json.Unmarshal(msg.Result, a.result); err != nil {
			a.result, a.err = nil, fmt.Errorf("decoding the elicitation result: %w", err)
		}
	}
	ch <- a // buffered, and only this answer is sent on it
}

// elicit sends an elicitation request to the client and waits for its
// answer, for ctx, or for the end of input, after which none can come.
func (t *stdioTransport) elicit(ctx context.Context, params mcp.ElicitationParams) (
	*mcp.ElicitationResult, error) {
	id := t.nextID.Add(1)
	ch := make(chan elicitAnswer, 1)
	t.pendingMu.Lock()
	t.pending[id] = ch
	t.pendingMu.Unlock()
	defer func() {
		t.pendingMu.Lock()
		delete(t.pending, id)
		t.pendingMu.Unlock()
	}()

	req := struct {
		JSONRPC string                `json:"jsonrpc"`
		ID      int64                 `json:"id"`
		Method  string                `json:"method"`
		Params  mcp.ElicitationParams `json:"params"`
	}{mcp.JSONRPC_VERSION, id, string(mcp.MethodElicitationCreate), params}
	if err := t.write(req); err != nil {
		return nil, fmt.Errorf("sending the elicitation request: %w", err)
	}
	select {
	case a := <-ch:
		return a.result, a.err
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-t.inputDone:
		return nil, errors.New("the client closed stdin before answering the elicitation request")
	}
}

// requests counts the requests being served, so that the end of input can
// wait for their answers, and refuses new ones once stopped.
type requests struct {
	mu      sync.Mutex
	n       int
	stopped bool
	idle    chan struct{} // closed when n drops to zero; nil while n is zero
}

// start counts a request in, or reports false once stopped.
func (r *requests) start() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return false
	}
	if r.n == 0 {
		r.idle = make(chan struct{})
	}
	r.n++
	return true
}

func (r *requests) done() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.n--; r.n == 0 {
		close(r.idle)
		r.idle = nil
	}
}

func (r *requests) stop() {
	r.mu.Lock()
	r.stopped = true
	r.mu.Unlock()
}

// wait blocks until no request is being served, ctx is done or grace
// passes, and reports whether none is.
func (r *requests) wait(ctx context.Context, grace time.Duration) bool {
	r.mu.Lock()
	idle := r.idle
	r.mu.Unlock()
	if idle == nil {
		return true
	}
	timer := time.NewTimer(grace)
	defer timer.Stop()
	select {
	case <-idle:
		return true
	case <-ctx.Done():
	case <-timer.C:
	}
	return false
}

// stdioSession is the one session of a stdio connection: the client's
// identity, capabilities and log level, and the way to ask it something.
type stdioSession struct {
	t             *stdioTransport
	notifications chan mcp.JSONRPCNotification
	initialized   atomic.Bool

	logLevel        locked[mcp.LoggingLevel]
	clientInfo      locked[mcp.Implementation]
	capabilities    locked[mcp.ClientCapabilities]
	protocolVersion locked[string]
}

// locked is a value read and written under a lock of its own.
type locked[T any] struct {
	mu sync.Mutex
	v  T
}

func (l *locked[T]) get() T {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.v
}

func (l *locked[T]) set(v T) {
	l.mu.Lock()
	l.v = v
	l.mu.Unlock()
}

var (
	_ server.SessionWithLogging         = (*stdioSession)(nil)
	_ server.SessionWithClientInfo      = (*stdioSession)(nil)
	_ server.SessionWithElicitation     = (*stdioSession)(nil)
	_ server.SessionWithProtocolVersion = (*stdioSession)(nil)
)

// SessionID names the session; stdio has only one.
func (s *stdioSession) SessionID() string { return "stdio" }

// Initialize marks the session ready for notifications.
func (s *stdioSession) Initialize() { s.initialized.Store(true) }

// Initialized reports whether the session is ready for notifications.
func (s *stdioSession) Initialized() bool { return s.initialized.Load() }

// NotificationChannel is where the server queues notifications for the client.
func (s *stdioSession) NotificationChannel() chan<- mcp.JSONRPCNotification {
	return s.notifications
}

// SetLogLevel sets the least severe level of the log messages sent.
func (s *stdioSession) SetLogLevel(level mcp.LoggingLevel) { s.logLevel.set(level) }

// GetLogLevel returns the level set, or error until the client sets one, so
// that a client that did not ask for log messages gets only errors.
func (s *stdioSession) GetLogLevel() mcp.LoggingLevel {
	if level := s.logLevel.get(); level != "" {
		return level
	}
	return mcp.LoggingLevelError
}

// GetClientInfo returns the client's name and version.
func (s *stdioSession) GetClientInfo() mcp.Implementation { return s.clientInfo.get() }

// SetClientInfo records the client's name and version.
func (s *stdioSession) SetClientInfo(info mcp.Implementation) { s.clientInfo.set(info) }

// GetClientCapabilities returns what the client said it supports.
func (s *stdioSession) GetClientCapabilities() mcp.ClientCapabilities {
	return s.capabilities.get()
}

// SetClientCapabilities records what the client said it supports.
func (s *stdioSession) SetClientCapabilities(c mcp.ClientCapabilities) { s.capabilities.set(c) }

// ProtocolVersion returns the version agreed at initialize, or "".
func (s *stdioSession) ProtocolVersion() string { return s.protocolVersion.get() }

// SetProtocolVersion records the version agreed at initialize.
func (s *stdioSession) SetProtocolVersion(v string) { s.protocolVersion.set(v) }

// RequestElicitation asks the client for input and waits for the answer.
func (s *stdioSession) RequestElicitation(ctx context.Context, req mcp.ElicitationRequest) (
	*mcp.ElicitationResult, error) {
	return s.t.elicit(ctx, req.Params)
}
