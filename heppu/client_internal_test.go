package heppu

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// decodeResponse decodes resp into out, a pointer to the result of one
// endpoint, as that endpoint does: through readResponse, instantiated with
// the type out points to. On an error, out is left alone.
func decodeResponse(resp *http.Response, method string, out any) error {
	switch out := out.(type) {
	case *Agent:
		return readInto(resp, method, out)
	case *AgentList:
		return readInto(resp, method, out)
	case *UpdateResult:
		return readInto(resp, method, out)
	case *DeleteResult:
		return readInto(resp, method, out)
	}
	panic(fmt.Sprintf("decodeResponse: no endpoint returns a %T", out))
}

// readInto is readResponse with the data stored in out.
func readInto[T any](resp *http.Response, method string, out *T) error {
	v, err := readResponse[T](resp, method)
	if err != nil {
		return err
	}
	*out = *v
	return nil
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 1, 15, 10, 30, 0, 0, time.UTC)

	tests := []struct {
		name   string
		header string
		want   time.Duration
	}{
		{name: "absent", header: "", want: 0},
		{name: "seconds", header: "30", want: 30 * time.Second},
		{name: "zero seconds", header: "0", want: 0},
		{name: "surrounding space", header: " 7 ", want: 7 * time.Second},
		{name: "negative seconds", header: "-5", want: 0},
		{name: "seconds past the largest duration", header: "99999999999", want: 0},
		{name: "fractional seconds", header: "1.5", want: 0},
		{name: "HTTP date ahead", header: "Wed, 15 Jan 2025 10:31:30 GMT", want: 90 * time.Second},
		{name: "RFC 850 date ahead", header: "Wednesday, 15-Jan-25 11:30:00 GMT", want: time.Hour},
		{name: "ANSI C date ahead", header: "Wed Jan 15 10:30:02 2025", want: 2 * time.Second},
		{name: "HTTP date now", header: "Wed, 15 Jan 2025 10:30:00 GMT", want: 0},
		{name: "HTTP date past", header: "Wed, 15 Jan 2025 10:29:00 GMT", want: 0},
		{name: "garbage", header: "soon", want: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := parseRetryAfter(tc.header, now); got != tc.want {
				t.Errorf("parseRetryAfter(%q) = %v, want %v", tc.header, got, tc.want)
			}
		})
	}
}

func TestErrorFromBody(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name   string
		status int
		body   string
		want   *APIError
	}{
		{
			name:   "agents page envelope",
			status: 401,
			body:   `{"success":false,"error":{"message":"Invalid API key","code":401}}`,
			want:   &APIError{StatusCode: 401, Code: "401", Message: "Invalid API key"},
		},
		{
			name:   "errors page envelope",
			status: 401,
			body: `{"error":{"message":"Invalid API key format","status":401,` +
				`"code":"invalid_api_key","timestamp":"2025-01-15T10:30:00Z",` +
				`"details":{"hint":"x"}}}`,
			want: &APIError{StatusCode: 401, Code: "invalid_api_key",
				Message: "Invalid API key format"},
		},
		{
			name:   "error as a string",
			status: 400,
			body:   `{"error":"Invalid type. Must be 'voice' or 'chat'"}`,
			want:   &APIError{StatusCode: 400, Message: "Invalid type. Must be 'voice' or 'chat'"},
		},
		{
			name:   "bare message and code",
			status: 409,
			body:   `{"message":"Name already taken","code":"conflict"}`,
			want:   &APIError{StatusCode: 409, Code: "conflict", Message: "Name already taken"},
		},
		{
			name:   "message padded with space",
			status: 404,
			body:   `{"success":false,"error":{"message":"  Agent not found\n","code":404}}`,
			want:   &APIError{StatusCode: 404, Code: "404", Message: "Agent not found"},
		},
		{
			name:   "blank message falls back to status text",
			status: 422,
			body:   `{"success":false,"error":{"message":"   ","code":422}}`,
			want:   &APIError{StatusCode: 422, Code: "422", Message: "Unprocessable Entity"},
		},
		{
			name:   "code without message",
			status: 429,
			body:   `{"error":{"code":"rate_limited","status":429}}`,
			want:   &APIError{StatusCode: 429, Code: "rate_limited", Message: "Too Many Requests"},
		},
		{
			name:   "HTML page",
			status: 502,
			body:   "<html><body><h1>502 Bad Gateway</h1>nginx</body></html>",
			want:   &APIError{StatusCode: 502, Message: "Bad Gateway"},
		},
		{
			name:   "empty body",
			status: 503,
			body:   "",
			want:   &APIError{StatusCode: 503, Message: "Service Unavailable"},
		},
		{
			name:   "JSON null",
			status: 500,
			body:   "null",
			want:   &APIError{StatusCode: 500, Message: "Internal Server Error"},
		},
		{
			name:   "JSON array",
			status: 500,
			body:   `[{"message":"not an envelope"}]`,
			want:   &APIError{StatusCode: 500, Message: "Internal Server Error"},
		},
		{
			name:   "error of another shape",
			status: 504,
			body:   `{"error":42}`,
			want:   &APIError{StatusCode: 504, Message: "Gateway Timeout"},
		},
		{
			name:   "truncated JSON",
			status: 500,
			body:   `{"error":{"message":"Database unavail`,
			want:   &APIError{StatusCode: 500, Message: "Internal Server Error"},
		},
		{
			name:   "status without text",
			status: 599,
			body:   "",
			want:   &APIError{StatusCode: 599, Message: "HTTP 599"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := errorFromBody(tc.status, []byte(tc.body))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("errorFromBody(%d, %q) mismatch (-want +got):\n%s",
					tc.status, tc.body, diff)
			}
		})
	}
}

