package heppu_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"

	"github.com/heppu-ai/heppu-mcp/heppu"
	"github.com/heppu-ai/heppu-mcp/heppu/hepputest"
)

// waits records the waits a client chose between attempts, in place of
// waiting them out. A Client calls it from the goroutine of the call.
type waits []time.Duration

func (w *waits) sleep(ctx context.Context, d time.Duration) error {
	*w = append(*w, d)
	return ctx.Err()
}

// noWait retries at once.
func noWait(ctx context.Context, _ time.Duration) error { return ctx.Err() }

// failing returns a server that answers every request with status and the
// Retry-After header retryAfter, if set, and counts the requests.
func failing(t *testing.T, status int, retryAfter string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		respond(status, jsonType, failed(status, http.StatusText(status)))(w, r)
	})
	return srv, &n
}

func TestEmulatorRetries(t *testing.T) {
	t.Parallel()

	// retries says which requests a fault is retried for.
	type retries int
	const (
		never retries = iota
		idempotent
		always
	)
	tests := []struct {
		name  string
		fault hepputest.Fault
		// timeout is the client's Options.Timeout; zero for the default.
		timeout time.Duration
		retry   retries
		// wait is the wait Retry-After asks for; zero when the client
		// draws a backoff.
		wait time.Duration
		// status is StatusCode of the error when the fault is not retried.
		status int
		// applied is whether the faulted request takes effect.
		applied bool
	}{
		{
			name:   "429",
			fault:  hepputest.Fault{Status: 429},
			retry:  always,
			status: 429,
		},
		{
			name: "429 with Retry-After",
			fault: hepputest.Fault{Status: 429, Header: http.Header{"Retry-After": {"1"}},
				Body: `{"success":false,"error":{"message":"Too many requests","code":429}}`},
			retry:  always,
			wait:   time.Second,
			status: 429,
		},
		{
			name:   "502 proxy page",
			fault:  hepputest.Fault{NonJSON: true},
			retry:  idempotent,
			status: 502,
		},
		{
			name: "503 with Retry-After",
			fault: hepputest.Fault{NonJSON: true, Status: 503,
				Header: http.Header{"Retry-After": {"2"}}},
			retry:  idempotent,
			wait:   2 * time.Second,
			status: 503,
		},
		{
			name:   "504",
			fault:  hepputest.Fault{Status: 504, ContentType: "text/plain", Body: "upstream gone"},
			retry:  idempotent,
			status: 504,
		},
		{
			// The ambiguous failure: Heppu acted, the answer was lost.
			name:    "502 after applying",
			fault:   hepputest.Fault{Status: 502, Apply: true},
			retry:   idempotent,
			status:  502,
			applied: true,
		},
		{
			name:   "500",
			fault:  hepputest.Fault{Status: 500},
			retry:  never,
			status: 500,
		},
		{
			name:   "501",
			fault:  hepputest.Fault{Status: 501},
			retry:  never,
			status: 501,
		},
		{
			name: "401",
			fault: hepputest.Fault{Status: 401,
				Body: `{"success":false,"error":{"message":"Invalid API key","code":401}}`},
			retry:  never,
			status: 401,
		},
		{
			name: "200 with success false",
			fault: hepputest.Fault{Status: 200,
				Body: `{"success":false,"error":{"message":"Bad gateway","code":502}}`},
			retry:  never,
			status: 502,
		},
		{
			name:    "body cut off",
			fault:   hepputest.Fault{Truncate: true},
			retry:   never,
			applied: true,
		},
		{
			name:  "reset",
			fault: hepputest.Fault{Reset: true},
			retry: idempotent,
		},
		{
			name:    "reset after applying",
			fault:   hepputest.Fault{Reset: true, Apply: true},
			retry:   idempotent,
			applied: true,
		},
		{
			name:    "hang past the timeout",
			fault:   hepputest.Fault{Hang: true},
			timeout: 100 * time.Millisecond,
			retry:   idempotent,
		},
		{
			name:    "delay past the timeout after applying",
			fault:   hepputest.Fault{Delay: time.Minute, Apply: true},
			timeout: 100 * time.Millisecond,
			retry:   idempotent,
			applied: true,
		},
	}
	for _, tc := range tests {
		for _, ep := range emulatorEndpoints {
			t.Run(tc.name+"/"+ep.name, func(t *testing.T) {
				t.Parallel()
				// A connection per request: net/http replays a GET once
				// on a reused connection that fails, which would spend a
				// fault before the client's own retry.
				noReuse := &http.Transport{DisableKeepAlives: true}
				srv, c := newEmulator(t, heppu.Options{
					Timeout:    tc.timeout,
					HTTPClient: &http.Client{Transport: noReuse},
				})
				var waited waits
				heppu.SetRetryWait(c, time.Millisecond, waited.sleep)
				id := mustCreate(t, c, frontDesk).ID
				srv.ResetRequests()

				// Two faults in a row: a retried request gets through on
				// its third attempt.
				srv.FailNext(tc.fault, tc.fault)
				got, err := ep.call(t.Context(), c, id)
				checkNoKey(t, err)
				retried := tc.retry == always || tc.retry == idempotent && ep.name != "CreateAgent"

				reqs := srv.Requests()
				if retried {
					if err != nil {
						t.Fatalf("got %v, want success after retries", err)
					}
					if isNil(got) {
						t.Errorf("got a nil result")
					}
					if len(reqs) != 3 || len(waited) != 2 {
						t.Errorf("sent %d requests after %d waits, want 3 after 2",
							len(reqs), len(waited))
					}
				} else {
					if err == nil {
						t.Fatalf("got %+v, want the fault's error", got)
					}
					if s := heppu.StatusCode(err); s != tc.status {
						t.Errorf("StatusCode(err) = %d, want %d (error %v)", s, tc.status, err)
					}
					if len(reqs) != 1 || len(waited) != 0 {
						t.Errorf("sent %d requests after %d waits, want 1 after none",
							len(reqs), len(waited))
					}
				}
				for i, d := range waited {
					if bound := time.Millisecond << i; tc.wait == 0 && (d < 0 || d > bound) {
						t.Errorf("wait %d = %v, want a backoff up to %v", i, d, bound)
					}
					if tc.wait != 0 && d != tc.wait {
						t.Errorf("wait %d = %v, want Retry-After's %v", i, d, tc.wait)
					}
				}
				for _, r := range reqs[1:] {
					if r.Method != reqs[0].Method || r.RawPath != reqs[0].RawPath ||
						!bytes.Equal(r.Body, reqs[0].Body) {
						t.Errorf("retry %s %s %s differs from %s %s %s", r.Method, r.RawPath,
							r.Body, reqs[0].Method, reqs[0].RawPath, reqs[0].Body)
					}
				}

				// Never two agents from one create, whatever happened.
				var created int
				for _, a := range srv.Agents("acme") {
					if a.Name == "Second" {
						created++
					}
				}
				want := 0
				if ep.name == "CreateAgent" && (retried || tc.applied) {
					want = 1
				}
				if created != want {
					t.Errorf("the create made %d agents, want %d", created, want)
				}
			})
		}
	}
}

