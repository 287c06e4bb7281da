package alert

import (
	"bytes"
	"fmt"
	"time"

	"github.com/indicator-matcher/matcher/engine/extract"
	"github.com/indicator-matcher/matcher/engine/indicator"
	"github.com/indicator-matcher/matcher/engine/plan"
	"github.com/indicator-matcher/matcher/engine/snapshot"
)

// Catalog resolves indicator ids to the full indicators alerts show. The
// store implements it in streaming mode, a map in offline mode.
type Catalog interface {
	Indicator(id string) (indicator.Indicator, error)
}

// CatalogFunc adapts a function to Catalog.
type CatalogFunc func(id string) (indicator.Indicator, error)

// Indicator implements Catalog.
func (f CatalogFunc) Indicator(id string) (indicator.Indicator, error) { return f(id) }

// Origin says where an event came from.
type Origin struct {
	Subject string
	// Seq is the event's stream sequence when it came from JetStream.
	Seq     uint64
	File    string
	Line    int
	Arrival time.Time
}

// Builder turns hits into alerts. It is safe for concurrent use.
type Builder struct {
	Catalog Catalog
	// Validity is the validity mode recorded in alerts.
	Validity string
	// Plan are the options the snapshot compiled with, to explain hits.
	Plan plan.Options
	// TLP returns the TLP level of marking-definition refs, or "".
	TLP func(refs []string) string
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Build makes the alert of one hit. ev must be the event the hit came
// from; nothing of it is kept.
func (b *Builder) Build(snap *snapshot.Snapshot, h snapshot.Hit, ev *extract.Event, o Origin) (Alert, error) {
	id := snap.IndicatorID(h.Plan)
	ind, err := b.Catalog.Indicator(id)
	if err != nil {
		return Alert{}, fmt.Errorf("alert: indicator %s: %w", id, err)
	}
	now := time.Now
	if b.Now != nil {
		now = b.Now
	}
	a := Alert{Timestamp: ev.Time}
	a.Alert = Meta{
		ID: ID(id, o.Subject, o.Seq, ev.Raw), Kind: KindMatch, Created: now().UTC(), Count: 1,
		Validity: b.Validity, Generation: snap.Generation(),
	}
	a.Event = Event{Subject: o.Subject, File: o.File, Line: o.Line, Profile: ev.Profile, Time: ev.Time, TimeSource: ev.TimeSource.String(), Arrival: o.Arrival}
	a.Event.setOriginal(ev.Raw)
	a.Threat.Indicator = b.indicator(&ind)
	m := Matched{ID: id, Index: h.Via.String(), Type: "indicator_match_rule", Occurred: ev.Time, Field: h.Field}
	match := Match{Verified: h.Verified}
	var obs *extract.Observable
	if h.Observable >= 0 && h.Observable < len(ev.Observables) {
		obs = &ev.Observables[h.Observable]
		m.Atomic = string(obs.Text)
		m.Field = obs.Field
		match.Kind, match.Role = obs.Kind.String(), obs.Role.String()
	}
	match.Atoms = atoms(ind.Pattern, ind.PatternType, b.Plan, h.Via, obs)
	a.Threat.Enrichments = []Enrichment{{Indicator: EnrichmentIndicator{ID: id, Name: ind.Name}, Matched: m}}
	a.Threat.Match = match
	a.Threat.Context = Context{Status: "disabled"}
	return a, nil
}

func (b *Builder) indicator(ind *indicator.Indicator) Indicator {
	out := Indicator{
		ID: ind.ID, Name: ind.Name, Description: ind.Description, Pattern: ind.Pattern, PatternType: ind.PatternType,
		Confidence: ind.Confidence, Types: ind.IndicatorTypes, Labels: ind.Labels, KillChainPhases: ind.KillChainPhases,
		ValidFrom: ind.ValidFrom, ValidUntil: ind.ValidUntil, Modified: ind.Modified, CreatedBy: ind.CreatedByRef,
		SourceRefs: ind.SourcesRefs,
	}
	for _, r := range ind.ExternalReferences {
		if r.URL != "" {
			out.References = append(out.References, r.URL)
		}
	}
	if b.TLP != nil {
		if tlp := b.TLP(ind.ObjectMarkingRefs); tlp != "" {
			out.Marking = &Marking{TLP: tlp}
		}
	}
	return out
}

// atoms names the comparisons behind the index entry that produced the
// hit, by compiling the pattern again (only hits pay for it).
func atoms(src, patternType string, opts plan.Options, via snapshot.Via, obs *extract.Observable) []string {
	pl, err := plan.Compile(src, patternType, opts)
	if err != nil {
		return nil
	}
	var out []string
	add := func(e plan.Entry) {
		if e.From == nil {
			return
		}
		s := e.From.String()
		for _, have := range out {
			if have == s {
				return
			}
		}
		out = append(out, s)
	}
	for _, e := range pl.Entries {
		switch {
		case via == snapshot.ViaExact && e.Type == plan.Exact && obs != nil && e.Kind == obs.Kind && bytes.Equal(e.Key, obs.Value),
			via == snapshot.ViaParentDomain && e.Type == plan.Exact && obs != nil && e.Kind == obs.Kind,
			via == snapshot.ViaCIDR && e.Type == plan.CIDR && obs != nil && e.Prefix.Contains(obs.Addr.Unmap()),
			via == snapshot.ViaPort && e.Type == plan.Port && obs != nil && e.Port == obs.Port,
			via == snapshot.ViaSubstring && e.Type == plan.Substring:
			add(e)
		}
	}
	if len(out) == 0 {
		out = append(out, pl.Pattern.String())
	}
	return out
}
