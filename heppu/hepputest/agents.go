package hepputest

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/heppu-ai/heppu-mcp/heppu"
)

// Error messages. The first group is Heppu's documented text; the second is
// this emulator's own, for cases the documentation does not cover.
const (
	msgInvalidKey    = "Invalid API key"
	msgAgentNotFound = "Agent not found"
	msgMissingFields = "Missing required fields: name and type are required"
	msgInvalidType   = "Invalid type. Must be 'voice' or 'chat'"

	msgNoRoute          = "Not found"
	msgMethodNotAllowed = "Method not allowed"
	msgInvalidJSON      = "Invalid JSON body"
	msgBodyTooLarge     = "Request body too large"
	msgNameNotString    = "name must be a string"
	msgNameEmpty        = "Name cannot be empty"
	msgNameTooLong      = "Name must be at most 255 characters"
	msgInvalidModel     = "Invalid model for agent type"
	msgInvalidStatus    = "Invalid status"
	msgTypeImmutable    = "Agent type cannot be changed"
	msgInstructions     = "instructions must be a string"
	msgConfig           = "config must be an object"
	msgToolIDs          = "toolIds must be an array of strings"
	msgInvalidLimit     = "limit must be between 1 and 100"
	msgInvalidOffset    = "offset must be a non-negative integer"
)

// Success messages, as documented.
const (
	msgCreated = "Agent created successfully"
	msgUpdated = "Agent updated successfully"
	msgDeleted = "Agent deleted successfully"
)

// List paging, as documented. Heppu does not document what a limit above
// the maximum does; it is refused here, so a client that sends one finds out.
const (
	defaultLimit = 50
	maxLimit     = 100
)

// record is a stored agent.
type record struct {
	org          string
	id           string
	name         string
	typ          heppu.AgentType
	status       heppu.Status
	model        string
	instructions string
	// config is kept as the JSON values given, unknown keys and all: Heppu
	// does not document whether it checks them, so nothing is checked.
	config    map[string]json.RawMessage
	toolIDs   []string
	createdAt string
	updatedAt string
}

// createdJSON is the create response's agent, with exactly the fields of
// Heppu's documented example: no tools, phoneNumbers or updatedAt.
type createdJSON struct {
	ID           string                     `json:"id"`
	Name         string                     `json:"name"`
	Type         heppu.AgentType            `json:"type"`
	Model        string                     `json:"model"`
	Instructions string                     `json:"instructions"`
	Status       heppu.Status               `json:"status"`
	Config       map[string]json.RawMessage `json:"config"`
	CreatedAt    string                     `json:"createdAt"`
}

// agentJSON is an agent as list and get show it.
type agentJSON struct {
	ID           string                     `json:"id"`
	Name         string                     `json:"name"`
	Type         heppu.AgentType            `json:"type"`
	Status       heppu.Status               `json:"status"`
	Model        string                     `json:"model"`
	Instructions string                     `json:"instructions"`
	Config       map[string]json.RawMessage `json:"config"`
	Tools        []toolJSON                 `json:"tools"`
	// PhoneNumbers is [] on a voice agent (the emulator assigns none) and
	// absent on a chat agent.
	PhoneNumbers []string `json:"phoneNumbers,omitzero"`
	CreatedAt    string   `json:"createdAt"`
	UpdatedAt    string   `json:"updatedAt"`
}

// toolJSON is an assigned tool; category and config appear on get only.
type toolJSON struct {
	ID          string         `json:"id"`
	Name        string         `json:"name"`
	Description string         `json:"description"`
	Category    string         `json:"category,omitempty"`
	Config      map[string]any `json:"config,omitzero"`
}

// updatedJSON and deletedJSON confirm an update and a delete.
type updatedJSON struct {
	ID      string `json:"id"`
	Updated bool   `json:"updated"`
}

type deletedJSON struct {
	ID      string `json:"id"`
	Deleted bool   `json:"deleted"`
}

// pageJSON is one page of the list.
type pageJSON struct {
	Agents     []agentJSON    `json:"agents"`
	Pagination paginationJSON `json:"pagination"`
}

