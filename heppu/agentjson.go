package heppu

import (
	"bytes"
	"reflect"
	"strings"
	"unicode/utf8"
)

// decodeAgentAnswer decodes the usual answer that carries an agent,
// {"success": true, "data": {...}}, in one pass over its bytes and without
// reflection: every create, read and update gets one. It takes only what
// it can decode exactly as encoding/json would: known keys spelt exactly
// and given once, values of their fields' types, no nulls, no tool config.
// It reports false, having decided nothing, for anything else, including
// JSON that is not valid, which then takes encoding/json's way.
func decodeAgentAnswer(data []byte) (*Agent, bool) {
	r := reader{data: data}
	var (
		agent         *Agent
		success       = true
		sawSuccess    bool
		ok            = true
		endedProperly bool
	)
	endedProperly = r.object(func(key []byte) bool {
		switch string(key) {
		case "success":
			if sawSuccess {
				return false
			}
			sawSuccess = true
			switch {
			case r.literal("true"):
			case r.literal("false"):
				success = false
			default:
				return false
			}
			return true
		case "data":
			if agent != nil {
				return false
			}
			agent = new(Agent)
			return r.agent(agent)
		}
		if bytes.EqualFold(key, []byte("success")) || bytes.EqualFold(key, []byte("data")) {
			return false // encoding/json would take it in its other case
		}
		return r.skip()
	})
	r.space()
	ok = endedProperly && r.pos == len(r.data)
	if !ok || !success || agent == nil {
		return nil, false
	}
	return agent, true
}

// reader walks JSON bytes, checking their grammar as it goes. Every method
// reports false at the first thing it does not take.
type reader struct {
	data  []byte
	pos   int
	depth int // of the objects and arrays open, at most maxDepth
}

// maxDepth bounds nesting as encoding/json does, which refuses deeper.
const maxDepth = 10000

func (r *reader) space() {
	for r.pos < len(r.data) {
		switch r.data[r.pos] {
		case ' ', '\t', '\n', '\r':
			r.pos++
		default:
			return
		}
	}
}

// peek returns the next byte after space, or 0 at the end.
func (r *reader) peek() byte {
	r.space()
	if r.pos < len(r.data) {
		return r.data[r.pos]
	}
	return 0
}

func (r *reader) literal(word string) bool {
	r.space()
	if !bytes.HasPrefix(r.data[r.pos:], []byte(word)) {
		return false
	}
	r.pos += len(word)
	return true
}

// object reads an object, handing each key to member, which must read the
// value after the colon.
func (r *reader) object(member func(key []byte) bool) bool {
	if r.peek() != '{' || r.depth >= maxDepth {
		return false
	}
	r.depth++
	defer func() { r.depth-- }()
	r.pos++
	if r.peek() == '}' {
		r.pos++
		return true
	}
	for {
		key, ok := r.plainBytes()
		if !ok || r.peek() != ':' {
			return false
		}
		r.pos++
		if !member(key) {
			return false
		}
		switch r.peek() {
		case ',':
			r.pos++
		case '}':
			r.pos++
			return true
		default:
			return false
		}
	}
}

// array reads an array, calling item for each element.
func (r *reader) array(item func() bool) bool {
	if r.peek() != '[' || r.depth >= maxDepth {
		return false
	}
	r.depth++
	defer func() { r.depth-- }()
	r.pos++
	if r.peek() == ']' {
		r.pos++
		return true
	}
	for {
		if !item() {
			return false
		}
		switch r.peek() {
		case ',':
			r.pos++
		case ']':
			r.pos++
			return true
		default:
			return false
		}
	}
}

// plainString reads a string that needs no unescaping: valid UTF-8 with
// neither escapes nor control characters. It is then, byte for byte, the
// string encoding/json decodes.
func (r *reader) plainString() (string, bool) {
	b, ok := r.plainBytes()
	return string(b), ok
}

// plainBytes is plainString without the copy.
func (r *reader) plainBytes() ([]byte, bool) {
	if r.peek() != '"' {
		return nil, false
	}
	start := r.pos + 1
	for i := start; i < len(r.data); i++ {
		switch c := r.data[i]; {
		case c == '"':
			s := r.data[start:i]
			if !utf8.Valid(s) {
				return nil, false
			}
			r.pos = i + 1
			return s, true
		case c == '\\' || c < ' ':
			return nil, false
		}
	}
	return nil, false
}

// stringList reads an array of plain strings.
func (r *reader) stringList() ([]string, bool) {
	list := []string{}
	ok := r.array(func() bool {
		s, ok := r.plainString()
		list = append(list, s)
		return ok
	})
	return list, ok
}

// skip reads any value, checking its grammar.
func (r *reader) skip() bool {
	switch c := r.peek(); {
	case c == '{':
		return r.object(func([]byte) bool { return r.skip() })
	case c == '[':
		return r.array(r.skip)
	case c == '"':
		return r.skipString()
	case c == 't':
		return r.literal("true")
	case c == 'f':
		return r.literal("false")
	case c == 'n':
		return r.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		return r.skipNumber()
	}
	return false
}

