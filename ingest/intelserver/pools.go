package intelserver

import (
	"encoding/json"
	"strings"
	"time"
)

// Well-known ids from the real API examples.
const (
	sekoiaIdentity  = "identity--357447d7-9229-4ce1-b7fa-f1b83587048e"
	urlhausIdentity = "identity--15242053-3fe7-45db-84a2-13b77f58ebe8"
	tlpWhite        = "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"
	tlpGreen        = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"
	tlpAmber        = "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"
	tlpRed          = "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ea"
)

// technique is a MITRE ATT&CK technique served as an attack-pattern.
type technique struct {
	id, name, phase string
}

var techniques = []technique{
	{"T1071", "Application Layer Protocol", "command-and-control"},
	{"T1071.001", "Web Protocols", "command-and-control"},
	{"T1071.004", "DNS", "command-and-control"},
	{"T1568", "Dynamic Resolution", "command-and-control"},
	{"T1571", "Non-Standard Port", "command-and-control"},
	{"T1095", "Non-Application Layer Protocol", "command-and-control"},
	{"T1105", "Ingress Tool Transfer", "command-and-control"},
	{"T1219", "Remote Access Software", "command-and-control"},
	{"T1566", "Phishing", "initial-access"},
	{"T1566.001", "Spearphishing Attachment", "initial-access"},
	{"T1566.002", "Spearphishing Link", "initial-access"},
	{"T1189", "Drive-by Compromise", "initial-access"},
	{"T1204.002", "Malicious File", "execution"},
	{"T1059", "Command and Scripting Interpreter", "execution"},
	{"T1027", "Obfuscated Files or Information", "defense-evasion"},
	{"T1583.001", "Domains", "resource-development"},
	{"T1595", "Active Scanning", "reconnaissance"},
	{"T1110", "Brute Force", "credential-access"},
	{"T1041", "Exfiltration Over C2 Channel", "exfiltration"},
	{"T1486", "Data Encrypted for Impact", "impact"},
}

// lockheed maps an ATT&CK tactic to the Lockheed Martin kill chain phase
// Sekoia pairs it with.
var lockheed = map[string]string{
	"command-and-control":  "command-and-control",
	"initial-access":       "delivery",
	"execution":            "installation",
	"defense-evasion":      "installation",
	"resource-development": "weaponization",
	"reconnaissance":       "reconnaissance",
	"credential-access":    "exploitation",
	"exfiltration":         "actions-on-objectives",
	"impact":               "actions-on-objectives",
}

// mitigation is a MITRE ATT&CK mitigation served as a course-of-action,
// with the techniques it mitigates.
type mitigation struct {
	id, name   string
	techniques []string
}

var mitigations = []mitigation{
	{"M1031", "Network Intrusion Prevention", []string{"T1071", "T1071.001", "T1071.004", "T1095", "T1105", "T1571", "T1041", "T1219", "T1568"}},
	{"M1037", "Filter Network Traffic", []string{"T1071.004", "T1095", "T1571", "T1219"}},
	{"M1021", "Restrict Web-Based Content", []string{"T1071.001", "T1189", "T1566", "T1566.002", "T1219", "T1568"}},
	{"M1049", "Antivirus/Antimalware", []string{"T1566", "T1566.001", "T1027"}},
	{"M1038", "Execution Prevention", []string{"T1204.002", "T1059", "T1219"}},
	{"M1017", "User Training", []string{"T1566", "T1566.001", "T1566.002", "T1204.002"}},
	{"M1054", "Software Configuration", []string{"T1566", "T1566.001"}},
	{"M1056", "Pre-compromise", []string{"T1583.001", "T1595"}},
	{"M1032", "Multi-factor Authentication", []string{"T1110"}},
	{"M1053", "Data Backup", []string{"T1486"}},
	{"M1040", "Behavior Prevention on Endpoint", []string{"T1027", "T1059", "T1486"}},
	{"M1048", "Application Isolation and Sandboxing", []string{"T1189"}},
}

