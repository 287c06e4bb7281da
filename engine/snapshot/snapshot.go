package snapshot

import (
	"fmt"
	"sync"
	"time"

	"github.com/indicator-matcher/matcher/engine/plan"
	"github.com/indicator-matcher/matcher/indexes/cidr"
	"github.com/indicator-matcher/matcher/indexes/substr"
)

// Options configure how indicators are compiled and matched. The zero
// value uses the defaults.
type Options struct {
	// Plan tunes pattern compilation.
	Plan plan.Options
	// MatchSubdomains makes a domain indicator ([domain-name:value = X])
	// match subdomains of X too, by walking the parent domains of each
	// event domain; off by default.
	MatchSubdomains bool
	// CIDRBackend selects the CIDR index implementation.
	CIDRBackend cidr.Backend
	// SubstringBackend selects the substring automaton implementation.
	SubstringBackend substr.Backend
	// SubstringMaxBytes bounds the memory of each substring automaton; 0
	// uses the index's default.
	SubstringMaxBytes int64
	// MergeThreshold is the number of delta indicators past which the
	// Engine merges the delta into a new base; 0 means 20,000.
	MergeThreshold int
}

// Snapshot is an immutable, compiled indicator set. It is safe for
// concurrent use; nothing in it changes after it is published.
type Snapshot struct {
	base  *segment
	delta *segment // indicators added or changed since base was built; may be nil
	dead  []uint64 // bitset of base plans replaced or removed; nil when none
	gen   uint64
	built time.Time
	opts  Options
	diags int

	statsOnce sync.Once // Stats walks every index; a snapshot never changes
	stats     Stats
}

// Stats describe a snapshot.
type Stats struct {
	Generation   uint64
	Built        time.Time
	Indicators   int // live indicators
	Proven       int // plans an index hit proves
	VerifyAlways int // plans verified on every event
	ExactKeys    int
	Prefixes     int
	Fragments    int
	DeltaSize    int // indicators in the delta segment
	Dead         int // base plans replaced or removed
	Diagnostics  int // indicators rejected or partly usable when compiled
	SizeBytes    int // estimated heap held by the indexes and plans
	// The parts of SizeBytes: exact sets, CIDR set, substring automata,
	// and plan records with indicator ids and verification patterns.
	ExactBytes, CIDRBytes, SubstringBytes, PlanBytes int
}

// Stats returns figures about the snapshot, computed on the first call.
func (s *Snapshot) Stats() Stats {
	s.statsOnce.Do(func() { s.stats = s.computeStats() })
	return s.stats
}

func (s *Snapshot) computeStats() Stats {
	st := Stats{Generation: s.gen, Built: s.built, Diagnostics: s.diags}
	for _, seg := range []*segment{s.base, s.delta} {
		if seg == nil {
			continue
		}
		st.Indicators += seg.stats.Indicators
		st.Proven += seg.stats.Proven
		st.VerifyAlways += seg.stats.VerifyAlways
		st.ExactKeys += seg.stats.ExactKeys
		st.Prefixes += seg.stats.Prefixes
		st.Fragments += seg.stats.Fragments
		sz := seg.sizes()
		st.ExactBytes += sz.exact
		st.CIDRBytes += sz.cidr
		st.SubstringBytes += sz.substr
		st.PlanBytes += sz.plans
		st.SizeBytes += sz.exact + sz.cidr + sz.substr + sz.plans
	}
	if s.delta != nil {
		st.DeltaSize = s.delta.stats.Indicators
	}
	for _, w := range s.dead {
		st.Dead += popcount(w)
	}
	st.Indicators -= st.Dead
	st.SizeBytes += len(s.dead) * 8
	st.PlanBytes += len(s.dead) * 8
	return st
}

// Generation increases with every published snapshot.
func (s *Snapshot) Generation() uint64 { return s.gen }

// Options returns the options the snapshot was built with.
func (s *Snapshot) Options() Options { return s.opts }

// IndicatorID returns the indicator id of a plan id found in a Hit.
func (s *Snapshot) IndicatorID(planID uint32) string {
	if s.delta != nil && s.delta.contains(planID) {
		return s.delta.indicatorID(planID)
	}
	return s.base.indicatorID(planID)
}

func (s *Snapshot) isDead(id uint32) bool {
	w := id / 64
	return int(w) < len(s.dead) && s.dead[w]&(1<<(id%64)) != 0
}

// Builder compiles a full indicator set into a Snapshot. Add each
// indicator, then call Build once. A Builder is not safe for concurrent
// use. The zero value is not usable; call NewBuilder.
type Builder struct {
	opts    Options
	pending []Indicator
	index   map[string]int
}

// NewBuilder returns a Builder.
func NewBuilder(opts Options) *Builder {
	return &Builder{opts: opts, index: map[string]int{}}
}

// Add queues an indicator. Of two indicators with the same id the later
// modified one wins; a revoked one removes the id.
func (b *Builder) Add(ind Indicator) {
	if i, ok := b.index[ind.ID]; ok {
		prev := b.pending[i]
		if ind.Modified.Before(prev.Modified) || ind.Modified.Equal(prev.Modified) && prev.Revoked {
			return
		}
		b.pending[i] = ind
		return
	}
	b.index[ind.ID] = len(b.pending)
	b.pending = append(b.pending, ind)
}

// Len returns the number of distinct indicators queued.
func (b *Builder) Len() int { return len(b.pending) }

// Build compiles the queued indicators. It returns the snapshot and one
// diagnostic per indicator that cannot be matched or is matched only in
// part; an error means the indexes themselves could not be built.
func (b *Builder) Build() (*Snapshot, []Diagnostic, error) {
	sb := newSegmentBuilder(b.opts, 0)
	live := make([]Indicator, 0, len(b.pending))
	for _, ind := range b.pending {
		if !ind.Revoked {
			live = append(live, ind)
		}
	}
	b.pending, b.index = nil, nil
	compileAll(b.opts.Plan, live, func(c compiled) { sb.add(c) })
	seg, err := sb.build()
	if err != nil {
		return nil, sb.diags, err
	}
	s := &Snapshot{base: seg, gen: 1, built: time.Now(), opts: b.opts, diags: len(sb.diags)}
	return s, sb.diags, nil
}

func popcount(w uint64) int {
	n := 0
	for w != 0 {
		w &= w - 1
		n++
	}
	return n
}

// String summarises the snapshot.
func (s *Snapshot) String() string {
	st := s.Stats()
	return fmt.Sprintf("snapshot gen %d: %d indicators (%d proven by index, %d verify-always), %d exact keys, %d prefixes, %d fragments, %d in delta, %d MiB",
		st.Generation, st.Indicators, st.Proven, st.VerifyAlways, st.ExactKeys, st.Prefixes, st.Fragments, st.DeltaSize, st.SizeBytes>>20)
}
