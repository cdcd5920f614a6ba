package tools

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/heppu-ai/heppu-mcp/heppu/hepputest"
)

func TestCreateAgentIdempotencyKey(t *testing.T) {
	t.Parallel()
	const args = `{"name":"Once","type":"voice","idempotencyKey":"k-1"}`

	t.Run("repeat returns the first agent", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, harnessOptions{})
		var first, second CreateAgentResult
		structured(t, createAgentDef, h.call(t, "create_agent", args), &first)
		structured(t, createAgentDef, h.call(t, "create_agent", args), &second)

		if n := len(h.requestsTo(http.MethodPost)); n != 1 {
			t.Errorf("Heppu got %d POSTs, want 1", n)
		}
		if first.Replayed || !second.Replayed || second.Agent.ID != first.Agent.ID {
			t.Errorf("first %+v, second %+v: want the same agent, the second replayed", first, second)
		}
	})

	t.Run("same key, other arguments", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, harnessOptions{})
		structured(t, createAgentDef, h.call(t, "create_agent", args), new(CreateAgentResult))
		res := h.call(t, "create_agent", `{"name":"Other","type":"voice","idempotencyKey":"k-1"}`)
		if text := resultText(t, res); !res.IsError || !strings.Contains(text, "other arguments") {
			t.Errorf("reuse with other arguments: isError=%v %q", res.IsError, text)
		}
		if n := len(h.requestsTo(http.MethodPost)); n != 1 {
			t.Errorf("Heppu got %d POSTs, want 1", n)
		}
	})

	t.Run("concurrent calls make one POST", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, harnessOptions{})
		// A slow answer keeps the first create in flight while the others arrive.
		h.emu.FailNext(hepputest.Fault{Delay: 200 * time.Millisecond})
		results := make([]*mcp.CallToolResult, 10)
		errs := make([]error, len(results))
		var wg sync.WaitGroup
		for i := range results {
			wg.Go(func() {
				req := mcp.CallToolRequest{}
				req.Params.Name, req.Params.Arguments = "create_agent", json.RawMessage(args)
				results[i], errs[i] = h.mcp.CallTool(context.Background(), req)
			})
		}
		wg.Wait()
		ids := make([]string, len(results))
		for i, res := range results {
			if errs[i] != nil {
				t.Fatalf("call %d: %v", i, errs[i])
			}
			var out CreateAgentResult
			structured(t, createAgentDef, res, &out)
			ids[i] = out.Agent.ID
		}
		if n := len(h.requestsTo(http.MethodPost)); n != 1 {
			t.Errorf("Heppu got %d POSTs, want 1", n)
		}
		for _, id := range ids {
			if id != ids[0] {
				t.Errorf("agent ids differ: %q", ids)
				break
			}
		}
	})

	t.Run("forgotten after 24 hours", func(t *testing.T) {
		t.Parallel()
		var mu sync.Mutex
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		h := newHarness(t, harnessOptions{now: clock})
		var first, later CreateAgentResult
		structured(t, createAgentDef, h.call(t, "create_agent", args), &first)
		mu.Lock()
		now = now.Add(24*time.Hour + time.Minute)
		mu.Unlock()
		structured(t, createAgentDef, h.call(t, "create_agent", args), &later)
		if later.Replayed || later.Agent.ID == first.Agent.ID {
			t.Errorf("after 24 hours the key still replayed: %+v", later)
		}
		if n := len(h.requestsTo(http.MethodPost)); n != 2 {
			t.Errorf("Heppu got %d POSTs, want 2", n)
		}
	})

	t.Run("a failed create may be tried again", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, harnessOptions{})
		h.emu.FailNext(hepputest.Fault{Status: 422,
			Body: `{"success":false,"error":{"message":"Invalid model for agent type","code":422}}`})
		if res := h.call(t, "create_agent", args); !res.IsError {
			t.Fatal("the faulted create succeeded")
		}
		var again CreateAgentResult
		structured(t, createAgentDef, h.call(t, "create_agent", args), &again)
		if again.Replayed || again.Agent == nil {
			t.Errorf("retry after a failure = %+v", again)
		}
		if n := len(h.requestsTo(http.MethodPost)); n != 2 {
			t.Errorf("Heppu got %d POSTs, want 2", n)
		}
	})
}

// TestIdempotencyPerKey keeps the keys of different Heppu keys apart.
func TestIdempotencyPerKey(t *testing.T) {
	t.Parallel()
	s := newCreates(nil)
	body := &createAgentArgs{}
	body.Name, body.Type = "A", "voice"
	_, owned, _ := s.claim("org-a", "k", &body.CreateAgentRequest)
	_, ownedB, conflict := s.claim("org-b", "k", &body.CreateAgentRequest)
	if !owned || !ownedB || conflict {
		t.Errorf("owned=%v ownedB=%v conflict=%v: each Heppu key owns its own entry", owned, ownedB, conflict)
	}
}
