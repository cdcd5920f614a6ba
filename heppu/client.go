// Package heppu is a client of the Heppu Agents API
// (https://docs.heppu.ai): create, list, read, update and delete voice and
// chat agents of one organization.
//
// The client follows the API as documented and copes with its
// inconsistencies: every documented success and error envelope is decoded,
// and any failure answer becomes an *APIError.
package heppu

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rs/zerolog"
)

// DefaultBaseURL is the production API.
const DefaultBaseURL = "https://v2.heppu.ai/api/v1"

// DefaultTimeout bounds each request when NewClient is given no timeout.
const DefaultTimeout = 30 * time.Second

// MaxResponseBytes caps how much of a response body the client reads. A
// page of 100 agents with long instructions fits many times over.
const MaxResponseBytes = 16 << 20

// MaxListLimit is the largest page ListAgents asks for: the API documents
// no behaviour beyond it.
const MaxListLimit = 100

// DefaultMaxRetries is how many times a failed request is sent again when
// Options.MaxRetries is zero.
const DefaultMaxRetries = 3

// maxErrorBodyBytes caps the read of an error body: only its message is used.
const maxErrorBodyBytes = 64 << 10

// maxIdleConnsPerHost is how many idle connections to Heppu a client of its
// own keeps. net/http keeps two per host, too few for a server whose many
// sessions call the one API host at once: every call past the second would
// dial, and shake hands over TLS, anew.
const maxIdleConnsPerHost = 100

// maxPreallocBytes bounds the room made ahead for a body of announced
// length, so that a length announced but never sent costs little: past it,
// the buffer grows with what arrives.
const maxPreallocBytes = 1 << 20

// Options configures a Client. The zero value talks to DefaultBaseURL with
// DefaultTimeout and no key.
type Options struct {
	// BaseURL is the API root, such as DefaultBaseURL. It must be https,
	// or http on a loopback host (for emulators and tests).
	BaseURL string
	// APIKey is the organization's key, sent as x-api-key.
	APIKey string
	// Timeout bounds each attempt at a request, from sending it to reading
	// the whole answer; the caller's context bounds the request with all
	// its retries. Zero means DefaultTimeout.
	Timeout time.Duration
	// MaxRetries is how many times a failed request may be sent again; see
	// Client for which failures are retried. Zero means DefaultMaxRetries;
	// a negative value turns retries off.
	MaxRetries int
	// UserAgent is sent with every request, such as "heppu-mcp/1.0.0".
	UserAgent string
	// HTTPClient sends the requests; nil means a client of its own, which
	// keeps enough idle connections for many calls at once. A given
	// client's transport is used as it is. The client uses a copy that
	// follows no redirects.
	HTTPClient *http.Client
}

// Client calls the Heppu Agents API. It is safe for concurrent use.
//
// A request that fails in a way a second try may mend is sent again, up to
// Options.MaxRetries times, after an exponential backoff with jitter or the
// wait a Retry-After header asks for. Reads, updates and deletes are retried
// on 429, 502, 503 and 504 answers and on network failures. A create is
// retried only when Heppu provably did not act on it: after a 429, or when
// the connection could not be made. No request is retried once the
// caller's context is done, and no wait is started that would outlast the
// context's deadline or exceed a few seconds; the last error is returned
// instead, with its RetryAfter for the caller to act on.
type Client struct {
	base      *url.URL
	key       string
	timeout   time.Duration
	userAgent string
	http      *http.Client
	retries   int
	backoff   backoff
}

