package snapshot

import (
	"testing"
	"time"

	"github.com/indicator-matcher/matcher/engine/extract"
)

// extractOne extracts one event with the default profiles.
func extractOne(t *testing.T, raw string) *extract.Event {
	t.Helper()
	x, err := extract.New(extract.Config{})
	if err != nil {
		t.Fatal(err)
	}
	var ev extract.Event
	if err := x.Extract([]byte(raw), time.Now(), &ev); err != nil {
		t.Fatal(err)
	}
	return &ev
}

// buildOf builds a snapshot of inds with opts.
func buildOf(t *testing.T, opts Options, inds ...Indicator) *Snapshot {
	t.Helper()
	b := NewBuilder(opts)
	for _, ind := range inds {
		b.Add(ind)
	}
	snap, _, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return snap
}
