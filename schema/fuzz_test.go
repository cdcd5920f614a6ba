package schema_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/heppu-ai/heppu-mcp/heppu"
	"github.com/heppu-ai/heppu-mcp/schema"
)

// fuzzSchemas are the argument schemas FuzzValidate checks values against,
// each with a constructor of the Go type it was generated from.
var fuzzSchemas = []struct {
	name   string
	schema *schema.Schema
	newDst func() any
}{
	{
		name:   "CreateAgentRequest",
		schema: schema.MustForInput(heppu.CreateAgentRequest{}),
		newDst: func() any { return new(heppu.CreateAgentRequest) },
	},
	{
		name:   "UpdateAgentRequest",
		schema: schema.MustForInput(heppu.UpdateAgentRequest{}),
		newDst: func() any { return new(heppu.UpdateAgentRequest) },
	},
}

// FuzzValidate feeds any bytes through what a tool call does with its
// arguments: Decode, CoerceJSONStrings and Validate. None of them may panic;
// coercion must leave its input alone; Validate must keep its promises
// (worded, sorted, unique problems) and give the same answer every time;
// it must find the same faults as an independent reference validator;
// and a value it accepts must decode into the type the schema came from,
// and encode from it as a body that passes too.
func FuzzValidate(f *testing.F) {
	for _, seed := range []string{
		`{"name":"Support line","type":"voice","instructions":"Be brief.",` +
			`"config":{"voice":"sage","speed":1.1,"interruptionThreshold":0.5,"timeout":30},` +
			`"toolIds":["web_search","calendar"]}`,
		`{"name":"Widget","type":"chat","model":"gpt-4o-mini","config":{"theme":"dark",` +
			`"primaryColor":"#3B82F6","position":"top-left","allowedDomains":["example.com"]}}`,
		// Objects and arrays sent as strings of JSON, at two depths.
		`{"name":"C","type":"chat","config":"{\"allowedDomains\":\"[\\\"a.example\\\"]\"}",` +
			`"toolIds":"[\"crm\"]"}`,
		`{"name":"","type":"robot","model":"gpt-5","toolIds":["a","a",""],"extra":{"x":[1]}}`,
		`{"name":" ","type":"voice","config":{"speed":"fast","voice":7,"theme":null}}`,
		`{"name":"N","type":"voice","config":{"speed":1e400,"timeout":1e-400,` +
			`"interruptionThreshold":0.30000000000000004}}`,
		`{"status":"active","model":null,"toolIds":[],"config":{}}`,
		`{"name":"\ud800","instructions":"\u0000<b>x</b>","config":{"primaryColor":"#fff\n"}}`,
		`{"config":{"allowedDomains":["-bad-.example","exa mple.com","` +
			strings.Repeat("a", 300) + `"]}}`,
		`{"toolIds":"[1,[2,{\"3\":4}]]","config":"[]","name":"{}"}`,
		`[{"name":"x"}]`, `"{\"name\":\"x\"}"`, `null`, `42`, `true`, ``, ` `, `{`, `{"a":1}x`,
		strings.Repeat("[", 64) + strings.Repeat("]", 64),
	} {
		f.Add([]byte(seed))
	}

	oracles := make([]*oracle, len(fuzzSchemas))
	for i, fs := range fuzzSchemas {
		oracles[i] = newOracle(f, fs.schema)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := schema.Decode(data)
		if err != nil {
			return
		}
		for i, fs := range fuzzSchemas {
			checkValidate(t, fs.name, fs.schema, fs.newDst, v)
			coerced, _ := fs.schema.CoerceJSONStrings(v)
			checkOracle(t, fs.name, fs.schema, oracles[i], coerced)
		}
	})
}

func checkValidate(t *testing.T, name string, s *schema.Schema, newDst func() any, v any) {
	t.Helper()
	before := mustMarshal(t, v)

	coerced, _ := s.CoerceJSONStrings(v)
	if after := mustMarshal(t, v); after != before {
		t.Fatalf("%s: CoerceJSONStrings changed its input from %s to %s", name, before, after)
	}
	problems := s.Validate(coerced)

	again, _ := s.CoerceJSONStrings(v)
	if again := s.Validate(again); !cmp.Equal(problems, again) {
		t.Fatalf("%s: Validate is not deterministic (-first +second):\n%s",
			name, cmp.Diff(problems, again))
	}
	for _, p := range problems {
		if strings.TrimSpace(p.Message) == "" {
			t.Errorf("%s: problem without a message: %+v", name, p)
		}
	}
	if !slices.IsSortedFunc(problems, compareProblems) {
		t.Errorf("%s: problems are not sorted by path, message and keyword: %+v", name, problems)
	}
	for i := 1; i < len(problems); i++ {
		a, b := problems[i-1], problems[i]
		if a.Path == b.Path && a.Keyword == b.Keyword && a.Message == b.Message {
			t.Errorf("%s: duplicate problem %+v", name, b)
		}
	}

	if len(problems) == 0 {
		checkRoundTrip(t, name, s, newDst(), coerced)
	}
}

// checkRoundTrip follows an accepted value v the way the tools do: decoded
// into the Go type without a second check, then encoded as the request
// body. That body must still pass the schema: what is sent is what was
// validated.
func checkRoundTrip(t *testing.T, name string, s *schema.Schema, dst, v any) {
	t.Helper()
	accepted := mustMarshal(t, v)
	if err := json.Unmarshal([]byte(accepted), dst); err != nil {
		t.Fatalf("%s: Validate accepted %s, but it does not decode: %v", name, accepted, err)
	}
	// What the tools do instead: store the validated value without JSON.
	assigned := reflect.New(reflect.TypeOf(dst).Elem()).Interface()
	if err := schema.Assign(assigned, v); err != nil {
		t.Fatalf("%s: Validate accepted %s, but Assign fails: %v", name, accepted, err)
	}
	if diff := cmp.Diff(dst, assigned, rawJSONByValue); diff != "" {
		t.Fatalf("%s: Assign(%s) differs from json.Unmarshal (-unmarshal +assign):\n%s",
			name, accepted, diff)
	}
	body := mustMarshal(t, dst)
	sent, err := schema.Decode([]byte(body))
	if err != nil {
		t.Fatalf("%s: the body of accepted %s is not JSON: %v", name, accepted, err)
	}
	if problems := s.Validate(sent); len(problems) > 0 {
		t.Errorf("%s: Validate accepted %s, but the body it becomes, %s, fails: %v",
			name, accepted, body, problems)
	}
}

// rawJSONByValue compares raw JSON by what it says, not how it is written.
var rawJSONByValue = cmp.Comparer(func(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return string(a) == string(b)
	}
	return reflect.DeepEqual(x, y)
})

func compareProblems(a, b schema.Problem) int {
	if c := strings.Compare(a.Path, b.Path); c != 0 {
		return c
	}
	if c := strings.Compare(a.Message, b.Message); c != 0 {
		return c
	}
	return strings.Compare(a.Keyword, b.Keyword)
}

// mustMarshal encodes a decoded value; json.Marshal sorts map keys, so equal
// values give equal text.
func mustMarshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encoding a decoded value: %v", err)
	}
	return string(b)
}