func TestJSONProblem(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name string
		data string
		want string
	}{
		{name: "cut inside a string", data: `{"data":{"name":"Front de`, want: "truncated JSON"},
		{name: "cut after a colon", data: `{"data":` + "\n", want: "truncated JSON"},
		{name: "cut inside a literal", data: `{"success":tru`, want: "truncated JSON"},
		{name: "HTML", data: "<html>oops</html>", want: "malformed JSON"},
		{name: "text", data: "Internal Server Error", want: "malformed JSON"},
		{
			name: "wrong type",
			data: `{"data":{"name":7}}`,
			want: `field "data.name": got JSON number, want string`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var v struct {
				Success bool `json:"success"`
				Data    struct {
					Name string `json:"name"`
				} `json:"data"`
			}
			err := json.Unmarshal([]byte(tc.data), &v)
			if err == nil {
				t.Fatalf("decoding %q succeeded", tc.data)
			}
			got := jsonProblem(err, []byte(tc.data)).Error()
			if got != tc.want {
				t.Errorf("jsonProblem(%q) = %q, want %q", tc.data, got, tc.want)
			}
			if strings.Contains(got, "oops") || strings.Contains(got, "Front") {
				t.Errorf("jsonProblem(%q) = %q repeats the body", tc.data, got)
			}
		})
	}
}

func TestAgentPath(t *testing.T) {
	t.Parallel()

	tests := []struct {
		id      string
		want    string
		wantErr bool
	}{
		{id: "6ba7b810-9dad-11d1", want: "/agents/6ba7b810-9dad-11d1"},
		{id: "a/b?c", want: "/agents/a%2Fb%3Fc"},
		{id: "50% off#1", want: "/agents/50%25%20off%231"},
		{id: "...", want: "/agents/..."},
		{id: "", wantErr: true},
		{id: ".", wantErr: true},
		{id: "..", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%q", tc.id), func(t *testing.T) {
			t.Parallel()
			got, err := agentPath(tc.id)
			if (err != nil) != tc.wantErr {
				t.Fatalf("agentPath(%q) error = %v, want error %t", tc.id, err, tc.wantErr)
			}
			if got != tc.want {
				t.Errorf("agentPath(%q) = %q, want %q", tc.id, got, tc.want)
			}
		})
	}
}

