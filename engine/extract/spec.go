package extract

import (
	"fmt"
	"io"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// ProfileSpec is the data form of a profile, as written in the embedded
// profile files and in the configuration file. See docs/profiles.md.
type ProfileSpec struct {
	// Name identifies the profile in subject rules and in Event.Profile.
	Name string `yaml:"name"`
	// Extends names a profile whose spec this one starts from: its fields
	// are inherited and overridden by Fields; other settings are inherited
	// when left empty here.
	Extends string `yaml:"extends"`
	// Description is free text for documentation.
	Description string `yaml:"description"`
	// Priority orders auto-detection: higher priorities are tried first.
	Priority int `yaml:"priority"`
	// Detect lists sets of top-level keys; the profile is detected when all
	// keys of one set are present. Empty means never auto-detected.
	Detect [][]string `yaml:"detect"`
	// Text marks a profile for raw text lines rather than JSON objects.
	Text bool `yaml:"text"`
	// Time lists the fields holding the event time, best first.
	Time TimeSpec `yaml:"time"`
	// Prefixes are added in front of every field path (in addition to the
	// path itself), for sources that nest the same fields under different
	// parents ("EventData.", "winlog.event_data.").
	Prefixes []string `yaml:"prefixes"`
	// UnderscoreAliases also registers every path with its dots replaced
	// by underscores (Zeek's "id.orig_h" and "id_orig_h").
	UnderscoreAliases bool `yaml:"underscore_aliases"`
	// ScanUnmapped lists the kinds ("ip", "domain", "url", "email", "hash")
	// that the token scanner looks for in string values of fields that are
	// not mapped.
	ScanUnmapped []string `yaml:"scan_unmapped"`
	// Fields maps key paths to what their values are.
	Fields map[string]FieldSpec `yaml:"fields"`
	// Discriminator lists key paths (not expanded by Prefixes) whose value
	// selects one of Variants: Zeek's "_path", Windows' "EventID". The first
	// one present in the event wins.
	Discriminator []string `yaml:"discriminator"`
	// Variants maps a discriminator value to field mappings that apply, on
	// top of Fields, only to events with that value. Fields are read in one
	// pass whatever their order; values of fields that some variant maps are
	// held back and resolved once the event is read.
	Variants map[string]map[string]FieldSpec `yaml:"variants"`
}

// TimeSpec names the fields that hold the event time.
type TimeSpec struct {
	Fields []string `yaml:"fields"`
}

// FieldSpec says what the values of one field are. In YAML it may be
// written as a mapping or as a short string "kind [role [group]]".
type FieldSpec struct {
	// Kind is an observable kind name (observable.Kind.String, e.g. "domain",
	// "md5", "user-agent") or an extraction action: ip, host, port, hash,
	// hash-list, email-list, url-path, protocol, app-protocol, http-method,
	// pid, version, user-id, json, dns-results, text, ignore.
	Kind string `yaml:"kind"`
	// Role is an observable role name (observable.Role.String).
	Role string `yaml:"role"`
	// Group ties fields that describe the same connection, file or
	// certificate together (default: the event's main group).
	Group string `yaml:"group"`
	// Values, when set, maps raw values to the value used; values not
	// listed are ignored. Used to turn Zeek's _path into a protocol.
	Values map[string]string `yaml:"values"`
	// Scan lists the kinds the token scanner looks for in a "text" field;
	// default all.
	Scan []string `yaml:"scan"`
}

// UnmarshalYAML accepts the short string form "kind [role [group]]".
func (f *FieldSpec) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		parts := strings.Fields(n.Value)
		if len(parts) == 0 || len(parts) > 3 {
			return fmt.Errorf("line %d: field spec %q: want \"kind [role [group]]\"", n.Line, n.Value)
		}
		*f = FieldSpec{Kind: parts[0]}
		if len(parts) > 1 {
			f.Role = parts[1]
		}
		if len(parts) > 2 {
			f.Group = parts[2]
		}
		return nil
	}
	type plain FieldSpec
	return n.Decode((*plain)(f))
}

// SubjectRule selects a profile for the NATS subjects matching Subject
// ("*" matches one token, ">" one or more trailing tokens). Profile "auto"
// means auto-detection per event.
type SubjectRule struct {
	Subject string `yaml:"subject"`
	Profile string `yaml:"profile"`
}

// Config is the extraction part of the matcher's configuration file; the
// matcher's config loader embeds it (for example under an "extract" key).
// The zero Config uses the built-in profiles, auto-detection for every
// subject, a 1 MiB event limit and a nesting limit of 64.
type Config struct {
	// MaxEventBytes rejects larger events with ErrTooLarge; 0 means 1 MiB.
	MaxEventBytes int `yaml:"max_event_bytes"`
	// MaxDepth rejects JSON nested deeper with ErrTooDeep; 0 means 64.
	MaxDepth int `yaml:"max_depth"`
	// MaxObservables caps the observables of one event; 0 means 1024.
	MaxObservables int `yaml:"max_observables"`
	// Subjects selects a profile per NATS subject, first match wins.
	Subjects []SubjectRule `yaml:"subjects"`
	// Profiles adds user profiles; a profile named like a built-in one
	// replaces it.
	Profiles []ProfileSpec `yaml:"profiles"`
	// TimeZone is the zone of event times written without one (NXLog's
	// EventTime, "2024-03-11 10:24:05"); nil means UTC.
	TimeZone *time.Location `yaml:"-"`
}

// LoadProfiles reads profile specs from YAML: either a list of profiles or
// a mapping with a "profiles" list.
func LoadProfiles(r io.Reader) ([]ProfileSpec, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("extract: read profiles: %w", err)
	}
	var list []ProfileSpec
	if err := yaml.Unmarshal(data, &list); err == nil {
		return list, nil
	}
	var doc struct {
		Profiles []ProfileSpec `yaml:"profiles"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("extract: parse profiles: %w", err)
	}
	return doc.Profiles, nil
}
