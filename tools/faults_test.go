package tools

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/heppu-ai/heppu-mcp/heppu"
	"github.com/heppu-ai/heppu-mcp/heppu/hepputest"
)

// faults are the ways Heppu and the network fail, as the fault matrix
// injects them. retryable marks those a read or an idempotent write may
// retry past, since only the one request fails.
var faults = []struct {
	name      string
	fault     hepputest.Fault
	retryable bool
}{
	{"500", hepputest.Fault{Status: 500, Body: `{"success":false,"error":{"message":"boom","code":500}}`}, false},
	{"502 HTML page", hepputest.Fault{NonJSON: true, Status: 502}, true},
	{"503 with Retry-After", hepputest.Fault{Status: 503, Header: http.Header{"Retry-After": {"1"}}}, true},
	{"504", hepputest.Fault{Status: 504}, true},
	{"truncated JSON", hepputest.Fault{Truncate: true}, false},
	{"JSON of the wrong shape", hepputest.Fault{Status: 200,
		Body: `{"success":true,"data":{"id":7,"name":["x"],"agents":"none"}}`}, false},
	{"50 MB body", hepputest.Fault{Oversize: 50 << 20}, false},
	{"reset connection", hepputest.Fault{Reset: true}, true},
	{"hang past the timeout", hepputest.Fault{Hang: true}, true},
	{"slow answer inside the timeout", hepputest.Fault{Delay: 100 * time.Millisecond}, true},
}

// faultCalls are the requests each tool makes, in order; the matrix
// faults each of them in turn.
var faultCalls = []struct {
	tool, args string // args may hold %[1]s for an existing agent's id
	requests   []string
}{
	{"create_agent", `{"name":"Matrix","type":"voice"}`, []string{http.MethodPost}},
	{"list_agents", `{}`, []string{http.MethodGet}},
	{"get_agent", `{"agentId":%[1]q}`, []string{http.MethodGet}},
	{"update_agent", `{"agentId":%[1]q,"config":{"voice":"coral"}}`,
		[]string{http.MethodGet, http.MethodPatch, http.MethodGet}},
	{"delete_agent", `{"agentId":%[1]q}`, []string{http.MethodGet, http.MethodDelete}},
}

// TestFaultMatrix runs every tool against every fault, at each of its
// requests. Each call ends in a clear error result, or in success where a
// retry is allowed; a create is sent exactly once; the server keeps
// serving; and no goroutine outlives the test. It does not run in
// parallel with other tests, so that the goroutine count is its own.
func TestFaultMatrix(t *testing.T) {
	before := runtime.NumGoroutine()

	t.Run("matrix", func(t *testing.T) {
		for _, fc := range faultCalls {
			for step, method := range fc.requests {
				for _, f := range faults {
					name := fmt.Sprintf("%s/%d %s/%s", fc.tool, step+1, method, f.name)
					t.Run(name, func(t *testing.T) {
						t.Parallel()
						runFault(t, fc.tool, fc.args, step, method, f.fault, f.retryable)
					})
				}
			}
		}
	})

	// Connections and handlers wind down once the emulators have closed;
	// give them a bounded moment, then compare.
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		runtime.Gosched()
		time.Sleep(10 * time.Millisecond)
	}
	if after := runtime.NumGoroutine(); after > before {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines before, %d after:\n%s", before, after, buf[:runtime.Stack(buf, true)])
	}
}

func runFault(t *testing.T, tool, argsFormat string, step int, method string,
	fault hepputest.Fault, retryable bool) {
	t.Helper()
	// Only a hang should meet the per-try timeout: reading a 16 MiB answer
	// under -race must not, or it becomes a (retryable) timeout instead of
	// the fault under test.
	timeout := 30 * time.Second
	if fault.Hang {
		timeout = 500 * time.Millisecond
	}
	h := newHarness(t, harnessOptions{timeout: timeout})
	id := seedAgent(t, h)
	args := argsFormat
	if strings.Contains(args, "%[1]") {
		args = fmt.Sprintf(argsFormat, id)
	}
	h.emu.ResetRequests()
	queue := make([]hepputest.Fault, step+1)
	queue[step] = fault
	h.emu.FailNext(queue...)

	res := h.call(t, tool, args)

	text := resultText(t, res)
	wantOK := retryable && method != http.MethodPost
	if fault.Delay > 0 && !fault.Hang {
		wantOK = true // an answer inside the timeout is an answer
	}
	readBack := tool == "update_agent" && step == 2
	if readBack {
		// The change was made; only reading it back failed, which the
		// result says instead of claiming the update failed.
		wantOK = true
		if !retryable && !strings.Contains(text, "reading the agent back failed") {
			t.Errorf("a failed read-back is not reported: %s", text)
		}
	}
	switch {
	case wantOK && res.IsError:
		t.Errorf("want success after an allowed retry, got: %s", text)
	case !wantOK && !res.IsError:
		t.Errorf("want an error result, got success: %s", text)
	case res.IsError && (strings.Contains(text, "<") || text == ""):
		t.Errorf("error text is empty or carries markup: %q", text)
	}
	if tool == "create_agent" {
		if n := len(h.requestsTo(http.MethodPost)); n != 1 {
			t.Errorf("Heppu got %d POSTs, want exactly 1", n)
		}
	}

	// The server keeps serving.
	if res := h.call(t, "list_agents", `{}`); res.IsError {
		t.Errorf("the next call failed: %s", resultText(t, res))
	}
}

// seedAgent creates an agent in the harness's emulator, without the tools.
func seedAgent(t *testing.T, h *harness) string {
	t.Helper()
	c, err := heppu.NewClient(heppu.Options{BaseURL: h.emu.URL, APIKey: testKey})
	if err != nil {
		t.Fatal(err)
	}
	a, err := c.CreateAgent(context.Background(), &heppu.CreateAgentRequest{Name: "Seed", Type: heppu.Voice})
	if err != nil {
		t.Fatal(err)
	}
	return a.ID
}
