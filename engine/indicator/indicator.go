// Package indicator holds the STIX 2.1 indicator object as the engine uses
// it: the properties matching and alerting need, plus the raw JSON it came
// from so that nothing the feed sent is lost.
//
// Indicators are values; once decoded they are never mutated, so they may be
// shared between goroutines freely.
package indicator

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// KillChainPhase is one entry of kill_chain_phases.
type KillChainPhase struct {
	KillChainName string `json:"kill_chain_name"`
	PhaseName     string `json:"phase_name"`
}

// ExternalReference is one entry of external_references.
type ExternalReference struct {
	SourceName  string `json:"source_name"`
	URL         string `json:"url,omitempty"`
	ExternalID  string `json:"external_id,omitempty"`
	Description string `json:"description,omitempty"`
}

// Indicator is a STIX 2.1 indicator.
type Indicator struct {
	ID                 string              `json:"id"`
	Type               string              `json:"type"`
	SpecVersion        string              `json:"spec_version,omitempty"`
	Created            time.Time           `json:"created"`
	Modified           time.Time           `json:"modified"`
	Name               string              `json:"name,omitempty"`
	Description        string              `json:"description,omitempty"`
	IndicatorTypes     []string            `json:"indicator_types,omitempty"`
	Pattern            string              `json:"pattern"`
	PatternType        string              `json:"pattern_type,omitempty"`
	PatternVersion     string              `json:"pattern_version,omitempty"`
	ValidFrom          time.Time           `json:"valid_from"`
	ValidUntil         time.Time           `json:"valid_until,omitzero"`
	KillChainPhases    []KillChainPhase    `json:"kill_chain_phases,omitempty"`
	Labels             []string            `json:"labels,omitempty"`
	Confidence         *int                `json:"confidence,omitempty"`
	Revoked            bool                `json:"revoked,omitempty"`
	CreatedByRef       string              `json:"created_by_ref,omitempty"`
	ObjectMarkingRefs  []string            `json:"object_marking_refs,omitempty"`
	ExternalReferences []ExternalReference `json:"external_references,omitempty"`
	// SourcesRefs is Sekoia's x_inthreat_sources_refs.
	SourcesRefs []string `json:"x_inthreat_sources_refs,omitempty"`
	// ObservableTypes is Sekoia's x_ic_observable_types.
	ObservableTypes []string `json:"x_ic_observable_types,omitempty"`

	// Raw is the object exactly as it was received. It is not re-encoded.
	Raw json.RawMessage `json:"-"`
}

// Errors that callers branch on.
var (
	ErrNotIndicator = errors.New("indicator: object is not an indicator")
	ErrMissingField = errors.New("indicator: required property missing")
)

// Decode parses one STIX indicator object. It keeps a copy of data in Raw.
// Objects of other types give ErrNotIndicator; a missing id or pattern
// (unless revoked) gives ErrMissingField. A missing modified time is taken
// from created, a missing pattern_type is "stix"; another pattern_type is
// accepted here and the compiler reports it.
func Decode(data []byte) (Indicator, error) {
	var ind Indicator
	if err := json.Unmarshal(data, &ind); err != nil {
		return Indicator{}, fmt.Errorf("indicator: %w", err)
	}
	if err := check(ind.Type, ind.ID, ind.Pattern, ind.Revoked); err != nil {
		return Indicator{}, err
	}
	setDefaults(&ind.Modified, ind.Created, &ind.PatternType)
	ind.Raw = append(json.RawMessage(nil), data...)
	return ind, nil
}

// setDefaults fills what Decode and DecodeHead default.
func setDefaults(modified *time.Time, created time.Time, patternType *string) {
	if modified.IsZero() {
		*modified = created
	}
	if *patternType == "" {
		*patternType = "stix"
	}
}

// check applies the rules Decode and DecodeHead share.
func check(typ, id, pattern string, revoked bool) error {
	switch {
	case typ != "indicator":
		return fmt.Errorf("%w: type %q", ErrNotIndicator, typ)
	case id == "":
		return fmt.Errorf("%w: id", ErrMissingField)
	case !strings.HasPrefix(id, "indicator--"):
		return fmt.Errorf("indicator: id %q does not start with indicator--", id)
	case pattern == "" && !revoked:
		return fmt.Errorf("%w: %s: pattern", ErrMissingField, id)
	}
	return nil
}

// ValidAt reports whether the indicator may match at time t: it is not
// revoked and valid_from <= t < valid_until (no valid_until means no end).
func (ind *Indicator) ValidAt(t time.Time) bool {
	if ind.Revoked {
		return false
	}
	if !ind.ValidFrom.IsZero() && t.Before(ind.ValidFrom) {
		return false
	}
	if !ind.ValidUntil.IsZero() && !t.Before(ind.ValidUntil) {
		return false
	}
	return true
}

// ExpiredAt reports whether valid_until has passed at t.
func (ind *Indicator) ExpiredAt(t time.Time) bool {
	return !ind.ValidUntil.IsZero() && !t.Before(ind.ValidUntil)
}

// ConfidenceOr returns the confidence, or def when the indicator has none.
func (ind *Indicator) ConfidenceOr(def int) int {
	if ind.Confidence == nil {
		return def
	}
	return *ind.Confidence
}

// NewerThan reports whether ind supersedes other: a later modified time, or
// the same time and a revocation.
func (ind *Indicator) NewerThan(other *Indicator) bool {
	if !ind.Modified.Equal(other.Modified) {
		return ind.Modified.After(other.Modified)
	}
	return ind.Revoked && !other.Revoked
}