func TestErrorMessageCapped(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", maxMessageBytes) // two bytes each
	body := []byte(`{"success":false,"error":{"message":"` + long + `","code":"` + long + `"}}`)

	apiErr := errorFromBody(http.StatusOK, body)

	for name, s := range map[string]string{"message": apiErr.Message, "code": apiErr.Code} {
		if len(s) > maxMessageBytes+len("…") || !utf8.ValidString(s) || !strings.HasSuffix(s, "…") {
			t.Errorf("%s: %d bytes, valid UTF-8 %v: want at most %d, cut on a rune, marked",
				name, len(s), utf8.ValidString(s), maxMessageBytes)
		}
	}
}

// BenchmarkDecodeResponse decodes a created agent, without the network.
func BenchmarkDecodeResponse(b *testing.B) {
	body := []byte(`{"success":true,"data":{"id":"550e8400-e29b-41d4-a716-446655440000",` +
		`"name":"Front desk","type":"voice","status":"active",` +
		`"model":"gpt-realtime-2025-08-28","instructions":"Greet callers and book appointments.",` +
		`"config":{"voice":"sage","speed":1.0,"interruptionThreshold":0,"timeout":30},` +
		`"tools":[{"id":"calendar","name":"Calendar","description":"Books meetings"}],` +
		`"phoneNumbers":["+14155550100"],"createdAt":"2025-01-15T10:30:00Z"},` +
		`"message":"Agent created successfully"}`)
	rd := bytes.NewReader(body)
	resp := &http.Response{StatusCode: http.StatusCreated, Body: io.NopCloser(rd),
		ContentLength: int64(len(body))}
	b.ReportAllocs()

	for b.Loop() {
		rd.Reset(body)
		var a Agent
		if err := decodeResponse(resp, http.MethodPost, &a); err != nil {
			b.Fatalf("decodeResponse: %v", err)
		}
	}
}

// FuzzOnePassDecode checks that a success answer decoded in one pass gives
// what decodeEnvelope, envelope first and data after, gives for the same
// body. Any other answer goes to decodeEnvelope itself.
func FuzzOnePassDecode(f *testing.F) {
	for _, body := range []string{
		`{"success":true,"data":{"id":"a1","name":"N","type":"voice",` +
			`"config":{"voice":"sage","speed":"fast","extra":[1]},"tools":[{"id":"crm"}]}}`,
		`{"data":{"agents":[{"id":"a1"}],"pagination":{"limit":50,"total":1}},"success":true}`,
		`{"success":true,"data":{"id":"a1","updated":true,"deleted":true}}`,
		`{"Data":{"ID":"a1"},"SUCCESS":true,"error":null}`,
		`{"data":{},"data":null}`,
		`{"data":null,"data":{"id":"a1"}}`,
		`{"success":false,"data":{"id":"a1"}}`,
		`{"success":"true","data":{"id":"a1"}}`,
		`{"data":{"name":7},"success":"yes"}`,
		`{"data":"ok"}`,
		`[{"data":{}}]`,
	} {
		f.Add([]byte(body))
	}

	f.Fuzz(func(t *testing.T, body []byte) {
		if repeatsData(body) {
			t.Skip(`the one pass merges the objects of a repeated "data"; the other keeps the last`)
		}
		checkOnePass[Agent](t, body)
		checkOnePass[AgentList](t, body)
		checkOnePass[UpdateResult](t, body)
		checkOnePass[DeleteResult](t, body)
	})
}

// checkOnePass decodes body as a T both ways, when readResponse does.
func checkOnePass[T any](t *testing.T, body []byte) {
	t.Helper()
	resp := &http.Response{StatusCode: http.StatusOK, Body: io.NopCloser(bytes.NewReader(body))}
	got, err := readResponse[T](resp, http.MethodGet)
	if err != nil {
		return
	}
	want, err := decodeEnvelope[T](http.StatusOK, body)
	if err != nil {
		t.Fatalf("decoded as a %T in one pass, but envelope first: %v", got, err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%T decoded in one pass mismatch (-envelope first +one pass):\n%s", got, diff)
	}
}

// repeatsData reports whether body is an object with more than one "data"
// key at its top, in any case, as encoding/json matches keys.
func repeatsData(body []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return false
	}
	n := 0
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return false
		}
		if k, _ := key.(string); strings.EqualFold(k, "data") {
			n++
		}
		var value json.RawMessage
		if dec.Decode(&value) != nil {
			return false
		}
	}
	return n > 1
}
