// Package observation is the data model the STIX pattern evaluator reads:
// JSON-like values, STIX cyber-observable objects and observations (one
// observed-data object with the objects it references).
//
// The model is deliberately small. A Value is a tagged union that holds a
// JSON scalar, a list or an object; an Object keeps its properties in
// insertion order and looks them up linearly, which is faster than a map for
// the handful of properties a cyber-observable has and costs no hashing.
//
// Values, Objects and Observations are plain data. They are not safe for
// concurrent mutation, but once built they may be read from any number of
// goroutines. The zero Value is JSON null.
package observation

import (
	"math"
	"strconv"
)

// Kind is the JSON type of a Value.
type Kind uint8

// The kinds of Value. Ints and floats are kept apart, as JSON distinguishes
// "12" from "12.0" and the reference semantics keep that distinction for
// display, while comparing both numerically.
const (
	Null Kind = iota
	Bool
	Int
	Float
	String
	List
	Dict
)

var kindNames = [...]string{"null", "bool", "int", "float", "string", "list", "dict"}

// String returns the JSON type name.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Value is one JSON value. The zero Value is null.
type Value struct {
	kind Kind
	bits uint64 // bool (0/1), int64 or float64 bits
	str  string
	list []Value
	obj  *Object
}

// NullValue returns JSON null.
func NullValue() Value { return Value{} }

// BoolValue returns a boolean value.
func BoolValue(b bool) Value {
	v := Value{kind: Bool}
	if b {
		v.bits = 1
	}
	return v
}

// IntValue returns an integer value.
func IntValue(i int64) Value { return Value{kind: Int, bits: uint64(i)} }

// FloatValue returns a floating-point value.
func FloatValue(f float64) Value { return Value{kind: Float, bits: math.Float64bits(f)} }

// StringValue returns a string value.
func StringValue(s string) Value { return Value{kind: String, str: s} }

// ListValue returns a list value that shares items with the caller.
func ListValue(items []Value) Value { return Value{kind: List, list: items} }

// ObjectValue returns a dictionary value backed by o.
func ObjectValue(o *Object) Value {
	if o == nil {
		return Value{}
	}
	return Value{kind: Dict, obj: o}
}

// Kind reports the JSON type of v.
func (v Value) Kind() Kind { return v.kind }

// IsNull reports whether v is JSON null.
func (v Value) IsNull() bool { return v.kind == Null }

// Bool returns the boolean held by v; false for other kinds.
func (v Value) Bool() bool { return v.kind == Bool && v.bits == 1 }

// Int returns the integer held by v; 0 for other kinds.
func (v Value) Int() int64 {
	if v.kind == Int {
		return int64(v.bits)
	}
	return 0
}

// Float returns v as a float64 for Int and Float values; 0 otherwise.
func (v Value) Float() float64 {
	switch v.kind {
	case Float:
		return math.Float64frombits(v.bits)
	case Int:
		return float64(int64(v.bits))
	}
	return 0
}

// Str returns the string held by v; "" for other kinds.
func (v Value) Str() string {
	if v.kind == String {
		return v.str
	}
	return ""
}

// List returns the items of a list value; nil for other kinds. The slice is
// shared, not copied.
func (v Value) List() []Value {
	if v.kind == List {
		return v.list
	}
	return nil
}

// Object returns the object of a dictionary value; nil for other kinds.
func (v Value) Object() *Object {
	if v.kind == Dict {
		return v.obj
	}
	return nil
}

// IsNumber reports whether v is an Int or a Float.
func (v Value) IsNumber() bool { return v.kind == Int || v.kind == Float }

// Object is a JSON object with its properties in insertion order. The zero
// Object is empty and ready to use.
type Object struct {
	keys []string
	vals []Value
}

// NewObject returns an empty object with room for n properties.
func NewObject(n int) *Object {
	return &Object{keys: make([]string, 0, n), vals: make([]Value, 0, n)}
}

// Len returns the number of properties.
func (o *Object) Len() int { return len(o.keys) }

// Key returns the name of property i.
func (o *Object) Key(i int) string { return o.keys[i] }

// At returns the value of property i.
func (o *Object) At(i int) Value { return o.vals[i] }

// Get returns the value of the property named key.
func (o *Object) Get(key string) (Value, bool) {
	if o == nil {
		return Value{}, false
	}
	for i, k := range o.keys {
		if k == key {
			return o.vals[i], true
		}
	}
	return Value{}, false
}

// Set adds or replaces the property named key.
func (o *Object) Set(key string, v Value) {
	for i, k := range o.keys {
		if k == key {
			o.vals[i] = v
			return
		}
	}
	o.keys = append(o.keys, key)
	o.vals = append(o.vals, v)
}

// SetString is shorthand for Set(key, StringValue(s)).
func (o *Object) SetString(key, s string) { o.Set(key, StringValue(s)) }

// GetString returns the property named key when it is a string.
func (o *Object) GetString(key string) (string, bool) {
	v, ok := o.Get(key)
	if !ok || v.kind != String {
		return "", false
	}
	return v.str, true
}

// Type returns the STIX "type" property, or "".
func (o *Object) Type() string {
	s, _ := o.GetString("type")
	return s
}

// ID returns the STIX "id" property, or "".
func (o *Object) ID() string {
	s, _ := o.GetString("id")
	return s
}
