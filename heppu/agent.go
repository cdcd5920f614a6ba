package heppu

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/buger/jsonparser"
)

// AgentType is the kind of an agent: a voice agent answers phone calls, a
// chat agent runs in a website widget. It cannot change after creation.
type AgentType string

// The agent types the API accepts.
const (
	Voice AgentType = "voice"
	Chat  AgentType = "chat"
)

// Status is the lifecycle state of an agent.
type Status string

// The documented agent statuses. Delete sets StatusInactive; Update with
// StatusActive restores the agent.
const (
	StatusActive   Status = "active"
	StatusInactive Status = "inactive"
	StatusTraining Status = "training"
	StatusDeployed Status = "deployed"
)

// Documented enumerations. They are variables only because Go has no
// constant slices; nothing should modify them.
var (
	// Types lists the agent types.
	Types = []AgentType{Voice, Chat}
	// Statuses lists the agent statuses.
	Statuses = []Status{StatusActive, StatusInactive, StatusTraining, StatusDeployed}
	// VoiceModels lists the models a voice agent may use; the first is the default.
	VoiceModels = []string{"gpt-realtime-2025-08-28"}
	// ChatModels lists the models a chat agent may use; the first is the default.
	ChatModels = []string{"gpt-4o", "gpt-4o-mini", "gpt-4", "gpt-4-turbo", "gpt-3.5-turbo"}
	// Voices lists the voices of a voice agent; DefaultVoice is the default.
	Voices = []string{"ash", "ballad", "coral", "sage", "verse", "shimmer"}
	// Themes lists the chat widget themes.
	Themes = []string{"light", "dark"}
	// Positions lists where the chat widget may sit on the page.
	Positions = []string{"bottom-right", "bottom-left", "top-right", "top-left"}
	// CommonToolIDs lists the tool IDs the documentation names. An
	// organization may have others, depending on its subscription.
	CommonToolIDs = []string{"web_search", "calculator", "calendar", "email", "crm", "weather", "sms"}
)

// DefaultVoice is the voice a voice agent gets when none is given.
const DefaultVoice = "sage"

// MaxNameLength is the longest agent name the API accepts, in characters.
// The documented ranges of the config values live in Config's schema tags.
const MaxNameLength = 255

// Models returns the models documented for agents of type t, default first,
// or nil for an unknown type.
func Models(t AgentType) []string {
	switch t {
	case Voice:
		return VoiceModels
	case Chat:
		return ChatModels
	}
	return nil
}

// DefaultModel returns the model Heppu uses when a create request of type t
// names none, or "" for an unknown type.
func DefaultModel(t AgentType) string {
	if m := Models(t); len(m) > 0 {
		return m[0]
	}
	return ""
}

// ValidModel reports whether model is documented for agents of type t.
func ValidModel(t AgentType, model string) bool {
	return slices.Contains(Models(t), model)
}

// Config holds the type-specific settings of an agent. The voice keys apply
// to voice agents and the widget keys to chat agents; see ConfigKeys.
// Numbers are pointers so that a zero (an interruption threshold of 0) is
// told apart from an absent value.
//
// Keys the API returns that Config does not know are kept in Extra, so that
// reading an agent and writing its config back loses nothing.
type Config struct {
	Voice                 string   `json:"voice,omitempty" jsonschema:"enum=ash,enum=ballad,enum=coral,enum=sage,enum=verse,enum=shimmer" jsonschema_description:"Voice agents only. The voice the agent speaks with; sage when not given."`
	Speed                 *float64 `json:"speed,omitempty" jsonschema:"minimum=0.5,maximum=2" jsonschema_description:"Voice agents only. Speech speed, from 0.5 (slow) to 2.0 (fast); 1.0 is normal."`
	InterruptionThreshold *float64 `json:"interruptionThreshold,omitempty" jsonschema:"minimum=0,maximum=1" jsonschema_description:"Voice agents only. How easily the caller can interrupt the agent, from 0.0 to 1.0."`
	Timeout               *float64 `json:"timeout,omitempty" jsonschema:"exclusiveMinimum=0" jsonschema_description:"Voice agents only. Call timeout in seconds; a positive number."`

	Theme          string   `json:"theme,omitempty" jsonschema:"enum=light,enum=dark" jsonschema_description:"Chat agents only. Widget theme."`
	PrimaryColor   string   `json:"primaryColor,omitempty" jsonschema:"pattern=^#([0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})$" jsonschema_description:"Chat agents only. Widget colour as a hex code such as #3B82F6."`
	Position       string   `json:"position,omitempty" jsonschema:"enum=bottom-right,enum=bottom-left,enum=top-right,enum=top-left" jsonschema_description:"Chat agents only. Where the widget sits on the page."`
	Greeting       string   `json:"greeting,omitempty" jsonschema_description:"Chat agents only. The first message the widget shows."`
	Placeholder    string   `json:"placeholder,omitempty" jsonschema_description:"Chat agents only. Placeholder text of the message input."`
	AllowedDomains []string `json:"allowedDomains,omitzero" jsonschema:"uniqueItems=true,maxLength=253,pattern=^[A-Za-z0-9]([A-Za-z0-9-]{0\\,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0\\,61}[A-Za-z0-9])?)*$" jsonschema_description:"Chat agents only. Host names allowed to embed the widget, such as example.com (no scheme, path or port). Empty or absent allows every site."`

	// Extra holds keys Heppu returned that the fields above do not cover.
	Extra map[string]json.RawMessage `json:"-"`
}

