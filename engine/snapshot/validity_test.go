package snapshot

import (
	"testing"
	"time"
)

// TestValidityFarTimes checks validity windows with times that Unix
// nanoseconds cannot hold, as feeds write them (valid_until 9999-12-31).
func TestValidityFarTimes(t *testing.T) {
	ev := extractOne(t, `{"_path":"dns","ts":"2026-03-24T17:15:21Z","id.orig_h":"10.0.0.1","id.resp_h":"10.0.0.53","query":"evil.example"}`)
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
		snap := buildOf(t, Options{}, Indicator{ID: "indicator--00000000-0000-4000-8000-000000000001", Pattern: "[domain-name:value = 'evil.example']", ValidFrom: c.from, ValidUntil: c.until})
		var sc Scratch
		got := len(snap.Match(ev, MatchOptions{CheckValidity: true, At: ev.Time}, &sc)) == 1
		if got != c.want {
			t.Errorf("valid from %v until %v: matched %v, want %v", c.from, c.until, got, c.want)
		}
	}
}