// techniquesFor lists candidate techniques for an observable type.
var techniquesFor = map[string][]string{
	"domain-name":     {"T1071.001", "T1568", "T1583.001", "T1071.004"},
	"url":             {"T1071.001", "T1189", "T1566.002", "T1105"},
	"ipv4-addr":       {"T1071", "T1095", "T1110", "T1041"},
	"ipv6-addr":       {"T1071", "T1095"},
	"network-traffic": {"T1571", "T1095", "T1071"},
	"file":            {"T1204.002", "T1059", "T1027", "T1105"},
	"email-addr":      {"T1566", "T1566.001"},
	"":                {"T1059", "T1027"},
}

// actors is the pool of threat actors indicators without a family point to.
var actors = []struct{ name, kind, desc string }{
	{"Opportunistic Scanning Operators", "criminal", "Operators of hosts that scan the Internet for exposed services at scale."},
	{"Credential Brute-Forcing Operators", "criminal", "Operators of hosts seen brute-forcing SSH, RDP and web logins."},
	{"Commodity Malware Distributors", "crime-syndicate", "Actors distributing commodity malware through spam and compromised sites."},
	{"Traffic Distribution System Operators", "crime-syndicate", "Operators of TDS infrastructure redirecting victims to malicious content."},
	{"Phishing Kit Operators", "criminal", "Actors running phishing kits that harvest credentials."},
	{"Bulletproof Hosting Customers", "crime-syndicate", "Actors hosting malicious infrastructure on bulletproof hosting providers."},
}

// sourceIdentity is a source identity (x_ic_is_source).
type sourceIdentity struct {
	id, name, contact, role string
	confidence              int
}

var sources = map[string]sourceIdentity{
	"sekoia":   {sekoiaIdentity, "SEKOIA", "threatintel@sekoia.fr", "", 95},
	"urlhaus":  {urlhausIdentity, "URLhaus", "https://urlhaus.abuse.ch/", "Sharing malicious URLs that are being used for malware distribution", 83},
	"maltrail": {stableID("identity", "source:maltrail"), "Maltrail", "https://github.com/stamparm/maltrail", "Publishing static trails of malicious and suspicious network activity", 70},
	"ipsum":    {stableID("identity", "source:ipsum"), "IPsum", "https://github.com/stamparm/ipsum", "Aggregating IP addresses listed by public blacklists", 60},
	"eset":     {stableID("identity", "source:eset"), "ESET", "https://github.com/eset/malware-ioc", "Publishing indicators of compromise from ESET research", 90},
	"unit42":   {stableID("identity", "source:unit42"), "Palo Alto Networks Unit 42", "https://github.com/pan-unit42/playbook_viewer", "Publishing adversary playbooks", 85},
}

var poolEpoch = time.Date(2020, 1, 6, 9, 30, 0, 0, time.UTC)

// poolTimes gives deterministic created/modified times for a pool object.
func poolTimes(id string) (created, modified time.Time) {
	created = poolEpoch.Add(time.Duration(pick(id, "created", 900*24)) * time.Hour).Add(time.Duration(pick(id, "us", 1e6)) * time.Microsecond)
	modified = created.Add(time.Duration(pick(id, "modified", 400*24)) * time.Hour).Add(time.Duration(pick(id, "mus", 1e6)) * time.Microsecond)
	return
}

