package schema

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/heppu-ai/heppu-mcp/heppu"
)

// assignTarget has a field of every kind Assign stores.
type assignTarget struct {
	embedded
	*Pointed
	S      string            `json:"s"`
	B      bool              `json:"b,omitempty"`
	F      float64           `json:"f"`
	F32    float32           `json:"f32"`
	I      int               `json:"i"`
	I8     int8              `json:"i8"`
	U      uint16            `json:"u"`
	P      *float64          `json:"p"`
	L      []string          `json:"l"`
	M      map[string]int    `json:"m"`
	A      any               `json:"a"`
	Raw    json.RawMessage   `json:"raw"`
	Nested *assignTarget     `json:"nested"`
	Config heppu.Config      `json:"config"`
	Skip   string            `json:"-"`
	Untag  string            //
	Deep   map[string][]bool `json:"deep"`
	Shadow string            `json:"shadow"`
}

type embedded struct {
	E      string `json:"e"`
	Shadow string `json:"shadow"`
}

type Pointed struct {
	Q string `json:"q"`
}

// FuzzAssign holds Assign to json.Unmarshal: from any JSON, both store the
// same value, or both fail. json.Unmarshal reads the JSON of the decoded
// value, not the input: where a key is repeated, the decoded value holds
// only its last occurrence, which is all Assign can see, while
// json.Unmarshal of the input would also report a type error in an
// occurrence that a later one overwrites.
func FuzzAssign(f *testing.F) {
	for _, seed := range []string{
		`{"s":"x","b":true,"f":1.5,"f32":2,"i":-3,"i8":7,"u":9,"p":0.5,"l":["a","b"],` +
			`"m":{"k":1},"a":{"x":[1,"y",null]},"raw":{"z":1},"e":"emb","q":"ptr","Untag":"u",` +
			`"config":{"voice":"sage","speed":1.1,"extra":[1]},"deep":{"d":[true,false]},"shadow":"top"}`,
		`{"nested":{"s":"in","nested":null},"p":null,"l":null,"m":null,"a":null}`,
		`{"i":2.0}`, `{"i8":300}`, `{"u":-1}`, `{"s":1}`, `{"l":"a"}`, `{"S":"fold"}`, `{"UNTAG":"x"}`,
		`{"config":{"Voice":"ash"}}`, `{"config":{"speed":"fast"}}`, `{"config":null}`, `[]`, `null`,
		`{"f":1e400}`, `{"skip":"x","-":"y"}`, `{"m":{"k":"v"}}`, `{"raw":null}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Decode(data)
		if err != nil {
			return
		}
		canon, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("Decode(%s) gave a value encoding/json cannot encode: %v", data, err)
		}
		var want, got assignTarget
		wantErr := json.Unmarshal(canon, &want)
		gotErr := Assign(&got, v)
		if errors.Is(gotErr, ErrKeyCase) {
			return // refused on purpose: see ErrKeyCase
		}
		if (wantErr == nil) != (gotErr == nil) {
			t.Fatalf("Assign(%s) error = %v, json.Unmarshal's = %v", data, gotErr, wantErr)
		}
		if wantErr != nil {
			return
		}
		if diff := cmp.Diff(want, got, cmp.AllowUnexported(assignTarget{}), rawByValue); diff != "" {
			t.Errorf("Assign(%s) mismatch (-json.Unmarshal +Assign):\n%s", data, diff)
		}
	})
}

var rawByValue = cmp.Comparer(func(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return string(a) == string(b)
	}
	return reflect.DeepEqual(x, y)
})

func TestAssignNeedsPointer(t *testing.T) {
	t.Parallel()
	var x assignTarget
	for _, dst := range []any{x, (*assignTarget)(nil), nil} {
		if err := Assign(dst, map[string]any{}); err == nil {
			t.Errorf("Assign(%T) succeeded", dst)
		}
	}
}
