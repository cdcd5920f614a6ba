package heppu

import (
	"context"
	"errors"
	"net"
	"os"
	"slices"
	"syscall"
	"testing"
	"time"
)

func TestRetryReason(t *testing.T) {
	t.Parallel()

	refused := &TransportError{Err: &net.OpError{Op: "dial", Net: "tcp",
		Err: &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}}}
	reset := &TransportError{Err: syscall.ECONNRESET, Sent: true}
	timeout := &TransportError{Err: context.DeadlineExceeded, Sent: true}
	apiErr := func(status int) error { return &APIError{StatusCode: status} }
	unreadable := &ResponseError{StatusCode: 200, Err: errors.New("truncated JSON")}
	// Any method may be repeated when Heppu did not act on it; otherwise
	// only those that do the same again.
	all := []string{"POST", "GET", "PATCH", "DELETE", "PUT"}
	idempotent := []string{"GET", "PATCH", "DELETE"}

	tests := []struct {
		name   string
		status int
		err    error
		// want lists the methods the failure is retried for.
		want []string
	}{
		{name: "success", status: 200, err: nil, want: nil},
		{name: "429", status: 429, err: apiErr(429), want: all},
		{name: "502", status: 502, err: apiErr(502), want: idempotent},
		{name: "503", status: 503, err: apiErr(503), want: idempotent},
		{name: "504", status: 504, err: apiErr(504), want: idempotent},
		{name: "500", status: 500, err: apiErr(500), want: nil},
		{name: "408", status: 408, err: apiErr(408), want: nil},
		{name: "404", status: 404, err: apiErr(404), want: nil},
		// A 200 whose body says it failed becomes a 502 APIError; the
		// status that came is what counts.
		{name: "200 with success false", status: 200, err: apiErr(502), want: nil},
		{name: "unreadable 200", status: 200, err: unreadable, want: nil},
		{name: "refused", status: 0, err: refused, want: all},
		{name: "reset", status: 0, err: reset, want: idempotent},
		{name: "timeout", status: 0, err: timeout, want: idempotent},
		{name: "body cut off by the timeout", status: 200, err: timeout, want: idempotent},
		{name: "no key", status: 0, err: ErrNoAPIKey, want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, method := range all {
				reason := retryReason(method, tc.status, tc.err)
				if got, want := reason != "", slices.Contains(tc.want, method); got != want {
					t.Errorf("retryReason(%s) = %q, want retried %t", method, reason, want)
				}
			}
		})
	}
}

func TestBackoffWait(t *testing.T) {
	t.Parallel()
	b := backoff{base: 100 * time.Millisecond, max: time.Second}

	for retry, bound := range []time.Duration{
		100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond,
		800 * time.Millisecond, time.Second, time.Second,
	} {
		var longest time.Duration
		for range 200 {
			d := b.wait(retry, &APIError{StatusCode: 503})
			if d < 0 || d > bound {
				t.Fatalf("wait(%d) = %v, want 0 to %v", retry, d, bound)
			}
			longest = max(longest, d)
		}
		// With full jitter, 200 draws all in the lower half would be a
		// broken random source.
		if longest <= bound/2 {
			t.Errorf("wait(%d) never went above %v in 200 draws", retry, longest)
		}
	}
	if d := b.wait(1000, nil); d > time.Second {
		t.Errorf("wait(1000) = %v, want at most the cap", d)
	}
	retryAfter := &APIError{StatusCode: 429, RetryAfter: 7 * time.Second}
	if d := b.wait(0, retryAfter); d != 7*time.Second {
		t.Errorf("wait with Retry-After 7s = %v, want 7s", d)
	}
	if d := (backoff{}).wait(3, nil); d != 0 {
		t.Errorf("wait of a zero backoff = %v, want 0", d)
	}
}

func TestBackoffFits(t *testing.T) {
	t.Parallel()
	b := backoff{maxWait: 10 * time.Second}

	tests := []struct {
		name string
		// deadline is the context's, from now; zero for none.
		deadline time.Duration
		wait     time.Duration
		want     bool
	}{
		{name: "no deadline", wait: 10 * time.Second, want: true},
		{name: "past the longest wait", wait: 11 * time.Second, want: false},
		{name: "before the deadline", deadline: time.Minute, wait: 5 * time.Second, want: true},
		{name: "past the deadline", deadline: 2 * time.Second, wait: 5 * time.Second, want: false},
		{name: "zero", deadline: time.Minute, wait: 0, want: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			if tc.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.deadline)
				defer cancel()
			}
			if got := b.fits(ctx, tc.wait); got != tc.want {
				t.Errorf("fits(%v) = %t, want %t", tc.wait, got, tc.want)
			}
		})
	}
}
