package gen

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/indicator-matcher/matcher/engine/extract"
	"github.com/indicator-matcher/matcher/engine/snapshot"
)

var (
	realOnce sync.Once
	realSet  []snapshot.Indicator
	realErr  error
)

func loadReal(t testing.TB) []snapshot.Indicator {
	realOnce.Do(func() {
		realSet, realErr = LoadReal("../../testdata/real/indicators.jsonl.gz", "../../testdata/real/benign_indicators.jsonl.gz")
	})
	if realErr != nil {
		t.Fatalf("real indicators: %v", realErr)
	}
	return realSet
}

// smallSet is the real set plus mutated copies and synthetic substring and
// CIDR indicators, so that every shape Scale makes is represented.
func smallSet(t testing.TB) []snapshot.Indicator {
	real := loadReal(t)
	return Scale(real, Options{N: len(real) + 4000, Seed: 3, MinSubstring: 600, MinCIDR: 300})
}

func buildSnapshot(t testing.TB, inds []snapshot.Indicator) *snapshot.Snapshot {
	b := snapshot.NewBuilder(snapshot.Options{})
	for _, ind := range inds {
		b.Add(ind)
	}
	s, _, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var wantProfile = map[Schema]string{ZeekDotted: "zeek", ZeekUnderscored: "zeek", Suricata: "suricata", ECS: "ecs", Windows: "windows", Text: "text"}

// TestEventsPlantedHitsAreReal runs generated events through the
// product's extraction and matching: every planted event must match its
// indicator, and background events must match no malicious indicator.
func TestEventsPlantedHitsAreReal(t *testing.T) {
	set := smallSet(t)
	snap := buildSnapshot(t, set)
	const n = 6000
	evs, err := Events(set, EventOptions{N: n, Seed: 11, HitRate: 0.3})
	if err != nil {
		t.Fatal(err)
	}
	x, err := extract.New(extract.Config{})
	if err != nil {
		t.Fatal(err)
	}
	var ev extract.Event
	var sc snapshot.Scratch
	planted := 0
	missed := map[string]int{}
	kinds := map[string]int{}
	falseHits := 0
	for i, e := range evs {
		if e.Schema != Text && !json.Valid(e.Raw) {
			t.Fatalf("event %d (%s) is not valid JSON: %s", i, e.Schema, e.Raw)
		}
		if StampOffset(e.Raw) < 0 {
			t.Fatalf("event %d has no stamp placeholder: %s", i, e.Raw)
		}
		if err := x.Extract(e.Raw, time.Now(), &ev); err != nil {
			t.Fatalf("event %d (%s): %v\n%s", i, e.Schema, err, e.Raw)
		}
		if ev.Profile != wantProfile[e.Schema] {
			t.Fatalf("event %d (%s) read with profile %s:\n%s", i, e.Schema, ev.Profile, e.Raw)
		}
		hits := snap.Match(&ev, snapshot.MatchOptions{}, &sc)
		if e.Planted.Kind == 0 {
			for _, h := range hits {
				if !h.Benign {
					falseHits++
					t.Logf("background event %d matched %s: %s", i, snap.IndicatorID(h.Plan), e.Raw)
				}
			}
			continue
		}
		planted++
		key := fmt.Sprintf("%s/%s", e.Schema, e.Planted.Kind)
		kinds[key]++
		found := false
		for _, h := range hits {
			found = found || snap.IndicatorID(h.Plan) == e.Planted.ID
		}
		if !found {
			missed[key]++
			if missed[key] <= 2 {
				t.Logf("planted %s %q (%s) not matched in %s", e.Planted.Kind, e.Planted.Value, e.Planted.ID, e.Raw)
			}
		}
	}
	if len(missed) > 0 {
		t.Errorf("planted values not matched, by schema/kind: %v", missed)
	}
	if falseHits > 0 {
		t.Errorf("%d background events matched a malicious indicator", falseHits)
	}
	if want := n * 3 / 10; math.Abs(float64(planted-want)) > 1 {
		t.Errorf("planted %d events, want %d", planted, want)
	}
	var keys []string
	for k := range kinds {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("%-28s %d", k, kinds[k])
	}
	// Every schema carries hits, and every kind is planted somewhere.
	for _, s := range AllSchemas() {
		got := 0
		for k, v := range kinds {
			if len(k) > len(s.String()) && k[:len(s.String())+1] == s.String()+"/" {
				got += v
			}
		}
		if got == 0 {
			t.Errorf("schema %s got no planted event", s)
		}
	}
}
