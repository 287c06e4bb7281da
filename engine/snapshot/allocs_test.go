package snapshot

import (
	"runtime"
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

// TestSnapshotHeapObjects checks that a snapshot's size in heap objects
// does not grow with its indicators: the garbage collector's mark work
// is per object and per pointer, and a matcher holds a snapshot of
// millions of indicators for its whole life. (A map of one pattern
// string per indicator made each collection of a 1M snapshot take 56 ms
// and stall the stream.)
func TestSnapshotHeapObjects(t *testing.T) {
	inds := realIndicators(t, "../../testdata/real/indicators.jsonl.gz")
	objects := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapObjects
	}
	before := objects()
	b := NewBuilder(Options{})
	for _, ind := range inds {
		b.Add(ind)
	}
	snap, _, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	b = nil
	after := objects()
	runtime.KeepAlive(snap)
	runtime.KeepAlive(inds)
	held := int64(after) - int64(before)
	if limit := int64(len(inds) / 100); held > limit {
		t.Fatalf("a snapshot of %d indicators holds %d heap objects; want at most %d (1 per 100 indicators)", len(inds), held, limit)
	}
	t.Logf("a snapshot of %d indicators holds %d heap objects", len(inds), held)
}
