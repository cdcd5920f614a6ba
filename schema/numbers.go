package schema

import (
	"encoding/json"
	"fmt"
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
