package schema

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// ValueAssigner is implemented by a type that takes a decoded value (as
// [Decode] returns it) itself, as a json.Unmarshaler takes JSON.
type ValueAssigner interface {
	AssignValue(v any) error
}

// Assign stores v, a value as [Decode] returns it, in the value dst points
// to, as json.Unmarshal would store v's JSON there: object keys match
// fields by their json names (exactly: see [ErrKeyCase]), unknown keys are
// ignored, null leaves a field alone unless it is a pointer, slice, map or
// interface. A type that
// implements [ValueAssigner] assigns itself; one that implements
// json.Unmarshaler gets v's JSON.
//
// It saves decoding a call's arguments twice: once for Validate, once into
// the Go type. A value Assign cannot store is an error, as it would be for
// json.Unmarshal.
func Assign(dst any, v any) error {
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("assigning to %T: need a non-nil pointer", dst)
	}
	return assign(rv.Elem(), v)
}

// ErrKeyCase is the error Assign returns for an object key that names a
// field only in another case. encoding/json would store it; a value that
// passed Validate never has one.
var ErrKeyCase = errors.New("key matches a field only in another case")

var (
	assignerType    = reflect.TypeFor[ValueAssigner]()
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
)

func assign(rv reflect.Value, v any) error {
	t := rv.Type()
	// As in encoding/json, a pointer takes null itself, while a value that
	// unmarshals itself is handed the null.
	if rv.Kind() != reflect.Pointer && rv.CanAddr() {
		if pt := reflect.PointerTo(t); pt.Implements(assignerType) {
			return rv.Addr().Interface().(ValueAssigner).AssignValue(v)
		} else if pt.Implements(unmarshalerType) {
			data, err := json.Marshal(v)
			if err != nil {
				return err
			}
			return rv.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(data)
		}
	}
	if v == nil {
		switch rv.Kind() {
		case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface:
			rv.SetZero()
		}
		return nil
	}

	switch rv.Kind() {
	case reflect.Pointer:
		if rv.IsNil() {
			rv.Set(reflect.New(t.Elem()))
		}
		return assign(rv.Elem(), v)
	case reflect.Interface:
		if t.NumMethod() != 0 {
			return mismatch(v, t)
		}
		rv.Set(reflect.ValueOf(plain(v)))
		return nil
	case reflect.String:
		s, ok := v.(string)
		if !ok {
			return mismatch(v, t)
		}
		rv.SetString(s)
		return nil
	case reflect.Bool:
		b, ok := v.(bool)
		if !ok {
			return mismatch(v, t)
		}
		rv.SetBool(b)
		return nil
	case reflect.Float32, reflect.Float64:
		n, ok := v.(json.Number)
		if !ok {
			return mismatch(v, t)
		}
		f, err := strconv.ParseFloat(string(n), t.Bits())
		if err != nil {
			return mismatch(v, t)
		}
		rv.SetFloat(f)
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := v.(json.Number)
		if !ok {
			return mismatch(v, t)
		}
		i, err := strconv.ParseInt(string(n), 10, t.Bits())
		if err != nil {
			return mismatch(v, t)
		}
		rv.SetInt(i)
		return nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, ok := v.(json.Number)
		if !ok {
			return mismatch(v, t)
		}
		u, err := strconv.ParseUint(string(n), 10, t.Bits())
		if err != nil {
			return mismatch(v, t)
		}
		rv.SetUint(u)
		return nil
	case reflect.Slice:
		arr, ok := v.([]any)
		if !ok {
			return mismatch(v, t)
		}
		s := reflect.MakeSlice(t, len(arr), len(arr))
		for i, item := range arr {
			if err := assign(s.Index(i), item); err != nil {
				return err
			}
		}
		rv.Set(s)
		return nil
	case reflect.Map:
		obj, ok := v.(map[string]any)
		if !ok || t.Key().Kind() != reflect.String {
			return mismatch(v, t)
		}
		if rv.IsNil() {
			rv.Set(reflect.MakeMapWithSize(t, len(obj)))
		}
		for k, item := range obj {
			elem := reflect.New(t.Elem()).Elem()
			if err := assign(elem, item); err != nil {
				return err
			}
			rv.SetMapIndex(reflect.ValueOf(k).Convert(t.Key()), elem)
		}
		return nil
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			return mismatch(v, t)
		}
		fields := fieldsOf(t)
		if fields.quoted {
			// Numbers written as strings: encoding/json's own business.
			data, err := json.Marshal(v)
			if err != nil {
				return err
			}
			return json.Unmarshal(data, rv.Addr().Interface())
		}
		for k, item := range obj {
			f, ok := fields.byName[k]
			if !ok {
				if name, ok := fields.byFold(k); ok {
					// encoding/json would take it, or not, by the order of
					// the keys, which a map does not keep.
					return fmt.Errorf("%w: %q is %q in another case", ErrKeyCase, k, name)
				}
				continue // json.Unmarshal ignores unknown keys too
			}
			fv, err := fieldAlloc(rv, f.index)
			if err != nil {
				return err
			}
			if err := assign(fv, item); err != nil {
				return err
			}
		}
		return nil
	}
	return mismatch(v, t)
}

