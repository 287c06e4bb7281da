package snapshot

import (
	"testing"
	"time"

	"github.com/indicator-matcher/matcher/engine/extract"
)

// TestValidityFarTimes checks validity windows with times that Unix
// nanoseconds cannot hold, as feeds write them (valid_until 9999-12-31).
func TestValidityFarTimes(t *testing.T) {
	x, err := extract.New(extract.Config{})
	if err != nil {
		t.Fatal(err)
	}
	var ev extract.Event
	raw := []byte(`{"_path":"dns","ts":"2026-03-24T17:15:21Z","id.orig_h":"10.0.0.1","id.resp_h":"10.0.0.53","query":"evil.example"}`)
	if err := x.Extract(raw, time.Now(), &ev); err != nil {
		t.Fatal(err)
	}
	date := func(y int) time.Time { return time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC) }
	cases := []struct {
		from, until time.Time
		want        bool
	}{
		{time.Time{}, date(9999), true},
		{date(1500), date(9999), true},
		{date(1500), time.Time{}, true},
		{date(3000), time.Time{}, false},
		{date(1500), date(1600), false},
		{time.Time{}, time.Unix(0, 0), false}, // the epoch is a bound, not "none"
		{time.Unix(0, 0), time.Time{}, true},
	}
	for _, c := range cases {
		b := NewBuilder(Options{})
		b.Add(Indicator{ID: "indicator--00000000-0000-4000-8000-000000000001", Pattern: "[domain-name:value = 'evil.example']", ValidFrom: c.from, ValidUntil: c.until})
		snap, _, err := b.Build()
		if err != nil {
			t.Fatal(err)
		}
		var sc Scratch
		got := len(snap.Match(&ev, MatchOptions{CheckValidity: true, At: ev.Time}, &sc)) == 1
		if got != c.want {
			t.Errorf("valid from %v until %v: matched %v, want %v", c.from, c.until, got, c.want)
		}
	}
}
