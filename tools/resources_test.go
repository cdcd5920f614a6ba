package tools

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/rs/zerolog"

	"github.com/heppu-ai/heppu-mcp/heppu"
	"github.com/heppu-ai/heppu-mcp/heppu/hepputest"
	"github.com/heppu-ai/heppu-mcp/schema"
)

// newFullHarness is newHarness with the resources, the prompts and the
// completions registered beside the tools, as main.go registers them.
func newFullHarness(t *testing.T, opts harnessOptions) *harness {
	t.Helper()
	emu, err := hepputest.NewServer(hepputest.Options{Keys: map[string]string{testKey: "acme"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })

	key := testKey
	if opts.noKey {
		key = ""
	}
	hc, err := heppu.NewClient(heppu.Options{BaseURL: emu.URL, APIKey: key})
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	ts := New(Options{Client: hc, Logger: zerolog.New(logs).Level(zerolog.DebugLevel)})
	srv := server.NewMCPServer("heppu-mcp", "test",
		server.WithToolCapabilities(false),
		server.WithResourceCapabilities(false, false),
		server.WithPromptCapabilities(false),
		server.WithCompletions(),
		server.WithPromptCompletionProvider(ts.PromptCompletions()),
		server.WithResourceCompletionProvider(ts.ResourceCompletions()),
	)
	srv.AddTools(ts.ServerTools()...)
	srv.AddResources(ts.Resources()...)
	srv.AddResourceTemplates(ts.ResourceTemplates()...)
	srv.AddPrompts(ts.Prompts()...)

	c, err := client.NewInProcessClient(srv)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	ctx := context.Background()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "tools-test", Version: "0"}
	if _, err := c.Initialize(ctx, init); err != nil {
		t.Fatal(err)
	}
	return &harness{emu: emu, mcp: c, stderr: logs}
}

// read reads the resource at uri and returns its single text content.
func (h *harness) read(t *testing.T, uri string) (mcp.TextResourceContents, error) {
	t.Helper()
	req := mcp.ReadResourceRequest{}
	req.Params.URI = uri
	res, err := h.mcp.ReadResource(context.Background(), req)
	if err != nil {
		return mcp.TextResourceContents{}, err
	}
	if len(res.Contents) != 1 {
		t.Fatalf("read %s: got %d contents, want 1", uri, len(res.Contents))
	}
	text, ok := res.Contents[0].(mcp.TextResourceContents)
	if !ok {
		t.Fatalf("read %s: contents are %T, want text", uri, res.Contents[0])
	}
	return text, nil
}

// createAgent creates an agent through create_agent and returns it.
func (h *harness) createAgent(t *testing.T, args string) *heppu.Agent {
	t.Helper()
	var out CreateAgentResult
	structured(t, createAgentDef, h.call(t, "create_agent", args), &out)
	return out.Agent
}

