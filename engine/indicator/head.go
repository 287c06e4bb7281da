package indicator

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Head is the part of an indicator that compiling and matching need: no
// descriptive properties, and nothing kept from the input bytes. It is a
// value, safe to share.
type Head struct {
	ID          string
	Pattern     string
	PatternType string // "stix" when the object has none
	ValidFrom   time.Time
	ValidUntil  time.Time // zero: no end
	Modified    time.Time // created when the object has no modified
	Revoked     bool
	// Benign is set when indicator_types holds "benign".
	Benign bool
}

// wireHead is the JSON form DecodeHead reads; encoding/json skips every
// other property without allocating for it.
type wireHead struct {
	Type           string    `json:"type"`
	ID             string    `json:"id"`
	Created        time.Time `json:"created"`
	Modified       time.Time `json:"modified"`
	Pattern        string    `json:"pattern"`
	PatternType    string    `json:"pattern_type"`
	ValidFrom      time.Time `json:"valid_from"`
	ValidUntil     time.Time `json:"valid_until"`
	Revoked        bool      `json:"revoked"`
	IndicatorTypes []string  `json:"indicator_types"`
}

// DecodeHead reads the head of one STIX indicator object, with the checks
// and defaults of Decode; it is cheaper when the rest is not needed. It
// does not keep data.
func DecodeHead(data []byte) (Head, error) {
	var w wireHead
	if err := json.Unmarshal(data, &w); err != nil {
		return Head{}, fmt.Errorf("indicator: %w", err)
	}
	if err := check(w.Type, w.ID, w.Pattern, w.Revoked); err != nil {
		return Head{}, err
	}
	h := Head{ID: w.ID, Pattern: w.Pattern, PatternType: w.PatternType, ValidFrom: w.ValidFrom,
		ValidUntil: w.ValidUntil, Modified: w.Modified, Revoked: w.Revoked, Benign: slices.Contains(w.IndicatorTypes, "benign")}
	setDefaults(&h.Modified, w.Created, &h.PatternType)
	return h, nil
}

// Head returns the head of a decoded indicator.
func (ind *Indicator) Head() Head {
	return Head{ID: ind.ID, Pattern: ind.Pattern, PatternType: ind.PatternType, ValidFrom: ind.ValidFrom,
		ValidUntil: ind.ValidUntil, Modified: ind.Modified, Revoked: ind.Revoked, Benign: slices.Contains(ind.IndicatorTypes, "benign")}
}

// newerHead is NewerThan for heads.
func (h *Head) newerThan(other *Head) bool {
	if !h.Modified.Equal(other.Modified) {
		return h.Modified.After(other.Modified)
	}
	return h.Revoked && !other.Revoked
}
