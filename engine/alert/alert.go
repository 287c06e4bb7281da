// Package alert defines the alerts the matcher publishes (docs/alerts.md
// is the schema) and builds them from snapshot hits: the event, the
// matched observable and field, the indicator, why it matched, and the
// indicator's context once fetched. It also holds the Suppressor, which
// folds repeats of one (indicator, observable) pair into one alert with a
// count and rate-limits noisy indicators.
//
// Alerts are plain values; building one reads the Catalog and the event
// and keeps nothing borrowed.
package alert

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"
	"unicode/utf8"

	"github.com/indicator-matcher/matcher/engine/indicator"
	"github.com/indicator-matcher/matcher/enrich"
)

// Kinds of alert.
const (
	KindMatch    = "match"     // an event matched an indicator
	KindSummary  = "summary"   // repeats of a suppressed match, counted
	KindFollowUp = "follow-up" // the context of an earlier match arrived late
)

// Alert is one published alert. Field names follow ECS where one fits.
type Alert struct {
	Timestamp time.Time `json:"@timestamp"`
	Alert     Meta      `json:"alert"`
	Event     Event     `json:"event"`
	Threat    Threat    `json:"threat"`
}

// Meta describes the alert itself.
type Meta struct {
	// ID is deterministic: the same event matched by the same indicator
	// gives the same id, so consumers can de-duplicate redeliveries.
	ID      string    `json:"id"`
	Kind    string    `json:"kind"`
	Created time.Time `json:"created"`
	// Count is how many matches the alert stands for: 1, or the repeats
	// folded into a summary.
	Count     int       `json:"count"`
	FirstSeen time.Time `json:"first_seen,omitzero"`
	LastSeen  time.Time `json:"last_seen,omitzero"`
	// RelatesTo is, for summaries and follow-ups, the id of the first
	// alert.
	RelatesTo string `json:"relates_to,omitempty"`
	// Validity is the validity mode the match was judged in: event,
	// arrival or off.
	Validity string `json:"validity"`
	// Generation is the snapshot generation that matched.
	Generation uint64 `json:"snapshot_generation,omitempty"`
}

// Event is the matched log event.
type Event struct {
	// Original is the raw event when it is valid UTF-8; otherwise
	// OriginalBase64 holds its bytes.
	Original       string    `json:"original,omitempty"`
	OriginalBase64 string    `json:"original_base64,omitempty"`
	Subject        string    `json:"subject,omitempty"`
	File           string    `json:"file,omitempty"`
	Line           int       `json:"line,omitempty"`
	Profile        string    `json:"profile,omitempty"`
	Time           time.Time `json:"time"`
	TimeSource     string    `json:"time_source"`
	Arrival        time.Time `json:"arrival,omitzero"`
}

// Threat is what matched and why (ECS threat.*).
type Threat struct {
	Indicator   Indicator    `json:"indicator"`
	Enrichments []Enrichment `json:"enrichments"`
	Match       Match        `json:"match"`
	Context     Context      `json:"context"`
}

// Indicator is the matched indicator (ECS threat.indicator.* with the STIX
// properties detection engineers ask for).
type Indicator struct {
	ID              string                     `json:"id"`
	Name            string                     `json:"name,omitempty"`
	Description     string                     `json:"description,omitempty"`
	Pattern         string                     `json:"pattern"`
	PatternType     string                     `json:"pattern_type,omitempty"`
	Confidence      *int                       `json:"confidence,omitempty"`
	Types           []string                   `json:"indicator_types,omitempty"`
	Labels          []string                   `json:"labels,omitempty"`
	KillChainPhases []indicator.KillChainPhase `json:"kill_chain_phases,omitempty"`
	Marking         *Marking                   `json:"marking,omitempty"`
	ValidFrom       time.Time                  `json:"valid_from,omitzero"`
	ValidUntil      time.Time                  `json:"valid_until,omitzero"`
	Modified        time.Time                  `json:"modified_at,omitzero"`
	CreatedBy       string                     `json:"created_by_ref,omitempty"`
	SourceRefs      []string                   `json:"source_refs,omitempty"`
	References      []string                   `json:"reference,omitempty"`
}

// Marking is the indicator's TLP marking.
type Marking struct {
	TLP string `json:"tlp"`
}

// Enrichment is the ECS threat.enrichments entry of the match.
type Enrichment struct {
	Indicator EnrichmentIndicator `json:"indicator"`
	Matched   Matched             `json:"matched"`
}

// EnrichmentIndicator is the short indicator of an ECS enrichment.
type EnrichmentIndicator struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// Matched is ECS threat.enrichments.matched.
type Matched struct {
	// Atomic is the matched value, in canonical form.
	Atomic string `json:"atomic,omitempty"`
	// Field is the event field it came from.
	Field string `json:"field,omitempty"`
	// ID is the indicator id.
	ID string `json:"id"`
	// Index is the index that found it (exact, cidr, parent-domain, port,
	// substring, verify-always).
	Index string `json:"index"`
	// Type is always "indicator_match_rule".
	Type     string    `json:"type"`
	Occurred time.Time `json:"occurred"`
}

// Match says why the event matched.
type Match struct {
	// Kind and Role are the observable kind and role of the matched value.
	Kind string `json:"kind,omitempty"`
	Role string `json:"role,omitempty"`
	// Atoms are the pattern comparisons the index entry came from.
	Atoms []string `json:"atoms,omitempty"`
	// Verified is set when the candidate was checked against the whole
	// pattern; otherwise the index hit alone proves it.
	Verified bool `json:"verified"`
}

// Context is the indicator's context from the Intelligence Center.
type Context struct {
	// Status is enriched, pending, failed or disabled.
	Status string `json:"status"`
	// Error says why it failed.
	Error  string         `json:"error,omitempty"`
	Digest *enrich.Digest `json:"digest,omitempty"`
}

// ID computes the deterministic alert id of a match: a hash of the
// indicator id, the event's subject and sequence (its stream position,
// when known) and its bytes.
func ID(indicatorID, subject string, seq uint64, raw []byte) string {
	h := sha256.New()
	h.Write([]byte(indicatorID))
	h.Write([]byte{0})
	h.Write([]byte(subject))
	var b [9]byte
	for i := 0; i < 8; i++ {
		b[i] = byte(seq >> (8 * i))
	}
	h.Write(b[:])
	h.Write(raw)
	sum := h.Sum(nil)
	return hex.EncodeToString(sum[:16])
}

// setOriginal stores the raw event.
func (e *Event) setOriginal(raw []byte) {
	if utf8.Valid(raw) {
		e.Original = string(raw)
	} else {
		e.OriginalBase64 = base64.StdEncoding.EncodeToString(raw)
	}
}
