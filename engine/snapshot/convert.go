package snapshot

import "github.com/indicator-matcher/matcher/engine/indicator"

// FromIndicator converts a decoded STIX indicator.
func FromIndicator(ind *indicator.Indicator) Indicator { return FromHead(ind.Head()) }

// FromHead converts an indicator head for compilation.
func FromHead(h indicator.Head) Indicator {
	return Indicator{ID: h.ID, Pattern: h.Pattern, PatternType: h.PatternType, ValidFrom: h.ValidFrom,
		ValidUntil: h.ValidUntil, Modified: h.Modified, Revoked: h.Revoked, Benign: h.Benign}
}
