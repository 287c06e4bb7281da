package intelserver

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

type bundleResp struct {
	Type    string            `json:"type"`
	ID      string            `json:"id"`
	Objects []json.RawMessage `json:"objects"`
}

func TestContextBundleShape(t *testing.T) {
	s, hs := newTestServer(t, Options{})
	checked := 0
	for _, id := range s.IndicatorIDs()[:200] {
		code, _, body := get(t, hs, "/api/v2/inthreat/objects/"+id+"/context", nil)
		if code != 200 {
			t.Fatalf("context %s: %d %s", id, code, body)
		}
		var b bundleResp
		if err := json.Unmarshal(body, &b); err != nil {
			t.Fatal(err)
		}
		if b.Type != "bundle" || !strings.HasPrefix(b.ID, "bundle--") {
			t.Fatalf("not a bundle: %.200s", body)
		}
		first, _ := objID(t, b.Objects[0])
		if first != id {
			t.Fatalf("bundle starts with %s, want the indicator", first)
		}
		types := map[string]int{}
		var hasMitre, hasSource, hasTLP, indicates bool
		for _, o := range b.Objects {
			var m struct {
				Type, RelationshipType, SourceRef string
				ExternalReferences                []struct {
					SourceName string `json:"source_name"`
					ExternalID string `json:"external_id"`
				} `json:"external_references"`
				IsSource       bool   `json:"x_ic_is_source"`
				DefinitionType string `json:"definition_type"`
			}
			json.Unmarshal(o, &m)
			var rel struct {
				RelationshipType string `json:"relationship_type"`
				SourceRef        string `json:"source_ref"`
			}
			json.Unmarshal(o, &rel)
			types[m.Type]++
			if rel.RelationshipType == "indicates" && rel.SourceRef == id {
				indicates = true
			}
			for _, r := range m.ExternalReferences {
				hasMitre = hasMitre || (r.SourceName == "mitre-attack" && strings.HasPrefix(r.ExternalID, "T"))
			}
			hasSource = hasSource || (m.Type == "identity" && m.IsSource)
			hasTLP = hasTLP || (m.Type == "marking-definition" && m.DefinitionType == "tlp")
		}
		if !indicates || !hasMitre || !hasSource || !hasTLP || types["attack-pattern"] == 0 {
			t.Fatalf("context of %s lacks parts (indicates %v, mitre %v, source %v, tlp %v): %v", id, indicates, hasMitre, hasSource, hasTLP, types)
		}
		if types["course-of-action"] > 0 {
			checked++
		}
		// Deterministic.
		_, _, again := get(t, hs, "/v2/inthreat/objects/"+id+"/context", nil)
		if !bytes.Equal(body, again) {
			t.Fatalf("context of %s is not deterministic", id)
		}
	}
	if checked == 0 {
		t.Fatal("no context bundle had a course of action")
	}
	code, _, _ := get(t, hs, "/v2/inthreat/objects/indicator--00000000-0000-4000-8000-000000000000/context", nil)
	if code != 404 {
		t.Fatalf("unknown context: %d", code)
	}
}

