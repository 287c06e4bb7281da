package snapshot

import (
	"slices"
	"testing"
)

// TestBenignNamesEveryValue checks that a known-good indicator reports
// every event value it matched, whatever order the indicators were added
// in, so the allow-list can clear a malicious hit on any of them.
func TestBenignNamesEveryValue(t *testing.T) {
	ev := extractOne(t, `{"_path":"conn","ts":"2018-03-24T17:15:21Z","id.orig_h":"10.0.0.1","id.resp_h":"10.0.0.53","id.resp_p":53}`)
	inds := []Indicator{
		{ID: "indicator--00000000-0000-4000-8000-00000000000a", Pattern: "[ipv4-addr:value = '10.0.0.0/8']", Benign: true},
		{ID: "indicator--00000000-0000-4000-8000-00000000000b", Pattern: "[ipv4-addr:value = '10.0.0.1']"},
		{ID: "indicator--00000000-0000-4000-8000-00000000000c", Pattern: "[ipv4-addr:value = '10.0.0.53']"},
	}
	var want []int
	for round, order := range [][]int{{0, 1, 2}, {2, 1, 0}, {1, 0, 2}} {
		var ordered []Indicator
		for _, i := range order {
			ordered = append(ordered, inds[i])
		}
		snap := buildOf(t, Options{}, ordered...)
		var sc Scratch
		var benign []int
		malicious := 0
		for _, h := range snap.Match(ev, MatchOptions{}, &sc) {
			if h.Benign {
				benign = append(benign, h.Observable)
			} else {
				malicious++
			}
		}
		slices.Sort(benign)
		if len(benign) < 2 || malicious != 2 {
			t.Fatalf("order %v: benign hits on observables %v and %d malicious hits; want both addresses named and 2 malicious", order, benign, malicious)
		}
		if round == 0 {
			want = benign
		} else if !slices.Equal(benign, want) {
			t.Errorf("order %v: benign observables %v, first order gave %v", order, benign, want)
		}
	}
}
