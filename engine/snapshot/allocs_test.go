package snapshot

import (
	"testing"
	"time"

	"github.com/indicator-matcher/matcher/engine/extract"
)

// TestMatchNoAllocsOnMiss checks the allocation budget of the miss path:
// an event that hits nothing costs no allocation.
func TestMatchNoAllocsOnMiss(t *testing.T) {
	b := NewBuilder(Options{})
	for _, ind := range realIndicators(t, "../../testdata/real/indicators.jsonl.gz") {
		b.Add(ind)
	}
	snap, _, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	x, err := extract.New(extract.Config{})
	if err != nil {
		t.Fatal(err)
	}
	var ev extract.Event
	raw := []byte(`{"_path":"conn","ts":"2018-03-24T17:15:21.000000Z","uid":"C1","id.orig_h":"10.47.1.2","id.orig_p":50000,"id.resp_h":"10.47.1.3","id.resp_p":3389,"proto":"tcp","service":"rdp"}`)
	if err := x.Extract(raw, time.Now(), &ev); err != nil {
		t.Fatal(err)
	}
	if len(ev.Observables) == 0 {
		t.Fatal("no observables extracted")
	}
	var sc Scratch
	mo := MatchOptions{CheckValidity: true, At: ev.Time}
	snap.Match(&ev, mo, &sc) // warm the scratch buffers
	if n := testing.AllocsPerRun(1000, func() {
		if hits := snap.Match(&ev, mo, &sc); len(hits) != 0 {
			t.Fatalf("unexpected hits %v", hits)
		}
	}); n != 0 {
		t.Fatalf("Match allocates %.1f times per miss; want 0", n)
	}
}
