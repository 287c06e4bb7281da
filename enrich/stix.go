package enrich

import (
	"encoding/json"
	"net/url"
	"strings"
	"time"
)

// object is what a digest reads of a STIX object. Fields of an unexpected
// JSON type make the whole decode fail; decodeObject then falls back to
// the identifying fields.
type object struct {
	Type               string            `json:"type"`
	ID                 string            `json:"id"`
	Name               string            `json:"name"`
	Description        string            `json:"description"`
	Aliases            []string          `json:"aliases"`
	MitreAliases       []string          `json:"x_mitre_aliases"`
	ExternalReferences []externalRef     `json:"external_references"`
	Markings           []string          `json:"object_marking_refs"`
	Sources            []string          `json:"x_inthreat_sources_refs"`
	Revoked            bool              `json:"revoked"`
	Confidence         *float64          `json:"confidence"`
	KillChainPhases    []killChainPhase  `json:"kill_chain_phases"`
	RelationshipType   string            `json:"relationship_type"`
	SourceRef          string            `json:"source_ref"`
	TargetRef          string            `json:"target_ref"`
	Pattern            string            `json:"pattern"`
	PatternType        string            `json:"pattern_type"`
	ValidFrom          string            `json:"valid_from"`
	ValidUntil         string            `json:"valid_until"`
	Modified           string            `json:"modified"`
	IndicatorTypes     []string          `json:"indicator_types"`
	ObservableTypes    []string          `json:"x_ic_observable_types"`
	MalwareTypes       []string          `json:"malware_types"`
	ToolTypes          []string          `json:"tool_types"`
	ThreatActorTypes   []string          `json:"threat_actor_types"`
	Platforms          []string          `json:"x_mitre_platforms"`
	Contact            string            `json:"contact_information"`
	DefinitionType     string            `json:"definition_type"`
	Definition         json.RawMessage   `json:"definition"`
	Extensions         map[string]tlpExt `json:"extensions"`

	malformed bool
}

type externalRef struct {
	SourceName string `json:"source_name"`
	ExternalID string `json:"external_id"`
	URL        string `json:"url"`
}

type killChainPhase struct {
	KillChainName string `json:"kill_chain_name"`
	PhaseName     string `json:"phase_name"`
}

// tlpExt is the TLP 2.0 property extension of a marking definition.
type tlpExt struct {
	TLP2 string `json:"tlp_2_0"`
}

// decodeObject reads raw. An object whose fields have unexpected types is
// kept with its type, id and name only, and flagged malformed; one without
// a type or an id gives ok == false.
func decodeObject(raw []byte) (o *object, ok bool) {
	o = new(object)
	if err := json.Unmarshal(raw, o); err != nil {
		var min struct {
			Type, ID, Name any
		}
		if json.Unmarshal(raw, &min) != nil {
			return nil, false
		}
		o = &object{malformed: true}
		o.Type, _ = min.Type.(string)
		o.ID, _ = min.ID.(string)
		o.Name, _ = min.Name.(string)
	}
	if o.Type == "" || !strings.Contains(o.ID, "--") {
		return nil, false
	}
	return o, true
}

// idType returns the type part of a STIX id ("malware" for malware--…).
func idType(id string) string {
	t, _, ok := strings.Cut(id, "--")
	if !ok {
		return ""
	}
	return t
}

