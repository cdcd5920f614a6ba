package heppu_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/heppu-ai/heppu-mcp/heppu"
)

// benchClient returns a client of a test server that answers every request
// with status and body, as Heppu would, so that a benchmark measures the
// client and loopback HTTP, not an emulator.
func benchClient(b *testing.B, status int, body string) *heppu.Client {
	b.Helper()
	srv := httptest.NewServer(respond(status, jsonType, body))
	b.Cleanup(srv.Close)
	c, err := heppu.NewClient(heppu.Options{
		BaseURL:   srv.URL + "/api/v1",
		APIKey:    testKey,
		UserAgent: testUserAgent,
	})
	if err != nil {
		b.Fatalf("NewClient: %v", err)
	}
	return c
}

func BenchmarkCreateAgent(b *testing.B) {
	c := benchClient(b, http.StatusCreated, `{"success":true,"data":`+voiceAgentJSON+
		`,"message":"Agent created successfully"}`)
	req := &heppu.CreateAgentRequest{
		Name:         "Front desk",
		Type:         heppu.Voice,
		Instructions: "Greet callers and book appointments.",
		Config:       &heppu.Config{Voice: "sage", Speed: ptr(1.0)},
		ToolIDs:      []string{"calendar"},
	}
	b.ReportAllocs()

	for b.Loop() {
		if _, err := c.CreateAgent(b.Context(), req); err != nil {
			b.Fatalf("CreateAgent: %v", err)
		}
	}
}

func BenchmarkListAgents(b *testing.B) {
	c := benchClient(b, http.StatusOK, envelope(`{"agents":[`+voiceAgentJSON+`,`+
		chatAgentJSON+`],"pagination":{"limit":50,"offset":0,"total":2}}`))
	b.ReportAllocs()

	for b.Loop() {
		if _, err := c.ListAgents(b.Context(), &heppu.ListAgentsOptions{Limit: 50}); err != nil {
			b.Fatalf("ListAgents: %v", err)
		}
	}
}

// BenchmarkGetAgentParallel calls Heppu from many goroutines at once, as a
// server with many sessions does: the cost of dialling shows here.
func BenchmarkGetAgentParallel(b *testing.B) {
	c := benchClient(b, http.StatusOK, envelope(voiceAgentJSON))
	b.ReportAllocs()
	b.SetParallelism(32)

	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.GetAgent(b.Context(), agentID); err != nil {
				b.Errorf("GetAgent: %v", err)
				return
			}
		}
	})
}
