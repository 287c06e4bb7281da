package enrich

import (
	"encoding/json"
	"time"
)

// Digest is the part of an indicator's context that goes into an alert.
// Field names follow ECS (threat.indicator.*, threat.group.*,
// threat.software.*, threat.technique.*, threat.tactic.*) where one fits:
// "id" is a MITRE ATT&CK id, "stix_id" the STIX id, "alias", "reference",
// "provider", "marking.tlp", "modified_at". docs/enrichment.md maps every
// field; ECS() builds the ECS threat object itself.
//
// A Digest handed out by an Enricher is shared with its cache: treat it,
// and the slices in it, as read-only.
type Digest struct {
	Indicator Indicator `json:"indicator"`
	// Marking is the indicator's TLP marking (the most restrictive one
	// when there are several); nil when it has none.
	Marking *Marking `json:"marking,omitempty"`
	// Sources are the identities named by the x_inthreat_sources_refs of
	// the indicator and of its first-level relationships, the indicator's
	// first.
	Sources []Source `json:"sources,omitempty"`

	ThreatActors    []Entity `json:"threat_actors,omitempty"`
	IntrusionSets   []Entity `json:"intrusion_sets,omitempty"`
	Malware         []Entity `json:"malware,omitempty"`
	Tools           []Entity `json:"tools,omitempty"`
	Campaigns       []Entity `json:"campaigns,omitempty"`
	AttackPatterns  []Entity `json:"attack_patterns,omitempty"`
	CoursesOfAction []Entity `json:"courses_of_action,omitempty"`
	// Tactics are the MITRE ATT&CK tactics of the kill_chain_phases of the
	// indicator and of the attack patterns.
	Tactics []Tactic `json:"tactics,omitempty"`
	// Relationships are the ones the digest was built from: the
	// indicator's first-level relationships and the "mitigates"
	// relationships that lead to courses of action.
	Relationships []Relationship `json:"relationships,omitempty"`

	// Unresolved lists referenced ids that could not be resolved (not in
	// the bundle and not fetched: not found, failed, or over the fetch
	// bound).
	Unresolved []string `json:"unresolved,omitempty"`
	// Malformed counts bundle objects that could not be read.
	Malformed int `json:"malformed,omitempty"`
	// Truncated is set when a list was cut at MaxListLen entries.
	Truncated bool `json:"truncated,omitempty"`
	// Fetched counts the objects fetched with objects/{id} or
	// relationships/{id} (cache hits included) to build the digest.
	Fetched int `json:"fetched,omitempty"`
	// FetchedAt is when the context was fetched.
	FetchedAt time.Time `json:"fetched_at,omitzero"`
	// BundleID is the id of the context bundle.
	BundleID string `json:"bundle_id,omitempty"`
	// Bundle is the full context bundle, with Options.FullBundle only.
	Bundle json.RawMessage `json:"bundle,omitempty"`
}

// Indicator summarises the indicator itself (ECS threat.indicator.*).
type Indicator struct {
	STIXID      string `json:"stix_id"`
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
	Pattern     string `json:"pattern,omitempty"`
	PatternType string `json:"pattern_type,omitempty"`
	// Type is x_ic_observable_types (ECS threat.indicator.type).
	Type []string `json:"type,omitempty"`
	// IndicatorTypes is the STIX indicator_types.
	IndicatorTypes []string `json:"indicator_types,omitempty"`
	// Confidence is the ECS scale (None, Low, Medium, High) of
	// ConfidenceScore, the STIX 0–100 confidence.
	Confidence      string `json:"confidence,omitempty"`
	ConfidenceScore *int   `json:"confidence_score,omitempty"`
	// Provider is the name of the first source (ECS threat.indicator.provider).
	Provider   string    `json:"provider,omitempty"`
	ValidFrom  time.Time `json:"valid_from,omitzero"`
	ValidUntil time.Time `json:"valid_until,omitzero"`
	ModifiedAt time.Time `json:"modified_at,omitzero"`
	Revoked    bool      `json:"revoked,omitempty"`
}

// Marking is a TLP marking (ECS threat.indicator.marking.tlp and
// tlp_version).
type Marking struct {
	// TLP is CLEAR, WHITE, GREEN, AMBER, AMBER+STRICT or RED.
	TLP        string `json:"tlp"`
	TLPVersion string `json:"tlp_version,omitempty"`
	STIXID     string `json:"stix_id,omitempty"`
	Name       string `json:"name,omitempty"`
}

// Source is a source identity.
type Source struct {
	STIXID string `json:"stix_id"`
	Name   string `json:"name"`
	// Confidence is the source's reliability (0–100) as the API gives it.
	Confidence *int `json:"confidence,omitempty"`
	// Reference is the source's URL, when it has one.
	Reference string `json:"reference,omitempty"`
}

// Entity is a threat actor, intrusion set, malware, tool, campaign, attack
// pattern or course of action.
type Entity struct {
	STIXID string `json:"stix_id"`
	// Type is the STIX type (malware, attack-pattern, …).
	Type string `json:"type"`
	Name string `json:"name,omitempty"`
	// ID is the MITRE ATT&CK id (T1071, T1071.001, S0331, G0016, M1031,
	// C0001), from external_references with source_name mitre-attack.
	ID string `json:"id,omitempty"`
	// Reference is the ATT&CK URL of ID.
	Reference string   `json:"reference,omitempty"`
	Alias     []string `json:"alias,omitempty"`
	// Kinds are malware_types, tool_types or threat_actor_types.
	Kinds []string `json:"kinds,omitempty"`
	// Platforms are x_mitre_platforms.
	Platforms []string `json:"platforms,omitempty"`
	// Tactics are the ATT&CK tactic phase names of an attack pattern.
	Tactics []string `json:"tactics,omitempty"`
}

// Tactic is a MITRE ATT&CK tactic (ECS threat.tactic.*).
type Tactic struct {
	ID        string `json:"id,omitempty"`
	Name      string `json:"name"`
	Reference string `json:"reference,omitempty"`
	// Phase is the STIX kill chain phase name (command-and-control).
	Phase string `json:"phase"`
}

// Relationship is one relationship the digest used.
type Relationship struct {
	STIXID     string `json:"stix_id"`
	Type       string `json:"type"`
	SourceRef  string `json:"source_ref"`
	TargetRef  string `json:"target_ref"`
	SourceName string `json:"source_name,omitempty"`
	TargetName string `json:"target_name,omitempty"`
}

// Empty reports whether the digest carries no context beyond the
// indicator itself.
func (d *Digest) Empty() bool {
	return d.Marking == nil && len(d.Sources) == 0 && len(d.ThreatActors) == 0 &&
		len(d.IntrusionSets) == 0 && len(d.Malware) == 0 && len(d.Tools) == 0 &&
		len(d.Campaigns) == 0 && len(d.AttackPatterns) == 0 && len(d.CoursesOfAction) == 0 &&
		len(d.Relationships) == 0
}
