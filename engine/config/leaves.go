package config

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
)

// kind is the value type of a leaf key.
type kind uint8

const (
	kindString kind = iota
	kindBool
	kindInt
	kindFloat
	kindDuration
	kindSize
	kindStrings  // []string
	kindSubjects // []SubjectProfile
)

// String is the type name docs/config.md uses.
func (k kind) String() string {
	return [...]string{"string", "bool", "int", "float", "duration", "size", "list of strings", "list of {subject, profile}"}[k]
}

var (
	durationType = reflect.TypeFor[time.Duration]()
	sizeType     = reflect.TypeFor[Size]()
	stringsType  = reflect.TypeFor[[]string]()
	subjectsType = reflect.TypeFor[[]SubjectProfile]()
)

// leaf is one configuration key that holds a value: its dotted YAML path,
// its environment variable and where it sits in Config.
type leaf struct {
	path  string
	env   string
	index []int
	kind  kind
}

// leaves lists every leaf key of Config in struct order. It is computed
// once; the result is never modified.
var leaves = sync.OnceValue(func() []leaf {
	var out []leaf
	collectLeaves(reflect.TypeFor[Config](), "", nil, &out)
	return out
})

func collectLeaves(t reflect.Type, prefix string, index []int, out *[]leaf) {
	for i := range t.NumField() {
		f := t.Field(i)
		name := yamlName(f)
		if name == "" {
			continue
		}
		path := name
		if prefix != "" {
			path = prefix + "." + name
		}
		idx := append(append([]int(nil), index...), i)
		k, ok := kindOf(f.Type)
		if !ok {
			// Sections are structs. A field of any other type would have
			// no leaf; the docs test fails then, as the key is missing.
			if f.Type.Kind() == reflect.Struct {
				collectLeaves(f.Type, path, idx, out)
			}
			continue
		}
		env := EnvPrefix + strings.ToUpper(strings.ReplaceAll(path, ".", "_"))
		*out = append(*out, leaf{path: path, env: env, index: idx, kind: k})
	}
}

// yamlName returns the key of a struct field, or "" when it has none.
func yamlName(f reflect.StructField) string {
	tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if tag == "-" || !f.IsExported() {
		return ""
	}
	return tag
}

func kindOf(t reflect.Type) (kind, bool) {
	switch t {
	case durationType:
		return kindDuration, true
	case sizeType:
		return kindSize, true
	case stringsType:
		return kindStrings, true
	case subjectsType:
		return kindSubjects, true
	}
	switch t.Kind() {
	case reflect.String:
		return kindString, true
	case reflect.Bool:
		return kindBool, true
	case reflect.Int:
		return kindInt, true
	case reflect.Float64:
		return kindFloat, true
	}
	return 0, false
}

// lookupLeaf finds a leaf by its dotted path.
func lookupLeaf(path string) (leaf, bool) {
	for _, l := range leaves() {
		if l.path == path {
			return l, true
		}
	}
	return leaf{}, false
}

// field returns the addressable value of l inside c.
func (l leaf) field(c *Config) reflect.Value {
	return reflect.ValueOf(c).Elem().FieldByIndex(l.index)
}

// set parses s (the syntax of environment variables and flags) and
// stores it in c.
func (l leaf) set(c *Config, s string) error {
	v, err := parseValue(l.kind, s)
	if err != nil {
		return err
	}
	l.field(c).Set(v)
	return nil
}

// get formats the value of l in c in the syntax set reads.
func (l leaf) get(c *Config) string { return formatValue(l.kind, l.field(c)) }

// parseValue reads the text form of a value of kind k. Lists are
// comma-separated; list items are trimmed and empty items dropped.
func parseValue(k kind, s string) (reflect.Value, error) {
	t := strings.TrimSpace(s)
	switch k {
	case kindString:
		return reflect.ValueOf(s), nil
	case kindBool:
		b, err := strconv.ParseBool(t)
		if err != nil {
			return reflect.Value{}, fmt.Errorf("invalid bool %q (want true or false)", s)
		}
		return reflect.ValueOf(b), nil
	case kindInt:
		n, err := strconv.Atoi(t)
		if err != nil {
			return reflect.Value{}, fmt.Errorf("invalid integer %q", s)
		}
		return reflect.ValueOf(n), nil
	case kindFloat:
		f, err := strconv.ParseFloat(t, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return reflect.Value{}, fmt.Errorf("invalid number %q", s)
		}
		return reflect.ValueOf(f), nil
	case kindDuration:
		d, err := time.ParseDuration(t)
		if err != nil {
			return reflect.Value{}, fmt.Errorf("invalid duration %q (want a Go duration such as 30s, 5m, 1h30m)", s)
		}
		return reflect.ValueOf(d), nil
	case kindSize:
		n, err := ParseSize(t)
		if err != nil {
			return reflect.Value{}, err
		}
		return reflect.ValueOf(n), nil
	case kindStrings:
		return reflect.ValueOf(splitList(t)), nil
	case kindSubjects:
		var out []SubjectProfile
		for _, item := range splitList(t) {
			i := strings.LastIndexByte(item, '=')
			if i < 0 {
				return reflect.Value{}, fmt.Errorf("invalid subject mapping %q (want subject=profile)", item)
			}
			out = append(out, SubjectProfile{Subject: strings.TrimSpace(item[:i]), Profile: strings.TrimSpace(item[i+1:])})
		}
		return reflect.ValueOf(out), nil
	}
	return reflect.Value{}, fmt.Errorf("unsupported kind %d", k)
}

func splitList(s string) []string {
	out := []string{}
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// formatValue is the inverse of parseValue.
func formatValue(k kind, v reflect.Value) string {
	switch k {
	case kindString:
		return v.String()
	case kindBool:
		return strconv.FormatBool(v.Bool())
	case kindInt:
		return strconv.FormatInt(v.Int(), 10)
	case kindFloat:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64)
	case kindDuration:
		return time.Duration(v.Int()).String()
	case kindSize:
		return Size(v.Int()).String()
	case kindStrings:
		return strings.Join(v.Interface().([]string), ",")
	case kindSubjects:
		var b strings.Builder
		for i, sp := range v.Interface().([]SubjectProfile) {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(sp.Subject + "=" + sp.Profile)
		}
		return b.String()
	}
	return ""
}