func TestObjectEndpoints(t *testing.T) {
	s, hs := newTestServer(t, Options{})
	id := s.IndicatorIDs()[10]
	code, _, body := get(t, hs, "/v2/inthreat/objects/"+id, nil)
	var d struct{ Data json.RawMessage }
	if code != 200 || json.Unmarshal(body, &d) != nil {
		t.Fatalf("object: %d %s", code, body)
	}
	want, _ := s.Object(id)
	if !bytes.Equal(d.Data, want) {
		t.Fatal("objects/{id} data differs")
	}
	// Relationships of the indicator, and relationships/{id}.
	code, _, body = get(t, hs, "/v2/inthreat/objects/"+id+"/relationships", nil)
	var rl struct {
		Items []struct {
			Relationship  json.RawMessage `json:"relationship"`
			RelatedObject json.RawMessage `json:"related_object"`
		}
	}
	if code != 200 || json.Unmarshal(body, &rl) != nil || len(rl.Items) != 2 {
		t.Fatalf("relationships: %d %.300s", code, body)
	}
	rid, _ := objID(t, rl.Items[0].Relationship)
	code, _, body = get(t, hs, "/v2/inthreat/relationships/"+rid, nil)
	if code != 200 || !bytes.Contains(body, []byte(rid)) {
		t.Fatalf("relationships/{id}: %d", code)
	}
	if code, _, _ = get(t, hs, "/v2/inthreat/relationships/"+id, nil); code != 404 {
		t.Fatalf("relationships/{indicator id}: %d, want 404", code)
	}
	// Comma list and match[id].
	id2 := s.IndicatorIDs()[11]
	for _, p := range []string{"/v2/inthreat/objects/" + id + "," + id2, "/v2/inthreat/objects?match[id]=" + id + "," + id2} {
		code, _, body = get(t, hs, p, nil)
		var items struct{ Items []json.RawMessage }
		if code != 200 || json.Unmarshal(body, &items) != nil || len(items.Items) != 2 {
			t.Fatalf("%s: %d %.200s", p, code, body)
		}
	}
}

func TestIndicatorContextLookup(t *testing.T) {
	s, hs := newTestServer(t, Options{})
	var found int
	for _, id := range s.IndicatorIDs() {
		raw, _ := s.Object(id)
		var m struct{ Pattern string }
		json.Unmarshal(raw, &m)
		obs := observables(m.Pattern)
		if len(obs) == 0 {
			continue
		}
		o := obs[0]
		q := url.Values{"type": {o.typ}, "value": {strings.ToUpper(o.value)}}
		if o.typ == "url" || o.typ == "ipv4-addr" || o.typ == "filename" {
			q.Set("value", o.value)
		}
		code, _, body := get(t, hs, "/v2/inthreat/indicators/context?"+q.Encode(), nil)
		var r struct {
			HasMore bool         `json:"has_more"`
			Items   []bundleResp `json:"items"`
		}
		if code != 200 || json.Unmarshal(body, &r) != nil {
			t.Fatalf("%v: %d %.200s", q, code, body)
		}
		ok := false
		for _, b := range r.Items {
			first, _ := objID(t, b.Objects[0])
			ok = ok || first == id
		}
		if !ok {
			t.Fatalf("lookup %v did not return %s", q, id)
		}
		found++
		if found == 50 {
			break
		}
	}
	code, _, body := get(t, hs, "/v2/inthreat/indicators/context?type=domain-name&value=not-there.invalid", nil)
	if code != 200 || string(body) != `{"items": [], "has_more": false}` {
		t.Fatalf("unknown value: %d %s", code, body)
	}
	if code, _, _ = get(t, hs, "/v2/inthreat/indicators/context?type=bogus&value=x", nil); code != 400 {
		t.Fatalf("bad type: %d", code)
	}
}

func TestObservables(t *testing.T) {
	cases := map[string][]observable{
		"[ipv4-addr:value = '1.2.3.4']":                            {{"ipv4-addr", "1.2.3.4"}},
		"[file:hashes.'SHA-256' = 'AB' OR file:hashes.MD5 = 'cd']": {{"file", "ab"}, {"file", "cd"}},
		"[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '5.6.7.8' AND network-traffic:dst_port = 8]": {{"ipv4-addr", "5.6.7.8"}},
		"[url:value = 'http://x/a\\'b']":          {{"url", "http://x/a'b"}},
		"[ipv4-addr:value ISSUBSET '10.0.0.0/8']": nil,
		"[domain-name:value = 'Evil.COM']":        {{"domain-name", "evil.com"}},
	}
	for p, want := range cases {
		got := observables(p)
		if len(got) != len(want) {
			t.Errorf("%s: %v, want %v", p, got, want)
			continue
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s: %v, want %v", p, got, want)
			}
		}
	}
}
