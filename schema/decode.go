package schema

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth bounds the nesting of arrays and objects Decode accepts, as
// encoding/json bounds it, so that a hostile value cannot exhaust the stack.
const maxDepth = 10000

// Decode parses one JSON value the way [Schema.Validate] expects it:
// objects as map[string]any, arrays as []any and numbers as json.Number, so
// that no precision is lost. Anything after the value is an error.
//
// It gives the values encoding/json's Decoder gives with UseNumber (strings
// with invalid UTF-8 or lone surrogates carry U+FFFD in their place; of
// repeated keys the last wins) in one pass over data, without reflection:
// every tool call's arguments go through it.
func Decode(data []byte) (any, error) {
	d := decoder{data: data}
	d.skipSpace()
	v, err := d.value(0)
	if err != nil {
		return nil, err
	}
	d.skipSpace()
	if d.pos < len(d.data) {
		return nil, d.syntaxError("after top-level value")
	}
	return v, nil
}

type decoder struct {
	data []byte
	pos  int
}

// syntaxError reports the byte at the current position, or a truncated
// input as io.ErrUnexpectedEOF.
func (d *decoder) syntaxError(context string) error {
	if d.pos >= len(d.data) {
		return io.ErrUnexpectedEOF
	}
	return fmt.Errorf("invalid character %s %s (at byte %d)", quoteByte(d.data[d.pos]), context, d.pos)
}

func quoteByte(c byte) string {
	if c == '\'' {
		return `'\''`
	}
	if c == '"' {
		return `'"'`
	}
	s := strconv.QuoteRune(rune(c))
	return "'" + s[1:len(s)-1] + "'"
}

func (d *decoder) skipSpace() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// value parses the value at the current position, which is not space.
func (d *decoder) value(depth int) (any, error) {
	if d.pos >= len(d.data) {
		return nil, io.ErrUnexpectedEOF
	}
	switch c := d.data[d.pos]; {
	case c == '{':
		return d.object(depth + 1)
	case c == '[':
		return d.array(depth + 1)
	case c == '"':
		return d.string()
	case c == '-' || '0' <= c && c <= '9':
		return d.number()
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	}
	return nil, d.syntaxError("looking for beginning of value")
}

func (d *decoder) literal(word string) error {
	for i := range len(word) {
		if d.pos >= len(d.data) {
			return io.ErrUnexpectedEOF
		}
		if d.data[d.pos] != word[i] {
			return d.syntaxError("in literal " + word)
		}
		d.pos++
	}
	return nil
}

func (d *decoder) object(depth int) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("exceeded max depth of %d (at byte %d)", maxDepth, d.pos)
	}
	d.pos++ // {
	m := map[string]any{}
	d.skipSpace()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		return m, nil
	}
	for {
		if d.pos >= len(d.data) {
			return nil, io.ErrUnexpectedEOF
		}
		if d.data[d.pos] != '"' {
			return nil, d.syntaxError("looking for beginning of object key string")
		}
		key, err := d.string()
		if err != nil {
			return nil, err
		}
		d.skipSpace()
		if d.pos >= len(d.data) {
			return nil, io.ErrUnexpectedEOF
		}
		if d.data[d.pos] != ':' {
			return nil, d.syntaxError("after object key")
		}
		d.pos++
		d.skipSpace()
		v, err := d.value(depth)
		if err != nil {
			return nil, err
		}
		m[key] = v
		d.skipSpace()
		if d.pos >= len(d.data) {
			return nil, io.ErrUnexpectedEOF
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
			d.skipSpace()
		case '}':
			d.pos++
			return m, nil
		default:
			return nil, d.syntaxError("after object key:value pair")
		}
	}
}

func (d *decoder) array(depth int) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("exceeded max depth of %d (at byte %d)", maxDepth, d.pos)
	}
	d.pos++ // [
	a := []any{}
	d.skipSpace()
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		return a, nil
	}
	for {
		v, err := d.value(depth)
		if err != nil {
			return nil, err
		}
		a = append(a, v)
		d.skipSpace()
		if d.pos >= len(d.data) {
			return nil, io.ErrUnexpectedEOF
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
			d.skipSpace()
		case ']':
			d.pos++
			return a, nil
		default:
			return nil, d.syntaxError("after array element")
		}
	}
}

