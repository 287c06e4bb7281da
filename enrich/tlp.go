package enrich

import (
	"encoding/json"
	"strings"
)

// standardTLP are the marking definitions of the STIX 2.1 specification
// (TLP 1.0, section 7.2.1.4) and of the OASIS TLP 2.0 extension
// (extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d). They
// are recognised without a request.
var standardTLP = map[string]Marking{
	"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": {TLP: "WHITE", TLPVersion: "1.0", Name: "TLP:WHITE"},
	"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": {TLP: "GREEN", TLPVersion: "1.0", Name: "TLP:GREEN"},
	"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": {TLP: "AMBER", TLPVersion: "1.0", Name: "TLP:AMBER"},
	"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": {TLP: "RED", TLPVersion: "1.0", Name: "TLP:RED"},
	"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487": {TLP: "CLEAR", TLPVersion: "2.0", Name: "TLP:CLEAR"},
	"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb": {TLP: "GREEN", TLPVersion: "2.0", Name: "TLP:GREEN"},
	"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421": {TLP: "AMBER", TLPVersion: "2.0", Name: "TLP:AMBER"},
	"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003": {TLP: "AMBER+STRICT", TLPVersion: "2.0", Name: "TLP:AMBER+STRICT"},
	"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1": {TLP: "RED", TLPVersion: "2.0", Name: "TLP:RED"},
}

// tlpRank orders TLP levels from the least to the most restrictive.
var tlpRank = map[string]int{"CLEAR": 1, "WHITE": 1, "GREEN": 2, "AMBER": 3, "AMBER+STRICT": 4, "RED": 5}

// normTLP turns "white", "TLP:Amber+Strict", "amber strict" into the ECS
// spelling; "" when s is no TLP level.
func normTLP(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	s = strings.TrimPrefix(s, "TLP:")
	s = strings.TrimPrefix(s, "TLP ")
	s = strings.ReplaceAll(strings.TrimSpace(s), " ", "+")
	if s == "AMBER_STRICT" {
		s = "AMBER+STRICT"
	}
	if _, ok := tlpRank[s]; !ok {
		return ""
	}
	return s
}

// markingOf reads the TLP level of a marking-definition object: the STIX
// 2.1 definition {"tlp": …}, the TLP 2.0 extension's tlp_2_0, or a name
// such as "TLP:AMBER". ok is false for other markings (statements).
func markingOf(o *object) (Marking, bool) {
	if o == nil || o.Type != "marking-definition" {
		return Marking{}, false
	}
	m := Marking{STIXID: o.ID, Name: o.Name, TLPVersion: "1.0"}
	var def struct {
		TLP string `json:"tlp"`
	}
	if len(o.Definition) > 0 && json.Unmarshal(o.Definition, &def) == nil {
		m.TLP = normTLP(def.TLP)
	}
	if m.TLP == "" {
		for _, ext := range o.Extensions {
			if t := normTLP(ext.TLP2); t != "" {
				m.TLP, m.TLPVersion = t, "2.0"
				break
			}
		}
	}
	if m.TLP == "" && (strings.EqualFold(o.DefinitionType, "tlp") || strings.HasPrefix(strings.ToUpper(o.Name), "TLP")) {
		m.TLP = normTLP(o.Name)
	}
	if m.TLP == "CLEAR" || m.TLP == "AMBER+STRICT" {
		m.TLPVersion = "2.0"
	}
	return m, m.TLP != ""
}

// stricter reports whether a is more restrictive than b.
func stricter(a, b *Marking) bool {
	return b == nil || tlpRank[a.TLP] > tlpRank[b.TLP]
}

// TLP returns the TLP level ("WHITE", "GREEN", "AMBER", "AMBER+STRICT",
// "RED", "CLEAR") named by the standard TLP 1.0 and 2.0 marking
// definitions among refs, the most restrictive when there are several, or
// "" when none is a standard TLP marking. It needs no request.
func TLP(refs []string) string {
	var best *Marking
	for _, r := range refs {
		if m, ok := standardTLP[r]; ok && stricter(&m, best) {
			best = &m
		}
	}
	if best == nil {
		return ""
	}
	return best.TLP
}
