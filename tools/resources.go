package tools

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/rs/zerolog"

	"github.com/heppu-ai/heppu-mcp/heppu"
)

// The resources' addresses. An agent's address is agentURIPrefix followed
// by its id.
const (
	catalogURI       = "heppu://catalog"
	agentURITemplate = "heppu://agents/{agentId}"
	agentURIPrefix   = "heppu://agents/"
	jsonMIMEType     = "application/json"
)

const catalogDescription = `What the Heppu API accepts for agents, as documented: the agent types with their models (default marked) and config keys (values, defaults, ranges), the name's length, the agent statuses and the documented tool IDs.

Read it before choosing a model, a voice, widget settings or tools. create_agent and update_agent reject models, config keys and values outside it.`

const agentTemplateDescription = `One Heppu agent in full, as get_agent returns it: name, type, status, model, instructions (system prompt), config, tools and phone numbers. agentId is the agent's UUID, as list_agents shows it.`

const toolIDsNote = "The documentation names these tool IDs. Which tools an organization " +
	"can use depends on its subscription and it may have others; there is no endpoint that " +
	"lists them. Heppu silently drops IDs the organization does not have, on create and on update."

const statusesNote = "New agents are active. delete_agent makes an agent inactive; " +
	"update_agent with status active restores it."

// catalog is the heppu://catalog document.
type catalog struct {
	About         string         `json:"about"`
	Name          lengthRange    `json:"name"`
	Types         []catalogType  `json:"types"`
	Statuses      []heppu.Status `json:"statuses"`
	DefaultStatus heppu.Status   `json:"defaultStatus"`
	StatusesNote  string         `json:"statusesNote"`
	ToolIDs       catalogToolIDs `json:"toolIds"`
}

type lengthRange struct {
	MinLength int `json:"minLength"`
	MaxLength int `json:"maxLength"`
}

// catalogType is what agents of one type accept.
type catalogType struct {
	Type         heppu.AgentType `json:"type"`
	Description  string          `json:"description"`
	Models       []string        `json:"models"`
	DefaultModel string          `json:"defaultModel"`
	Config       []configKey     `json:"config"`
}

// configKey describes one config key: its JSON type, meaning and allowed
// values. The numbers are pointers so that a bound of 0 is still shown.
type configKey struct {
	Key              string   `json:"key"`
	Type             string   `json:"type"`
	Description      string   `json:"description"`
	Values           []string `json:"values,omitempty"`
	Default          string   `json:"default,omitempty"`
	Minimum          *float64 `json:"minimum,omitempty"`
	Maximum          *float64 `json:"maximum,omitempty"`
	ExclusiveMinimum *float64 `json:"exclusiveMinimum,omitempty"`
	Pattern          string   `json:"pattern,omitempty"`
}

type catalogToolIDs struct {
	Documented []string `json:"documented"`
	Note       string   `json:"note"`
}

// schemaNode is the part of a generated JSON Schema the catalog reads.
type schemaNode struct {
	Type             string                 `json:"type"`
	Description      string                 `json:"description"`
	Properties       map[string]*schemaNode `json:"properties"`
	Items            *schemaNode            `json:"items"`
	Minimum          *float64               `json:"minimum"`
	Maximum          *float64               `json:"maximum"`
	ExclusiveMinimum *float64               `json:"exclusiveMinimum"`
	MinLength        *int                   `json:"minLength"`
	MaxLength        *int                   `json:"maxLength"`
	Pattern          string                 `json:"pattern"`
}

// typeDescriptions says in a few words what each agent type is.
var typeDescriptions = map[heppu.AgentType]string{
	heppu.Voice: "Answers phone calls.",
	heppu.Chat:  "Runs as a chat widget on a website.",
}

// configValues names the heppu list that holds each enumerated config
// key's values, and its default where one is documented.
var configValues = map[string]struct {
	values []string
	def    string
}{
	"voice":    {heppu.Voices, heppu.DefaultVoice},
	"theme":    {heppu.Themes, ""},
	"position": {heppu.Positions, ""},
}

// catalogDoc is the catalog, built once, when first needed. The lists come
// from the heppu package; the types, ranges, patterns and descriptions from
// the schema create_agent enforces, so that the catalog cannot promise what
// the tools refuse.
var catalogDoc = sync.OnceValue(mustCatalog)

// catalogJSON is catalogDoc as served, generated ahead of time like the
// schemas it is built from: TestCatalogGenerated keeps it equal to
// catalogDoc, and go generate ./tools writes it.
//
//go:embed catalog.json
var catalogJSON string

