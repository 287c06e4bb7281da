package enrich

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/indicator-matcher/matcher/ingest/intel"
)

// The URL bundle of the XSOAR fixture: indicator, malware, indicates
// relationship, URLhaus and SEKOIA identities, TLP markings.
func TestBuildSekoiaURLContext(t *testing.T) {
	bs := contextBundles(t, "indicators-context-url.xsoar.json")
	if len(bs) != 1 {
		t.Fatalf("%d bundles", len(bs))
	}
	d, err := Build(context.Background(), bs[0], "", nil, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	in := d.Indicator
	if in.STIXID != "indicator--aef1dd76-dc26-4cfd-aed9-f3a4f11e32db" || in.Name != "http://177.22.84.44:49467/.i" ||
		in.Pattern != "[url:value = 'http://177.22.84.44:49467/.i']" || !slices.Equal(in.Type, []string{"url"}) {
		t.Errorf("indicator: %+v", in)
	}
	if in.ConfidenceScore == nil || *in.ConfidenceScore != 70 || in.Confidence != "High" || in.Provider != "URLhaus" {
		t.Errorf("confidence/provider: %+v", in)
	}
	if !in.ValidUntil.Equal(time.Date(2022, 10, 3, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("valid_until %v", in.ValidUntil)
	}
	if len(d.Malware) != 1 {
		t.Fatalf("malware: %+v", d.Malware)
	}
	m := d.Malware[0]
	if m.Name != "Hajime" || m.STIXID != "malware--73f27bad-afc4-4ac9-a8d7-bfa1c93fb51c" || !slices.Equal(m.Kinds, []string{"bot", "worm"}) || len(m.Alias) != 0 {
		t.Errorf("malware: %+v", m)
	}
	if len(d.Sources) != 1 || d.Sources[0].Name != "URLhaus" || d.Sources[0].STIXID != "identity--15242053-3fe7-45db-84a2-13b77f58ebe8" ||
		*d.Sources[0].Confidence != 83 || d.Sources[0].Reference != "https://urlhaus.abuse.ch/" {
		t.Errorf("sources: %+v", d.Sources)
	}
	if d.Marking == nil || d.Marking.TLP != "WHITE" || d.Marking.STIXID != "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9" {
		t.Errorf("marking: %+v", d.Marking)
	}
	if len(d.Relationships) != 1 || d.Relationships[0].Type != "indicates" || d.Relationships[0].TargetName != "Hajime" ||
		d.Relationships[0].SourceName != in.Name {
		t.Errorf("relationships: %+v", d.Relationships)
	}
	if len(d.Tactics) != 1 || d.Tactics[0].ID != "TA0011" || d.Tactics[0].Name != "Command and Control" {
		t.Errorf("tactics: %+v", d.Tactics)
	}
	if len(d.Unresolved) != 0 || d.Malformed != 0 || d.Fetched != 0 || d.BundleID != "bundle--ec5e0fd4-643e-4b1f-b193-0c907528a8cc" {
		t.Errorf("bookkeeping: unresolved %v malformed %d fetched %d bundle %s", d.Unresolved, d.Malformed, d.Fetched, d.BundleID)
	}
	if d.Bundle != nil {
		t.Error("bundle included without FullBundle")
	}
	full, err := Build(context.Background(), bs[0], "", nil, BuildOptions{FullBundle: true})
	if err != nil || !json.Valid(full.Bundle) || !strings.Contains(string(full.Bundle), "Hajime") {
		t.Errorf("full bundle: %v %.100s", err, full.Bundle)
	}
}

// The e-mail bundle: an intrusion set with aliases, the SEKOIA source,
// TLP:GREEN.
func TestBuildSekoiaEmailContext(t *testing.T) {
	bs := contextBundles(t, "indicators-context-email.xsoar.json")
	d, err := Build(context.Background(), bs[0], "indicator--d394449b-6bc7-4d48-b392-6f898190bd2a", nil, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.IntrusionSets) != 1 {
		t.Fatalf("intrusion sets: %+v", d.IntrusionSets)
	}
	is := d.IntrusionSets[0]
	if is.Name != "EICAR Unit of SEKOIA" || !slices.Equal(is.Alias, []string{"EICAR", "TEST EICAR SEKOIA.IO"}) {
		t.Errorf("intrusion set: %+v", is)
	}
	if d.Marking == nil || d.Marking.TLP != "GREEN" {
		t.Errorf("marking: %+v", d.Marking)
	}
	if len(d.Sources) != 1 || d.Sources[0].Name != "SEKOIA" || d.Indicator.Provider != "SEKOIA" {
		t.Errorf("sources: %+v", d.Sources)
	}
	if !slices.Equal(d.Indicator.IndicatorTypes, []string{"benign"}) || len(d.Tactics) != 0 {
		t.Errorf("indicator types %v tactics %v", d.Indicator.IndicatorTypes, d.Tactics)
	}
}

// The OpenCTI excerpt: a malware whose ATT&CK id is only in its URL, an
// attack pattern with an external_id, a campaign.
func TestBuildMitreIDs(t *testing.T) {
	b := fileBundle(t, "opencti-connector-bundle-excerpt.json")
	d, err := Build(context.Background(), b, "indicator--eb7b4c19-693e-48ec-953d-e28e9192e52b", nil, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Malware) != 1 || d.Malware[0].ID != "S0331" || d.Malware[0].Reference != "https://attack.mitre.org/software/S0331" ||
		!slices.Equal(d.Malware[0].Alias, []string{"AgentTesla", "AgenTesla", "Negasteal"}) || !slices.Equal(d.Malware[0].Platforms, []string{"Windows"}) {
		t.Errorf("malware: %+v", d.Malware)
	}
	if len(d.AttackPatterns) != 1 || d.AttackPatterns[0].ID != "T1566" || d.AttackPatterns[0].Name != "Phishing" {
		t.Errorf("attack patterns: %+v", d.AttackPatterns)
	}
	if len(d.Campaigns) != 1 || d.Campaigns[0].Name != "Epoch 1" {
		t.Errorf("campaigns: %+v", d.Campaigns)
	}
	// The relationship in the excerpt belongs to another indicator.
	if len(d.Relationships) != 0 {
		t.Errorf("relationships: %+v", d.Relationships)
	}
	if d.Marking == nil || d.Marking.TLP != "WHITE" {
		t.Errorf("marking %+v", d.Marking)
	}
	if len(d.Tactics) == 0 || d.Tactics[0].Phase != "initial-access" || d.Tactics[0].ID != "TA0001" {
		t.Errorf("tactics: %+v", d.Tactics)
	}
}

// An export without identities: the sources are fetched; an unknown one
// stays unresolved; the fetch bound holds.
func TestBuildFetchesMissing(t *testing.T) {
	b := fileBundle(t, "apt31-export-objects.community.json")
	r := newMapResolver(contextBundles(t, "indicators-context-url.xsoar.json")[0]) // holds the SEKOIA identity
	d, err := Build(context.Background(), b, "indicator--09957d17-b8f5-4ad3-9d30-cfaccb22dbb5", r, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Sources) != 1 || d.Sources[0].Name != "SEKOIA" || d.Fetched != 1 {
		t.Errorf("sources %+v fetched %d", d.Sources, d.Fetched)
	}
	if !slices.Equal(d.Unresolved, []string{"identity--556006db-0d85-4ecb-8845-89d40ae0d40f"}) {
		t.Errorf("unresolved %v", d.Unresolved)
	}
	// The standard TLP:WHITE id needs no request.
	if d.Marking == nil || d.Marking.TLP != "WHITE" || r.calls["marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"] != 0 {
		t.Errorf("marking %+v calls %v", d.Marking, r.calls)
	}
	// The intrusion set of the other indicator is in the bundle.
	if len(d.IntrusionSets) != 1 || d.IntrusionSets[0].Name != "APT31" {
		t.Errorf("intrusion sets %+v", d.IntrusionSets)
	}

	// Without a resolver nothing is fetched; with MaxFetches -1 neither.
	for _, opts := range []BuildOptions{{}, {MaxFetches: -1}} {
		var res Resolver
		if opts.MaxFetches != 0 {
			res = r
		}
		before := len(r.calls)
		d, err := Build(context.Background(), b, "indicator--09957d17-b8f5-4ad3-9d30-cfaccb22dbb5", res, opts)
		if err != nil || len(d.Sources) != 0 || len(d.Unresolved) != 2 || len(r.calls) != before {
			t.Errorf("%+v: sources %v unresolved %v err %v", opts, d.Sources, d.Unresolved, err)
		}
	}
}

func TestBuildRootMissing(t *testing.T) {
	b := contextBundles(t, "indicators-context-url.xsoar.json")[0]
	_, err := Build(context.Background(), b, "indicator--00000000-0000-4000-8000-000000000000", nil, BuildOptions{})
	if !errors.Is(err, ErrNoIndicator) {
		t.Fatalf("err %v", err)
	}
	if _, err := Build(context.Background(), nil, "", nil, BuildOptions{}); !errors.Is(err, ErrNoIndicator) {
		t.Fatalf("nil bundle: %v", err)
	}
	// The root itself is fetched when the bundle lacks it.
	root := b.Objects[0]
	rest := &intel.Bundle{Type: "bundle", ID: b.ID, Objects: b.Objects[1:]}
	r := newMapResolver(&intel.Bundle{Objects: []json.RawMessage{root}})
	d, err := Build(context.Background(), rest, "indicator--aef1dd76-dc26-4cfd-aed9-f3a4f11e32db", r, BuildOptions{})
	if err != nil || d.Indicator.Name != "http://177.22.84.44:49467/.i" || len(d.Malware) != 1 || d.Fetched != 1 {
		t.Fatalf("root fetched: %v %+v", err, d.Indicator)
	}
}

// A resolver answering with another object than asked is not believed.
func TestBuildWrongObjectFetched(t *testing.T) {
	b := fileBundle(t, "apt31-export-objects.community.json")
	liar := ResolverFunc(func(context.Context, string) (json.RawMessage, error) {
		return json.RawMessage(`{"type":"identity","id":"identity--11111111-1111-4111-8111-111111111111","name":"Liar"}`), nil
	})
	d, err := Build(context.Background(), b, "indicator--04f05593-2a58-4e33-b4f0-d6febfd893b0", liar, BuildOptions{})
	if err != nil || len(d.Sources) != 0 || len(d.Unresolved) != 1 || d.Malformed != 1 {
		t.Fatalf("%v sources %v unresolved %v malformed %d", err, d.Sources, d.Unresolved, d.Malformed)
	}
}

func TestBuildMalformedObjects(t *testing.T) {
	b := &intel.Bundle{Type: "bundle", ID: "bundle--x", Objects: []json.RawMessage{
		json.RawMessage(`{"type":"indicator","id":"indicator--a","name":"x","confidence":"high","object_marking_refs":["marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"]}`),
		json.RawMessage(`{"type":"malware","id":"malware--b","name":7}`),
		json.RawMessage(`{"no":"type"}`),
		json.RawMessage(`[1,2]`),
		json.RawMessage(`{"type":"relationship","id":"relationship--c","relationship_type":"indicates","source_ref":"indicator--a","target_ref":"malware--b"}`),
	}}
	d, err := Build(context.Background(), b, "", nil, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The indicator decodes minimally (confidence is a string): no marking.
	if d.Indicator.STIXID != "indicator--a" || d.Indicator.Name != "x" || d.Malformed != 4 {
		t.Errorf("indicator %+v malformed %d", d.Indicator, d.Malformed)
	}
	if len(d.Malware) != 1 || d.Malware[0].Name != "" || len(d.Relationships) != 1 {
		t.Errorf("malware %+v relationships %+v", d.Malware, d.Relationships)
	}
}

func TestBuildCapsLists(t *testing.T) {
	objs := []json.RawMessage{json.RawMessage(`{"type":"indicator","id":"indicator--root"}`)}
	for i := 0; i < MaxListLen+20; i++ {
		id := "malware--" + strings.Repeat("a", 8) + string(rune('A'+i%26)) + strings.Repeat("b", i/26+1)
		objs = append(objs, json.RawMessage(`{"type":"malware","id":"`+id+`","name":"m"}`))
	}
	d, err := Build(context.Background(), &intel.Bundle{Type: "bundle", Objects: objs}, "", nil, BuildOptions{})
	if err != nil || len(d.Malware) != MaxListLen || !d.Truncated {
		t.Fatalf("%v: %d malware, truncated %v", err, len(d.Malware), d.Truncated)
	}
}

func TestAttackIDs(t *testing.T) {
	for s, want := range map[string]bool{
		"T1071": true, "T1071.001": true, "TA0011": true, "S0331": true, "G0016": true, "M1031": true, "C0001": true, "DS0029": true,
		"T107": false, "T10711": false, "T1071.01": false, "S0331.001": false, "X1234": false, "": false, "T": false, "T1071.": false,
	} {
		if attackID(s) != want {
			t.Errorf("attackID(%q) = %v", s, !want)
		}
	}
	for u, want := range map[string]string{
		"https://attack.mitre.org/software/S0331":          "S0331",
		"https://attack.mitre.org/techniques/T1071/001/":   "T1071.001",
		"https://attack.mitre.org/techniques/T1071":        "T1071",
		"https://attack.mitre.org/groups/G0016/":           "G0016",
		"https://attack.mitre.org/mitigations/M1031":       "M1031",
		"https://attack.mitre.org/tactics/TA0011":          "TA0011",
		"https://example.com/software/S0331":               "",
		"https://attack.mitre.org/beta/techniques/T1548/3": "T1548",
		"::": "",
	} {
		if got := idFromURL(u); got != want {
			t.Errorf("idFromURL(%q) = %q, want %q", u, got, want)
		}
	}
	id, ref := mitreID([]externalRef{{SourceName: "capec", ExternalID: "CAPEC-98"}, {SourceName: "mitre-attack", ExternalID: "t1566.002"}})
	if id != "T1566.002" || ref != "https://attack.mitre.org/techniques/T1566/002/" {
		t.Errorf("mitreID: %q %q", id, ref)
	}
}

func TestMarkings(t *testing.T) {
	dec := func(s string) *object {
		o, ok := decodeObject([]byte(s))
		if !ok {
			t.Fatalf("decode %s", s)
		}
		return o
	}
	for s, want := range map[string]string{
		`{"type":"marking-definition","id":"marking-definition--x","definition_type":"tlp","definition":{"tlp":"amber"}}`:                                                               "AMBER",
		`{"type":"marking-definition","id":"marking-definition--y","name":"TLP:CLEAR","extensions":{"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d":{"tlp_2_0":"clear"}}}`: "CLEAR",
		`{"type":"marking-definition","id":"marking-definition--z","name":"TLP:AMBER+STRICT","extensions":{"e":{"tlp_2_0":"amber+strict"}}}`:                                            "AMBER+STRICT",
		`{"type":"marking-definition","id":"marking-definition--w","definition_type":"tlp","name":"TLP:RED"}`:                                                                           "RED",
		`{"type":"marking-definition","id":"marking-definition--v","definition_type":"statement","definition":{"statement":"Copyright"}}`:                                               "",
	} {
		m, ok := markingOf(dec(s))
		if m.TLP != want || ok != (want != "") {
			t.Errorf("%s: %+v %v, want %q", s, m, ok, want)
		}
	}
	// The most restrictive of several markings wins.
	b := &intel.Bundle{Type: "bundle", Objects: []json.RawMessage{json.RawMessage(`{"type":"indicator","id":"indicator--a","object_marking_refs":[
		"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9","marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1","marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"]}`)}}
	d, err := Build(context.Background(), b, "", nil, BuildOptions{})
	if err != nil || d.Marking == nil || d.Marking.TLP != "RED" || d.Marking.TLPVersion != "2.0" {
		t.Fatalf("%v %+v", err, d.Marking)
	}
	for s, want := range map[string]string{"white": "WHITE", "TLP:Amber+Strict": "AMBER+STRICT", "amber strict": "AMBER+STRICT", "tlp:clear": "CLEAR", "pink": ""} {
		if got := normTLP(s); got != want {
			t.Errorf("normTLP(%q) = %q", s, got)
		}
	}
}

func TestConfidenceScale(t *testing.T) {
	for c, want := range map[int]string{0: "None", 1: "Low", 29: "Low", 30: "Medium", 69: "Medium", 70: "High", 100: "High"} {
		if got := confidenceScale(c); got != want {
			t.Errorf("confidenceScale(%d) = %q", c, got)
		}
	}
}
