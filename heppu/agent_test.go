package heppu_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/heppu-ai/heppu-mcp/heppu"
)

// TestConfigRoundTrip checks that reading a config and writing it back
// loses nothing: not unknown keys, not values of an unexpected type.
func TestConfigRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string // "" means the same as in
	}{
		{name: "voice", in: `{"voice":"sage","speed":1,"interruptionThreshold":0,"timeout":30}`},
		{name: "chat", in: `{"theme":"dark","primaryColor":"#3B82F6","position":"bottom-right",
			"greeting":"Hi","placeholder":"Type...","allowedDomains":["example.com"]}`},
		{name: "empty domains kept", in: `{"allowedDomains":[]}`},
		{name: "unknown keys", in: `{"voice":"ash","language":"fi","vad":{"silenceMs":300}}`},
		{name: "unknown keys with escapes and nesting",
			in: `{"voice":"sage","note":"a \"quoted\" \u00e9 word\\","vad":{"x":["y",1,null]},"on":true,"n":null}`},
		{name: "unexpected types", in: `{"speed":"1.0","allowedDomains":"example.com","voice":"coral"}`},
		{name: "null dropped", in: `{"voice":null,"speed":1.5}`, want: `{"speed":1.5}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var c heppu.Config
			if err := json.Unmarshal([]byte(tt.in), &c); err != nil {
				t.Fatalf("decoding: %v", err)
			}
			out, err := json.Marshal(c)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			if want == "" {
				want = tt.in
			}
			if diff := cmp.Diff(decodeJSON(t, want), decodeJSON(t, string(out))); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
}

func TestConfigKeysCoverConfig(t *testing.T) {
	t.Parallel()
	all := map[string]any{}
	b, _ := json.Marshal(heppu.Config{Voice: "v", Speed: new(1.0), InterruptionThreshold: new(1.0),
		Timeout: new(1.0), Theme: "t", PrimaryColor: "p", Position: "p", Greeting: "g",
		Placeholder: "p", AllowedDomains: []string{"a"}})
	if err := json.Unmarshal(b, &all); err != nil {
		t.Fatal(err)
	}
	var got []string
	for k := range all {
		got = append(got, k)
	}
	want := slices.Concat(heppu.VoiceConfigKeys, heppu.ChatConfigKeys)
	slices.Sort(got)
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ConfigKeys do not match Config's fields (-want +got):\n%s", diff)
	}
}
