package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/buger/jsonparser"
)

// eofGrace bounds how long the end of stdin is held back for answers.
const eofGrace = 10 * time.Second

// answerAllStdio wraps the stdio streams so that the end of input reaches
// the server only once every request read has been answered, or after
// eofGrace. mcp-go's stdio server cancels the requests in flight when its
// input ends and drops those still queued, so a client that writes its
// last requests and closes stdin would otherwise get no answers, or
// "cancelled" ones for creates that may have happened.
func answerAllStdio(ctx context.Context, stdin io.Reader, stdout io.Writer) (io.Reader, io.Writer) {
	p := &pendingRequests{ids: map[string]int{}, changed: make(chan struct{})}
	return &eofHoldingReader{ctx: ctx, r: bufio.NewReader(stdin), pending: p},
		&answerWriter{w: stdout, pending: p}
}

// pendingRequests counts the requests read and not yet answered, by id.
type pendingRequests struct {
	mu      sync.Mutex
	ids     map[string]int
	changed chan struct{} // closed and replaced at each answer
}

// idOf returns the id of a request (incoming: method and id) or of an
// answer (outgoing: id, no method) in line, canonically encoded, or "".
// It goes once over the top-level keys, without decoding their values, and
// stops as soon as it knows: the server writes an answer's id before its
// result, so a large result is not read past its first key.
func idOf(line []byte, request bool) string {
	if request && !json.Valid(line) {
		// The server answers a line it cannot parse with a null id.
		return ""
	}
	var (
		id      string
		idSeen  bool
		hasKind bool // a method, a result or an error was seen
		method  bool
	)
	err := jsonparser.ObjectEach(line, func(key, value []byte, typ jsonparser.ValueType, _ int) error {
		if bytes.IndexByte(key, '\\') >= 0 {
			if k, err := jsonparser.Unescape(key, nil); err == nil {
				key = k
			}
		}
		switch string(key) {
		case "id":
			if !idSeen {
				id, idSeen = canonicalID(value, typ), true
			}
		case "method":
			method, hasKind = true, true
		case "result", "error":
			hasKind = true
		}
		if idSeen && hasKind {
			return errKnown
		}
		return nil
	})
	if err != nil && err != errKnown {
		return ""
	}
	if method != request {
		return ""
	}
	return id
}

// errKnown stops idOf's walk over the keys once it knows the answer.
var errKnown = errors.New("known")

// canonicalID encodes a JSON-RPC id so that equal ids compare equal as
// strings, or returns "" for a value JSON-RPC does not allow as an id.
func canonicalID(raw []byte, typ jsonparser.ValueType) string {
	switch typ {
	case jsonparser.Number:
		// The server re-encodes the id it answers: 1.0 comes back as 1.
		f, err := strconv.ParseFloat(string(raw), 64)
		if err != nil {
			return ""
		}
		return "n" + strconv.FormatFloat(f, 'g', -1, 64)
	case jsonparser.String:
		s, err := jsonparser.ParseString(raw)
		if err != nil {
			return ""
		}
		return "s" + s
	}
	return "" // null, or not an id JSON-RPC allows
}

func (p *pendingRequests) read(line []byte) {
	if id := idOf(line, true); id != "" {
		p.mu.Lock()
		p.ids[id]++
		p.mu.Unlock()
	}
}

func (p *pendingRequests) answered(line []byte) {
	id := idOf(line, false)
	if id == "" {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ids[id] == 0 {
		return
	}
	if p.ids[id]--; p.ids[id] == 0 {
		delete(p.ids, id)
	}
	close(p.changed)
	p.changed = make(chan struct{})
}

// wait blocks until no request is pending, ctx is done or grace passes.
func (p *pendingRequests) wait(ctx context.Context, grace time.Duration) {
	timer := time.NewTimer(grace)
	defer timer.Stop()
	for {
		p.mu.Lock()
		n, changed := len(p.ids), p.changed
		p.mu.Unlock()
		if n == 0 {
			return
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return
		case <-timer.C:
			return
		}
	}
}

// eofHoldingReader passes stdin through line by line, noting each request,
// and holds the end of input until the pending requests are answered.
type eofHoldingReader struct {
	ctx     context.Context
	r       *bufio.Reader
	pending *pendingRequests
	buf     []byte
	err     error // to return once buf is drained
}

func (r *eofHoldingReader) Read(b []byte) (int, error) {
	if len(r.buf) == 0 && r.err == nil {
		line, err := r.r.ReadBytes('\n')
		if err == nil {
			// The server drops a last line that has no newline, unanswered.
			r.pending.read(line)
		}
		r.buf, r.err = line, err
	}
	if len(r.buf) > 0 {
		n := copy(b, r.buf)
		r.buf = r.buf[n:]
		return n, nil
	}
	if r.err == io.EOF {
		r.pending.wait(r.ctx, eofGrace)
	}
	return 0, r.err
}

// answerWriter passes stdout through, noting each answer. The server
// writes one message per Write.
type answerWriter struct {
	w       io.Writer
	pending *pendingRequests
}

func (w *answerWriter) Write(b []byte) (int, error) {
	n, err := w.w.Write(b)
	w.pending.answered(b)
	return n, err
}
