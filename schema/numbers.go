package schema

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
)

// numberProblems reports each number in v that a float64 cannot hold: one
// that overflows it, or one that is not zero but rounds to zero. Such a
// value would change on its way to Heppu (1e-400 would be sent as 0, past
// a "greater than 0" rule), and a huge exponent makes the validator panic,
// so these are checked first, on their own.
func numberProblems(v any, path string) []Problem {
	switch x := v.(type) {
	case json.Number:
		if msg := numberRange(string(x)); msg != "" {
			return []Problem{{Path: path, Keyword: "type", Message: msg}}
		}
	case map[string]any:
		var out []Problem
		for _, k := range sortedKeys(x) {
			out = append(out, numberProblems(x[k], joinKey(path, k))...)
		}
		return out
	case []any:
		var out []Problem
		for i, item := range x {
			out = append(out, numberProblems(item, fmt.Sprintf("%s[%d]", path, i))...)
		}
		return out
	}
	return nil
}

// numberRange returns what is wrong with the JSON number s, or "".
func numberRange(s string) string {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return "must be a number of ordinary size (at most about 1.8e308)"
	}
	if f == 0 {
		mantissa, _, _ := strings.Cut(strings.ToLower(s), "e")
		if strings.ContainsAny(mantissa, "123456789") {
			return "must be 0 or a number of ordinary size (at least about 1e-308)"
		}
	}
	return ""
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// hasOutsizedNumber reports whether numberProblems would find anything,
// without building paths for values that are fine.
func hasOutsizedNumber(v any) bool {
	switch x := v.(type) {
	case json.Number:
		return numberRange(string(x)) != ""
	case map[string]any:
		for _, child := range x {
			if hasOutsizedNumber(child) {
				return true
			}
		}
	case []any:
		return slices.ContainsFunc(x, hasOutsizedNumber)
	}
	return false
}

// number is a JSON number: the nearest float64, which settles almost every
// comparison, and the exact decimal it was written as, for the rest.
type number struct {
	f    float64
	text string // "" when f is exact, as for a Go float64
}

// toNumber returns v as a number if it is one: a json.Number or a Go
// integer or float.
func toNumber(v any) (number, bool) {
	switch x := v.(type) {
	case json.Number:
		f, _ := strconv.ParseFloat(string(x), 64)
		return number{f: f, text: string(x)}, true
	case float64:
		return number{f: x}, !math.IsNaN(x) && !math.IsInf(x, 0)
	case float32:
		return toNumber(float64(x))
	case int:
		return intNumber(int64(x)), true
	case int8:
		return intNumber(int64(x)), true
	case int16:
		return intNumber(int64(x)), true
	case int32:
		return intNumber(int64(x)), true
	case int64:
		return intNumber(x), true
	case uint:
		return uintNumber(uint64(x)), true
	case uint8:
		return uintNumber(uint64(x)), true
	case uint16:
		return uintNumber(uint64(x)), true
	case uint32:
		return uintNumber(uint64(x)), true
	case uint64:
		return uintNumber(x), true
	}
	return number{}, false
}

func intNumber(i int64) number {
	return number{f: float64(i), text: strconv.FormatInt(i, 10)}
}

func uintNumber(u uint64) number {
	return number{f: float64(u), text: strconv.FormatUint(u, 10)}
}

// rat returns the number's exact value, or nil if it has none.
func (n number) rat() *big.Rat {
	if n.text == "" {
		if math.IsNaN(n.f) || math.IsInf(n.f, 0) {
			return nil
		}
		return new(big.Rat).SetFloat64(n.f)
	}
	r, ok := new(big.Rat).SetString(n.text)
	if !ok {
		return nil
	}
	return r
}

// cmp compares n with m exactly. Distinct float64s order their exact
// values too; only equal ones need exact arithmetic.
func (n number) cmp(m number) int {
	switch {
	case n.f < m.f:
		return -1
	case n.f > m.f:
		return 1
	case n.text == m.text:
		return 0
	}
	a, b := n.rat(), m.rat()
	if a == nil || b == nil {
		return 0
	}
	return a.Cmp(b)
}

func (n number) compare(b *bound) int {
	return n.cmp(number{f: b.f, text: b.written})
}

// isInteger reports whether n is a whole number, however it is written:
// 2.0 and 1e2 are.
func (n number) isInteger() bool {
	if math.IsInf(n.f, 0) || math.IsNaN(n.f) || n.f != math.Trunc(n.f) {
		return false // a float64 with a fraction is never rounded from a whole number
	}
	if n.text == "" || !strings.ContainsAny(n.text, ".eE") {
		return true
	}
	r := n.rat()
	return r != nil && r.IsInt()
}

// equal reports whether a and b are the same JSON value; numbers are equal
// by value, so 1 equals 1.0.
func equal(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case []any:
		y, ok := b.([]any)
		return ok && slices.EqualFunc(x, y, equal)
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok || !equal(xv, yv) {
				return false
			}
		}
		return true
	}
	xn, ok := toNumber(a)
	if !ok {
		return false
	}
	yn, ok := toNumber(b)
	return ok && xn.cmp(yn) == 0
}