// VoiceConfigKeys and ChatConfigKeys name the config keys that belong to
// each agent type, in the order the documentation gives them.
var (
	VoiceConfigKeys = []string{"voice", "speed", "interruptionThreshold", "timeout"}
	ChatConfigKeys  = []string{"theme", "primaryColor", "position", "greeting", "placeholder", "allowedDomains"}
)

// ConfigKeys returns the config keys that belong to agents of type t.
func ConfigKeys(t AgentType) []string {
	switch t {
	case Voice:
		return VoiceConfigKeys
	case Chat:
		return ChatConfigKeys
	}
	return nil
}

// configFields is Config without its methods, so that the JSON methods can
// use the standard encoding of the known fields.
type configFields Config

// MarshalJSON encodes the known fields and then the Extra keys.
func (c Config) MarshalJSON() ([]byte, error) {
	if b, ok := c.appendJSON(make([]byte, 0, 256)); ok {
		return b, nil
	}
	known, err := json.Marshal(configFields(c))
	if err != nil || len(c.Extra) == 0 {
		return known, err
	}
	var merged map[string]json.RawMessage
	if err := json.Unmarshal(known, &merged); err != nil {
		return nil, err
	}
	for k, v := range c.Extra {
		if _, ok := merged[k]; !ok {
			merged[k] = v
		}
	}
	return json.Marshal(merged)
}

// appendJSON appends the config to b as MarshalJSON encodes it, without
// reflection: every request and every result carries a config. It reports
// false, leaving the work to MarshalJSON, for Extra keys or a number JSON
// cannot hold.
func (c *Config) appendJSON(b []byte) ([]byte, bool) {
	if len(c.Extra) > 0 {
		return b, false
	}
	o := beginObject(b)
	o.StringOmitEmpty("voice", c.Voice)
	o.Float("speed", c.Speed)
	o.Float("interruptionThreshold", c.InterruptionThreshold)
	o.Float("timeout", c.Timeout)
	o.StringOmitEmpty("theme", c.Theme)
	o.StringOmitEmpty("primaryColor", c.PrimaryColor)
	o.StringOmitEmpty("position", c.Position)
	o.StringOmitEmpty("greeting", c.Greeting)
	o.StringOmitEmpty("placeholder", c.Placeholder)
	if c.AllowedDomains != nil {
		o.Strings("allowedDomains", c.AllowedDomains)
	}
	return o.End()
}

// UnmarshalJSON decodes the known fields and keeps every other key in
// Extra. A known key whose value has an unexpected JSON type is kept in
// Extra too, as it came: Heppu does not document validating config, and
// one odd value must not make a whole agent, or a page of them, unreadable.
func (c *Config) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil // as encoding/json leaves a value alone for null
	}
	if cfg, ok := decodePlainConfig(data); ok {
		*c = cfg
		return nil
	}
	return c.decodeAnyConfig(data)
}

// AssignValue sets c from a config already decoded into generic values
// (objects as map[string]any, numbers as json.Number), as UnmarshalJSON
// would from its JSON: the tools validate a call's arguments in that form
// and need not decode them twice. A config it would not take as plain
// goes through UnmarshalJSON.
func (c *Config) AssignValue(v any) error {
	if m, ok := v.(map[string]any); ok {
		if cfg, ok := assignPlainConfig(m); ok {
			*c = cfg
			return nil
		}
	}
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return c.UnmarshalJSON(data)
}

