package snapshot

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/indicator-matcher/matcher/engine/extract"
)

// memSource is an indicator set the Engine can rebuild from.
type memSource struct {
	mu   sync.Mutex
	inds map[string]Indicator
}

func (m *memSource) source(yield func(Indicator) error) error {
	m.mu.Lock()
	all := make([]Indicator, 0, len(m.inds))
	for _, ind := range m.inds {
		all = append(all, ind)
	}
	m.mu.Unlock()
	for _, ind := range all {
		if err := yield(ind); err != nil {
			return err
		}
	}
	return nil
}

func (m *memSource) apply(c Change) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if c.Removed != "" {
		delete(m.inds, c.Removed)
		return
	}
	if c.Indicator.Revoked {
		delete(m.inds, c.Indicator.ID)
		return
	}
	m.inds[c.Indicator.ID] = c.Indicator
}

// TestIncrementalEqualsRebuild applies random additions, modifications
// and removals through the Engine, with merges along the way, and checks
// that matching gives the same hits as a snapshot built from scratch.
func TestIncrementalEqualsRebuild(t *testing.T) {
	events := realEvents(t)
	x, err := extract.New(extract.Config{})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(11, 12))
	pool := planted(t, x, events, r)
	pool = append(pool, realIndicators(t, "../../testdata/real/benign_indicators.jsonl.gz")[:2000]...)

	src := &memSource{inds: map[string]Indicator{}}
	for _, ind := range pool[:len(pool)/2] {
		src.inds[ind.ID] = ind
	}
	eng, _, err := NewEngine(Options{MergeThreshold: 150}, src.source)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	merges := 0
	eng.OnMerge(func(s *Snapshot, _ []Diagnostic, err error) {
		if err != nil {
			t.Errorf("merge: %v", err)
		}
		merges++
	})
	modified := time.Unix(100, 0)
	for round := 0; round < 40; round++ {
		var batch []Change
		for n := r.IntN(40) + 1; n > 0; n-- {
			ind := pool[r.IntN(len(pool))]
			modified = modified.Add(time.Second)
			var c Change
			switch r.IntN(4) {
			case 0:
				c = Change{Removed: ind.ID}
			case 1:
				// Modify: same id, another pattern and a validity window.
				other := pool[r.IntN(len(pool))]
				ind.Pattern, ind.ValidUntil = other.Pattern, time.Date(2018, 3, 24, 17, 15, 30+r.IntN(60), 0, time.UTC)
				fallthrough
			default:
				ind.Modified = modified
				c = Change{Indicator: ind}
			}
			src.apply(c)
			batch = append(batch, c)
		}
		if _, err := eng.Apply(batch); err != nil {
			t.Fatal(err)
		}
		if round%13 == 12 {
			if err := eng.Merge(); err != nil {
				t.Fatal(err)
			}
		}
	}
	eng.Close()
	b := NewBuilder(Options{})
	_ = src.source(func(ind Indicator) error { b.Add(ind); return nil })
	fresh, _, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	inc := eng.Load()
	if got, want := inc.Stats().Indicators, fresh.Stats().Indicators; got != want {
		t.Fatalf("incremental snapshot has %d live indicators, rebuild %d", got, want)
	}
	var ev extract.Event
	var sa, sb Scratch
	compared := 0
	for i := 0; i < len(events); i += 5 {
		if err := x.Extract(events[i], time.Now(), &ev); err != nil {
			continue
		}
		mo := MatchOptions{CheckValidity: true, At: ev.Time}
		got := hitIDs(inc, inc.Match(&ev, mo, &sa))
		want := hitIDs(fresh, fresh.Match(&ev, mo, &sb))
		if !slices.Equal(got, want) {
			t.Fatalf("event %d: incremental %v, rebuild %v", i+1, got, want)
		}
		compared += len(got)
	}
	t.Logf("%s; %d merges; %d hits compared", inc, merges, compared)
	if merges == 0 {
		t.Error("no background merge ran")
	}
}

func TestEngineDiagnostics(t *testing.T) {
	src := &memSource{inds: map[string]Indicator{
		"indicator--1": {ID: "indicator--1", Pattern: "[a:b = ]"},
		"indicator--2": {ID: "indicator--2", Pattern: "[ipv4-addr:value = '10.0.0.1']"},
		"indicator--3": {ID: "indicator--3", Pattern: "[a:b = 1] FOLLOWEDBY [a:b = 2]"},
		"indicator--4": {ID: "indicator--4", Pattern: "rule x { condition: true }", PatternType: "yara"},
	}}
	eng, diags, err := NewEngine(Options{}, src.source)
	if err != nil {
		t.Fatal(err)
	}
	if len(diags) != 3 {
		t.Fatalf("want 3 diagnostics, got %v", diags)
	}
	if st := eng.Load().Stats(); st.Indicators != 1 || st.Diagnostics != 3 {
		t.Fatalf("stats: %+v", st)
	}
	d, err := eng.Apply([]Change{{Indicator: Indicator{ID: "indicator--5", Pattern: "[x:y = 'unterminated"}}})
	if err != nil || len(d) != 1 || d[0].ID != "indicator--5" {
		t.Fatalf("Apply diagnostics: %v %v", d, err)
	}
	_ = fmt.Sprint(d[0])
}
