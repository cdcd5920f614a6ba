package heppu

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"syscall"
	"time"

	"github.com/rs/zerolog"
)

// TransportError reports a request that got no HTTP answer: the connection
// failed, was reset, or the deadline passed first.
type TransportError struct {
	Method string
	Path   string
	// Err is the underlying network or context error.
	Err error
	// Sent is false only when the request provably never reached Heppu
	// (the connection was refused or the host not found), so a create may
	// be retried; true means Heppu may have acted on it.
	Sent bool
}

// Error names the request and what happened to it.
func (e *TransportError) Error() string {
	return fmt.Sprintf("heppu: %s %s: %v", e.Method, e.Path, e.Err)
}

// Unwrap returns the network or context error.
func (e *TransportError) Unwrap() error { return e.Err }

// Timeout reports whether the request ran out of time.
func (e *TransportError) Timeout() bool {
	if errors.Is(e.Err, context.DeadlineExceeded) {
		return true
	}
	netErr, ok := errors.AsType[net.Error](e.Err)
	return ok && netErr.Timeout()
}

// unwrapURLError drops the *url.Error layer, whose text repeats the URL.
func unwrapURLError(err error) error {
	if urlErr, ok := errors.AsType[*url.Error](err); ok {
		return urlErr.Err
	}
	return err
}

// sentRequest reports whether err leaves open that the request reached the
// server. Only a refused connection or a failed name lookup rule it out.
func sentRequest(err error) bool {
	if errors.Is(err, syscall.ECONNREFUSED) {
		return false
	}
	if _, ok := errors.AsType[*net.DNSError](err); ok {
		return false
	}
	return true
}

// Exchange describes one HTTP exchange with Heppu, for logs and metrics.
type Exchange struct {
	Method   string
	Path     string
	Status   int // 0 when no answer came
	Duration time.Duration
	Err      error
}

type observerKey struct{}

// WithObserver returns a context under which the client calls fn after each
// exchange with Heppu, each retry included, from the goroutine that made the
// call. It lets a caller log or count the requests one operation made.
func WithObserver(ctx context.Context, fn func(Exchange)) context.Context {
	return context.WithValue(ctx, observerKey{}, fn)
}

func observe(ctx context.Context, ex Exchange) {
	if fn, ok := ctx.Value(observerKey{}).(func(Exchange)); ok {
		fn(ex)
	}
	l := zerolog.Ctx(ctx).Debug().Str("method", ex.Method).Str("path", ex.Path).
		Dur("duration", ex.Duration)
	if ex.Status != 0 {
		l = l.Int("status", ex.Status)
	}
	if ex.Err != nil {
		l = l.Str("error", ex.Err.Error())
	}
	l.Msg("heppu request")
}