// failFirst is a RoundTripper that fails the first request with err, as if
// the connection failed, and hands the rest to next.
type failFirst struct {
	err   error
	next  http.RoundTripper
	trips atomic.Int32
}

func (f *failFirst) RoundTrip(r *http.Request) (*http.Response, error) {
	if f.trips.Add(1) == 1 {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, f.err
	}
	return f.next.RoundTrip(r)
}

func TestRetryConnectionFailures(t *testing.T) {
	t.Parallel()

	refused := &net.OpError{Op: "dial", Net: "tcp",
		Err: &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}}
	notFound := &net.DNSError{Err: "no such host", Name: "v2.heppu.ai", IsNotFound: true}
	reset := &net.OpError{Op: "read", Net: "tcp",
		Err: &os.SyscallError{Syscall: "read", Err: syscall.ECONNRESET}}

	tests := []struct {
		name string
		// err fails the first attempt.
		err error
		// create is true for CreateAgent, false for ListAgents.
		create  bool
		retried bool
	}{
		{name: "create refused", err: refused, create: true, retried: true},
		{name: "create host not found", err: notFound, create: true, retried: true},
		{name: "create reset", err: reset, create: true, retried: false},
		{name: "create connection closed", err: io.ErrUnexpectedEOF, create: true, retried: false},
		{name: "list reset", err: reset, retried: true},
		{name: "list refused", err: refused, retried: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rt := &failFirst{err: tc.err, next: http.DefaultTransport}
			srv, c := newEmulator(t, heppu.Options{HTTPClient: &http.Client{Transport: rt}})
			var waited waits
			heppu.SetRetryWait(c, time.Millisecond, waited.sleep)
			call := listAgents
			if tc.create {
				call = createSecond
			}

			err := call(t.Context(), c)
			checkNoKey(t, err)
			want := struct{ Trips, Served, Waits, Agents int }{1, 0, 0, 0}
			if tc.retried {
				want.Trips, want.Served, want.Waits = 2, 1, 1
				if err != nil {
					t.Errorf("got %v, want success after a retry", err)
				}
			} else if _, ok := errors.AsType[*heppu.TransportError](err); !ok {
				t.Errorf("got %v, want a *TransportError", err)
			}
			if tc.retried && tc.create {
				want.Agents = 1
			}
			got := struct{ Trips, Served, Waits, Agents int }{int(rt.trips.Load()),
				len(srv.Requests()), len(waited), len(srv.Agents("acme"))}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("counts mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func createSecond(ctx context.Context, c *heppu.Client) error {
	_, err := c.CreateAgent(ctx, &heppu.CreateAgentRequest{Name: "Second", Type: heppu.Chat})
	return err
}

func listAgents(ctx context.Context, c *heppu.Client) error {
	_, err := c.ListAgents(ctx, nil)
	return err
}

func TestMaxRetries(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name       string
		maxRetries int
		status     int
		call       func(context.Context, *heppu.Client) error
		want       int // requests
	}{
		{name: "default", maxRetries: 0, status: 503, call: getAgent,
			want: 1 + heppu.DefaultMaxRetries},
		{name: "one", maxRetries: 1, status: 503, call: getAgent, want: 2},
		{name: "five", maxRetries: 5, status: 504, call: getAgent, want: 6},
		{name: "negative", maxRetries: -1, status: 503, call: getAgent, want: 1},
		{name: "create default", maxRetries: 0, status: 429, call: createSecond,
			want: 1 + heppu.DefaultMaxRetries},
		{name: "create negative", maxRetries: -1, status: 429, call: createSecond, want: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, requests := failing(t, tc.status, "")
			c := newClient(t, srv, heppu.Options{MaxRetries: tc.maxRetries})
			var waited waits
			heppu.SetRetryWait(c, time.Millisecond, waited.sleep)

			err := tc.call(t.Context(), c)
			want := &heppu.APIError{StatusCode: tc.status, Code: strconv.Itoa(tc.status),
				Message: http.StatusText(tc.status)}
			apiErr, ok := errors.AsType[*heppu.APIError](err)
			if !ok {
				t.Fatalf("got %v, want the last *APIError", err)
			}
			if diff := cmp.Diff(want, apiErr); diff != "" {
				t.Errorf("error mismatch (-want +got):\n%s", diff)
			}
			if n := int(requests.Load()); n != tc.want || len(waited) != tc.want-1 {
				t.Errorf("sent %d requests after %d waits, want %d after %d",
					n, len(waited), tc.want, tc.want-1)
			}
		})
	}
}