// validID accepts a STIX id the API client can put in a path.
func validID(id string) bool {
	if len(id) > 200 || idType(id) == "" || strings.HasSuffix(id, "--") {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// mitreSources are the external_references source names ATT&CK uses.
var mitreSources = map[string]bool{"mitre-attack": true, "mitre-mobile-attack": true, "mitre-ics-attack": true}

// mitreID returns the ATT&CK id and URL of an object. Some objects carry
// only the URL (https://attack.mitre.org/software/S0331, no external_id);
// the id is then read from its path.
func mitreID(refs []externalRef) (id, ref string) {
	for _, r := range refs {
		if !mitreSources[strings.TrimSpace(r.SourceName)] {
			continue
		}
		id = strings.ToUpper(strings.TrimSpace(r.ExternalID))
		if id == "" {
			id = idFromURL(r.URL)
		}
		if attackID(id) {
			if ref = strings.TrimSpace(r.URL); ref == "" {
				ref = attackURL(id)
			}
			return id, ref
		}
	}
	return "", ""
}

// idFromURL reads T1071, T1071.001, S0331, G0016, M1031, C0001 or TA0011
// from an attack.mitre.org URL.
func idFromURL(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || !strings.HasSuffix(u.Host, "attack.mitre.org") {
		return ""
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	for i, p := range parts {
		p = strings.ToUpper(p)
		if !attackID(p) {
			continue
		}
		if i+1 < len(parts) && len(parts[i+1]) == 3 && attackID(p+"."+parts[i+1]) {
			return p + "." + parts[i+1]
		}
		return p
	}
	return ""
}

// attackID accepts the ATT&CK id forms: a letter prefix (T, TA, S, G, M,
// C, DS) and four digits; techniques may add ".NNN".
func attackID(s string) bool {
	prefix := strings.TrimRight(s, "0123456789.")
	switch prefix {
	case "T", "TA", "S", "G", "M", "C", "DS":
	default:
		return false
	}
	rest := s[len(prefix):]
	num, sub, hasSub := strings.Cut(rest, ".")
	if len(num) != 4 || !digits(num) {
		return false
	}
	if hasSub {
		return prefix == "T" && len(sub) == 3 && digits(sub)
	}
	return true
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func attackURL(id string) string {
	const base = "https://attack.mitre.org/"
	switch {
	case strings.HasPrefix(id, "TA"):
		return base + "tactics/" + id + "/"
	case strings.HasPrefix(id, "T"):
		return base + "techniques/" + strings.ReplaceAll(id, ".", "/") + "/"
	case strings.HasPrefix(id, "S"):
		return base + "software/" + id + "/"
	case strings.HasPrefix(id, "G"):
		return base + "groups/" + id + "/"
	case strings.HasPrefix(id, "M"):
		return base + "mitigations/" + id + "/"
	case strings.HasPrefix(id, "C"):
		return base + "campaigns/" + id + "/"
	case strings.HasPrefix(id, "DS"):
		return base + "datasources/" + id + "/"
	}
	return ""
}

// tactics maps the ATT&CK Enterprise tactic phase names to their ids and
// names.
var tactics = map[string]Tactic{
	"reconnaissance":       {ID: "TA0043", Name: "Reconnaissance"},
	"resource-development": {ID: "TA0042", Name: "Resource Development"},
	"initial-access":       {ID: "TA0001", Name: "Initial Access"},
	"execution":            {ID: "TA0002", Name: "Execution"},
	"persistence":          {ID: "TA0003", Name: "Persistence"},
	"privilege-escalation": {ID: "TA0004", Name: "Privilege Escalation"},
	"defense-evasion":      {ID: "TA0005", Name: "Defense Evasion"},
	"credential-access":    {ID: "TA0006", Name: "Credential Access"},
	"discovery":            {ID: "TA0007", Name: "Discovery"},
	"lateral-movement":     {ID: "TA0008", Name: "Lateral Movement"},
	"collection":           {ID: "TA0009", Name: "Collection"},
	"exfiltration":         {ID: "TA0010", Name: "Exfiltration"},
	"command-and-control":  {ID: "TA0011", Name: "Command and Control"},
	"impact":               {ID: "TA0040", Name: "Impact"},
}

func tacticOf(phase string) Tactic {
	t, ok := tactics[phase]
	if !ok {
		return Tactic{Name: phase, Phase: phase}
	}
	t.Phase = phase
	t.Reference = attackURL(t.ID)
	return t
}

// confidenceScale maps a STIX 0–100 confidence to the ECS scale (the STIX
// 2.1 "None / Low / Med / High" scale of appendix A).
func confidenceScale(c int) string {
	switch {
	case c <= 0:
		return "None"
	case c < 30:
		return "Low"
	case c < 70:
		return "Medium"
	}
	return "High"
}
