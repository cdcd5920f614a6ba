// Package hepputest is an in-memory Heppu Agents API. It serves
// /api/v1/agents with the routes, envelopes, status codes and messages that
// Heppu documents, keeps each organization's agents apart by API key, and
// can be told to fail its next requests the ways a real network fails (see
// [Fault]). Where Heppu's documentation is silent, the choice made here is
// stated at the spot.
//
// It backs the server's --sandbox mode and the tests of the client and the
// tools:
//
//	srv, err := hepputest.NewServer(hepputest.Options{})
//	if err != nil {
//		return err
//	}
//	defer srv.Close()
//	client, err := heppu.NewClient(heppu.Options{
//		BaseURL: srv.URL,
//		APIKey:  hepputest.DefaultKey,
//	})
package hepputest

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/heppu-ai/heppu-mcp/heppu"
)

// DefaultKey is the API key a Handler accepts when Options.Keys is nil. It
// belongs to the organization "default".
const DefaultKey = "hepputest-key"

// defaultOrg is the organization of DefaultKey.
const defaultOrg = "default"

// apiPrefix is the path under which the API is served, as on Heppu.
const apiPrefix = "/api/v1"

// maxBodyBytes caps a request body. Heppu documents no limit; 1 MiB is far
// above any agent a client can describe and keeps a runaway body in check.
const maxBodyBytes = 1 << 20

// releasedBuffer is how many released hung requests HangReleased holds
// before further ones are dropped.
const releasedBuffer = 64

// Options configures a Handler or a Server. The zero value accepts
// DefaultKey and the documented common tools, on the real clock.
type Options struct {
	// Keys maps each accepted API key to its organization's name. A key
	// sees only its own organization's agents. Nil means DefaultKey for the
	// organization "default"; entries with an empty key or name are ignored.
	Keys map[string]string
	// ToolIDs lists the tool IDs the organizations have; IDs not in it are
	// silently dropped on create and update, as Heppu does. Nil means
	// heppu.CommonToolIDs.
	ToolIDs []string
	// Now is the clock for createdAt and updatedAt, which are written in
	// UTC to the second (2025-01-15T10:30:00Z). Nil means time.Now.
	Now func() time.Time
	// MaxRequests caps how many of the latest requests Requests returns,
	// so that a long-running emulator (the sandbox) stays small. Zero
	// keeps every request.
	MaxRequests int
}

// Request is a request as the Handler received it.
type Request struct {
	// Method is the HTTP method.
	Method string
	// Path is the unescaped path, such as /api/v1/agents/ID.
	Path string
	// RawPath is the path as sent on the wire, escapes kept.
	RawPath string
	// Query holds the query parameters.
	Query url.Values
	// Header is a copy of the request headers, the API key included.
	Header http.Header
	// Body is the request body, up to the 1 MiB the Handler reads.
	Body []byte
	// Org is the organization of the request's API key, or "" when the key
	// was missing or unknown.
	Org string
}

// clone returns a copy of r that shares no memory with it.
func (r Request) clone() Request {
	r.Query = url.Values(http.Header(r.Query).Clone())
	r.Header = r.Header.Clone()
	r.Body = slices.Clone(r.Body)
	return r
}

// Handler is the emulated API as an http.Handler. It holds the agents, the
// record of requests and the queue of faults; it is safe for concurrent use.
// Serve it under any host: it answers paths that start with /api/v1.
type Handler struct {
	keys        map[string]string
	toolIDs     map[string]bool
	now         func() time.Time
	maxRequests int
	released    chan Request
	// done is closed when the Server that owns the Handler closes, which
	// releases hung and delayed requests.
	done chan struct{}

	// inflight counts the requests being served. It is only added to
	// under mu while closed is false, so that Server.Close can wait on it.
	inflight sync.WaitGroup

	mu       sync.Mutex
	closed   bool
	requests []Request
	faults   []Fault
	byID     map[string]*record
	// order holds every agent in creation order, which is the order the
	// list is sorted by: timestamps are only to the second and may tie.
	order []*record
	// onHang, when set (by tests), is called as a request starts to hang.
	onHang func(Request)
}