// NewClient returns a Client configured by opts. It fails when the base URL
// is not absolute, or is plain http to a host other than a loopback one,
// since the key would then cross the network in clear text.
func NewClient(opts Options) (*Client, error) {
	raw := opts.BaseURL
	if raw == "" {
		raw = DefaultBaseURL
	}
	base, err := ParseBaseURL(raw)
	if err != nil {
		return nil, err
	}
	c := &Client{
		base:      base,
		key:       opts.APIKey,
		timeout:   opts.Timeout,
		userAgent: opts.UserAgent,
		retries:   opts.MaxRetries,
		backoff:   defaultBackoff,
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	switch {
	case c.retries == 0:
		c.retries = DefaultMaxRetries
	case c.retries < 0:
		c.retries = 0
	}
	var hc http.Client
	if opts.HTTPClient != nil {
		hc = *opts.HTTPClient
	} else {
		hc.Transport = newTransport()
	}
	// net/http forwards x-api-key on a redirect even to another host or to
	// plain http. The API documents no redirects, so a 3xx is an answer.
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.http = &hc
	return c, nil
}

// newTransport returns the transport of a client of its own: the default
// one, with room for many idle connections to one host.
func newTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = maxIdleConnsPerHost
	if t.MaxIdleConns != 0 { // zero is no limit at all
		t.MaxIdleConns = max(t.MaxIdleConns, maxIdleConnsPerHost)
	}
	return t
}

// ParseBaseURL checks that raw is a usable API root: an absolute https URL,
// or an http URL whose host is loopback (localhost, 127.0.0.0/8, ::1).
// Errors name the rule that failed but never echo a userinfo part.
func ParseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("base URL is not a valid URL")
	}
	if u.User != nil {
		return nil, errors.New("base URL must not contain credentials; set the key in HEPPU_API_KEY")
	}
	if u.Host == "" {
		return nil, fmt.Errorf("base URL %q must be absolute, such as %s", raw, DefaultBaseURL)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		// Not echoed: a query is where a key would be put by mistake.
		return nil, errors.New("base URL must not have a query or fragment")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !IsLoopbackHost(u.Hostname()) {
			return nil, fmt.Errorf("base URL %q uses plain http to a host that is not loopback; use https", raw)
		}
	default:
		return nil, fmt.Errorf("base URL %q must use https", raw)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	return u, nil
}

// IsLoopbackHost reports whether host (without a port) names this machine:
// localhost or a loopback IP address.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// WithAPIKey returns a copy of c that authenticates with key. The copy
// shares c's connection pool.
func (c *Client) WithAPIKey(key string) *Client {
	cp := *c
	cp.key = key
	return &cp
}

// HasAPIKey reports whether c has a key to send.
func (c *Client) HasAPIKey() bool { return c.key != "" }

// BaseURL returns the API root the client calls.
func (c *Client) BaseURL() string { return c.base.String() }

// CreateAgent creates an agent: POST /agents.
func (c *Client) CreateAgent(ctx context.Context, req *CreateAgentRequest) (*Agent, error) {
	return do[Agent](ctx, c, http.MethodPost, "/agents", nil, req)
}

// ListAgents returns one page of the organization's agents: GET /agents.
// A limit above MaxListLimit is sent as MaxListLimit.
func (c *Client) ListAgents(ctx context.Context, opts *ListAgentsOptions) (*AgentList, error) {
	q := url.Values{}
	if opts != nil {
		if opts.Type != "" {
			q.Set("type", string(opts.Type))
		}
		if opts.Status != "" {
			q.Set("status", string(opts.Status))
		}
		if opts.Limit > 0 {
			q.Set("limit", strconv.Itoa(min(opts.Limit, MaxListLimit)))
		}
		if opts.Offset > 0 {
			q.Set("offset", strconv.Itoa(opts.Offset))
		}
	}
	return do[AgentList](ctx, c, http.MethodGet, "/agents", q, nil)
}

// GetAgent returns one agent with its tools: GET /agents/{agentId}.
func (c *Client) GetAgent(ctx context.Context, id string) (*Agent, error) {
	path, err := agentPath(id)
	if err != nil {
		return nil, err
	}
	return do[Agent](ctx, c, http.MethodGet, path, nil, nil)
}

