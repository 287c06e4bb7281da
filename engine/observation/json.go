package observation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxDepth bounds the nesting of decoded JSON so that hostile input cannot
// exhaust the stack.
const maxDepth = 256

// ErrTooDeep is returned when JSON nests deeper than the decoder allows.
var ErrTooDeep = errors.New("observation: JSON nested too deeply")

// ParseJSON decodes one JSON document into a Value. Object keys keep their
// order; a repeated key keeps its last value. Numbers without a fraction or
// exponent become Int when they fit in int64, and Float otherwise.
func ParseJSON(data []byte) (Value, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeValue(dec, 0)
	if err != nil {
		return Value{}, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return Value{}, errors.New("observation: trailing data after JSON value")
	}
	return v, nil
}

func decodeValue(dec *json.Decoder, depth int) (Value, error) {
	tok, err := dec.Token()
	if err != nil {
		return Value{}, fmt.Errorf("observation: %w", err)
	}
	return decodeToken(dec, tok, depth)
}

func decodeToken(dec *json.Decoder, tok json.Token, depth int) (Value, error) {
	switch t := tok.(type) {
	case nil:
		return Value{}, nil
	case bool:
		return BoolValue(t), nil
	case string:
		return StringValue(t), nil
	case json.Number:
		return numberValue(string(t)), nil
	case json.Delim:
		if depth >= maxDepth {
			return Value{}, ErrTooDeep
		}
		switch t {
		case '[':
			var items []Value
			for dec.More() {
				v, err := decodeValue(dec, depth+1)
				if err != nil {
					return Value{}, err
				}
				items = append(items, v)
			}
			if _, err := dec.Token(); err != nil {
				return Value{}, fmt.Errorf("observation: %w", err)
			}
			if items == nil {
				items = []Value{}
			}
			return ListValue(items), nil
		case '{':
			o := &Object{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return Value{}, fmt.Errorf("observation: %w", err)
				}
				key, ok := kt.(string)
				if !ok {
					return Value{}, errors.New("observation: object key is not a string")
				}
				v, err := decodeValue(dec, depth+1)
				if err != nil {
					return Value{}, err
				}
				o.Set(key, v)
			}
			if _, err := dec.Token(); err != nil {
				return Value{}, fmt.Errorf("observation: %w", err)
			}
			return ObjectValue(o), nil
		}
	}
	return Value{}, fmt.Errorf("observation: unexpected JSON token %v", tok)
}

func numberValue(s string) Value {
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return IntValue(i)
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return FloatValue(math.NaN())
	}
	return FloatValue(f)
}

// AppendJSON appends the JSON encoding of v to dst. Object properties keep
// their order. Floats that are whole numbers keep a ".0" so that the
// int/float distinction survives a round trip.
func AppendJSON(dst []byte, v Value) []byte {
	switch v.kind {
	case Null:
		return append(dst, "null"...)
	case Bool:
		return strconv.AppendBool(dst, v.Bool())
	case Int:
		return strconv.AppendInt(dst, v.Int(), 10)
	case Float:
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return append(dst, "null"...)
		}
		n := len(dst)
		dst = strconv.AppendFloat(dst, f, 'g', -1, 64)
		if !bytes.ContainsAny(dst[n:], ".eE") {
			dst = append(dst, ".0"...)
		}
		return dst
	case String:
		return AppendJSONString(dst, v.str)
	case List:
		dst = append(dst, '[')
		for i, it := range v.list {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendJSON(dst, it)
		}
		return append(dst, ']')
	case Dict:
		dst = append(dst, '{')
		for i, k := range v.obj.keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendJSONString(dst, k)
			dst = append(dst, ':')
			dst = AppendJSON(dst, v.obj.vals[i])
		}
		return append(dst, '}')
	}
	return dst
}

// MarshalJSON implements json.Marshaler.
func (v Value) MarshalJSON() ([]byte, error) { return AppendJSON(nil, v), nil }

// MarshalJSON implements json.Marshaler.
func (o *Object) MarshalJSON() ([]byte, error) { return AppendJSON(nil, ObjectValue(o)), nil }

const hexDigits = "0123456789abcdef"

// AppendJSONString appends s as a quoted JSON string. Invalid UTF-8 becomes
// U+FFFD, as encoding/json does.
func AppendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