type paginationJSON struct {
	Limit   int  `json:"limit"`
	Offset  int  `json:"offset"`
	Total   int  `json:"total"`
	HasMore bool `json:"hasMore"`
}

// create serves POST /agents.
func (h *Handler) create(org string, body []byte) reply {
	obj, ok := parseObject(body)
	if !ok {
		return failure(http.StatusBadRequest, msgInvalidJSON)
	}
	name, hasName, nameErr := field[string](obj, "name")
	typ, hasType, typeErr := field[heppu.AgentType](obj, "type")
	nameMissing := !hasName || nameErr == nil && name == ""
	typeMissing := !hasType || typeErr == nil && typ == ""
	if nameMissing || typeMissing {
		return failure(http.StatusBadRequest, msgMissingFields)
	}
	if nameErr != nil {
		return failure(http.StatusBadRequest, msgNameNotString)
	}
	if typeErr != nil || !slices.Contains(heppu.Types, typ) {
		return failure(http.StatusBadRequest, msgInvalidType)
	}
	if utf8.RuneCountInString(name) > heppu.MaxNameLength {
		return failure(http.StatusUnprocessableEntity, msgNameTooLong)
	}

	// Heppu does not document a model check; refusing a model of the other
	// type (or an unknown one) is assumed, as 422.
	model, _, err := field[string](obj, "model")
	if model == "" && err == nil {
		model = heppu.DefaultModel(typ)
	}
	if err != nil || !heppu.ValidModel(typ, model) {
		return failure(http.StatusUnprocessableEntity, msgInvalidModel)
	}
	instructions, _, err := field[string](obj, "instructions")
	if err != nil {
		return failure(http.StatusBadRequest, msgInstructions)
	}
	config, _, err := field[map[string]json.RawMessage](obj, "config")
	if err != nil {
		return failure(http.StatusBadRequest, msgConfig)
	}
	toolIDs, _, err := field[[]string](obj, "toolIds")
	if err != nil {
		return failure(http.StatusBadRequest, msgToolIDs)
	}

	now := h.timestamp()
	rec := &record{
		org:          org,
		id:           uuid.NewString(),
		name:         name,
		typ:          typ,
		status:       heppu.StatusActive,
		model:        model,
		instructions: instructions,
		config:       defaultConfig(typ),
		toolIDs:      h.allowedTools(toolIDs),
		createdAt:    now,
		updatedAt:    now,
	}
	// The given keys overlay the defaults, as a spread of two objects does.
	maps.Copy(rec.config, config)
	h.byID[rec.id] = rec
	h.order = append(h.order, rec)

	created := createdJSON{
		ID:           rec.id,
		Name:         rec.name,
		Type:         rec.typ,
		Model:        rec.model,
		Instructions: rec.instructions,
		Status:       rec.status,
		Config:       rec.config,
		CreatedAt:    rec.createdAt,
	}
	return success(http.StatusCreated, created, msgCreated)
}

// list serves GET /agents: the organization's agents, newest first.
func (h *Handler) list(org string, q url.Values) reply {
	typ := heppu.AgentType(q.Get("type"))
	if typ != "" && !slices.Contains(heppu.Types, typ) {
		return failure(http.StatusBadRequest, msgInvalidType)
	}
	status := heppu.Status(q.Get("status"))
	if status != "" && !slices.Contains(heppu.Statuses, status) {
		return failure(http.StatusBadRequest, msgInvalidStatus)
	}
	limit, ok := intParam(q, "limit", defaultLimit)
	if !ok || limit < 1 || limit > maxLimit {
		return failure(http.StatusBadRequest, msgInvalidLimit)
	}
	offset, ok := intParam(q, "offset", 0)
	if !ok || offset < 0 {
		return failure(http.StatusBadRequest, msgInvalidOffset)
	}

	var matches []*record
	for _, rec := range slices.Backward(h.order) {
		if rec.org == org && (typ == "" || rec.typ == typ) &&
			(status == "" || rec.status == status) {
			matches = append(matches, rec)
		}
	}
	total := len(matches)
	from := min(offset, total)
	to := from + min(limit, total-from)
	page := matches[from:to]

	agents := make([]agentJSON, 0, len(page))
	for _, rec := range page {
		agents = append(agents, rec.view(false))
	}
	return success(http.StatusOK, pageJSON{
		Agents: agents,
		Pagination: paginationJSON{
			Limit:   limit,
			Offset:  offset,
			Total:   total,
			HasMore: to < total,
		},
	}, "")
}