func mustCatalog() *catalog {
	c, err := buildCatalog(createAgentDef.in.JSON())
	if err != nil {
		panic(fmt.Sprintf("building the catalog: %v", err))
	}
	return c
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("encoding the catalog: %v", err))
	}
	return b
}

// buildCatalog builds the catalog from the heppu lists and createSchema,
// the input schema of create_agent.
func buildCatalog(createSchema []byte) (*catalog, error) {
	var root schemaNode
	if err := json.Unmarshal(createSchema, &root); err != nil {
		return nil, err
	}
	name, cfg := root.Properties["name"], root.Properties["config"]
	if name == nil || name.MinLength == nil || name.MaxLength == nil {
		return nil, errors.New("the schema states no length for name")
	}
	if cfg == nil {
		return nil, errors.New("the schema has no config")
	}

	c := &catalog{
		About: "What the Heppu API accepts for agents, as documented. create_agent and " +
			"update_agent check their arguments against these values.",
		Name:          lengthRange{MinLength: *name.MinLength, MaxLength: *name.MaxLength},
		Statuses:      heppu.Statuses,
		DefaultStatus: heppu.StatusActive,
		StatusesNote:  statusesNote,
		ToolIDs:       catalogToolIDs{Documented: heppu.CommonToolIDs, Note: toolIDsNote},
	}
	for _, t := range heppu.Types {
		ct := catalogType{
			Type:         t,
			Description:  typeDescriptions[t],
			Models:       heppu.Models(t),
			DefaultModel: heppu.DefaultModel(t),
		}
		for _, k := range heppu.ConfigKeys(t) {
			node := cfg.Properties[k]
			if node == nil {
				return nil, fmt.Errorf("the schema has no config key %q", k)
			}
			ct.Config = append(ct.Config, describeKey(k, node))
		}
		c.Types = append(c.Types, ct)
	}
	return c, nil
}

// describeKey describes config key k from its schema node and, for an
// enumerated key, the heppu list of its values.
func describeKey(k string, node *schemaNode) configKey {
	ck := configKey{
		Key:              k,
		Type:             node.Type,
		Description:      node.Description,
		Minimum:          node.Minimum,
		Maximum:          node.Maximum,
		ExclusiveMinimum: node.ExclusiveMinimum,
		Pattern:          node.Pattern,
	}
	if node.Type == "array" && node.Items != nil {
		// The item pattern (a host name) is long; the description says it.
		ck.Type, ck.Pattern = node.Items.Type+"[]", ""
	}
	if v, ok := configValues[k]; ok {
		ck.Values, ck.Default = v.values, v.def
	}
	return ck
}

// Resources returns the server's fixed resources, ready for
// server.MCPServer.AddResources: heppu://catalog, what the API accepts.
func (ts *Toolset) Resources() []server.ServerResource {
	res := mcp.NewResource(catalogURI, "catalog",
		mcp.WithResourceTitle("Heppu agent catalog"),
		mcp.WithResourceDescription(catalogDescription),
		mcp.WithMIMEType(jsonMIMEType),
		mcp.WithResourceSize(int64(len(catalogJSON))),
	)
	handler := func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
		return []mcp.ResourceContents{mcp.TextResourceContents{
			URI: catalogURI, MIMEType: jsonMIMEType, Text: catalogJSON,
		}}, nil
	}
	return []server.ServerResource{{Resource: res, Handler: handler}}
}

// ResourceTemplates returns the server's resource templates, ready for
// server.MCPServer.AddResourceTemplates: heppu://agents/{agentId}, one
// agent as GET /agents/{agentId} returns it.
func (ts *Toolset) ResourceTemplates() []server.ServerResourceTemplate {
	tmpl := mcp.NewResourceTemplate(agentURITemplate, "agent",
		mcp.WithTemplateTitle("Heppu agent"),
		mcp.WithTemplateDescription(agentTemplateDescription),
		mcp.WithTemplateMIMEType(jsonMIMEType),
	)
	handler := func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
		var contents []mcp.ResourceContents
		err := ts.track(ctx, zerolog.InfoLevel, "resource", agentURITemplate,
			func(ctx context.Context, c *call) error {
				var err error
				contents, err = ts.readAgentResource(ctx, c, req.Params.URI)
				return err
			})
		return contents, err
	}
	return []server.ServerResourceTemplate{{Template: tmpl, Handler: handler}}
}

