package enrich

import "strings"

// sources resolves x_inthreat_sources_refs of the root and of its
// first-level relationships to identities.
func (bd *builder) sources(root *object, rels []*object) {
	ids := append([]string(nil), root.Sources...)
	for _, r := range rels {
		ids = append(ids, r.Sources...)
	}
	done := map[string]bool{}
	for _, id := range ids {
		if done[id] {
			continue
		}
		done[id] = true
		o := bd.get(id)
		if o == nil || o.Type != "identity" {
			continue
		}
		s := Source{STIXID: o.ID, Name: o.Name}
		if o.Confidence != nil {
			c := int(min(max(*o.Confidence, 0), 100))
			s.Confidence = &c
		}
		if strings.HasPrefix(o.Contact, "http://") || strings.HasPrefix(o.Contact, "https://") {
			s.Reference = o.Contact
		} else {
			for _, r := range o.ExternalReferences {
				if r.URL != "" {
					s.Reference = r.URL
					break
				}
			}
		}
		bd.d.Sources = appendCapped(&bd.d, bd.d.Sources, s)
	}
}

// marking picks the most restrictive TLP marking of the root: from the
// bundle's marking definition, else the standard ids, else fetched.
func (bd *builder) marking(root *object) {
	for _, id := range root.Markings {
		var m Marking
		var ok bool
		if o := bd.objs[id]; o != nil {
			m, ok = markingOf(o)
		}
		if !ok {
			if std, isStd := standardTLP[id]; isStd {
				m, ok = std, true
				m.STIXID = id
			}
		}
		if !ok && bd.objs[id] == nil {
			m, ok = markingOf(bd.get(id))
		}
		if ok && stricter(&m, bd.d.Marking) {
			bd.d.Marking = &m
		}
	}
}

// tactics collects the ATT&CK tactics of the root and the attack patterns.
func (bd *builder) tactics(root *object) {
	var phases []string
	for _, p := range root.KillChainPhases {
		if mitreSources[p.KillChainName] && p.PhaseName != "" {
			phases = append(phases, p.PhaseName)
		}
	}
	for _, ap := range bd.d.AttackPatterns {
		phases = append(phases, ap.Tactics...)
	}
	done := map[string]bool{}
	for _, p := range phases {
		if !done[p] {
			done[p] = true
			bd.d.Tactics = appendCapped(&bd.d, bd.d.Tactics, tacticOf(p))
		}
	}
}