func getAgent(ctx context.Context, c *heppu.Client) error {
	_, err := c.GetAgent(ctx, agentID)
	return err
}

func TestRetryWaitLimits(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name       string
		status     int
		retryAfter string
		// deadline is the caller's, from the call; zero for none.
		deadline time.Duration
		call     func(context.Context, *heppu.Client) error
		want     []time.Duration
	}{
		{
			name:       "Retry-After honoured",
			status:     429,
			retryAfter: "1",
			call:       createSecond,
			want:       []time.Duration{time.Second, time.Second, time.Second},
		},
		{
			name:       "Retry-After within the deadline",
			status:     503,
			retryAfter: "2",
			deadline:   time.Hour,
			call:       getAgent,
			want:       []time.Duration{2 * time.Second, 2 * time.Second, 2 * time.Second},
		},
		{
			name:       "Retry-After past the deadline",
			status:     429,
			retryAfter: "5",
			deadline:   3 * time.Second,
			call:       getAgent,
			want:       nil,
		},
		{
			name:       "Retry-After past the longest wait",
			status:     503,
			retryAfter: "3600",
			call:       getAgent,
			want:       nil,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, requests := failing(t, tc.status, tc.retryAfter)
			c := newClient(t, srv, heppu.Options{})
			var waited waits
			heppu.SetRetryWait(c, time.Millisecond, waited.sleep)
			ctx := t.Context()
			if tc.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.deadline)
				defer cancel()
			}

			err := tc.call(ctx, c)
			if s := heppu.StatusCode(err); s != tc.status {
				t.Errorf("got %v, want the last %d", err, tc.status)
			}
			if ctx.Err() != nil {
				t.Errorf("the call outlived the caller's deadline")
			}
			if diff := cmp.Diff(tc.want, []time.Duration(waited)); diff != "" {
				t.Errorf("waits mismatch (-want +got):\n%s", diff)
			}
			if n := int(requests.Load()); n != len(tc.want)+1 {
				t.Errorf("sent %d requests, want %d", n, len(tc.want)+1)
			}
		})
	}
	if heppu.MaxRetryWait >= time.Hour {
		t.Errorf("MaxRetryWait = %v; the longest-wait case needs a longer Retry-After",
			heppu.MaxRetryWait)
	}
}

