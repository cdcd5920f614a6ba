package heppu

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// agentAnswer is an agent as Heppu answers a read: every field, tools and
// a phone number.
const agentAnswer = `{"success":true,"data":{"id":"550e8400-e29b-41d4-a716-446655440000",` +
	`"name":"Customer Support Agent","type":"voice","status":"active",` +
	`"model":"gpt-realtime-2025-08-28","instructions":"Be polite, käy läpi asia.",` +
	`"config":{"voice":"sage","speed":1.0,"interruptionThreshold":0.5,"timeout":30},` +
	`"tools":[{"id":"web_search","name":"Web Search","description":"Search the web",` +
	`"category":"search"}],"phoneNumbers":["+358401234567"],` +
	`"createdAt":"2024-01-15T10:30:00Z","updatedAt":"2024-01-15T10:30:00Z"},` +
	`"message":"Agent retrieved successfully"}`

// FuzzAgentAnswer holds decodeAgentAnswer to encoding/json: whatever answer
// it takes, the agent must be the one json.Unmarshal gives, from a body it
// accepts as a success with data.
func FuzzAgentAnswer(f *testing.F) {
	for _, seed := range []string{
		agentAnswer,
		`{"data":{"id":"a","tools":[],"phoneNumbers":[],"region":{"x":[1,"\u00e9",null]}}}`,
		`{"success":false,"data":{"id":"a"}}`, `{"success":"true","data":{"id":"a"}}`,
		`{"success":null,"data":{"id":"a"}}`, `{"Data":{"id":"a"}}`, `{"data":{"ID":"a"}}`,
		`{"data":{"id":"a","id":"b"}}`, `{"data":{"tools":[{"id":"t","config":{"k":1}}]}}`,
		`{"data":{"tools":[{"ID":"t"}]}}`, `{"data":{"name":"Caf\u00e9"}}`,
		`{"data":{"config":null}}`, `{"data":null}`, `[]`, `{"data":{"tools":[1]}}`,
		`{"success":true,"success":false,"data":{"id":"a"}}`, `{"data":{"id":"a"}} x`,
		`{"data":{"id":"a"},}`, `{"data":{"n":1e5,"m":-0.5E-3,"o":01}}`, "{\"data\":{\"id\":\"\xff\"}}",
		`{"data":{"config":{"voice":"ash","Speed":1}}}`, `{"data":{"instructions":"a\"b"}}`,
		`{"data":{"id":"a","x":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}}`,
		`{"data":{"id":"a","x":` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + `}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, ok := decodeAgentAnswer(data)
		if !ok {
			return
		}
		var env struct {
			Success *bool  `json:"success"`
			Data    *Agent `json:"data"`
		}
		if err := json.Unmarshal(data, &env); err != nil {
			t.Fatalf("decodeAgentAnswer took %q, which json.Unmarshal refuses: %v", data, err)
		}
		if env.Success != nil && !*env.Success || env.Data == nil {
			t.Fatalf("decodeAgentAnswer took %q, which is not a success with data", data)
		}
		if diff := cmp.Diff(env.Data, got); diff != "" {
			t.Errorf("decodeAgentAnswer(%q) mismatch (-json.Unmarshal +one pass):\n%s", data, diff)
		}
	})
}

// TestAgentAnswerTakesTheUsual checks that the answers Heppu usually gives
// are the ones decoded without reflection.
func TestAgentAnswerTakesTheUsual(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		agentAnswer,
		`{"success":true,"data":{"id":"a1","name":"Widget","type":"chat","instructions":"",` +
			`"config":{"theme":"dark","allowedDomains":["example.com"]},"createdAt":"x"},` +
			`"message":"Agent created successfully"}`,
	} {
		if _, ok := decodeAgentAnswer([]byte(body)); !ok {
			t.Errorf("decodeAgentAnswer(%s) went the long way", body)
		}
	}
}

// TestAgentKeys keeps the key lists the decoder checks against in step
// with the structs.
func TestAgentKeys(t *testing.T) {
	t.Parallel()
	want := []string{"config", "createdAt", "id", "instructions", "model", "name",
		"phoneNumbers", "status", "tools", "type", "updatedAt"}
	if diff := cmp.Diff(want, slices.Sorted(slices.Values(agentKeys))); diff != "" {
		t.Errorf("agentKeys (-want +got):\n%s", diff)
	}
	want = []string{"category", "config", "description", "id", "name"}
	if diff := cmp.Diff(want, slices.Sorted(slices.Values(toolKeys))); diff != "" {
		t.Errorf("toolKeys (-want +got):\n%s", diff)
	}
}
