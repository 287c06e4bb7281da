package intelserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Modify changes the current version of object id: fn edits the object as
// a map (numbers are json.Number), then modified is set to a new time after
// every existing one and the object moves to the end of the feed. It
// returns the new JSON.
func (s *Server) Modify(id string, fn func(obj map[string]any)) (json.RawMessage, error) {
	return s.st.mutate(id, func(obj map[string]any, _ time.Time) error {
		fn(obj)
		return nil
	})
}

// Revoke marks object id revoked (with a new modified time).
func (s *Server) Revoke(id string) (json.RawMessage, error) {
	return s.st.mutate(id, func(obj map[string]any, _ time.Time) error {
		obj["revoked"] = true
		return nil
	})
}

// Expire sets the valid_until of indicator id to the server clock's now,
// so that it is expired from now on.
func (s *Server) Expire(id string) (json.RawMessage, error) {
	return s.st.mutate(id, func(obj map[string]any, _ time.Time) error {
		if obj["type"] != "indicator" {
			return fmt.Errorf("intelserver: %s is not an indicator", id)
		}
		obj["valid_until"] = stixTime(s.st.now())
		return nil
	})
}

// Put adds obj, or replaces the object with its id, at a new position at
// the end of the feed. Its bytes are served as given (modified included).
func (s *Server) Put(obj json.RawMessage) error {
	if !json.Valid(obj) {
		return errors.New("intelserver: Put: invalid JSON")
	}
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	_, err := s.st.put(bytes.Clone(obj))
	return err
}

// AddIndicator adds a Sekoia-shaped indicator with the given STIX pattern
// and name, created and modified now, valid from now for validFor (no end
// when 0), with an "indicates" relationship to the given threat object id
// (none when empty). The id is derived from the pattern. It returns the
// indicator's id.
func (s *Server) AddIndicator(pattern, name string, validFor time.Duration, threat string) (string, error) {
	id := "indicator--" + stableUUID("added\x00"+pattern)
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	now := s.st.now().UTC().Truncate(time.Microsecond)
	if !now.After(s.st.last) {
		now = s.st.last.Add(time.Microsecond)
	}
	o := map[string]any{
		"type": "indicator", "spec_version": "2.1", "id": id,
		"created": stixTime(now), "modified": stixTime(now),
		"created_by_ref": sekoiaIdentity, "name": name,
		"pattern": pattern, "pattern_type": "stix", "valid_from": stixTime(now),
		"indicator_types":         []string{"malicious-activity"},
		"object_marking_refs":     []string{tlpFor(id)},
		"x_inthreat_sources_refs": []string{sekoiaIdentity},
		"x_ic_observable_types":   observableTypes(pattern),
		"kill_chain_phases":       killChain("command-and-control"),
		"confidence":              80, "lang": "en", "revoked": false,
		"x_ic_is_in_flint": false, "x_ic_deprecated": false,
	}
	if validFor > 0 {
		o["valid_until"] = stixTime(now.Add(validFor))
	}
	raw, err := json.Marshal(o)
	if err != nil {
		return "", fmt.Errorf("intelserver: %w", err)
	}
	if _, err := s.st.put(raw); err != nil {
		return "", err
	}
	if threat != "" && s.st.byID[threat] != nil {
		r := &relSpec{
			id: stableID("relationship", id+"\x00"+threat), relType: "indicates", source: id, target: threat,
			created: now, start: now, marking: tlpFor(id), sources: []string{sekoiaIdentity},
		}
		if validFor > 0 {
			r.stop = now.Add(validFor)
		}
		if _, err := s.st.put(r.render()); err != nil {
			return "", err
		}
	}
	return id, nil
}

// Object returns the current JSON of object id.
func (s *Server) Object(id string) (json.RawMessage, bool) {
	s.st.mu.RLock()
	defer s.st.mu.RUnlock()
	e := s.st.byID[id]
	if e == nil {
		return nil, false
	}
	return e.body(), true
}

// IndicatorIDs returns the ids of the current indicators, revoked ones
// included, in feed order.
func (s *Server) IndicatorIDs() []string {
	s.st.mu.RLock()
	defer s.st.mu.RUnlock()
	var out []string
	for _, e := range s.st.list {
		if !e.dead && e.typ == "indicator" {
			out = append(out, e.id)
		}
	}
	return out
}

// Indicators returns the current JSON of every indicator that is not
// revoked, by id: what a complete sync should have stored.
func (s *Server) Indicators() map[string]json.RawMessage {
	s.st.mu.RLock()
	defer s.st.mu.RUnlock()
	out := map[string]json.RawMessage{}
	for _, e := range s.st.list {
		if !e.dead && e.typ == "indicator" && !e.revoked {
			out[e.id] = e.body()
		}
	}
	return out
}
