package heppu

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// backoff shapes the waits between the attempts at a request.
type backoff struct {
	// base is the longest wait before the first retry; each retry doubles
	// it, up to max. The wait itself is drawn at random below that bound
	// (full jitter), so that clients rejected together do not return
	// together.
	base, max time.Duration
	// maxWait is the longest wait the client takes on, Retry-After included:
	// a longer one is left to the caller, who sees it in the error.
	maxWait time.Duration
	// sleep waits for d or until ctx is done, whichever comes first, and
	// returns ctx.Err() in the second case. Tests replace it.
	sleep func(ctx context.Context, d time.Duration) error
}

// defaultBackoff waits at most 0.2s, 0.4s and 0.8s before the first three
// retries, and follows Retry-After up to 10s.
var defaultBackoff = backoff{
	base:    200 * time.Millisecond,
	max:     5 * time.Second,
	maxWait: 10 * time.Second,
	sleep:   sleep,
}

// retryReason says why a request by method that got status (0 for no
// answer) and failed with err may be sent again, or returns "" when it must
// not be.
//
// A 429 means Heppu turned the request away unprocessed, so any request may
// be repeated; so may one whose connection could not even be made. After
// any other failure Heppu may have acted on the request, so only a request
// that does the same when repeated is: a read, an update (which sets
// fields to given values) or a delete (which is soft and succeeds again).
// A create never is, since a second one would make a second agent.
func retryReason(method string, status int, err error) string {
	if err == nil {
		return ""
	}
	idempotent := method == http.MethodGet || method == http.MethodPatch ||
		method == http.MethodDelete
	switch status {
	case http.StatusTooManyRequests:
		return "HTTP " + strconv.Itoa(status)
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		if idempotent {
			return "HTTP " + strconv.Itoa(status)
		}
		return ""
	}
	tErr, ok := errors.AsType[*TransportError](err)
	if !ok || tErr.Sent && !idempotent {
		// Not a network failure: an answer that could not be read, or a
		// status a retry would not change.
		return ""
	}
	return tErr.Err.Error()
}

// wait returns how long to wait before retry number retry+1 of a request
// that failed with err: the wait Retry-After asked for, if any, and
// otherwise a random one under an exponentially growing bound.
func (b backoff) wait(retry int, err error) time.Duration {
	if apiErr, ok := errors.AsType[*APIError](err); ok && apiErr.RetryAfter > 0 {
		return apiErr.RetryAfter
	}
	bound := b.base
	for i := 0; i < retry && bound < b.max; i++ {
		bound *= 2
	}
	bound = min(bound, b.max)
	if bound <= 0 {
		return 0
	}
	return rand.N(bound + 1)
}

// fits reports whether a wait of d is short enough to take on: no longer
// than maxWait, and over before ctx's deadline.
func (b backoff) fits(ctx context.Context, d time.Duration) bool {
	if d > b.maxWait {
		return false
	}
	deadline, ok := ctx.Deadline()
	return !ok || time.Now().Add(d).Before(deadline)
}

// sleep waits for d, or until ctx is done; then it returns ctx.Err().
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
