package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

// maxFileSize bounds the configuration file read by Load.
const maxFileSize = 4 << 20

// Load returns the defaults overridden by the YAML file at path. An empty
// path means the defaults only. Keys missing from the file keep their
// defaults; a list in the file replaces the default list. An unknown key
// is an error naming the key's full path and line. Load does not
// validate: call Validate once every layer is applied.
func Load(path string) (Config, error) {
	if path == "" {
		return Default(), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return Config{}, fmt.Errorf("config: %s: %w", path, err)
	}
	if len(data) > maxFileSize {
		return Config{}, fmt.Errorf("config: %s: larger than %d bytes", path, maxFileSize)
	}
	return parse(data, path)
}

// Parse is Load on the bytes of a YAML document.
func Parse(data []byte) (Config, error) { return parse(data, "") }

func parse(data []byte, name string) (Config, error) {
	where := "config: "
	if name != "" {
		where += name + ": "
	}
	cfg := Default()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	err := dec.Decode(&cfg)
	if errors.Is(err, io.EOF) {
		return Default(), nil // an empty file
	}
	if err != nil {
		// The decoder names a bad key by its last element only; find the
		// first problem again with its full path.
		var doc yaml.Node
		if yaml.Unmarshal(data, &doc) == nil && len(doc.Content) == 1 {
			if derr := diagnose(doc.Content[0], reflect.TypeFor[Config](), ""); derr != nil {
				return Config{}, errors.New(where + derr.Error())
			}
		}
		return Config{}, fmt.Errorf("%s%w", where, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return Config{}, errors.New(where + "more than one YAML document")
	}
	return cfg, nil
}

// diagnose walks a YAML node against the struct type t and describes the
// first unknown key or badly typed value, with its path and line. It
// returns nil when it finds nothing wrong.
func diagnose(n *yaml.Node, t reflect.Type, path string) error {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: %s: expected a mapping of keys, got %s", n.Line, orTop(path), describe(n))
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		if key.Value == "<<" {
			continue // a merge key; the decoder reports its problems
		}
		f, ok := fieldByKey(t, key.Value)
		sub := key.Value
		if path != "" {
			sub = path + "." + key.Value
		}
		if !ok {
			return fmt.Errorf("line %d: unknown key %q (%s has: %s)", key.Line, sub, orTop(path), strings.Join(keysOf(t), ", "))
		}
		if err := diagnoseValue(val, f.Type, sub); err != nil {
			return err
		}
	}
	return nil
}

func diagnoseValue(n *yaml.Node, t reflect.Type, path string) error {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	k, ok := kindOf(t)
	switch {
	case !ok:
		return diagnose(n, t, path)
	case k == kindSubjects:
		if isNull(n) {
			return nil
		}
		if n.Kind != yaml.SequenceNode {
			return fmt.Errorf("line %d: %s: expected a list of {subject, profile}, got %s", n.Line, path, describe(n))
		}
		for i, item := range n.Content {
			if err := diagnose(item, reflect.TypeFor[SubjectProfile](), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		return nil
	}
	if err := n.Decode(reflect.New(t).Interface()); err != nil {
		return fmt.Errorf("line %d: %s: expected %s, got %s", n.Line, path, withArticle(k.String()), describe(n))
	}
	return nil
}

func fieldByKey(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		if f := t.Field(i); yamlName(f) == key {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

func keysOf(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		if name := yamlName(t.Field(i)); name != "" {
			out = append(out, name)
		}
	}
	return out
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

func orTop(path string) string {
	if path == "" {
		return "the top level"
	}
	return path
}

// describe names a node for an error message, quoting short scalars.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		v := n.Value
		if len(v) > 64 {
			v = v[:64] + "…"
		}
		return fmt.Sprintf("%q", v)
	}
	return "a YAML node of another kind"
}

func withArticle(noun string) string {
	if strings.ContainsRune("aeiou", rune(noun[0])) {
		return "an " + noun
	}
	return "a " + noun
}