// assignPlainConfig is decodePlainConfig for decoded values: known keys
// with values of their fields' types, any other key into Extra.
func assignPlainConfig(m map[string]any) (Config, bool) {
	var c Config
	for k, v := range m {
		var ok bool
		switch k {
		case "voice":
			c.Voice, ok = v.(string)
		case "speed":
			c.Speed, ok = numberValue(v)
		case "interruptionThreshold":
			c.InterruptionThreshold, ok = numberValue(v)
		case "timeout":
			c.Timeout, ok = numberValue(v)
		case "theme":
			c.Theme, ok = v.(string)
		case "primaryColor":
			c.PrimaryColor, ok = v.(string)
		case "position":
			c.Position, ok = v.(string)
		case "greeting":
			c.Greeting, ok = v.(string)
		case "placeholder":
			c.Placeholder, ok = v.(string)
		case "allowedDomains":
			c.AllowedDomains, ok = stringsValue(v)
		default:
			raw, err := json.Marshal(v)
			if err != nil {
				return Config{}, false
			}
			if c.Extra == nil {
				c.Extra = make(map[string]json.RawMessage)
			}
			c.Extra[k], ok = raw, true
		}
		if !ok {
			return Config{}, false
		}
	}
	return c, true
}

func numberValue(v any) (*float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return nil, false
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil {
		return nil, false
	}
	return &f, true
}

func stringsValue(v any) ([]string, bool) {
	items, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]string, len(items))
	for i, item := range items {
		if out[i], ok = item.(string); !ok {
			return nil, false
		}
	}
	return out, true
}

// decodePlainConfig decodes the usual config in one pass over its keys:
// every known key exactly so spelt, with a value of its field's type that
// needs no unescaping (ASCII strings without escapes, ordinary numbers);
// other keys go to Extra. It reports false, having decided nothing, for
// anything else, which decodeAnyConfig takes the long way.
func decodePlainConfig(data []byte) (Config, bool) {
	var c Config
	plain := true
	err := jsonparser.ObjectEach(data, func(key, value []byte, typ jsonparser.ValueType, _ int) error {
		if !plain {
			return nil
		}
		if bytes.IndexByte(key, '\\') >= 0 || !asciiOnly(key) {
			plain = false
			return nil
		}
		var field any
		switch string(key) {
		case "voice":
			field = &c.Voice
		case "speed":
			field = &c.Speed
		case "interruptionThreshold":
			field = &c.InterruptionThreshold
		case "timeout":
			field = &c.Timeout
		case "theme":
			field = &c.Theme
		case "primaryColor":
			field = &c.PrimaryColor
		case "position":
			field = &c.Position
		case "greeting":
			field = &c.Greeting
		case "placeholder":
			field = &c.Placeholder
		case "allowedDomains":
			field = &c.AllowedDomains
		default:
			if c.Extra == nil {
				c.Extra = make(map[string]json.RawMessage)
			}
			c.Extra[string(key)] = rawJSON(value, typ)
			return nil
		}
		plain = decodePlainValue(field, value, typ)
		return nil
	})
	return c, err == nil && plain
}

// decodePlainValue sets *field from value when value is of the field's type
// and plain, and reports whether it was.
func decodePlainValue(field any, value []byte, typ jsonparser.ValueType) bool {
	switch f := field.(type) {
	case *string:
		if typ != jsonparser.String || !plainString(value) {
			return false
		}
		*f = string(value)
	case **float64:
		if typ != jsonparser.Number {
			return false
		}
		n, err := strconv.ParseFloat(string(value), 64)
		if err != nil {
			return false
		}
		*f = &n
	case *[]string:
		if typ != jsonparser.Array {
			return false
		}
		list := []string{}
		ok := true
		_, err := jsonparser.ArrayEach(value, func(item []byte, typ jsonparser.ValueType, _ int, _ error) {
			if !ok || typ != jsonparser.String || !plainString(item) {
				ok = false
				return
			}
			list = append(list, string(item))
		})
		if err != nil || !ok {
			return false
		}
		*f = list
	}
	return true
}

// plainString reports whether a string's contents, as jsonparser gives
// them, need no unescaping: valid UTF-8 without escapes or control
// characters, which encoding/json takes as they are.
func plainString(s []byte) bool {
	for _, c := range s {
		if c < ' ' || c == '\\' {
			return false
		}
	}
	return utf8.Valid(s)
}