// UpdateAgent changes the fields set in req: PATCH /agents/{agentId}. The
// API answers with a confirmation, not the agent; use GetAgent to read it.
func (c *Client) UpdateAgent(ctx context.Context, id string, req *UpdateAgentRequest) (*UpdateResult, error) {
	path, err := agentPath(id)
	if err != nil {
		return nil, err
	}
	res, err := do[UpdateResult](ctx, c, http.MethodPatch, path, nil, req)
	if err != nil {
		return nil, err
	}
	if res.ID == "" {
		*res = UpdateResult{ID: id, Updated: true}
	}
	return res, nil
}

// DeleteAgent soft-deletes an agent: DELETE /agents/{agentId}. The agent
// becomes inactive and keeps its data; UpdateAgent with StatusActive
// restores it.
func (c *Client) DeleteAgent(ctx context.Context, id string) (*DeleteResult, error) {
	path, err := agentPath(id)
	if err != nil {
		return nil, err
	}
	res, err := do[DeleteResult](ctx, c, http.MethodDelete, path, nil, nil)
	if err != nil {
		return nil, err
	}
	if res.ID == "" {
		// 204 No Content, which the errors page ties to deletions.
		*res = DeleteResult{ID: id, Deleted: true}
	}
	return res, nil
}

// agentPath returns the path of agent id, escaped so that any ID stays one
// segment. An empty or dot ID would still name another resource (the list,
// or a parent), so it is refused before anything is sent.
func agentPath(id string) (string, error) {
	if id == "" || id == "." || id == ".." {
		return "", fmt.Errorf("heppu: invalid agent ID %q", id)
	}
	return "/agents/" + url.PathEscape(id), nil
}

// do sends a request through c, retrying it as the Client doc describes,
// and returns the data of the success envelope as a T. Every endpoint goes
// through here.
func do[T any](ctx context.Context, c *Client, method, path string, q url.Values,
	in any) (*T, error) {
	if c.key == "" {
		return nil, ErrNoAPIKey
	}
	target, err := c.endpointURL(path, q)
	if err != nil {
		return nil, fmt.Errorf("building request: %w", err)
	}
	var body []byte
	if in != nil {
		if body, err = encodeBody(in); err != nil {
			return nil, fmt.Errorf("encoding request: %w", err)
		}
	}

	for retry := 0; ; retry++ {
		out, status, err := send[T](ctx, c, method, path, target, body)
		reason := retryReason(method, status, err)
		if reason == "" || retry >= c.retries || ctx.Err() != nil {
			return out, err
		}

		wait := c.backoff.wait(retry, err)
		log := zerolog.Ctx(ctx).Debug().Str("method", method).Str("path", path).
			Int("attempt", retry+2).Dur("wait", wait).Str("reason", reason)
		if !c.backoff.fits(ctx, wait) {
			log.Msg("heppu request not retried: the wait is too long")
			return nil, err
		}
		log.Msg("heppu request retry")
		if waitErr := c.backoff.sleep(ctx, wait); waitErr != nil {
			return nil, fmt.Errorf("%w (retry abandoned: %w)", err, waitErr)
		}
	}
}