func TestCatalogResource(t *testing.T) {
	t.Parallel()
	h := newFullHarness(t, harnessOptions{})

	list, err := h.mcp.ListResources(context.Background(), mcp.ListResourcesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Resources) != 1 || list.Resources[0].URI != catalogURI ||
		list.Resources[0].MIMEType != "application/json" {
		t.Fatalf("resources = %+v, want only %s as application/json", list.Resources, catalogURI)
	}

	text, err := h.read(t, catalogURI)
	if err != nil {
		t.Fatal(err)
	}
	if text.MIMEType != "application/json" || text.URI != catalogURI {
		t.Errorf("contents are %s at %s, want application/json at %s",
			text.MIMEType, text.URI, catalogURI)
	}
	if text.Text != catalogJSON {
		t.Errorf("read %s, want the generated catalog", text.Text)
	}

	var got catalog
	if err := json.Unmarshal([]byte(text.Text), &got); err != nil {
		t.Fatal(err)
	}
	if got.Name != (lengthRange{MinLength: 1, MaxLength: heppu.MaxNameLength}) {
		t.Errorf("name = %+v, want 1 to %d", got.Name, heppu.MaxNameLength)
	}
	if diff := cmp.Diff(heppu.Statuses, got.Statuses); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(heppu.CommonToolIDs, got.ToolIDs.Documented); diff != "" {
		t.Errorf("tool IDs (-want +got):\n%s", diff)
	}
	for _, phrase := range []string{"may have others", "silently drops"} {
		if !strings.Contains(got.ToolIDs.Note, phrase) {
			t.Errorf("tool ID note %q does not say %q", got.ToolIDs.Note, phrase)
		}
	}

	var types []heppu.AgentType
	for _, ct := range got.Types {
		types = append(types, ct.Type)
		if diff := cmp.Diff(heppu.Models(ct.Type), ct.Models); diff != "" {
			t.Errorf("%s models (-want +got):\n%s", ct.Type, diff)
		}
		if ct.DefaultModel != heppu.DefaultModel(ct.Type) {
			t.Errorf("%s default model = %q, want %q", ct.Type, ct.DefaultModel,
				heppu.DefaultModel(ct.Type))
		}
		var keys []string
		for _, k := range ct.Config {
			keys = append(keys, k.Key)
			if k.Description == "" || k.Type == "" {
				t.Errorf("%s config key %s has no type or description", ct.Type, k.Key)
			}
		}
		if diff := cmp.Diff(heppu.ConfigKeys(ct.Type), keys); diff != "" {
			t.Errorf("%s config keys (-want +got):\n%s", ct.Type, diff)
		}
	}
	if diff := cmp.Diff(heppu.Types, types); diff != "" {
		t.Errorf("types (-want +got):\n%s", diff)
	}

	// The documented values and ranges, as heppu-api.md gives them.
	num := func(f float64) *float64 { return &f }
	for _, tc := range []struct {
		t    heppu.AgentType
		want configKey
	}{
		{heppu.Voice, configKey{Key: "voice", Type: "string", Values: heppu.Voices, Default: "sage"}},
		{heppu.Voice, configKey{Key: "speed", Type: "number", Minimum: num(0.5), Maximum: num(2)}},
		{heppu.Voice, configKey{Key: "interruptionThreshold", Type: "number",
			Minimum: num(0), Maximum: num(1)}},
		{heppu.Voice, configKey{Key: "timeout", Type: "number", ExclusiveMinimum: num(0)}},
		{heppu.Chat, configKey{Key: "theme", Type: "string", Values: heppu.Themes}},
		{heppu.Chat, configKey{Key: "position", Type: "string", Values: heppu.Positions}},
		{heppu.Chat, configKey{Key: "primaryColor", Type: "string",
			Pattern: "^#([0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})$"}},
		{heppu.Chat, configKey{Key: "allowedDomains", Type: "string[]"}},
	} {
		k := got.keyOf(tc.t, tc.want.Key)
		k.Description = ""
		if diff := cmp.Diff(tc.want, k); diff != "" {
			t.Errorf("%s config key %s (-want +got):\n%s", tc.t, tc.want.Key, diff)
		}
	}
}

// TestCatalogGenerated checks that the catalog the server serves, kept as
// a file so that start-up need not build it, is the one built from today's
// schema and lists; go generate ./tools writes it.
func TestCatalogGenerated(t *testing.T) {
	t.Parallel()
	// Built from the schema as generated now, not as embedded, so that one
	// go generate brings both files up to date.
	c, err := buildCatalog(schema.MustForInput(createAgentArgs{}).JSON())
	if err != nil {
		t.Fatal(err)
	}
	generated(t, "catalog.json", mustJSON(c))
	if diff := cmp.Diff(c, catalogDoc()); diff != "" {
		t.Errorf("the catalog built from the embedded schema differs (-generated +embedded):\n%s", diff)
	}
}

// TestCatalogBuiltOnce checks that every read serves the catalog built at
// start-up.
func TestCatalogBuiltOnce(t *testing.T) {
	t.Parallel()
	ts := New(Options{})
	h := ts.Resources()[0].Handler
	for range 2 {
		contents, err := h(context.Background(), mcp.ReadResourceRequest{})
		if err != nil {
			t.Fatal(err)
		}
		text := contents[0].(mcp.TextResourceContents).Text
		if text != catalogJSON {
			t.Fatalf("read %s, want the catalog built at start-up", text)
		}
	}
}

func TestBuildCatalogErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, schema string
	}{
		{"not JSON", `{`},
		{"no name length", `{"properties":{"name":{},"config":{"properties":{}}}}`},
		{"no config", `{"properties":{"name":{"minLength":1,"maxLength":9}}}`},
		{"missing key", `{"properties":{"name":{"minLength":1,"maxLength":9},"config":{}}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if c, err := buildCatalog([]byte(tc.schema)); err == nil {
				t.Errorf("buildCatalog(%s) = %+v, want an error", tc.schema, c)
			}
		})
	}
}

func TestAgentResource(t *testing.T) {
	t.Parallel()
	h := newFullHarness(t, harnessOptions{})
	agent := h.createAgent(t, `{"name":"Front desk","type":"voice","instructions":"Greet.",
		"config":{"voice":"coral","speed":1.2},"toolIds":["calendar"]}`)

	list, err := h.mcp.ListResourceTemplates(context.Background(), mcp.ListResourceTemplatesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.ResourceTemplates) != 1 ||
		list.ResourceTemplates[0].URITemplate.Raw() != "heppu://agents/{agentId}" ||
		list.ResourceTemplates[0].MIMEType != "application/json" {
		t.Fatalf("templates = %+v, want only heppu://agents/{agentId}", list.ResourceTemplates)
	}

	t.Run("found", func(t *testing.T) {
		uri := "heppu://agents/" + agent.ID
		text, err := h.read(t, uri)
		if err != nil {
			t.Fatal(err)
		}
		if text.URI != uri || text.MIMEType != "application/json" {
			t.Errorf("contents are %s at %s, want application/json at %s", text.MIMEType, text.URI, uri)
		}
		var got heppu.Agent
		if err := json.Unmarshal([]byte(text.Text), &got); err != nil {
			t.Fatal(err)
		}
		var want GetAgentResult
		structured(t, getAgentDef, h.call(t, "get_agent", `{"agentId":"`+agent.ID+`"}`), &want)
		if diff := cmp.Diff(want.Agent, &got); diff != "" {
			t.Errorf("resource differs from get_agent (-get_agent +resource):\n%s", diff)
		}
	})

	t.Run("unknown", func(t *testing.T) {
		const id = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
		_, err := h.read(t, "heppu://agents/"+id)
		if err == nil {
			t.Fatal("read an unknown agent, want an error")
		}
		for _, want := range []string{"There is no agent with id " + id, "HTTP 404", "list_agents"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not say %q", err, want)
			}
		}
	})
}

// TestAgentResourceBadID checks that an id that is not a UUID never reaches
// Heppu, whether the template matches it or not.
func TestAgentResourceBadID(t *testing.T) {
	t.Parallel()
	h := newFullHarness(t, harnessOptions{})
	for _, tc := range []struct {
		name, id  string
		explained bool // whether the handler, not the router, refuses it
	}{
		{"word", "not-a-uuid", true},
		{"short", "550e8400-e29b-41d4-a716-44665544000", true},
		{"escaped dots", "%2E%2E", true},
		{"query", "550e8400-e29b-41d4-a716-446655440000?x=1", false},
		{"path", "../550e8400-e29b-41d4-a716-446655440000", false},
		{"empty", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := h.read(t, "heppu://agents/"+tc.id)
			if err == nil {
				t.Fatal("read succeeded, want an error")
			}
			if tc.explained && (!strings.Contains(err.Error(), "is not an agent id") ||
				!strings.Contains(err.Error(), "nothing was sent to Heppu")) {
				t.Errorf("error %q does not explain the id", err)
			}
		})
	}
	for _, r := range h.emu.Requests() {
		t.Errorf("request reached Heppu: %s %s", r.Method, r.Path)
	}
}

func TestAgentResourceNoKey(t *testing.T) {
	t.Parallel()
	h := newFullHarness(t, harnessOptions{noKey: true})
	_, err := h.read(t, "heppu://agents/550e8400-e29b-41d4-a716-446655440000")
	if err == nil || !strings.Contains(err.Error(), "HEPPU_API_KEY") {
		t.Errorf("read without a key: error %v, want one naming HEPPU_API_KEY", err)
	}
	if n := len(h.emu.Requests()); n != 0 {
		t.Errorf("%d requests reached Heppu, want none", n)
	}
}

// TestResourceLogLine checks the one line per resource read.
func TestResourceLogLine(t *testing.T) {
	t.Parallel()
	h := newFullHarness(t, harnessOptions{})
	if _, err := h.read(t, "heppu://agents/550e8400-e29b-41d4-a716-446655440000"); err == nil {
		t.Fatal("read an unknown agent, want an error")
	}
	logs := h.stderr.String()
	for _, want := range []string{`"resource":"heppu://agents/{agentId}"`,
		`"outcome":"heppu_error"`, `"heppu_status":404`, `"message":"resource request"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %s:\n%s", want, logs)
		}
	}
	if strings.Contains(logs, testKey) {
		t.Error("logs hold the API key")
	}
}