// readAgentResource reads the agent at uri. Its errors are texts a model
// can act on, as a tool's would be.
func (ts *Toolset) readAgentResource(ctx context.Context, c *call,
	uri string) ([]mcp.ResourceContents, error) {
	id := strings.TrimPrefix(uri, agentURIPrefix)
	if !validAgentID(id) {
		c.outcome = "invalid_arguments"
		// The text is for a model, in sentences, not an error to wrap.
		text := fmt.Sprintf("%q is not an agent id, so nothing was sent to Heppu. Read %s "+
			"with agentId set to the agent's UUID, such as %s; list_agents shows the ids.",
			id, agentURITemplate, exampleAgentID)
		return nil, errors.New(text)
	}
	c.agentID = id

	client, err := ts.clientOrError(ctx, c)
	if err != nil {
		return nil, err
	}
	agent, err := client.GetAgent(ctx, id)
	if err != nil {
		c.outcome = "heppu_error"
		return nil, errors.New(failureText(err, operation{verb: "read the agent", agentID: id}))
	}

	b, err := json.Marshal(agent)
	if err != nil {
		return nil, fmt.Errorf("encoding the agent: %w", err)
	}
	return []mcp.ResourceContents{mcp.TextResourceContents{
		URI: uri, MIMEType: jsonMIMEType, Text: string(b),
	}}, nil
}

const exampleAgentID = "550e8400-e29b-41d4-a716-446655440000"

// validAgentID reports whether id is what get_agent's agentId admits: a
// UUID, checked against that very schema, so nothing else reaches a path.
func validAgentID(id string) bool {
	return len(getAgentDef.in.Validate(map[string]any{"agentId": id})) == 0
}

// clientOrError is heppuClient for requests that are not tool calls.
func (ts *Toolset) clientOrError(ctx context.Context, c *call) (*heppu.Client, error) {
	client := ts.heppuClient(ctx)
	if client == nil {
		c.outcome = "no_api_key"
		return nil, modelError(noKeyReadText)
	}
	return client, nil
}

// modelError is an error whose text is written for the model, in whole
// sentences, as resource reads and completions report it.
type modelError string

func (e modelError) Error() string { return string(e) }

// noKeyReadText is noKeyText for a resource read or a completion.
const noKeyReadText = "No Heppu API key is set, so nothing was read from Heppu. The user " +
	"must put the organization's API key in the HEPPU_API_KEY environment variable of " +
	"this server's entry in the MCP client's configuration and restart the server, or " +
	"start it with --sandbox."

// track serves one request that is not a tool call (a resource read, a
// prompt, a completion) the way serve serves a tool call: it is counted as
// in flight, Heppu's answers are recorded, a panic becomes an error, and
// one line at level reports it.
func (ts *Toolset) track(ctx context.Context, level zerolog.Level, kind, name string,
	f func(ctx context.Context, c *call) error) (err error) {
	ts.enter()
	defer ts.leave()
	start := time.Now()
	log := ts.log.With().Str(kind, name).Logger()
	c := &call{}
	ctx = heppu.WithObserver(log.WithContext(ctx), c.observe)

	defer func() {
		if r := recover(); r != nil {
			log.Error().Str("panic", fmt.Sprint(r)).Str("stack", string(debug.Stack())).
				Msg(kind + " handler panicked")
			c.outcome = "internal_error"
			err = fmt.Errorf("internal error in heppu-mcp while serving %s %s; the server "+
				"keeps running", kind, name)
		}
		outcome := c.outcome
		if outcome == "" {
			outcome = "ok"
			if err != nil {
				outcome = "error"
			}
		}
		ev := log.WithLevel(level).Str("outcome", outcome).Dur("duration", time.Since(start))
		if s := c.lastStatus(); s != 0 {
			ev = ev.Int("heppu_status", s)
		}
		if c.agentID != "" {
			ev = ev.Str("agent_id", c.agentID)
		}
		ev.Msg(kind + " request")
	}()
	return f(ctx, c)
}

// joinOr joins values as "a, b or c".
func joinOr(values []string) string {
	switch len(values) {
	case 0:
		return ""
	case 1:
		return values[0]
	}
	return strings.Join(values[:len(values)-1], ", ") + " or " + values[len(values)-1]
}

// keyOf returns the catalog's description of config key k of type t.
func (c *catalog) keyOf(t heppu.AgentType, k string) configKey {
	i := slices.IndexFunc(c.Types, func(ct catalogType) bool { return ct.Type == t })
	if i < 0 {
		return configKey{Key: k}
	}
	j := slices.IndexFunc(c.Types[i].Config, func(ck configKey) bool { return ck.Key == k })
	if j < 0 {
		return configKey{Key: k}
	}
	return c.Types[i].Config[j]
}
