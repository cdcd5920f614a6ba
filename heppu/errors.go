package heppu

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// APIError is an error answer from the Heppu API: any response whose status
// is not 2xx. Message is Heppu's own text when the body carried one, and
// otherwise the HTTP status text; it is never the raw body.
type APIError struct {
	// StatusCode is the HTTP status of the response.
	StatusCode int
	// Code is the error code the body gave: a string such as
	// "invalid_api_key" on the general error format, or the status again
	// on the agents pages' format. Empty when the body had none.
	Code string
	// Message is the error message of the body, or the status text.
	Message string
	// RetryAfter is the wait the Retry-After header asked for; zero when
	// the header was absent or unreadable.
	RetryAfter time.Duration
}

// Error describes the failure with its status, message and code.
func (e *APIError) Error() string {
	if e.Code != "" && e.Code != fmt.Sprint(e.StatusCode) {
		return fmt.Sprintf("heppu: %d %s (%s)", e.StatusCode, e.Message, e.Code)
	}
	return fmt.Sprintf("heppu: %d %s", e.StatusCode, e.Message)
}

// StatusCode returns the HTTP status of err when it is, or wraps, an
// *APIError, and 0 otherwise.
func StatusCode(err error) int {
	if apiErr, ok := errors.AsType[*APIError](err); ok {
		return apiErr.StatusCode
	}
	return 0
}

// IsNotFound reports whether err is Heppu's 404, such as "Agent not found".
func IsNotFound(err error) bool { return StatusCode(err) == http.StatusNotFound }

// IsUnauthorized reports whether err is Heppu's 401: the key is missing,
// malformed or revoked.
func IsUnauthorized(err error) bool { return StatusCode(err) == http.StatusUnauthorized }

// ErrNoAPIKey is returned, without a request being sent, by a Client that
// has no API key.
var ErrNoAPIKey = errors.New("heppu: no API key")

// ResponseError reports a response that arrived but could not be read as
// the documented JSON: a truncated body, a body of the wrong shape, or one
// larger than the client reads. The request did reach Heppu.
type ResponseError struct {
	// StatusCode is the HTTP status of the response.
	StatusCode int
	// Err is what went wrong reading it.
	Err error
}

// Error says which answer could not be read, and why.
func (e *ResponseError) Error() string {
	return fmt.Sprintf("heppu: unreadable %d response: %v", e.StatusCode, e.Err)
}

// Unwrap returns what went wrong reading the answer.
func (e *ResponseError) Unwrap() error { return e.Err }

// ErrBodyTooLarge is wrapped by a ResponseError when a response body is
// larger than MaxResponseBytes.
var ErrBodyTooLarge = errors.New("response body too large")
