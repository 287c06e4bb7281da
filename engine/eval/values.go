package eval

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/indicator-matcher/matcher/engine/observation"
	"github.com/indicator-matcher/matcher/engine/pattern"
)

// value is a selected property value. Properties named *_hex or *_bin are
// decoded to bytes, which JSON cannot express.
type value struct {
	v       observation.Value
	bytes   []byte
	isBytes bool
}

// selectValues walks path steps from v and calls fn for every value the
// path selects, stopping early when fn returns true. It returns whether fn
// returned true.
func selectValues(obs *observation.Observation, v value, steps []pattern.PathStep, fn func(value) (bool, error)) (bool, error) {
	if len(steps) == 0 {
		return fn(v)
	}
	step := steps[0]
	switch step.Kind {
	case pattern.StepKey:
		o := v.v.Object()
		if v.isBytes || o == nil {
			return false, nil
		}
		pv, ok := o.Get(step.Key)
		if !ok {
			return false, nil
		}
		next, err := suffixValue(step.Key, pv)
		if err != nil {
			return false, err
		}
		switch {
		case strings.HasSuffix(step.Key, "_ref"):
			return derefOne(obs, step.Key, next, steps[1:], fn)
		case strings.HasSuffix(step.Key, "_refs"):
			return derefList(obs, step.Key, next, steps[1:], fn)
		}
		return selectValues(obs, next, steps[1:], fn)
	case pattern.StepIndex:
		list := v.v.List()
		if v.isBytes || v.v.Kind() != observation.List || step.Index < 0 || step.Index >= int64(len(list)) {
			return false, nil
		}
		return selectValues(obs, value{v: list[step.Index]}, steps[1:], fn)
	case pattern.StepAny:
		if v.isBytes || v.v.Kind() != observation.List {
			return false, nil
		}
		for _, item := range v.v.List() {
			if found, err := selectValues(obs, value{v: item}, steps[1:], fn); found || err != nil {
				return found, err
			}
		}
	}
	return false, nil
}

// suffixValue decodes *_hex and *_bin properties to bytes.
func suffixValue(key string, v observation.Value) (value, error) {
	var decode func(string) ([]byte, error)
	switch {
	case strings.HasSuffix(key, "_hex"):
		decode = hex.DecodeString
	case strings.HasSuffix(key, "_bin"):
		decode = base64.StdEncoding.DecodeString
	default:
		return value{v: v}, nil
	}
	if v.Kind() != observation.String {
		return value{}, fmt.Errorf("%w: property %s is %s, not an encoded string", ErrInvalidData, key, v.Kind())
	}
	b, err := decode(v.Str())
	if err != nil {
		return value{}, fmt.Errorf("%w: property %s: %v", ErrInvalidData, key, err)
	}
	return value{bytes: b, isBytes: true}, nil
}

// derefOne replaces a reference with the object it names within the same
// observation. An unresolved reference selects nothing.
func derefOne(obs *observation.Observation, key string, ref value, rest []pattern.PathStep, fn func(value) (bool, error)) (bool, error) {
	if ref.isBytes || ref.v.Kind() != observation.String {
		return false, fmt.Errorf("%w: reference property %s is not a string", ErrInvalidData, key)
	}
	target := obs.Lookup(ref.v.Str())
	if target == nil {
		return false, nil
	}
	return selectValues(obs, value{v: observation.ObjectValue(target)}, rest, fn)
}

// derefList replaces a list of references with the list of objects they
// name; unresolved references are dropped.
func derefList(obs *observation.Observation, key string, refs value, rest []pattern.PathStep, fn func(value) (bool, error)) (bool, error) {
	if refs.isBytes || refs.v.Kind() != observation.List {
		return false, fmt.Errorf("%w: reference list property %s is not a list", ErrInvalidData, key)
	}
	items := refs.v.List()
	objs := make([]observation.Value, 0, len(items))
	for _, r := range items {
		if r.Kind() != observation.String {
			return false, fmt.Errorf("%w: a value of reference list property %s is not a string", ErrInvalidData, key)
		}
		if target := obs.Lookup(r.Str()); target != nil {
			objs = append(objs, observation.ObjectValue(target))
		}
	}
	if len(objs) == 0 {
		return false, nil
	}
	return selectValues(obs, value{v: observation.ListValue(objs)}, rest, fn)
}