// NewHandler returns an empty emulated API configured by opts.
func NewHandler(opts Options) *Handler {
	h := &Handler{
		keys:        map[string]string{},
		toolIDs:     map[string]bool{},
		now:         opts.Now,
		maxRequests: opts.MaxRequests,
		released:    make(chan Request, releasedBuffer),
		done:        make(chan struct{}),
		byID:        map[string]*record{},
	}
	keys := opts.Keys
	if keys == nil {
		keys = map[string]string{DefaultKey: defaultOrg}
	}
	for k, org := range keys {
		if k != "" && org != "" {
			h.keys[k] = org
		}
	}
	toolIDs := opts.ToolIDs
	if toolIDs == nil {
		toolIDs = heppu.CommonToolIDs
	}
	for _, id := range toolIDs {
		h.toolIDs[id] = true
	}
	if h.now == nil {
		h.now = time.Now
	}
	return h
}

// Requests returns a copy of every request received so far, in the order
// they arrived, faulted and unauthenticated ones included.
func (h *Handler) Requests() []Request {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]Request, len(h.requests))
	for i, r := range h.requests {
		out[i] = r.clone()
	}
	return out
}

// ResetRequests forgets the requests received so far.
func (h *Handler) ResetRequests() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.requests = nil
}

// FailNext queues faults: each is consumed by one later request, of any
// route, in the order given and after any faults already queued.
func (h *Handler) FailNext(faults ...Fault) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.faults = append(h.faults, faults...)
}

// Agents returns the agents of organization org, soft-deleted ones
// included, in creation order, as GET /agents/{agentId} shows them.
func (h *Handler) Agents(org string) []heppu.Agent {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []heppu.Agent
	for _, rec := range h.order {
		if rec.org == org {
			out = append(out, rec.agent())
		}
	}
	return out
}

// HangReleased returns a channel that receives each request held by a Hang
// fault once the client gave up on it: its connection closed or its context
// ended. Requests released because the Server closed are not sent. The
// channel is buffered; when it is full, further requests are dropped.
func (h *Handler) HangReleased() <-chan Request {
	return h.released
}

// ServeHTTP records the request, then answers it, or fails it when a fault
// is queued.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !h.begin() {
		// The Server is closing and about to drop the connection anyway.
		panic(http.ErrAbortHandler)
	}
	defer h.inflight.Done()

	body, readErr := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	req := Request{
		Method:  r.Method,
		Path:    r.URL.Path,
		RawPath: r.URL.EscapedPath(),
		Query:   r.URL.Query(),
		Header:  r.Header.Clone(),
		Body:    body,
		Org:     h.orgOf(r.Header),
	}
	fault, faulted := h.record(req)

	c := call{req: req, readErr: readErr}
	if faulted {
		h.serveFault(w, r, c, fault)
		return
	}
	writeReply(w, h.answer(c), nil)
}

// begin counts a request in, unless the Handler is closing.
func (h *Handler) begin() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.inflight.Add(1)
	return true
}

// record keeps a copy of req and takes the next queued fault, if any.
func (h *Handler) record(req Request) (Fault, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.requests = append(h.requests, req.clone())
	if h.maxRequests > 0 && len(h.requests) > h.maxRequests {
		h.requests = slices.Delete(h.requests, 0, len(h.requests)-h.maxRequests)
	}
	if len(h.faults) == 0 {
		return Fault{}, false
	}
	f := h.faults[0]
	h.faults = h.faults[1:]
	return f, true
}

// stop releases hung and delayed requests and makes later ones fail fast.
// Requests in progress are counted in inflight, for the caller to wait on.
func (h *Handler) stop() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.closed {
		h.closed = true
		close(h.done)
	}
}

// closing reports whether the owning Server has begun to close.
func (h *Handler) closing() bool {
	select {
	case <-h.done:
		return true
	default:
		return false
	}
}

// orgOf returns the organization of the request's API key, or "". The key
// comes from x-api-key, or else from an Authorization: Bearer header.
func (h *Handler) orgOf(header http.Header) string {
	key := header.Get("X-Api-Key")
	if key == "" {
		scheme, token, ok := strings.Cut(header.Get("Authorization"), " ")
		if ok && strings.EqualFold(scheme, "Bearer") {
			key = strings.TrimSpace(token)
		}
	}
	if key == "" {
		return ""
	}
	return h.keys[key]
}

// call is a received request on its way to an answer.
type call struct {
	req     Request
	readErr error
}

