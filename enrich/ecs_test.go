package enrich

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/indicator-matcher/matcher/ingest/intel"
)

func TestECSFromSekoiaBundle(t *testing.T) {
	d, err := Build(context.Background(), contextBundles(t, "indicators-context-url.xsoar.json")[0], "", nil, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	th := d.ECS(ECSMatched{Atomic: "http://177.22.84.44:49467/.i", Field: "url.original", Type: "indicator_match_rule", Occurred: &at})
	if len(th.Enrichments) != 1 {
		t.Fatal(th.Enrichments)
	}
	ind := th.Enrichments[0].Indicator
	if ind.Marking == nil || ind.Marking.TLP != "WHITE" || ind.Provider != "URLhaus" || ind.Confidence != "High" ||
		!slices.Equal(ind.Type, []string{"url"}) || !slices.Equal(ind.ID, []string{"indicator--aef1dd76-dc26-4cfd-aed9-f3a4f11e32db"}) {
		t.Errorf("indicator %+v", ind)
	}
	if th.Enrichments[0].Matched.Field != "url.original" {
		t.Error("matched lost")
	}
	if th.Software == nil || !slices.Equal(th.Software.Name, []string{"Hajime"}) || !slices.Equal(th.Software.Type, []string{"Malware"}) {
		t.Errorf("software %+v", th.Software)
	}
	if th.Tactic == nil || !slices.Equal(th.Tactic.ID, []string{"TA0011"}) || th.Framework != "MITRE ATT&CK" {
		t.Errorf("tactic %+v framework %q", th.Tactic, th.Framework)
	}
	if th.Group != nil || th.Technique != nil {
		t.Errorf("group %+v technique %+v", th.Group, th.Technique)
	}
	raw, err := json.Marshal(th)
	if err != nil || !strings.Contains(string(raw), `"marking":{"tlp":"WHITE","tlp_version":"1.0"}`) {
		t.Fatalf("%v %s", err, raw)
	}
}

func TestECSTechniquesAndGroups(t *testing.T) {
	b := &intel.Bundle{Type: "bundle", Objects: []json.RawMessage{
		json.RawMessage(`{"type":"indicator","id":"indicator--a","name":"x"}`),
		json.RawMessage(`{"type":"attack-pattern","id":"attack-pattern--1","name":"Web Protocols","external_references":[{"source_name":"mitre-attack","external_id":"T1071.001"}]}`),
		json.RawMessage(`{"type":"attack-pattern","id":"attack-pattern--2","name":"Phishing","external_references":[{"source_name":"mitre-attack","external_id":"T1566"}]}`),
		json.RawMessage(`{"type":"intrusion-set","id":"intrusion-set--3","name":"APT28","aliases":["Sednit","Sofacy"],"external_references":[{"source_name":"mitre-attack","external_id":"G0007","url":"https://attack.mitre.org/groups/G0007"}]}`),
		json.RawMessage(`{"type":"tool","id":"tool--4","name":"AnyDesk","tool_types":["remote-access"]}`),
	}}
	d, err := Build(context.Background(), b, "", nil, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	th := d.ECS(ECSMatched{})
	if th.Technique == nil || !slices.Equal(th.Technique.ID, []string{"T1071", "T1566"}) || !slices.Equal(th.Technique.Name, []string{"Phishing"}) ||
		th.Technique.Subtechnique == nil || !slices.Equal(th.Technique.Subtechnique.ID, []string{"T1071.001"}) ||
		!slices.Equal(th.Technique.Subtechnique.Name, []string{"Web Protocols"}) {
		t.Errorf("technique %+v", th.Technique)
	}
	if th.Group == nil || !slices.Equal(th.Group.ID, []string{"G0007"}) || !slices.Equal(th.Group.Alias, []string{"Sednit", "Sofacy"}) {
		t.Errorf("group %+v", th.Group)
	}
	if th.Software == nil || !slices.Equal(th.Software.Type, []string{"Tool"}) || len(th.Software.ID) != 0 {
		t.Errorf("software %+v", th.Software)
	}
}
