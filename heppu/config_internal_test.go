package heppu

import (
	"encoding/json"
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
