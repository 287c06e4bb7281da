package intelserver

import (
	"bytes"
	"encoding/json"
)

// refs are the references a context bundle follows.
type refs struct {
	Type      string   `json:"type"`
	CreatedBy string   `json:"created_by_ref"`
	Markings  []string `json:"object_marking_refs"`
	Sources   []string `json:"x_inthreat_sources_refs"`
}

// contextBundle builds the context of object id: the object, its
// first-level relationships and their other ends, the courses of action
// that mitigate any attack pattern among them (with the "mitigates"
// relationships), then the source identities and marking definitions all
// of these reference. Order: object, related objects, relationships,
// courses of action, identities, markings. The bundle id is derived from
// the object's id and version, so the same state gives the same bytes.
func (s *Server) contextBundle(id string) ([]byte, bool) {
	s.st.mu.RLock()
	defer s.st.mu.RUnlock()
	root := s.st.byID[id]
	if root == nil {
		return nil, false
	}
	seen := map[string]bool{id: true}
	var related, rels, coas, ids, marks []*entry
	add := func(list *[]*entry, e *entry) {
		if e != nil && !seen[e.id] {
			seen[e.id] = true
			*list = append(*list, e)
		}
	}
	for _, rid := range s.st.rels[id] {
		re := s.st.byID[rid]
		if re == nil {
			continue
		}
		add(&rels, re)
		src, tgt := re.relEnds()
		other := tgt
		if tgt == id {
			other = src
		}
		add(&related, s.st.byID[other])
	}
	for _, e := range related {
		if e.typ != "attack-pattern" {
			continue
		}
		for _, rid := range s.st.rels[e.id] {
			re := s.st.byID[rid]
			if re == nil || re.rel == nil || re.rel.relType != "mitigates" {
				continue
			}
			add(&coas, s.st.byID[re.rel.source])
			add(&coas, re)
		}
	}
	all := append(append(append([]*entry{root}, related...), rels...), coas...)
	for _, e := range all {
		var r refs
		if json.Unmarshal(e.body(), &r) != nil {
			continue
		}
		for _, sid := range append(r.Sources, r.CreatedBy) {
			if ie := s.st.byID[sid]; ie != nil && ie.typ == "identity" {
				add(&ids, ie)
			}
		}
		for _, m := range r.Markings {
			add(&marks, s.st.byID[m])
		}
	}
	for _, e := range ids {
		var r refs
		if json.Unmarshal(e.body(), &r) == nil {
			for _, m := range r.Markings {
				add(&marks, s.st.byID[m])
			}
		}
	}
	var buf bytes.Buffer
	buf.WriteString(`{"type": "bundle", "id": "bundle--` + stableUUID("context\x00"+id+"\x00"+root.updated.String()) + `", "objects": [`)
	for i, e := range append(append(all, ids...), marks...) {
		if i > 0 {
			buf.WriteString(", ")
		}
		buf.Write(e.body())
	}
	buf.WriteString("]}")
	return buf.Bytes(), true
}
