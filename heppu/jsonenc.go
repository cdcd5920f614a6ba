package heppu

// The request body sent to Heppu, and the config it carries, are encoded on
// every create. The encoder here writes them byte for byte as encoding/json
// does, without its reflection; encoding/json stays the reference, and the
// fuzz tests compare the two.

import (
	"math"
	"strconv"
	"unicode/utf8"
)

// jsonObject appends the members of one JSON object to a buffer. Names must be
// plain ASCII that needs no escaping, as struct tags are.
type jsonObject struct {
	// B is the buffer, for appending a member's value with another
	// appender after Key.
	B     []byte
	begun bool // a member was written
	ok    bool
}

// beginObject starts an object at the end of b.
func beginObject(b []byte) jsonObject {
	return jsonObject{B: append(b, '{'), ok: true}
}

// Key writes a member's name; its value must follow.
func (o *jsonObject) Key(name string) {
	if o.begun {
		o.B = append(o.B, ',')
	}
	o.begun = true
	o.B = append(o.B, '"')
	o.B = append(o.B, name...)
	o.B = append(o.B, '"', ':')
}

// String writes a string member.
func (o *jsonObject) String(name, v string) {
	o.Key(name)
	o.B = appendJSONString(o.B, v)
}

// StringOmitEmpty writes a string member unless it is empty.
func (o *jsonObject) StringOmitEmpty(name, v string) {
	if v != "" {
		o.String(name, v)
	}
}

// Float writes a number member unless v is nil. NaN and infinities, which
// encoding/json refuses, fail the object.
func (o *jsonObject) Float(name string, v *float64) {
	if v == nil {
		return
	}
	if math.IsNaN(*v) || math.IsInf(*v, 0) {
		o.ok = false
		return
	}
	o.Key(name)
	o.B = appendJSONFloat(o.B, *v)
}

// Strings writes an array of strings; a nil slice is null.
func (o *jsonObject) Strings(name string, v []string) {
	o.Key(name)
	if v == nil {
		o.B = append(o.B, "null"...)
		return
	}
	o.B = append(o.B, '[')
	for i, s := range v {
		if i > 0 {
			o.B = append(o.B, ',')
		}
		o.B = appendJSONString(o.B, s)
	}
	o.B = append(o.B, ']')
}

// Fail marks the object as one the caller must leave to encoding/json.
func (o *jsonObject) Fail() { o.ok = false }

// End closes the object and returns the buffer. It reports false if a
// member failed: the buffer then holds no usable JSON.
func (o *jsonObject) End() ([]byte, bool) {
	return append(o.B, '}'), o.ok
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as encoding/json writes a string: quoted, with
// HTML characters, control characters, U+2028 and U+2029 escaped, and
// invalid UTF-8 as U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= ' ' && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendJSONFloat appends f as encoding/json writes a float64: the shortest
// form that reads back the same, in exponent form only when very small or
// very large. f must be finite.
func appendJSONFloat(b []byte, f float64) []byte {
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// Two exponent digits at least, as encoding/json trims them: e-07 is e-7.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}
