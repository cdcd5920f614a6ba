package heppu

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzDecodeTargets are the shapes decodeResponse fills, each with the
// method of the endpoint that reads it: the method decides whether an
// empty 204 is a success.
var fuzzDecodeTargets = []struct {
	method string
	newOut func() any
}{
	{http.MethodPost, func() any { return new(Agent) }},
	{http.MethodGet, func() any { return new(Agent) }},
	{http.MethodGet, func() any { return new(AgentList) }},
	{http.MethodPatch, func() any { return new(UpdateResult) }},
	{http.MethodDelete, func() any { return new(DeleteResult) }},
}

// htmlTag matches the start of an HTML tag or comment.
var htmlTag = regexp.MustCompile(`<[A-Za-z!/]`)

// FuzzDecodeResponse feeds any status and body through decodeResponse, and
// so through decodeError for the failures. It must not panic; a non-2xx
// answer must be an *APIError with its status; any failure must be an
// *APIError or a *ResponseError; and an APIError's message must be there,
// within the error body cap, and free of the markup of an HTML page.
func FuzzDecodeResponse(f *testing.F) {
	for _, seed := range []struct {
		status     int
		body       string
		retryAfter string
	}{
		{201, `{"success":true,"data":{"id":"a1","name":"N","type":"voice",` +
			`"config":{"voice":"sage","speed":"fast","extra":[1]},"tools":[{"id":"crm"}]}}`, ""},
		{200, `{"success":true,"data":{"agents":[{"id":"a1"}],` +
			`"pagination":{"limit":50,"offset":0,"total":1,"hasMore":false}}}`, ""},
		{200, `{"success":true,"data":{"id":"a1","updated":true}}`, ""},
		{204, ``, ""},
		{200, `{"success":false,"error":{"message":"Agent not found","code":404}}`, ""},
		{200, `{"success":true,"data":null}`, ""},
		{200, `{"success":true,"data":{"agents":"none"}}`, ""},
		{200, `{"success":true,"data":{"id":"a1"`, ""},
		{401, `{"error":{"message":"Invalid API key","status":401,"code":"invalid_api_key"}}`, ""},
		{429, `{"error":"slow down"}`, "30"},
		{503, `{"message":"  ","code":[1]}`, "Wed, 15 Jan 2025 10:31:30 GMT"},
		{502, "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>", "-1"},
		{500, `{"error":{"message":"<b>boom</b>","code":{"nested":true}}}`, "99999999999"},
		{302, `{"success":true,"data":{}}`, ""},
		{599, "\xff\xfe", ""},
		{100, `null`, ""},
	} {
		f.Add(seed.status, []byte(seed.body), seed.retryAfter)
	}
	// A failure inside a success status is read with the success cap, far
	// above the error cap; its message must still stay within the latter.
	// Too large for the mutator to reach on its own.
	f.Add(200, []byte(`{"success":false,"error":{"message":"`+
		strings.Repeat("x", maxErrorBodyBytes+1)+`"}}`), "")

	f.Fuzz(func(t *testing.T, status int, body []byte, retryAfter string) {
		if status < 100 || status > 599 {
			status = 100 + int(uint(status)%500)
		}
		for _, target := range fuzzDecodeTargets {
			resp := &http.Response{
				StatusCode: status,
				Header:     http.Header{"Retry-After": {retryAfter}},
				Body:       io.NopCloser(bytes.NewReader(body)),
			}
			err := decodeResponse(resp, target.method, target.newOut())
			checkDecodeError(t, target.method, status, body, err)
		}
	})
}

func checkDecodeError(t *testing.T, method string, status int, body []byte, err error) {
	t.Helper()
	success := status >= 200 && status <= 299
	if err == nil {
		if !success {
			t.Fatalf("%s: a %d was decoded as a success", method, status)
		}
		return
	}
	_ = err.Error()

	if respErr, ok := errors.AsType[*ResponseError](err); ok {
		if !success || respErr.StatusCode != status || respErr.Err == nil {
			t.Fatalf("%s: %d answer gave ResponseError{StatusCode: %d, Err: %v}",
				method, status, respErr.StatusCode, respErr.Err)
		}
		return
	}
	apiErr, ok := errors.AsType[*APIError](err)
	if !ok {
		t.Fatalf("%s: %d answer gave a %T (%v), want *APIError or *ResponseError",
			method, status, err, err)
	}

	switch {
	case !success && apiErr.StatusCode != status:
		t.Errorf("%s: APIError.StatusCode = %d for a %d answer", method, apiErr.StatusCode, status)
	case success && apiErr.StatusCode < 400:
		t.Errorf("%s: a failure in a %d answer has the status %d of a success",
			method, status, apiErr.StatusCode)
	}
	if strings.TrimSpace(apiErr.Message) == "" {
		t.Errorf("%s: APIError of a %d answer has no message", method, status)
	}
	if limit := maxMessageBytes + len("…"); len(apiErr.Message) > limit {
		t.Errorf("%s: APIError of a %d answer has a message of %d bytes, more than %d",
			method, status, len(apiErr.Message), limit)
	}
	if !utf8.ValidString(apiErr.Message) && utf8.Valid(body) {
		t.Errorf("%s: shortening broke the message's UTF-8", method)
	}
	if apiErr.RetryAfter < 0 {
		t.Errorf("%s: negative RetryAfter %v", method, apiErr.RetryAfter)
	}
	if bytes.HasPrefix(bytes.TrimSpace(body), []byte("<")) && htmlTag.MatchString(apiErr.Message) {
		t.Errorf("%s: the message of an HTML answer carries markup: %q", method, apiErr.Message)
	}
}