// reply is an answer ready to be written.
type reply struct {
	status int
	body   []byte
	// allow is the Allow header of a 405.
	allow string
}

// answer applies a request to the store and returns its answer. The checks
// run in the order a typical router does them: route, method, key, then the
// endpoint's own.
func (h *Handler) answer(c call) reply {
	if c.readErr != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](c.readErr); ok {
			return failure(http.StatusRequestEntityTooLarge, msgBodyTooLarge)
		}
		return failure(http.StatusBadRequest, msgInvalidJSON)
	}

	id, item, ok := route(c.req.RawPath)
	if !ok {
		return failure(http.StatusNotFound, msgNoRoute)
	}
	allowed := []string{http.MethodGet, http.MethodPost}
	if item {
		allowed = []string{http.MethodGet, http.MethodPatch, http.MethodDelete}
	}
	if !slices.Contains(allowed, c.req.Method) {
		rep := failure(http.StatusMethodNotAllowed, msgMethodNotAllowed)
		rep.allow = strings.Join(allowed, ", ")
		return rep
	}
	if c.req.Org == "" {
		return failure(http.StatusUnauthorized, msgInvalidKey)
	}

	h.mu.Lock()
	defer h.mu.Unlock()
	org := c.req.Org
	switch {
	case !item && c.req.Method == http.MethodPost:
		return h.create(org, c.req.Body)
	case !item:
		return h.list(org, c.req.Query)
	case c.req.Method == http.MethodGet:
		return h.get(org, id)
	case c.req.Method == http.MethodPatch:
		return h.update(org, id, c.req.Body)
	default:
		return h.remove(org, id)
	}
}

// route reads an escaped request path: the agents collection, or one agent
// whose ID is the unescaped last segment. ok is false for any other path.
func route(escaped string) (id string, item, ok bool) {
	rest, found := strings.CutPrefix(escaped, apiPrefix+"/agents")
	if !found {
		return "", false, false
	}
	if rest == "" {
		return "", false, true
	}
	seg, found := strings.CutPrefix(rest, "/")
	if !found || seg == "" || strings.Contains(seg, "/") {
		return "", false, false
	}
	id, err := url.PathUnescape(seg)
	if err != nil {
		return "", false, false
	}
	return id, true, true
}

// successEnvelope is the agents pages' success answer.
type successEnvelope struct {
	Success bool   `json:"success"`
	Data    any    `json:"data"`
	Message string `json:"message,omitempty"`
}

// errorEnvelope is the agents pages' error answer; Code repeats the status.
type errorEnvelope struct {
	Success bool        `json:"success"`
	Error   errorDetail `json:"error"`
}

type errorDetail struct {
	Message string `json:"message"`
	Code    int    `json:"code"`
}

// success returns a success answer with data and an optional message.
func success(status int, data any, message string) reply {
	return encode(status, successEnvelope{Success: true, Data: data, Message: message})
}

// failure returns an error answer.
func failure(status int, message string) reply {
	return encode(status, errorEnvelope{Error: errorDetail{Message: message, Code: status}})
}

// encode returns v as a JSON answer. HTML characters are left unescaped, as
// a JavaScript server sends them.
func encode(status int, v any) reply {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return failure(http.StatusInternalServerError, "Internal server error")
	}
	return reply{status: status, body: []byte(strings.TrimSuffix(b.String(), "\n"))}
}

// writeReply writes rep, with extra headers over the usual ones.
func writeReply(w http.ResponseWriter, rep reply, extra http.Header) {
	writeHead(w, rep, extra)
	w.Write(rep.body)
}

// writeHead writes the status and headers of rep, with extra headers over
// the usual ones.
func writeHead(w http.ResponseWriter, rep reply, extra http.Header) {
	hdr := w.Header()
	hdr.Set("Content-Type", "application/json")
	hdr.Set("Content-Length", strconv.Itoa(len(rep.body)))
	if rep.allow != "" {
		hdr.Set("Allow", rep.allow)
	}
	setHeaders(hdr, extra)
	w.WriteHeader(rep.status)
}

// setHeaders sets every header of extra on hdr, replacing earlier values.
func setHeaders(hdr, extra http.Header) {
	for k, vs := range extra {
		hdr.Del(k)
		for _, v := range vs {
			hdr.Add(k, v)
		}
	}
}