// skipString reads any string, escapes included.
func (r *reader) skipString() bool {
	start := r.pos
	r.pos++
	for r.pos < len(r.data) {
		c := r.data[r.pos]
		switch {
		case c == '"':
			r.pos++
			return true
		case c < ' ':
			return false
		case c == '\\':
			r.pos++
			if r.pos >= len(r.data) {
				return false
			}
			switch r.data[r.pos] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				r.pos++
			case 'u':
				if r.pos+4 >= len(r.data) {
					return false
				}
				for _, h := range r.data[r.pos+1 : r.pos+5] {
					if !isHex(h) {
						return false
					}
				}
				r.pos += 5
			default:
				return false
			}
		default:
			r.pos++
		}
	}
	r.pos = start
	return false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// skipNumber reads a number as JSON writes it.
func (r *reader) skipNumber() bool {
	digits := func() int {
		n := 0
		for r.pos < len(r.data) && '0' <= r.data[r.pos] && r.data[r.pos] <= '9' {
			r.pos++
			n++
		}
		return n
	}
	if r.data[r.pos] == '-' {
		r.pos++
	}
	switch {
	case r.pos < len(r.data) && r.data[r.pos] == '0':
		r.pos++
	case digits() == 0:
		return false
	}
	if r.pos < len(r.data) && r.data[r.pos] == '.' {
		r.pos++
		if digits() == 0 {
			return false
		}
	}
	if r.pos < len(r.data) && (r.data[r.pos] == 'e' || r.data[r.pos] == 'E') {
		r.pos++
		if r.pos < len(r.data) && (r.data[r.pos] == '+' || r.data[r.pos] == '-') {
			r.pos++
		}
		if digits() == 0 {
			return false
		}
	}
	return true
}

// agent reads an agent's object into a.
func (r *reader) agent(a *Agent) bool {
	var seen uint16 // the known keys read, one bit each
	once := func(bit uint16) bool {
		repeated := seen&bit != 0
		seen |= bit
		return !repeated // encoding/json merges repeats in ways not worth copying
	}
	return r.object(func(key []byte) bool {
		var field *string
		switch string(key) {
		case "id":
			field = &a.ID
		case "name":
			field = &a.Name
		case "type":
			field = (*string)(&a.Type)
		case "status":
			field = (*string)(&a.Status)
		case "model":
			field = &a.Model
		case "instructions":
			field = &a.Instructions
		case "createdAt":
			field = &a.CreatedAt
		case "updatedAt":
			field = &a.UpdatedAt
		case "config":
			start := r.pos
			if !once(1<<8) || r.peek() != '{' || !r.skip() {
				return false
			}
			cfg, ok := decodePlainConfig(r.data[start:r.pos])
			a.Config = &cfg
			return ok
		case "tools":
			if !once(1 << 9) {
				return false
			}
			tools := []Tool{}
			ok := r.array(func() bool {
				var t Tool
				ok := r.tool(&t)
				tools = append(tools, t)
				return ok
			})
			a.Tools = tools
			return ok
		case "phoneNumbers":
			if !once(1 << 10) {
				return false
			}
			var ok bool
			a.PhoneNumbers, ok = r.stringList()
			return ok
		default:
			if isAgentKeyFold(key) {
				return false
			}
			return r.skip()
		}
		if !once(stringFieldBit(string(key))) {
			return false
		}
		s, ok := r.plainString()
		*field = s
		return ok
	})
}

// stringFieldBit gives each string key of an agent or a tool a bit of its
// own below 1<<8.
func stringFieldBit(key string) uint16 {
	switch key {
	case "id":
		return 1 << 0
	case "name":
		return 1 << 1
	case "type", "description":
		return 1 << 2
	case "status", "category":
		return 1 << 3
	case "model":
		return 1 << 4
	case "instructions":
		return 1 << 5
	case "createdAt":
		return 1 << 6
	}
	return 1 << 7 // updatedAt
}

// tool reads one of an agent's tools into t; a tool with a config takes
// the long way.
func (r *reader) tool(t *Tool) bool {
	var seen uint16
	return r.object(func(key []byte) bool {
		var field *string
		switch string(key) {
		case "id":
			field = &t.ID
		case "name":
			field = &t.Name
		case "description":
			field = &t.Description
		case "category":
			field = &t.Category
		default:
			if isToolKeyFold(key) {
				return false // config, or a key in another case
			}
			return r.skip()
		}
		bit := stringFieldBit(string(key))
		if seen&bit != 0 {
			return false
		}
		seen |= bit
		s, ok := r.plainString()
		*field = s
		return ok
	})
}

// agentKeys and toolKeys are the JSON names of Agent's and Tool's fields.
var (
	agentKeys = jsonNames(Agent{})
	toolKeys  = jsonNames(Tool{})
)

func isAgentKeyFold(k []byte) bool { return foldsToOneOf(k, agentKeys) }
func isToolKeyFold(k []byte) bool  { return foldsToOneOf(k, toolKeys) }

func foldsToOneOf(k []byte, names []string) bool {
	for _, name := range names {
		if bytes.EqualFold(k, []byte(name)) {
			return true
		}
	}
	return false
}

// jsonNames lists the keys of a struct's fields as encoding/json names
// them.
func jsonNames(v any) []string {
	var names []string
	for _, f := range reflect.VisibleFields(reflect.TypeOf(v)) {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-" || !f.IsExported():
		case name == "":
			names = append(names, f.Name)
		default:
			names = append(names, name)
		}
	}
	return names
}
