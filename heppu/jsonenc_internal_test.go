package heppu

import (
	"encoding/json"
	"math"
	"testing"
)

// FuzzJSONAppend holds appendJSONString and appendJSONFloat to encoding/json's
// encoding of the same string and number.
func FuzzJSONAppend(f *testing.F) {
	f.Add("plain", 1.0)
	f.Add("<b>&</b> \"q\" \\ \n\t\r\b\f", 0.5)
	f.Add("\x00\x1f\x7f\u2028\u2029\xff\xfe é 😀", 1e21)
	f.Add("", 1e-7)
	f.Add("a\xc3", math.Copysign(0, -1))
	f.Add("ok", 123456789.125)
	f.Add("ok", -1e-300)
	f.Fuzz(func(t *testing.T, s string, x float64) {
		want, _ := json.Marshal(s)
		if got := appendJSONString(nil, s); string(got) != string(want) {
			t.Errorf("appendJSONString(%q) = %s, encoding/json: %s", s, got, want)
		}
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return // encoding/json refuses them; Float fails the object
		}
		want, _ = json.Marshal(x)
		if got := appendJSONFloat(nil, x); string(got) != string(want) {
			t.Errorf("appendJSONFloat(%v) = %s, encoding/json: %s", x, got, want)
		}
	})
}

// TestJSONObject checks members, omission and failure against encoding/json
// for a struct of the same shape.
func TestJSONObject(t *testing.T) {
	t.Parallel()
	type shape struct {
		A string   `json:"a"`
		B string   `json:"b,omitempty"`
		C *float64 `json:"c,omitempty"`
		D []string `json:"d"`
	}
	half := 0.5
	for _, v := range []shape{
		{},
		{A: "x", B: "y", C: &half, D: []string{"p", "<q>"}},
		{B: "only", D: []string{}},
	} {
		o := beginObject([]byte("prefix:"))
		o.String("a", v.A)
		o.StringOmitEmpty("b", v.B)
		o.Float("c", v.C)
		o.Strings("d", v.D)
		got, ok := o.End()
		want, _ := json.Marshal(v)
		if !ok || string(got) != "prefix:"+string(want) {
			t.Errorf("object = %s (ok %t), want prefix:%s", got, ok, want)
		}
	}

	nan := math.NaN()
	o := beginObject(nil)
	o.Float("c", &nan)
	if _, ok := o.End(); ok {
		t.Error("an object with a NaN member did not fail")
	}
}
