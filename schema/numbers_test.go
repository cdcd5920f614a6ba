package schema

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestValidateNumberRange(t *testing.T) {
	t.Parallel()
	s := MustForInput(widget{})
	tests := []struct {
		name, in string
		want     []Problem
	}{
		{"fine", `{"title":"w","size":3,"tags":[]}`, nil},
		{"zero written long", `{"title":"w","size":0e-999}`, nil},
		{"overflow", `{"title":"w","size":1e400}`, []Problem{{Path: "size", Keyword: "type",
			Message: "must be a number of ordinary size (at most about 1.8e308)"}}},
		{"huge exponent", `{"title":"w","size":1e1000001}`, []Problem{{Path: "size", Keyword: "type",
			Message: "must be a number of ordinary size (at most about 1.8e308)"}}},
		{"underflow", `{"title":"w","tags":["a"],"size":-1e-400}`, []Problem{{Path: "size", Keyword: "type",
			Message: "must be 0 or a number of ordinary size (at least about 1e-308)"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v, err := Decode([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			got := numberProblems(v, "")
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("numberProblems (-want +got):\n%s", diff)
			}
			if tt.want != nil {
				if diff := cmp.Diff(tt.want, s.Validate(v)); diff != "" {
					t.Errorf("Validate (-want +got):\n%s", diff)
				}
			}
		})
	}
}
