package main

import (
	"testing"
	"time"

	"github.com/indicator-matcher/matcher/engine/config"
	"github.com/indicator-matcher/matcher/engine/extract"
)

// TestExtractorTimeZone checks that matching.time_zone reaches the
// extractor: a zone-less NXLog EventTime is read in that zone, with the
// zone database built into the binary.
func TestExtractorTimeZone(t *testing.T) {
	c := config.Default()
	c.Matching.TimeZone = "America/New_York"
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	m := c.Matching
	x, err := newExtractor(m)
	if err != nil {
		t.Fatal(err)
	}
	var ev extract.Event
	raw := []byte(`{"EventID":4624,"Channel":"Security","Hostname":"dc1","EventTime":"2024-03-11 10:24:05"}`)
	if err := x.Extract(raw, time.Now(), &ev); err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2024, 3, 11, 14, 24, 5, 0, time.UTC); !ev.Time.Equal(want) { // EDT, UTC-4
		t.Fatalf("event time %v, want %v", ev.Time, want)
	}
	m.TimeZone = "Nowhere/Nothing"
	if _, err := newExtractor(m); err == nil {
		t.Fatal("an unknown zone was accepted")
	}
}
