package extract

import "fmt"

// resolveSpecs applies Extends and returns specs by name.
func resolveSpecs(specs []ProfileSpec) (map[string]ProfileSpec, error) {
	byName := make(map[string]ProfileSpec, len(specs))
	for _, s := range specs {
		byName[s.Name] = s // later (user) specs replace earlier (built-in) ones
	}
	out := make(map[string]ProfileSpec, len(byName))
	var resolve func(name string, seen map[string]bool) (ProfileSpec, error)
	resolve = func(name string, seen map[string]bool) (ProfileSpec, error) {
		if r, ok := out[name]; ok {
			return r, nil
		}
		s, ok := byName[name]
		if !ok {
			return s, fmt.Errorf("extract: unknown profile %q", name)
		}
		if s.Extends == "" {
			out[name] = s
			return s, nil
		}
		if seen[name] {
			return s, fmt.Errorf("extract: profile %q extends itself", name)
		}
		seen[name] = true
		base, err := resolve(s.Extends, seen)
		if err != nil {
			return s, fmt.Errorf("extract: profile %q: %w", name, err)
		}
		merged := mergeSpec(base, s)
		out[name] = merged
		return merged, nil
	}
	for name := range byName {
		if _, err := resolve(name, map[string]bool{}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// mergeSpec returns child on top of base.
func mergeSpec(base, child ProfileSpec) ProfileSpec {
	m := base
	m.Name, m.Extends = child.Name, ""
	if child.Description != "" {
		m.Description = child.Description
	}
	if child.Priority != 0 {
		m.Priority = child.Priority
	}
	if child.Detect != nil {
		m.Detect = child.Detect
	}
	m.Text = m.Text || child.Text
	if child.Time.Fields != nil {
		m.Time = child.Time
	}
	if child.Prefixes != nil {
		m.Prefixes = child.Prefixes
	}
	m.UnderscoreAliases = m.UnderscoreAliases || child.UnderscoreAliases
	if child.ScanUnmapped != nil {
		m.ScanUnmapped = child.ScanUnmapped
	}
	m.Fields = make(map[string]FieldSpec, len(base.Fields)+len(child.Fields))
	for k, v := range base.Fields {
		m.Fields[k] = v
	}
	for k, v := range child.Fields {
		m.Fields[k] = v
	}
	return m
}