func asciiOnly(s []byte) bool {
	for _, c := range s {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// decodeAnyConfig decodes any config the long way: each known key, so
// spelt, with a value of its documented type into its field, and every
// other key, or a known key with a value of another type, into Extra. A
// known key in another case ("Voice") is another key to Heppu, so it goes
// to Extra too, and a config read and sent back is sent as it came.
func (c *Config) decodeAnyConfig(data []byte) error {
	var all map[string]json.RawMessage
	if err := json.Unmarshal(data, &all); err != nil {
		return err
	}
	*c = Config{}
	for k, v := range all {
		if c.decodeKey(k, v) {
			continue
		}
		if c.Extra == nil {
			c.Extra = make(map[string]json.RawMessage)
		}
		c.Extra[k] = v
	}
	return nil
}

// rawJSON returns a value jsonparser handed out as JSON of its own: a
// string comes without its quotes, but with its escapes, so the quotes
// are put back.
func rawJSON(value []byte, typ jsonparser.ValueType) json.RawMessage {
	if typ == jsonparser.String {
		return json.RawMessage(append(append([]byte{'"'}, value...), '"'))
	}
	return json.RawMessage(bytes.Clone(value))
}

// decodeKey decodes the value of config key k into its field, and reports
// whether k is a known key whose value fits the field.
func (c *Config) decodeKey(k string, v json.RawMessage) bool {
	switch k {
	case "voice":
		return decodeInto(&c.Voice, v)
	case "speed":
		return decodeInto(&c.Speed, v)
	case "interruptionThreshold":
		return decodeInto(&c.InterruptionThreshold, v)
	case "timeout":
		return decodeInto(&c.Timeout, v)
	case "theme":
		return decodeInto(&c.Theme, v)
	case "primaryColor":
		return decodeInto(&c.PrimaryColor, v)
	case "position":
		return decodeInto(&c.Position, v)
	case "greeting":
		return decodeInto(&c.Greeting, v)
	case "placeholder":
		return decodeInto(&c.Placeholder, v)
	case "allowedDomains":
		return decodeInto(&c.AllowedDomains, v)
	}
	return false
}

// decodeInto decodes raw into dst and reports whether it could; dst is
// left alone when it could not.
func decodeInto[T any](dst *T, raw json.RawMessage) bool {
	var v T
	if json.Unmarshal(raw, &v) != nil {
		return false
	}
	*dst = v
	return true
}

// Tool is a capability assigned to an agent, such as web_search.
type Tool struct {
	ID          string         `json:"id" jsonschema_description:"The tool ID, as given in toolIds."`
	Name        string         `json:"name,omitempty" jsonschema_description:"Display name of the tool."`
	Description string         `json:"description,omitempty" jsonschema_description:"What the tool lets the agent do."`
	Category    string         `json:"category,omitempty" jsonschema_description:"The tool's category, when Heppu reports it."`
	Config      map[string]any `json:"config,omitempty" jsonschema_description:"Tool-specific settings, when Heppu reports them."`
}

// Agent is a Heppu voice or chat agent. Create returns fewer fields than Get;
// absent fields are zero.
type Agent struct {
	ID           string    `json:"id" jsonschema_description:"The agent's UUID; pass it as agentId to the other tools."`
	Name         string    `json:"name" jsonschema_description:"The agent's name."`
	Type         AgentType `json:"type" jsonschema:"enum=voice,enum=chat" jsonschema_description:"voice (phone calls) or chat (website widget)."`
	Status       Status    `json:"status,omitempty" jsonschema_description:"Lifecycle state: active, inactive (deleted), training or deployed."`
	Model        string    `json:"model,omitempty" jsonschema:"enum=gpt-realtime-2025-08-28,enum=gpt-4o,enum=gpt-4o-mini,enum=gpt-4,enum=gpt-4-turbo,enum=gpt-3.5-turbo" jsonschema_description:"The language model the agent runs on."`
	Instructions string    `json:"instructions" jsonschema_description:"The agent's system prompt; empty when none was given."`
	Config       *Config   `json:"config,omitempty" jsonschema_description:"Type-specific settings: voice settings for a voice agent, widget settings for a chat agent."`
	Tools        []Tool    `json:"tools,omitempty" jsonschema_description:"The tools assigned to the agent."`
	PhoneNumbers []string  `json:"phoneNumbers,omitempty" jsonschema_description:"Phone numbers in E.164 form assigned to a voice agent."`
	CreatedAt    string    `json:"createdAt,omitempty" jsonschema_description:"When the agent was created (ISO 8601)."`
	UpdatedAt    string    `json:"updatedAt,omitempty" jsonschema_description:"When the agent was last changed (ISO 8601)."`
}

// ToolIDs returns the IDs of the tools assigned to the agent.
func (a *Agent) ToolIDs() []string {
	ids := make([]string, 0, len(a.Tools))
	for _, t := range a.Tools {
		ids = append(ids, t.ID)
	}
	return ids
}

// CreateAgentRequest is the body of POST /agents.
type CreateAgentRequest struct {
	Name         string    `json:"name" jsonschema:"minLength=1,maxLength=255,pattern=\\S" jsonschema_description:"The agent's name, 1 to 255 characters, not blank."`
	Type         AgentType `json:"type" jsonschema:"enum=voice,enum=chat" jsonschema_description:"voice for a phone agent, chat for a website widget. Cannot be changed later."`
	Model        string    `json:"model,omitempty" jsonschema:"enum=gpt-realtime-2025-08-28,enum=gpt-4o,enum=gpt-4o-mini,enum=gpt-4,enum=gpt-4-turbo,enum=gpt-3.5-turbo" jsonschema_description:"The language model. Voice agents: gpt-realtime-2025-08-28 (the default). Chat agents: gpt-4o (the default), gpt-4o-mini, gpt-4, gpt-4-turbo or gpt-3.5-turbo."`
	Instructions string    `json:"instructions,omitempty" jsonschema_description:"The agent's system prompt: who it is, what it does, how it speaks. Empty when not given."`
	Config       *Config   `json:"config,omitempty" jsonschema_description:"Type-specific settings. Give only the keys of the agent's type; Heppu applies defaults to the rest."`
	ToolIDs      []string  `json:"toolIds,omitempty" jsonschema:"uniqueItems=true,minLength=1,maxLength=100" jsonschema_description:"IDs of tools to enable, such as web_search or calendar. IDs the organization does not have are silently dropped by Heppu."`
}

// UpdateAgentRequest is the body of PATCH /agents/{agentId}. Nil fields are
// left unchanged. A non-nil empty ToolIDs removes every tool; Config, when
// set, should be the whole config, since the API may replace it wholesale.
type UpdateAgentRequest struct {
	Name         *string  `json:"name,omitempty" jsonschema:"minLength=1,maxLength=255,pattern=\\S" jsonschema_description:"A new name, 1 to 255 characters, not blank."`
	Status       *Status  `json:"status,omitempty" jsonschema:"enum=active,enum=inactive,enum=training,enum=deployed" jsonschema_description:"A new status. active restores a deleted (inactive) agent."`
	Model        *string  `json:"model,omitempty" jsonschema:"enum=gpt-realtime-2025-08-28,enum=gpt-4o,enum=gpt-4o-mini,enum=gpt-4,enum=gpt-4-turbo,enum=gpt-3.5-turbo" jsonschema_description:"A new model, one of the agent type's models. Voice agents: gpt-realtime-2025-08-28. Chat agents: gpt-4o, gpt-4o-mini, gpt-4, gpt-4-turbo or gpt-3.5-turbo."`
	Instructions *string  `json:"instructions,omitempty" jsonschema_description:"New instructions (system prompt), replacing the old ones whole."`
	Config       *Config  `json:"config,omitempty" jsonschema_description:"Config keys to change, merged into the agent's current config: keys left out keep their values. Only the keys of the agent's type."`
	ToolIDs      []string `json:"toolIds,omitzero" jsonschema:"uniqueItems=true,minLength=1,maxLength=100" jsonschema_description:"The agent's whole new tool set, replacing the old one; [] removes every tool. Leave out to keep the tools. IDs the organization does not have are silently dropped by Heppu."`
}

// ListAgentsOptions filters and pages GET /agents. Zero fields are not sent,
// so the API's defaults apply (limit 50, offset 0).
type ListAgentsOptions struct {
	Type   AgentType
	Status Status
	Limit  int
	Offset int
}

// Pagination describes one page of a list.
type Pagination struct {
	Limit   int   `json:"limit" jsonschema_description:"The page size used."`
	Offset  int   `json:"offset" jsonschema_description:"How many agents were skipped."`
	Total   int   `json:"total" jsonschema_description:"How many agents match the filters in all."`
	HasMore *bool `json:"hasMore,omitempty" jsonschema_description:"Whether more agents follow this page, when Heppu reports it."`
}

// AgentList is one page of agents.
type AgentList struct {
	Agents     []Agent    `json:"agents"`
	Pagination Pagination `json:"pagination"`
}

// UpdateResult is the API's confirmation of a PATCH.
type UpdateResult struct {
	ID      string `json:"id"`
	Updated bool   `json:"updated"`
}

// DeleteResult is the API's confirmation of a DELETE.
type DeleteResult struct {
	ID      string `json:"id"`
	Deleted bool   `json:"deleted"`
}

// ValidType reports whether t is one of the agent types.
func ValidType(t AgentType) bool { return slices.Contains(Types, t) }