// get serves GET /agents/{agentId}.
func (h *Handler) get(org, id string) reply {
	rec := h.find(org, id)
	if rec == nil {
		return failure(http.StatusNotFound, msgAgentNotFound)
	}
	return success(http.StatusOK, rec.view(true), "")
}

// update serves PATCH /agents/{agentId}. Every check runs before anything
// changes, so a refused update leaves the agent as it was.
func (h *Handler) update(org, id string, body []byte) reply {
	rec := h.find(org, id)
	if rec == nil {
		return failure(http.StatusNotFound, msgAgentNotFound)
	}
	obj, ok := parseObject(body)
	if !ok {
		return failure(http.StatusBadRequest, msgInvalidJSON)
	}
	if _, hasType, _ := field[any](obj, "type"); hasType {
		return failure(http.StatusBadRequest, msgTypeImmutable)
	}

	name, hasName, err := field[string](obj, "name")
	switch {
	case err != nil:
		return failure(http.StatusBadRequest, msgNameNotString)
	case hasName && name == "":
		return failure(http.StatusBadRequest, msgNameEmpty)
	case utf8.RuneCountInString(name) > heppu.MaxNameLength:
		return failure(http.StatusUnprocessableEntity, msgNameTooLong)
	}
	status, hasStatus, err := field[heppu.Status](obj, "status")
	if err != nil || hasStatus && !slices.Contains(heppu.Statuses, status) {
		return failure(http.StatusBadRequest, msgInvalidStatus)
	}
	model, hasModel, err := field[string](obj, "model")
	if err != nil || hasModel && !heppu.ValidModel(rec.typ, model) {
		return failure(http.StatusUnprocessableEntity, msgInvalidModel)
	}
	instructions, hasInstructions, err := field[string](obj, "instructions")
	if err != nil {
		return failure(http.StatusBadRequest, msgInstructions)
	}
	config, hasConfig, err := field[map[string]json.RawMessage](obj, "config")
	if err != nil {
		return failure(http.StatusBadRequest, msgConfig)
	}
	toolIDs, hasToolIDs, err := field[[]string](obj, "toolIds")
	if err != nil {
		return failure(http.StatusBadRequest, msgToolIDs)
	}

	if hasName {
		rec.name = name
	}
	if hasStatus {
		rec.status = status
	}
	if hasModel {
		rec.model = model
	}
	if hasInstructions {
		rec.instructions = instructions
	}
	// Heppu does not document whether config is merged or replaced; the
	// client assumes it is replaced, so that is what happens here.
	if hasConfig {
		rec.config = config
	}
	if hasToolIDs {
		rec.toolIDs = h.allowedTools(toolIDs)
	}
	rec.updatedAt = h.timestamp()
	return success(http.StatusOK, updatedJSON{ID: rec.id, Updated: true}, msgUpdated)
}

// remove serves DELETE /agents/{agentId}: a soft delete that keeps the
// agent as inactive. Deleting an inactive agent again succeeds the same way.
func (h *Handler) remove(org, id string) reply {
	rec := h.find(org, id)
	if rec == nil {
		return failure(http.StatusNotFound, msgAgentNotFound)
	}
	rec.status = heppu.StatusInactive
	rec.updatedAt = h.timestamp()
	return success(http.StatusOK, deletedJSON{ID: rec.id, Deleted: true}, msgDeleted)
}

// find returns org's agent id, or nil. An ID that is not a UUID, or that
// belongs to another organization, is not found like any unknown one.
func (h *Handler) find(org, id string) *record {
	rec := h.byID[id]
	if rec == nil || rec.org != org {
		return nil
	}
	return rec
}

// timestamp returns the current time as Heppu writes it.
func (h *Handler) timestamp() string {
	return h.now().UTC().Format(time.RFC3339)
}

