package gen

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"

	"github.com/indicator-matcher/matcher/engine/indicator"
	"github.com/indicator-matcher/matcher/engine/snapshot"
)

// ToSTIX makes the STIX indicator of a generated one: the compile inputs
// of ind, with created = modified and valid_from defaulting to modified.
// Names and labels of the real indicators are not kept by LoadReal, so
// alerts built from these carry the pattern but no name.
func ToSTIX(ind snapshot.Indicator) indicator.Indicator {
	out := indicator.Indicator{
		ID: ind.ID, Type: "indicator", SpecVersion: "2.1", Created: ind.Modified, Modified: ind.Modified,
		Pattern: ind.Pattern, PatternType: ind.PatternType, ValidFrom: ind.ValidFrom, ValidUntil: ind.ValidUntil,
		Revoked: ind.Revoked, IndicatorTypes: []string{"malicious-activity"},
	}
	if out.PatternType == "" {
		out.PatternType = "stix"
	}
	if out.ValidFrom.IsZero() {
		out.ValidFrom = ind.Modified
	}
	if ind.Benign {
		out.IndicatorTypes = []string{"benign"}
	}
	return out
}

// WriteSTIX writes the indicators as STIX 2.1 JSON Lines, the format
// `matcher run --indicators` reads.
func WriteSTIX(w io.Writer, inds []snapshot.Indicator) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for _, ind := range inds {
		if err := enc.Encode(ToSTIX(ind)); err != nil {
			return fmt.Errorf("gen: writing %s: %w", ind.ID, err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("gen: writing indicators: %w", err)
	}
	return nil
}