// endpointURL returns the URL of path, which is escaped (see agentPath),
// with query q.
func (c *Client) endpointURL(path string, q url.Values) (string, error) {
	// Path takes the decoded form, and RawPath keeps an escaped slash
	// inside an ID from splitting the segment.
	unescaped, err := url.PathUnescape(path)
	if err != nil {
		return "", err
	}
	u := *c.base
	u.Path += unescaped
	u.RawPath = ""
	if c.base.RawPath != "" || strings.Contains(path, "%") {
		u.RawPath = c.base.EscapedPath() + path
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// send makes one attempt at a request through c, within the per-attempt
// timeout: auth, the capped read, envelope and error decoding, and the
// report to the observer and the debug log. It returns the data of the
// answer, and its HTTP status, or 0 when none came.
func send[T any](ctx context.Context, c *Client, method, path, target string,
	body []byte) (*T, int, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()

	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, r)
	if err != nil {
		return nil, 0, fmt.Errorf("building request: %w", err)
	}
	// No Idempotency-Key header: with one, net/http would replay a POST on
	// its own after a failure that leaves it ambiguous. The keys are in
	// canonical form, which Set then need not allocate.
	req.Header.Set("X-Api-Key", c.key)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}

	start := time.Now()
	resp, err := c.http.Do(req)
	ex := Exchange{Method: method, Path: path, Duration: time.Since(start)}
	if err != nil {
		ex.Err = err
		observe(ctx, ex)
		return nil, 0, &TransportError{Method: method, Path: path, Err: unwrapURLError(err),
			Sent: sentRequest(err)}
	}
	defer resp.Body.Close()

	out, err := readResponse[T](resp, method)
	if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
		// The deadline or a cancel cut the body off: no whole answer came.
		err = &TransportError{Method: method, Path: path, Err: ctxErr, Sent: true}
	}
	if apiErr, ok := errors.AsType[*APIError](err); ok {
		// A server may echo the key it rejects; it must reach no log or model.
		apiErr.Message = strings.ReplaceAll(apiErr.Message, c.key, "[redacted]")
	}
	ex.Status, ex.Duration, ex.Err = resp.StatusCode, time.Since(start), err
	observe(ctx, ex)
	if err != nil {
		return nil, resp.StatusCode, err
	}
	return out, resp.StatusCode, nil
}

// readResponse turns the response to a method request into the data of its
// success envelope, or an error.
func readResponse[T any](resp *http.Response, method string) (*T, error) {
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, decodeError(resp)
	}
	data, err := readBody(resp)
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			err = fmt.Errorf("truncated body: %w", err)
		}
		return nil, &ResponseError{StatusCode: resp.StatusCode, Err: err}
	}
	if len(data) > MaxResponseBytes {
		return nil, &ResponseError{StatusCode: resp.StatusCode, Err: ErrBodyTooLarge}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		// Only a change may answer with nothing; a create, a read or a
		// list that does has lost the resource it promised.
		if resp.StatusCode == http.StatusNoContent &&
			(method == http.MethodPatch || method == http.MethodDelete) {
			return new(T), nil
		}
		return nil, &ResponseError{StatusCode: resp.StatusCode, Err: errors.New("empty body")}
	}

	// An agent, the usual answer, is decoded without reflection when it
	// can be (decodeAgentAnswer says when).
	if _, ok := any((*T)(nil)).(*Agent); ok {
		if agent, ok := decodeAgentAnswer(data); ok {
			return any(agent).(*T), nil
		}
	}

	// The usual answer, a well-formed success with its data, is decoded in
	// one pass. The data is decoded into a T of its own, which stays nil
	// when "data" is absent or null; a T made beforehand would not tell
	// those from {}. Any other answer is decoded again, step by step, to
	// find the error to report.
	var env struct {
		Success *bool `json:"success"`
		Data    *T    `json:"data"`
	}
	if json.Unmarshal(data, &env) == nil && (env.Success == nil || *env.Success) &&
		env.Data != nil {
		return env.Data, nil
	}
	return decodeEnvelope[T](resp.StatusCode, data)
}

// readBody reads the body of resp, up to one byte past MaxResponseBytes,
// with room made ahead when its length is announced.
func readBody(resp *http.Response) ([]byte, error) {
	var buf bytes.Buffer
	if n := resp.ContentLength; n > 0 && n <= maxPreallocBytes {
		// ReadFrom wants MinRead bytes free before each read, EOF included.
		buf.Grow(int(n) + bytes.MinRead)
	}
	_, err := buf.ReadFrom(io.LimitReader(resp.Body, MaxResponseBytes+1))
	return buf.Bytes(), err
}