// sdo builds a Sekoia-shaped domain object with the common properties.
func sdo(typ, id, name string, extra map[string]any) []byte {
	created, modified := poolTimes(id)
	o := map[string]any{
		"type":                    typ,
		"spec_version":            "2.1",
		"id":                      id,
		"created":                 stixTime(created),
		"modified":                stixTime(modified),
		"created_by_ref":          sekoiaIdentity,
		"name":                    name,
		"object_marking_refs":     []string{tlpGreen},
		"x_inthreat_sources_refs": []string{sekoiaIdentity},
		"x_ic_is_in_flint":        false,
		"x_ic_deprecated":         false,
		"revoked":                 false,
		"lang":                    "en",
		"confidence":              70 + pick(id, "confidence", 31),
	}
	for k, v := range extra {
		o[k] = v
	}
	b, err := json.Marshal(o)
	if err != nil {
		panic("intelserver: marshal of a generated object: " + err.Error()) // only plain values above
	}
	return b
}

func markingObjects() [][]byte {
	mk := func(id, name, tlp, created string) []byte {
		b, _ := json.Marshal(map[string]any{
			"type": "marking-definition", "spec_version": "2.1", "id": id, "created": created,
			"definition_type": "tlp", "definition": map[string]string{"tlp": tlp}, "name": name,
			"object_marking_refs": []string{tlpGreen}, "x_ic_deprecated": false,
		})
		return b
	}
	return [][]byte{
		mk(tlpWhite, "TLP:WHITE", "white", "2019-10-31T16:57:02.018068Z"),
		mk(tlpGreen, "TLP:GREEN", "green", "2019-10-09T16:10:07.239899Z"),
		mk(tlpAmber, "TLP:AMBER", "amber", "2019-10-09T16:10:31.384223Z"),
		mk(tlpRed, "TLP:RED", "red", "2019-10-09T16:11:02.902125Z"),
	}
}

func identityObject(s sourceIdentity) []byte {
	extra := map[string]any{
		"identity_class":      "organization",
		"x_ic_is_source":      true,
		"x_ic_is_sector":      false,
		"contact_information": s.contact,
		"object_marking_refs": []string{tlpWhite},
		"confidence":          s.confidence,
		"external_references": []map[string]string{{"source_name": s.name + " website", "url": s.contact}},
	}
	if s.role != "" {
		extra["roles"] = []string{s.role}
	}
	if s.id == sekoiaIdentity {
		extra["description"] = "SEKOIA is a French company which applies intelligence-driven cybersecurity"
		extra["sectors"] = []string{"technology"}
		extra["x_ic_is_in_flint"] = true
		delete(extra, "external_references")
		extra["external_references"] = []map[string]string{{"source_name": "SEKOIA website", "url": "https://www.sekoia.fr"}}
	}
	return sdo("identity", s.id, s.name, extra)
}

func attackPatternObject(t technique) []byte {
	id := stableID("attack-pattern", t.id)
	url := "https://attack.mitre.org/techniques/" + strings.ReplaceAll(t.id, ".", "/")
	return sdo("attack-pattern", id, t.name, map[string]any{
		"description":         "MITRE ATT&CK technique " + t.id + " (" + t.name + ").",
		"external_references": []map[string]string{{"source_name": "mitre-attack", "external_id": t.id, "url": url}},
		"kill_chain_phases":   killChain(t.phase),
		"object_marking_refs": []string{tlpWhite},
		"x_mitre_version":     "1.0",
	})
}

func courseOfActionObject(m mitigation) []byte {
	id := stableID("course-of-action", m.id)
	return sdo("course-of-action", id, m.name, map[string]any{
		"description":         "MITRE ATT&CK mitigation " + m.id + " (" + m.name + ").",
		"external_references": []map[string]string{{"source_name": "mitre-attack", "external_id": m.id, "url": "https://attack.mitre.org/mitigations/" + m.id}},
		"object_marking_refs": []string{tlpWhite},
	})
}

func killChain(tactic string) []map[string]string {
	return []map[string]string{
		{"kill_chain_name": "lockheed-martin-cyber-kill-chain", "phase_name": lockheed[tactic]},
		{"kill_chain_name": "mitre-attack", "phase_name": tactic},
	}
}

func techniqueByID(id string) technique {
	for _, t := range techniques {
		if t.id == id {
			return t
		}
	}
	return techniques[0]
}