func TestRetryCancelledWhileWaiting(t *testing.T) {
	t.Parallel()
	srv, requests := failing(t, 503, "5")
	c := newClient(t, srv, heppu.Options{})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var asked time.Duration
	heppu.SetRetryWait(c, time.Millisecond, func(ctx context.Context, d time.Duration) error {
		asked = d
		cancel()
		return heppu.Sleep(ctx, d)
	})

	start := time.Now()
	_, err := c.ListAgents(ctx, nil)
	elapsed := time.Since(start)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want it to wrap context.Canceled", err)
	}
	if s := heppu.StatusCode(err); s != 503 {
		t.Errorf("StatusCode(err) = %d, want the last answer's 503", s)
	}
	if asked != 5*time.Second || elapsed >= asked {
		t.Errorf("returned after %v of a %v wait, want before its end", elapsed, asked)
	}
	if n := requests.Load(); n != 1 {
		t.Errorf("sent %d requests, want 1", n)
	}
}

func TestRetrySleepWaits(t *testing.T) {
	t.Parallel()
	var requests atomic.Int32
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if requests.Add(1) == 1 {
			respond(502, "", "")(w, r)
			return
		}
		respond(200, jsonType, envelope(voiceAgentJSON))(w, r)
	})
	c := newClient(t, srv, heppu.Options{})
	heppu.SetRetryWait(c, time.Millisecond, heppu.Sleep)

	got, err := c.GetAgent(t.Context(), agentID)
	if err != nil {
		t.Fatalf("GetAgent: %v", err)
	}
	if diff := cmp.Diff(voiceAgent, got); diff != "" {
		t.Errorf("agent mismatch (-want +got):\n%s", diff)
	}
	if n := requests.Load(); n != 2 {
		t.Errorf("sent %d requests, want 2", n)
	}
}

func TestNoRetryOnceCallerGaveUp(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name string
		// cancels is true when the server cancels the call; otherwise the
		// caller's deadline passes while the server holds the request.
		cancels bool
		wantErr error
	}{
		{name: "deadline", wantErr: context.DeadlineExceeded},
		{name: "cancel", cancels: true, wantErr: context.Canceled},
	}
	for _, tc := range tests {
		for _, ep := range endpoints {
			t.Run(tc.name+"/"+ep.name, func(t *testing.T) {
				t.Parallel()
				ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
				defer cancel()
				var requests atomic.Int32
				srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
					requests.Add(1)
					// The server sees the client leave only once the
					// body is read.
					io.Copy(io.Discard, r.Body)
					if tc.cancels {
						cancel()
					}
					<-r.Context().Done()
				})
				c := newClient(t, srv, heppu.Options{})
				var waited waits
				heppu.SetRetryWait(c, time.Millisecond, waited.sleep)

				_, err := ep.call(ctx, c)
				if _, ok := errors.AsType[*heppu.TransportError](err); !ok ||
					!errors.Is(err, tc.wantErr) {
					t.Errorf("got %v, want a *TransportError wrapping %v", err, tc.wantErr)
				}
				if n := requests.Load(); n != 1 || len(waited) != 0 {
					t.Errorf("sent %d requests after %d waits, want 1 after none",
						n, len(waited))
				}
			})
		}
	}
}

func TestRetryLog(t *testing.T) {
	t.Parallel()
	srv, _ := failing(t, 503, "1")
	c := newClient(t, srv, heppu.Options{MaxRetries: 1})
	heppu.SetRetryWait(c, time.Millisecond, noWait)
	var buf bytes.Buffer
	ctx := zerolog.New(&buf).Level(zerolog.DebugLevel).WithContext(t.Context())

	c.DeleteAgent(ctx, agentID)
	if strings.Contains(buf.String(), testKey) {
		t.Errorf("the log holds the API key:\n%s", buf.String())
	}
	var retries []map[string]any
	var requests int
	for line := range strings.Lines(buf.String()) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		switch m["message"] {
		case "heppu request":
			requests++
		case "heppu request retry":
			retries = append(retries, m)
		}
	}
	want := []map[string]any{{
		"level":   "debug",
		"message": "heppu request retry",
		"method":  "DELETE",
		"path":    "/agents/" + agentID,
		"attempt": 2.0,
		"wait":    1000.0,
		"reason":  "HTTP 503",
	}}
	if diff := cmp.Diff(want, retries); diff != "" {
		t.Errorf("retry lines mismatch (-want +got):\n%s", diff)
	}
	if requests != 2 {
		t.Errorf("logged %d requests, want 2", requests)
	}
}
