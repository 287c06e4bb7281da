package config

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// EnvName returns the environment variable of a dotted key path, e.g.
// "nats.url" → "MATCHER_NATS_URL", and false when the key does not exist.
func EnvName(path string) (string, bool) {
	l, ok := lookupLeaf(path)
	return l.env, ok
}

// ApplyEnv overrides cfg with the MATCHER_<SECTION>_<KEY> variables found
// in environ (a list of "NAME=value", as os.Environ returns). Lists are
// comma-separated ("logs.a.>,logs.b.>"; matching.subjects takes
// "subject=profile" items), durations are Go durations ("90s"), sizes
// take a unit ("64MiB"). A variable that is set to an empty value sets an
// empty string or list, and is an error for other types.
//
// A MATCHER_ variable that names no key is an error, so a misspelt
// override is never silently ignored; MATCHER_CONFIG (the file) is the
// one exception. Every error names the variable; all of them are
// reported together. When a variable appears twice the last one wins.
func ApplyEnv(cfg *Config, environ []string) error {
	byEnv := make(map[string]leaf, len(leaves()))
	for _, l := range leaves() {
		byEnv[l.env] = l
	}
	values := map[string]string{}
	for _, kv := range environ {
		name, value, ok := strings.Cut(kv, "=")
		if ok && strings.HasPrefix(name, EnvPrefix) && name != EnvConfig {
			values[name] = value
		}
	}
	names := make([]string, 0, len(values))
	for name := range values {
		names = append(names, name)
	}
	sort.Strings(names) // deterministic errors
	var errs []error
	for _, name := range names {
		l, ok := byEnv[name]
		if !ok {
			errs = append(errs, fmt.Errorf("config: environment variable %s names no configuration key", name))
			continue
		}
		value := values[name]
		if strings.TrimSpace(value) == "" && l.kind != kindString && l.kind != kindStrings && l.kind != kindSubjects {
			errs = append(errs, fmt.Errorf("config: %s (%s): empty value", name, l.path))
			continue
		}
		if err := l.set(cfg, value); err != nil {
			errs = append(errs, fmt.Errorf("config: %s (%s): %w", name, l.path, err))
		}
	}
	return errors.Join(errs...)
}
