package enrich

import (
	"strings"
	"time"
)

// ECSThreat is the ECS "threat" field set of an alert built from a
// digest: the indicator goes into threat.enrichments (with how it
// matched), the related objects into threat.group, threat.software,
// threat.technique and threat.tactic. ECS keyword fields hold arrays here.
// Campaigns, courses of action and the relationships have no ECS field;
// they stay in the digest.
type ECSThreat struct {
	Framework   string          `json:"framework,omitempty"`
	Enrichments []ECSEnrichment `json:"enrichments"`
	Group       *ECSGroup       `json:"group,omitempty"`
	Software    *ECSSoftware    `json:"software,omitempty"`
	Technique   *ECSTechnique   `json:"technique,omitempty"`
	Tactic      *ECSRefs        `json:"tactic,omitempty"`
}

// ECSEnrichment is one element of threat.enrichments.
type ECSEnrichment struct {
	Indicator ECSIndicator `json:"indicator"`
	Matched   ECSMatched   `json:"matched"`
}

// ECSIndicator is threat.enrichments.indicator.
type ECSIndicator struct {
	ID          []string   `json:"id,omitempty"`
	Name        string     `json:"name,omitempty"`
	Description string     `json:"description,omitempty"`
	Type        []string   `json:"type,omitempty"`
	Confidence  string     `json:"confidence,omitempty"`
	Provider    string     `json:"provider,omitempty"`
	ModifiedAt  *time.Time `json:"modified_at,omitempty"`
	Marking     *ECSTLP    `json:"marking,omitempty"`
}

// ECSTLP is threat.*.indicator.marking.
type ECSTLP struct {
	TLP        string `json:"tlp"`
	TLPVersion string `json:"tlp_version,omitempty"`
}

// ECSMatched is threat.enrichments.matched: how the event matched. The
// pipeline knows it; the digest does not.
type ECSMatched struct {
	Atomic   string     `json:"atomic,omitempty"`
	Field    string     `json:"field,omitempty"`
	ID       string     `json:"id,omitempty"`
	Index    string     `json:"index,omitempty"`
	Occurred *time.Time `json:"occurred,omitempty"`
	Type     string     `json:"type,omitempty"`
}

// ECSRefs are the id, name and reference arrays of threat.tactic and of
// threat.technique.subtechnique.
type ECSRefs struct {
	ID        []string `json:"id,omitempty"`
	Name      []string `json:"name,omitempty"`
	Reference []string `json:"reference,omitempty"`
}

// ECSGroup is threat.group (threat actors and intrusion sets).
type ECSGroup struct {
	ECSRefs
	Alias []string `json:"alias,omitempty"`
}

// ECSSoftware is threat.software (malware and tools).
type ECSSoftware struct {
	ECSRefs
	Alias     []string `json:"alias,omitempty"`
	Platforms []string `json:"platforms,omitempty"`
	Type      []string `json:"type,omitempty"`
}

// ECSTechnique is threat.technique.
type ECSTechnique struct {
	ECSRefs
	Subtechnique *ECSRefs `json:"subtechnique,omitempty"`
}

// ECS returns the ECS threat fields of the digest for an alert that
// matched as m.
func (d *Digest) ECS(m ECSMatched) ECSThreat {
	in := d.Indicator
	ind := ECSIndicator{
		Name: in.Name, Description: in.Description, Type: in.Type,
		Confidence: in.Confidence, Provider: in.Provider,
	}
	if in.STIXID != "" {
		ind.ID = []string{in.STIXID}
	}
	if !in.ModifiedAt.IsZero() {
		t := in.ModifiedAt
		ind.ModifiedAt = &t
	}
	if d.Marking != nil {
		ind.Marking = &ECSTLP{TLP: d.Marking.TLP, TLPVersion: d.Marking.TLPVersion}
	}
	t := ECSThreat{Enrichments: []ECSEnrichment{{Indicator: ind, Matched: m}}}

	var g ECSGroup
	for _, e := range append(append([]Entity(nil), d.ThreatActors...), d.IntrusionSets...) {
		g.add(e.ID, e.Name, e.Reference)
		g.Alias = addAll(g.Alias, e.Alias...)
	}
	var s ECSSoftware
	for _, e := range append(append([]Entity(nil), d.Malware...), d.Tools...) {
		s.add(e.ID, e.Name, e.Reference)
		s.Alias = addAll(s.Alias, e.Alias...)
		s.Platforms = addAll(s.Platforms, e.Platforms...)
		kind := "Malware"
		if e.Type == "tool" {
			kind = "Tool"
		}
		s.Type = addAll(s.Type, kind)
	}
	var tech ECSTechnique
	var sub ECSRefs
	for _, e := range d.AttackPatterns {
		if parent, _, isSub := strings.Cut(e.ID, "."); isSub {
			sub.add(e.ID, e.Name, e.Reference)
			tech.ID = addAll(tech.ID, parent)
			tech.Reference = addAll(tech.Reference, attackURL(parent))
			continue
		}
		tech.add(e.ID, e.Name, e.Reference)
	}
	var tac ECSRefs
	for _, x := range d.Tactics {
		tac.add(x.ID, x.Name, x.Reference)
	}
	if !g.empty() {
		t.Group = &g
	}
	if !s.empty() {
		t.Software = &s
	}
	if !sub.empty() {
		tech.Subtechnique = &sub
	}
	if !tech.empty() || tech.Subtechnique != nil {
		t.Technique = &tech
	}
	if !tac.empty() {
		t.Tactic = &tac
	}
	if len(tech.ID) > 0 || len(tac.ID) > 0 || len(g.ID) > 0 || len(s.ID) > 0 {
		t.Framework = "MITRE ATT&CK"
	}
	return t
}

func (r *ECSRefs) add(id, name, ref string) {
	r.ID = addAll(r.ID, id)
	r.Name = addAll(r.Name, name)
	r.Reference = addAll(r.Reference, ref)
}

func (r *ECSRefs) empty() bool { return len(r.ID) == 0 && len(r.Name) == 0 }

// addAll appends the non-empty values not yet in list.
func addAll(list []string, vals ...string) []string {
	for _, v := range vals {
		if v != "" && !contains(list, v) {
			list = append(list, v)
		}
	}
	return list
}
