package main

import "testing"

func TestIDOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		line    string
		request bool
		want    string
	}{
		{`{"jsonrpc":"2.0","id":1,"method":"ping"}`, true, "n1"},
		{`{"jsonrpc":"2.0","id":1.0,"result":{}}`, false, "n1"},
		{`{"jsonrpc":"2.0","id":"a\u0062","method":"x"}`, true, "sab"},
		{`{"jsonrpc":"2.0","id":"ab","result":{}}`, false, "sab"},
		{`{"jsonrpc":"2.0","id":1,"method":"ping"}`, false, ""},    // a request is not an answer
		{`{"jsonrpc":"2.0","id":7,"result":{}}`, true, ""},         // an answer is not a request
		{`{"jsonrpc":"2.0","method":"notifications/x"}`, true, ""}, // a notification has no id
		{`{"jsonrpc":"2.0","id":null,"error":{}}`, false, ""},
		{`{"jsonrpc":"2.0","method":"m","params":{"id":5}}`, true, ""}, // only the top level counts
		{`not json`, true, ""},
		{`{"jsonrpc":"2.0","result":{"id":3},"id":"late"}`, false, "slate"}, // the id may come last
		{`{"\u0069d":4,"method":"ping"}`, true, "n4"},                       // keys may be escaped
		{`{"id":1,"id":2,"method":"ping"}`, true, "n1"},                     // the first id counts
		{`{"id":1,"method":"ping"`, true, ""},                               // cut short before it was known
		{`{"id":1,"result":{}`, false, "n1"},                                // known before it was cut short
		{`{"id":1}`, false, "n1"},                                           // no method: not a request
	}
	for _, tt := range tests {
		if got := idOf([]byte(tt.line), tt.request); got != tt.want {
			t.Errorf("idOf(%s, %v) = %q, want %q", tt.line, tt.request, got, tt.want)
		}
	}
}
