package snapshot

import "testing"

func TestMatchSubdomains(t *testing.T) {
	inds := []Indicator{
		{ID: "indicator--00000000-0000-4000-8000-000000000001", Pattern: "[domain-name:value = 'evil.example']"},
		{ID: "indicator--00000000-0000-4000-8000-000000000002", Pattern: "[domain-name:value = 'evil.example' AND domain-name:value != 'x']"},
	}
	query := func(snap *Snapshot, name string) int {
		ev := extractOne(t, `{"_path":"dns","ts":"2018-03-24T17:15:21Z","id.orig_h":"10.0.0.1","id.resp_h":"10.0.0.53","query":"`+name+`"}`)
		var sc Scratch
		return len(snap.Match(ev, MatchOptions{}, &sc))
	}
	for _, sub := range []bool{false, true} {
		snap := buildOf(t, Options{MatchSubdomains: sub}, inds...)
		if n := query(snap, "evil.example"); n != 2 {
			t.Errorf("subdomains=%v: the domain itself gave %d hits, want 2", sub, n)
		}
		want := 0
		if sub {
			want = 1 // only the one-comparison domain indicator matches subdomains
		}
		if n := query(snap, "a.b.evil.example"); n != want {
			t.Errorf("subdomains=%v: a subdomain gave %d hits, want %d", sub, n, want)
		}
		if n := query(snap, "notevil.example"); n != 0 {
			t.Errorf("subdomains=%v: a name that merely ends with the domain matched (%d hits)", sub, n)
		}
	}
}