// allowedTools keeps the IDs the organization has, each once, in order.
func (h *Handler) allowedTools(ids []string) []string {
	out := []string{}
	for _, id := range ids {
		if h.toolIDs[id] && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// view returns rec as get (detailed) or list shows it.
func (rec *record) view(detailed bool) agentJSON {
	tools := make([]toolJSON, 0, len(rec.toolIDs))
	for _, id := range rec.toolIDs {
		t := describeTool(id)
		if !detailed {
			t.Category, t.Config = "", nil
		}
		tools = append(tools, t)
	}
	var phones []string
	if rec.typ == heppu.Voice {
		phones = []string{}
	}
	return agentJSON{
		ID:           rec.id,
		Name:         rec.name,
		Type:         rec.typ,
		Status:       rec.status,
		Model:        rec.model,
		Instructions: rec.instructions,
		Config:       rec.config,
		Tools:        tools,
		PhoneNumbers: phones,
		CreatedAt:    rec.createdAt,
		UpdatedAt:    rec.updatedAt,
	}
}

// agent returns rec as a client decodes it from GET /agents/{agentId}. A
// config value of a type heppu.Config cannot hold, such as a string speed,
// which the API stores anyway, lands in Config.Extra.
func (rec *record) agent() heppu.Agent {
	var a heppu.Agent
	b, err := json.Marshal(rec.view(true))
	if err == nil {
		err = json.Unmarshal(b, &a)
	}
	if err != nil {
		// The view is built from decoded JSON values, so it always encodes.
		panic("hepputest: re-reading a stored agent: " + err.Error())
	}
	return a
}

// defaultConfig returns the config a new agent of type typ starts from.
// Heppu does not document its defaults; these are the documented examples.
func defaultConfig(typ heppu.AgentType) map[string]json.RawMessage {
	if typ == heppu.Voice {
		return map[string]json.RawMessage{
			"voice":                 json.RawMessage(strconv.Quote(heppu.DefaultVoice)),
			"speed":                 json.RawMessage("1.0"),
			"interruptionThreshold": json.RawMessage("0.5"),
			"timeout":               json.RawMessage("30"),
		}
	}
	return map[string]json.RawMessage{
		"theme":        json.RawMessage(`"dark"`),
		"primaryColor": json.RawMessage(`"#3B82F6"`),
		"position":     json.RawMessage(`"bottom-right"`),
	}
}

// describeTool returns the catalogue entry of tool id. Heppu documents the
// common IDs but not their display names, descriptions or categories, so
// these are made up; other IDs get generic text.
func describeTool(id string) toolJSON {
	switch id {
	case "web_search":
		return tool(id, "Web Search", "information", "Searches the web for current information.")
	case "calculator":
		return tool(id, "Calculator", "utility", "Performs arithmetic calculations.")
	case "calendar":
		return tool(id, "Calendar", "productivity", "Checks availability and books appointments.")
	case "email":
		return tool(id, "Email", "communication", "Sends emails.")
	case "crm":
		return tool(id, "CRM", "business", "Looks up and updates customer records.")
	case "weather":
		return tool(id, "Weather", "information", "Gets current weather and forecasts.")
	case "sms":
		return tool(id, "SMS", "communication", "Sends text messages.")
	}
	return tool(id, id, "custom", "Custom tool "+id+".")
}

func tool(id, name, category, description string) toolJSON {
	return toolJSON{
		ID:          id,
		Name:        name,
		Description: description,
		Category:    category,
		Config:      map[string]any{},
	}
}

// parseObject decodes a body that must be a JSON object.
func parseObject(body []byte) (map[string]json.RawMessage, bool) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil || obj == nil {
		return nil, false
	}
	return obj, true
}

// field decodes member key of obj. present is false when the member is
// absent or null, which Heppu's optional fields treat alike; err reports a
// value of the wrong JSON type.
func field[T any](obj map[string]json.RawMessage, key string) (v T, present bool, err error) {
	raw, ok := obj[key]
	if !ok || string(raw) == "null" {
		return v, false, nil
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, true, err
	}
	return v, true, nil
}

// intParam reads an integer query parameter; empty means def.
func intParam(q url.Values, key string, def int) (int, bool) {
	s := q.Get(key)
	if s == "" {
		return def, true
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}