// number parses a number as JSON writes it and keeps its text.
func (d *decoder) number() (any, error) {
	start := d.pos
	if d.data[d.pos] == '-' {
		d.pos++
	}
	switch {
	case d.pos >= len(d.data):
		return nil, io.ErrUnexpectedEOF
	case d.data[d.pos] == '0':
		d.pos++
	case '1' <= d.data[d.pos] && d.data[d.pos] <= '9':
		d.digits()
	default:
		return nil, d.syntaxError("in numeric literal")
	}
	if d.pos < len(d.data) && d.data[d.pos] == '.' {
		d.pos++
		if d.digits() == 0 {
			return nil, d.syntaxError("after decimal point in numeric literal")
		}
	}
	if d.pos < len(d.data) && (d.data[d.pos] == 'e' || d.data[d.pos] == 'E') {
		d.pos++
		if d.pos < len(d.data) && (d.data[d.pos] == '+' || d.data[d.pos] == '-') {
			d.pos++
		}
		if d.digits() == 0 {
			return nil, d.syntaxError("in exponent of numeric literal")
		}
	}
	return json.Number(d.data[start:d.pos]), nil
}

// digits skips decimal digits and returns how many there were.
func (d *decoder) digits() int {
	start := d.pos
	for d.pos < len(d.data) && '0' <= d.data[d.pos] && d.data[d.pos] <= '9' {
		d.pos++
	}
	return d.pos - start
}

// string parses a string at the current position, its opening quote.
func (d *decoder) string() (string, error) {
	d.pos++ // "
	start := d.pos
	// The usual string has no escapes and is valid UTF-8: it is a slice of
	// the input, copied once.
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		switch {
		case c == '"':
			s := string(d.data[start:d.pos])
			d.pos++
			return s, nil
		case c == '\\' || c >= utf8.RuneSelf:
			return d.slowString(start)
		case c < ' ':
			return "", d.syntaxError("in string literal")
		}
		d.pos++
	}
	return "", io.ErrUnexpectedEOF
}

// slowString finishes a string that has escapes or bytes past ASCII, which
// must be checked rune by rune.
func (d *decoder) slowString(start int) (string, error) {
	b := make([]byte, 0, d.pos-start+16)
	b = append(b, d.data[start:d.pos]...)
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		switch {
		case c == '"':
			d.pos++
			return string(b), nil
		case c < ' ':
			return "", d.syntaxError("in string literal")
		case c == '\\':
			d.pos++
			if d.pos >= len(d.data) {
				return "", io.ErrUnexpectedEOF
			}
			var err error
			if b, err = d.escape(b); err != nil {
				return "", err
			}
		case c < utf8.RuneSelf:
			b = append(b, c)
			d.pos++
		default:
			r, size := utf8.DecodeRune(d.data[d.pos:])
			if r == utf8.RuneError && size == 1 {
				b = utf8.AppendRune(b, utf8.RuneError)
			} else {
				b = append(b, d.data[d.pos:d.pos+size]...)
			}
			d.pos += size
		}
	}
	return "", io.ErrUnexpectedEOF
}

// escape appends the character of the escape after a backslash.
func (d *decoder) escape(b []byte) ([]byte, error) {
	c := d.data[d.pos]
	d.pos++
	switch c {
	case '"', '\\', '/':
		return append(b, c), nil
	case 'b':
		return append(b, '\b'), nil
	case 'f':
		return append(b, '\f'), nil
	case 'n':
		return append(b, '\n'), nil
	case 'r':
		return append(b, '\r'), nil
	case 't':
		return append(b, '\t'), nil
	case 'u':
		r, err := d.hex4()
		if err != nil {
			return nil, err
		}
		if utf16.IsSurrogate(r) {
			// A pair is two escapes; anything else leaves the first alone.
			if d.pos+1 < len(d.data) && d.data[d.pos] == '\\' && d.data[d.pos+1] == 'u' {
				save := d.pos
				d.pos += 2
				r2, err := d.hex4()
				if err != nil {
					return nil, err
				}
				if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
					return utf8.AppendRune(b, dec), nil
				}
				d.pos = save
			}
			r = utf8.RuneError
		}
		return utf8.AppendRune(b, r), nil
	}
	d.pos--
	return nil, d.syntaxError("in string escape code")
}

func (d *decoder) hex4() (rune, error) {
	var r rune
	for range 4 {
		if d.pos >= len(d.data) {
			return 0, io.ErrUnexpectedEOF
		}
		c := d.data[d.pos]
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, d.syntaxError("in \\u hexadecimal character escape")
		}
		r = r*16 + rune(c)
		d.pos++
	}
	return r, nil
}