// decodeEnvelope decodes the body of a 2xx answer that readResponse could
// not take in one pass: envelope first, data after. A failure the envelope
// declares, or a fault in its own fields, is so reported ahead of any fault
// in the data, wherever each stands in the body.
func decodeEnvelope[T any](status int, data []byte) (*T, error) {
	var env struct {
		Success *bool           `json:"success"`
		Data    json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(data, &env); err != nil {
		return nil, &ResponseError{StatusCode: status, Err: jsonProblem(err, data)}
	}
	if env.Success != nil && !*env.Success {
		// A failure dressed as a success status; believe the body.
		apiErr := errorFromBody(status, data)
		if apiErr.StatusCode < 400 {
			apiErr.StatusCode = http.StatusBadGateway
		}
		return nil, apiErr
	}
	if len(env.Data) == 0 || string(env.Data) == "null" {
		return nil, &ResponseError{StatusCode: status, Err: errors.New(`no "data" in the body`)}
	}
	out := new(T)
	if err := json.Unmarshal(env.Data, out); err != nil {
		return nil, &ResponseError{StatusCode: status, Err: jsonProblem(err, env.Data)}
	}
	return out, nil
}

// decodeError builds the APIError of a non-2xx response.
func decodeError(resp *http.Response) *APIError {
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBodyBytes))
	apiErr := errorFromBody(resp.StatusCode, data)
	apiErr.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	return apiErr
}

// errorFromBody reads whichever documented error envelope body holds:
//
//	{"success": false, "error": {"message": "...", "code": 401}}
//	{"error": {"message": "...", "status": 401, "code": "invalid_api_key"}}
//
// and also a bare {"message": "..."} or {"error": "..."}. Anything else,
// such as a proxy's HTML page, gives the status text.
func errorFromBody(status int, body []byte) *APIError {
	apiErr := &APIError{StatusCode: status, Message: http.StatusText(status)}
	if apiErr.Message == "" {
		apiErr.Message = "HTTP " + strconv.Itoa(status)
	}
	var env struct {
		Error   json.RawMessage `json:"error"`
		Message string          `json:"message"`
		Code    json.RawMessage `json:"code"`
	}
	if json.Unmarshal(body, &env) != nil {
		return apiErr
	}
	var detail struct {
		Message string          `json:"message"`
		Code    json.RawMessage `json:"code"`
	}
	var text string
	switch {
	case json.Unmarshal(env.Error, &detail) == nil && (detail.Message != "" || len(detail.Code) > 0):
	case json.Unmarshal(env.Error, &text) == nil && text != "":
		detail.Message = text
	default:
		detail.Message, detail.Code = env.Message, env.Code
	}
	if m := strings.TrimSpace(detail.Message); m != "" {
		apiErr.Message = truncate(m, maxMessageBytes)
	}
	apiErr.Code = truncate(codeString(detail.Code), maxMessageBytes)
	return apiErr
}

// maxMessageBytes caps an error's message and code: a success status may
// carry a failure envelope of any size, and an error is not a document.
const maxMessageBytes = 4 << 10

// truncate shortens s to at most n bytes, on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// codeString renders an error code that may be a JSON number or string.
func codeString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// parseRetryAfter reads a Retry-After header in seconds or as an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil {
		// Past the largest Duration, the product would wrap around.
		if secs < 0 || secs > int(math.MaxInt64/time.Second) {
			return 0
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now).Round(time.Second)
	}
	return 0
}

// jsonProblem shortens an error decoding data to what went wrong, dropping
// the offending bytes, which could be anything.
func jsonProblem(err error, data []byte) error {
	if typeErr, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		return fmt.Errorf("field %q: got JSON %s, want %s", typeErr.Field, typeErr.Value, typeErr.Type)
	}
	if syntaxErr, ok := errors.AsType[*json.SyntaxError](err); ok {
		// Unmarshal reports a body cut short as a syntax error at its end.
		if syntaxErr.Offset >= int64(len(data)) {
			return errors.New("truncated JSON")
		}
		return errors.New("malformed JSON")
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("truncated JSON")
	}
	return err
}
