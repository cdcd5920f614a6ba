package heppu

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzPlainConfig holds the one-pass config decoding to the long way: for
// any config object it takes, it must decode exactly what decodeAnyConfig
// does.
func FuzzPlainConfig(f *testing.F) {
	for _, seed := range []string{
		`{}`,
		`{"voice":"sage","speed":1.1,"interruptionThreshold":0,"timeout":30}`,
		`{"theme":"dark","primaryColor":"#fff","position":"top-left","greeting":"Hi!",` +
			`"placeholder":"Ask","allowedDomains":["a.example","b.example"]}`,
		`{"voice":"sage","widgetVersion":3,"extra":{"a":[1,"x"]},"flag":true,"s":"str"}`,
		`{"Voice":"ash","SPEED":2}`, `{"voice":null,"speed":null}`, `{"speed":"fast"}`,
		`{"speed":1e400}`, `{"greeting":"Hei, mitä kuuluu?"}`, `{"greeting":"a\nb\u00e9"}`,
		`{"allowedDomains":[]}`, `{"allowedDomains":["a",1]}`, `{"allowedDomains":"a"}`,
		`{"voice":"a","voice":"b"}`, `{"voice":"a","voice":1}`, `{"x":1,"x":2}`,
		`{"v\u006fice":"ash"}`, `{"timeout":-0.0,"speed":2E-1}`, `{"théme":"dark"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var obj map[string]json.RawMessage
		if json.Unmarshal(data, &obj) != nil || obj == nil {
			return // encoding/json hands UnmarshalJSON only valid JSON
		}
		plain, ok := decodePlainConfig(data)
		if !ok {
			return
		}
		var long Config
		if err := long.decodeAnyConfig(data); err != nil {
			t.Fatalf("decodePlainConfig took %s, which decodeAnyConfig refuses: %v", data, err)
		}
		if diff := cmp.Diff(long, plain); diff != "" {
			t.Errorf("decodePlainConfig(%s) mismatch (-long way +one pass):\n%s", data, diff)
		}
	})
}

// TestPlainConfigTakesTheUsual checks that the one-pass decoding is the
// one that runs for the configs Heppu usually returns.
func TestPlainConfigTakesTheUsual(t *testing.T) {
	t.Parallel()
	for _, data := range []string{
		`{"voice":"sage","speed":1.1,"interruptionThreshold":0.5,"timeout":30}`,
		`{"theme":"dark","primaryColor":"#3B82F6","position":"bottom-right",` +
			`"greeting":"Hi! How can I help?","allowedDomains":["example.com"],"widgetVersion":2}`,
	} {
		if _, ok := decodePlainConfig([]byte(data)); !ok {
			t.Errorf("decodePlainConfig(%s) went the long way", data)
		}
	}
}

// TestConfigKeysDecodedAsEncodingJSON: a key written with escapes, or with
// bytes that are not UTF-8, is the key encoding/json decodes, both to match
// a known field and as a key of Extra; and only a key so spelt matches a
// field, so that a config read and sent back is sent as it came.
func TestConfigKeysDecodedAsEncodingJSON(t *testing.T) {
	t.Parallel()
	ash := "ash"
	tests := []struct {
		data string
		want Config
	}{
		{`{"v\u006fice":"ash"}`, Config{Voice: ash}},
		{`{"v\u006fice":"ash","x\u0041":1}`, Config{Voice: ash,
			Extra: map[string]json.RawMessage{"xA": json.RawMessage(`1`)}}},
		{"{\"\x85\":\"\"}", Config{Extra: map[string]json.RawMessage{"\uFFFD": json.RawMessage(`""`)}}},
		{`{"Voice":"ash","SPEED":2}`, Config{Extra: map[string]json.RawMessage{
			"Voice": json.RawMessage(`"ash"`), "SPEED": json.RawMessage(`2`)}}},
		{`{"voice":"ash","speed":"fast"}`, Config{Voice: ash,
			Extra: map[string]json.RawMessage{"speed": json.RawMessage(`"fast"`)}}},
		{`{"caf\u00e9":2,"théme":"dark"}`, Config{Extra: map[string]json.RawMessage{
			"café": json.RawMessage(`2`), "théme": json.RawMessage(`"dark"`)}}},
	}
	for _, tt := range tests {
		var got Config
		if err := json.Unmarshal([]byte(tt.data), &got); err != nil {
			t.Errorf("Unmarshal(%s): %v", tt.data, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Unmarshal(%s) mismatch (-want +got):\n%s", tt.data, diff)
		}
	}
}

// FuzzConfigMarshal holds the config's own encoding to encoding/json's of
// the same fields.
func FuzzConfigMarshal(f *testing.F) {
	f.Add("sage", "Hi <b>&</b> \"there\"\n\t\\", 1.1, 0.0, true, "example.com")
	f.Add("", "\x00\x1f\u2028\u2029\xff\xfe é 😀", 1e21, 1e-7, false, "")
	f.Add("\b\f\r", "", math.Copysign(0, -1), 123456789.125, true, "a\u007fb")
	f.Fuzz(func(t *testing.T, s1, s2 string, x, y float64, withDomains bool, domain string) {
		c := Config{Voice: s1, Greeting: s2, Placeholder: s1 + s2, Speed: &x, Timeout: &y}
		if withDomains {
			c.AllowedDomains = []string{domain, s1}
		} else if domain == "" {
			c.AllowedDomains = []string{}
		}
		want, wantErr := json.Marshal(configFields(c))
		got, err := c.MarshalJSON()
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("MarshalJSON() error = %v, encoding/json's = %v", err, wantErr)
		}
		if string(got) != string(want) {
			t.Errorf("MarshalJSON() = %s\nencoding/json:  %s", got, want)
		}
	})
}

// FuzzCreateRequestMarshal holds the create body's own encoding to
// encoding/json's, config included.
func FuzzCreateRequestMarshal(f *testing.F) {
	f.Add("Support line", "voice", "", "Be <brief> & kind.\n", "sage", 1.1, true, "web_search")
	f.Add("", "chat", "gpt-4o", "", "", math.Inf(1), false, "")
	f.Add("\u2028\xff", "x", "m", "\"", "\x00", math.Copysign(0, -1), true, "")
	f.Fuzz(func(t *testing.T, name, typ, model, instructions, voice string, speed float64,
		withConfig bool, toolID string) {
		r := CreateAgentRequest{Name: name, Type: AgentType(typ), Model: model,
			Instructions: instructions}
		if withConfig {
			r.Config = &Config{Voice: voice, Speed: &speed}
		}
		if toolID != "" {
			r.ToolIDs = []string{toolID, name}
		}
		want, wantErr := json.Marshal(&r)
		got, err := encodeBody(&r)
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("encodeBody() error = %v, encoding/json's = %v", err, wantErr)
		}
		if string(got) != string(want) {
			t.Errorf("encodeBody() = %s\nencoding/json: %s", got, want)
		}
	})
}

// TestCreateRequestTakesTheShortWay checks that the usual create body is
// encoded without reflection.
func TestCreateRequestTakesTheShortWay(t *testing.T) {
	t.Parallel()
	speed := 1.0
	r := CreateAgentRequest{Name: "Support line", Type: Voice, Instructions: "Be kind.",
		Config: &Config{Voice: "sage", Speed: &speed}, ToolIDs: []string{"web_search"}}
	if _, ok := r.appendJSON(nil); !ok {
		t.Error("appendJSON of the usual create body went the long way")
	}
}
