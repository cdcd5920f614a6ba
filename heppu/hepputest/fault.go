package hepputest

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"
)

// Fault is a failure the Handler serves in place of a normal answer; queue
// it with FailNext. The zero Fault answers normally.
//
// At most one kind applies, the first set in this order: Reset, Hang,
// Truncate, NonJSON, Status, Oversize. Delay and Apply combine with any of
// them: the request is applied first if Apply is set, then the Delay
// passes, then the fault is served.
type Fault struct {
	// Status answers with this HTTP status and Body.
	Status int
	// Body is sent verbatim with Status. An empty Body sends no body and no
	// Content-Type.
	Body string
	// ContentType is the Content-Type of Body; empty means application/json.
	ContentType string
	// Header holds extra response headers, such as Retry-After. They
	// replace the emulator's own headers of the same name.
	Header http.Header
	// NonJSON answers with an HTML error page, as a proxy in front of Heppu
	// would, with Status or, when Status is zero, 502.
	NonJSON bool
	// Truncate applies the request and answers normally, but closes the
	// connection halfway through a body whose full Content-Length was sent.
	Truncate bool
	// Reset closes the TCP connection without any answer, with a reset
	// rather than an orderly close where the connection allows it.
	Reset bool
	// Hang never answers: the request is held until the client gives up or
	// the Server closes (a Handler served by other means holds it until the
	// client gives up). See HangReleased.
	Hang bool
	// Delay waits this long before serving the request, normally or with
	// the fault's kind. If the client gives up first, nothing is served and,
	// without Apply, nothing is applied.
	Delay time.Duration
	// Apply applies the request to the store (the agent is created, say)
	// before failing it: an ambiguous failure, as when Heppu acted on a
	// request but the answer was lost.
	Apply bool
	// Oversize answers 200 with a valid JSON success envelope of this many
	// bytes, padded in a string field, without applying the request.
	Oversize int
}

// serveFault answers c with fault f.
func (h *Handler) serveFault(w http.ResponseWriter, r *http.Request, c call, f Fault) {
	ctx := r.Context()
	var rep *reply
	if f.Apply {
		applied := h.answer(c)
		rep = &applied
	}
	if f.Delay > 0 && !h.wait(ctx, f.Delay) {
		panic(http.ErrAbortHandler)
	}
	if rep == nil && (f.Truncate || !f.hasKind()) {
		applied := h.answer(c)
		rep = &applied
	}

	switch {
	case f.Reset:
		reset(w)
	case f.Hang:
		h.hang(ctx, c.req)
	case f.Truncate:
		writeHead(w, *rep, f.Header)
		w.Write(rep.body[:len(rep.body)/2])
		// Push out what was written, then drop the connection: net/http
		// would otherwise close it only because the body fell short.
		http.NewResponseController(w).Flush()
		panic(http.ErrAbortHandler)
	case f.NonJSON:
		writeHTML(w, cmp.Or(f.Status, http.StatusBadGateway), f.Header)
	case f.Status != 0:
		writeRaw(w, f)
	case f.Oversize > 0:
		writeOversize(w, f.Oversize, f.Header)
	default:
		writeReply(w, *rep, f.Header)
	}
}

// hasKind reports whether f does more than delay the answer.
func (f Fault) hasKind() bool {
	return f.Reset || f.Hang || f.Truncate || f.NonJSON || f.Status != 0 || f.Oversize > 0
}

// wait waits for d, and reports false if the client gave up or the Server
// closed first.
func (h *Handler) wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-h.done:
		return false
	}
}

// hang holds req until the client gives up, then reports it on
// HangReleased, or until the Server closes. It never returns normally.
func (h *Handler) hang(ctx context.Context, req Request) {
	h.mu.Lock()
	onHang := h.onHang
	h.mu.Unlock()
	if onHang != nil {
		onHang(req.clone())
	}
	select {
	case <-h.done:
	case <-ctx.Done():
		if !h.closing() {
			select {
			case h.released <- req.clone():
			default:
			}
		}
	}
	panic(http.ErrAbortHandler)
}

// reset closes the connection under w. On TCP, a zero linger makes the
// close send a reset, so the client reads "connection reset by peer".
func reset(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		tcp.SetLinger(0)
	}
	conn.Close()
}

// writeHTML writes the kind of error page a proxy sends.
func writeHTML(w http.ResponseWriter, status int, extra http.Header) {
	title := fmt.Sprintf("%d %s", status, http.StatusText(status))
	page := "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n" +
		"<center><h1>" + title + "</h1></center>\r\n<hr><center>proxy</center>\r\n" +
		"</body>\r\n</html>\r\n"
	hdr := w.Header()
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Content-Length", strconv.Itoa(len(page)))
	setHeaders(hdr, extra)
	w.WriteHeader(status)
	io.WriteString(w, page)
}

// writeRaw writes a Status fault.
func writeRaw(w http.ResponseWriter, f Fault) {
	hdr := w.Header()
	if f.Body != "" || f.ContentType != "" {
		hdr.Set("Content-Type", cmp.Or(f.ContentType, "application/json"))
	}
	hdr.Set("Content-Length", strconv.Itoa(len(f.Body)))
	setHeaders(hdr, f.Header)
	w.WriteHeader(f.Status)
	io.WriteString(w, f.Body)
}

// writeOversize writes a 200 success envelope of n bytes, or of its
// smallest size if n is less.
func writeOversize(w http.ResponseWriter, n int, extra http.Header) {
	const prefix, suffix = `{"success":true,"data":{"padding":"`, `"}}`
	pad := max(n-len(prefix)-len(suffix), 0)
	hdr := w.Header()
	hdr.Set("Content-Type", "application/json")
	hdr.Set("Content-Length", strconv.Itoa(len(prefix)+pad+len(suffix)))
	setHeaders(hdr, extra)
	w.WriteHeader(http.StatusOK)

	io.WriteString(w, prefix)
	chunk := bytes.Repeat([]byte("x"), min(pad, 32<<10))
	for pad > 0 {
		k := min(pad, len(chunk))
		if _, err := w.Write(chunk[:k]); err != nil {
			return
		}
		pad -= k
	}
	io.WriteString(w, suffix)
}
