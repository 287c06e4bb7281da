package extract

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"sort"
)

//go:embed profiles/*.yaml
var profileFiles embed.FS

// BuiltinProfiles returns the specs of the embedded profiles (one YAML file
// per profile under profiles/), sorted by name. Each call decodes them
// afresh, so callers may modify the result.
func BuiltinProfiles() ([]ProfileSpec, error) {
	names, err := fs.Glob(profileFiles, "profiles/*.yaml")
	if err != nil {
		return nil, fmt.Errorf("extract: built-in profiles: %w", err)
	}
	sort.Strings(names)
	var out []ProfileSpec
	for _, n := range names {
		data, err := profileFiles.ReadFile(n)
		if err != nil {
			return nil, fmt.Errorf("extract: built-in profile %s: %w", n, err)
		}
		specs, err := LoadProfiles(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("extract: built-in profile %s: %w", n, err)
		}
		out = append(out, specs...)
	}
	return out, nil
}
