package alert

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/indicator-matcher/matcher/engine/extract"
	"github.com/indicator-matcher/matcher/engine/indicator"
	"github.com/indicator-matcher/matcher/engine/snapshot"
)

func TestBuild(t *testing.T) {
	inds := map[string]indicator.Indicator{}
	add := func(id, pattern string) snapshot.Indicator {
		conf := 80
		inds[id] = indicator.Indicator{ID: id, Name: "evil", Pattern: pattern, PatternType: "stix", Confidence: &conf,
			ObjectMarkingRefs: []string{"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"},
			KillChainPhases:   []indicator.KillChainPhase{{KillChainName: "mitre-attack", PhaseName: "command-and-control"}}}
		return snapshot.Indicator{ID: id, Pattern: pattern}
	}
	b := snapshot.NewBuilder(snapshot.Options{})
	b.Add(add("indicator--00000000-0000-4000-8000-000000000001", "[domain-name:value = 'EVIL.example']"))
	b.Add(add("indicator--00000000-0000-4000-8000-000000000002", "[network-traffic:dst_ref.value = '198.51.100.7' AND network-traffic:dst_port = 443]"))
	snap, _, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	x, err := extract.New(extract.Config{})
	if err != nil {
		t.Fatal(err)
	}
	var ev extract.Event
	raw := []byte(`{"_path":"dns","ts":"2018-03-24T17:15:21.5Z","id.orig_h":"10.0.0.1","id.orig_p":5353,"id.resp_h":"198.51.100.7","id.resp_p":443,"proto":"tcp","query":"evil.example"}`)
	if err := x.Extract(raw, time.Now(), &ev); err != nil {
		t.Fatal(err)
	}
	var sc snapshot.Scratch
	hits := snap.Match(&ev, snapshot.MatchOptions{}, &sc)
	if len(hits) != 2 {
		t.Fatalf("want 2 hits, got %+v", hits)
	}
	ab := &Builder{
		Catalog:  CatalogFunc(func(id string) (indicator.Indicator, error) { return inds[id], nil }),
		Validity: "event",
		TLP:      func(refs []string) string { return "AMBER" },
		Now:      func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) },
	}
	o := Origin{Subject: "logs.zeek", Arrival: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	var alerts []Alert
	for _, h := range hits {
		a, err := ab.Build(snap, h, &ev, o)
		if err != nil {
			t.Fatal(err)
		}
		alerts = append(alerts, a)
	}
	dns := alerts[0]
	if dns.Threat.Indicator.ID != "indicator--00000000-0000-4000-8000-000000000001" {
		dns = alerts[1]
	}
	m := dns.Threat.Enrichments[0].Matched
	if m.Atomic != "evil.example" || m.Field != "query" || m.Index != "exact" || dns.Threat.Match.Kind != "domain" || dns.Threat.Match.Verified {
		t.Errorf("matched: %+v %+v", m, dns.Threat.Match)
	}
	if got := strings.Join(dns.Threat.Match.Atoms, ";"); got != "domain-name:value = 'evil.example'" {
		t.Errorf("atoms: %q", got)
	}
	if dns.Event.Original != string(raw) || dns.Event.TimeSource != "event" || !dns.Timestamp.Equal(time.Date(2018, 3, 24, 17, 15, 21, 5e8, time.UTC)) {
		t.Errorf("event: %+v", dns.Event)
	}
	again, _ := ab.Build(snap, hits[0], &ev, o)
	if again.Alert.ID != alerts[0].Alert.ID || alerts[0].Alert.ID == alerts[1].Alert.ID {
		t.Error("alert ids must be deterministic per (indicator, event)")
	}
	js, err := json.Marshal(dns)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"@timestamp":"2018-03-24T17:15:21.5Z"`, `"marking":{"tlp":"AMBER"}`, `"type":"indicator_match_rule"`, `"status":"disabled"`} {
		if !strings.Contains(string(js), want) {
			t.Errorf("JSON lacks %s: %s", want, js)
		}
	}
	if _, err := (&Builder{Catalog: CatalogFunc(func(string) (indicator.Indicator, error) { return indicator.Indicator{}, errors.New("gone") })}).Build(snap, hits[0], &ev, o); err == nil {
		t.Error("a catalog miss must be an error")
	}
}

func TestSuppressor(t *testing.T) {
	s := NewSuppressor(SuppressOptions{Window: time.Minute, Rate: 2, Burst: 2})
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	pair := PairKey("indicator--a", "1.2.3.4")
	if d := s.Admit("indicator--a", pair, t0); d != Publish {
		t.Fatalf("first: %v", d)
	}
	s.Remember(pair, &Alert{Alert: Meta{ID: "a1", Kind: KindMatch, Count: 1}, Event: Event{Original: "raw"}})
	for i := 1; i <= 5; i++ {
		if d := s.Admit("indicator--a", pair, t0.Add(time.Duration(i)*time.Second)); d != Suppressed {
			t.Fatalf("repeat %d: %v", i, d)
		}
	}
	if got := s.Flush(t0.Add(30 * time.Second)); len(got) != 0 {
		t.Fatalf("window still open: %v", got)
	}
	sum := s.Flush(t0.Add(time.Minute))
	if len(sum) != 1 || sum[0].Alert.Kind != KindSummary || sum[0].Alert.Count != 5 || sum[0].Alert.RelatesTo != "a1" || sum[0].Event.Original != "" {
		t.Fatalf("summary: %+v", sum)
	}
	// Rate limit: burst 2, then one per 0.5 s.
	b := "indicator--b"
	got := []Decision{}
	for i := 0; i < 4; i++ {
		got = append(got, s.Admit(b, PairKey(b, string(rune('a'+i))), t0))
	}
	if got[0] != Publish || got[1] != Publish || got[2] != RateLimited || got[3] != RateLimited {
		t.Fatalf("rate limit: %v", got)
	}
	if d := s.Admit(b, PairKey(b, "z"), t0.Add(600*time.Millisecond)); d != Publish {
		t.Fatalf("after refill: %v", d)
	}
	if NewSuppressor(SuppressOptions{}).Admit("x", "y", t0) != Publish {
		t.Fatal("zero options must publish everything")
	}
}

func TestSuppressorBounded(t *testing.T) {
	s := NewSuppressor(SuppressOptions{Window: time.Hour, MaxPairs: 160})
	t0 := time.Now()
	for i := 0; i < 10000; i++ {
		s.Admit("indicator--a", PairKey("indicator--a", string(rune(i))), t0)
	}
	if n := s.Pairs(); n > 200 {
		t.Fatalf("tracking %d pairs, bound is about 160", n)
	}
}