// plain returns v as json.Unmarshal stores JSON in an interface: numbers
// as float64.
func plain(v any) any {
	switch x := v.(type) {
	case json.Number:
		f, _ := strconv.ParseFloat(string(x), 64)
		return f
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, item := range x {
			out[k] = plain(item)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, item := range x {
			out[i] = plain(item)
		}
		return out
	}
	return v
}

func mismatch(v any, t reflect.Type) error {
	return fmt.Errorf("cannot store %s in a Go value of type %v", jsonType(v), t)
}

// fieldAlloc returns the field at index inside the struct rv, allocating
// the embedded pointers on the way.
func fieldAlloc(rv reflect.Value, index []int) (reflect.Value, error) {
	for i, x := range index {
		if i > 0 && rv.Kind() == reflect.Pointer {
			if rv.IsNil() {
				if !rv.CanSet() {
					return reflect.Value{}, fmt.Errorf("cannot set embedded pointer to unexported %v", rv.Type().Elem())
				}
				rv.Set(reflect.New(rv.Type().Elem()))
			}
			rv = rv.Elem()
		}
		rv = rv.Field(x)
	}
	return rv, nil
}

// structFields are the fields of a struct type by their JSON names, as
// encoding/json sees them.
type structFields struct {
	byName map[string]field
	names  []string
	quoted bool // a field has the ",string" option
}

type field struct {
	index  []int
	depth  int
	tagged bool
}

// byFold finds the name of a field that matches k without regard to case.
func (s *structFields) byFold(k string) (string, bool) {
	for _, name := range s.names {
		if strings.EqualFold(name, k) {
			return name, true
		}
	}
	return "", false
}

var fieldCache sync.Map // reflect.Type -> *structFields

func fieldsOf(t reflect.Type) *structFields {
	if f, ok := fieldCache.Load(t); ok {
		return f.(*structFields)
	}
	byName := map[string]field{}
	ambiguous := map[string]bool{}
	var names []string
	quoted := false
	for _, sf := range reflect.VisibleFields(t) {
		tag := sf.Tag.Get("json")
		if tag == "-" || !sf.IsExported() && !sf.Anonymous {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if strings.Contains(","+opts+",", ",string,") {
			quoted = true
		}
		if sf.Anonymous {
			ft := sf.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if name == "" && ft.Kind() == reflect.Struct {
				continue // its fields are promoted, and listed on their own
			}
			if !sf.IsExported() {
				continue
			}
		}
		f := field{index: sf.Index, depth: len(sf.Index), tagged: name != ""}
		if name == "" {
			name = sf.Name
		}
		old, seen := byName[name]
		switch {
		case !seen:
			byName[name] = f
			names = append(names, name)
		case f.depth < old.depth || f.depth == old.depth && f.tagged && !old.tagged:
			byName[name] = f
			delete(ambiguous, name)
		case f.depth == old.depth && f.tagged == old.tagged:
			ambiguous[name] = true
		}
	}
	for name := range ambiguous {
		delete(byName, name)
	}
	s := &structFields{byName: byName, quoted: quoted}
	for _, name := range names {
		if _, ok := byName[name]; ok {
			s.names = append(s.names, name)
		}
	}
	f, _ := fieldCache.LoadOrStore(t, s)
	return f.(*structFields)
}
