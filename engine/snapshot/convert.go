package snapshot

import (
	"slices"

	"github.com/indicator-matcher/matcher/engine/indicator"
)

// FromIndicator converts a decoded STIX indicator.
func FromIndicator(ind *indicator.Indicator) Indicator {
	return Indicator{
		ID:          ind.ID,
		Pattern:     ind.Pattern,
		PatternType: ind.PatternType,
		ValidFrom:   ind.ValidFrom,
		ValidUntil:  ind.ValidUntil,
		Modified:    ind.Modified,
		Revoked:     ind.Revoked,
		Benign:      slices.Contains(ind.IndicatorTypes, "benign"),
	}
}
