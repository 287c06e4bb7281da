package substr

import (
	"errors"
	"fmt"
	"slices"

	"github.com/cloudflare/ahocorasick"
)

// Errors returned by Builder.Add and Builder.Build; callers branch on them
// with errors.Is.
var (
	// ErrEmptyFragment rejects an empty fragment: it would match every
	// haystack, so its pattern belongs on the engine's verify-always list.
	ErrEmptyFragment = errors.New("substr: empty fragment")
	// ErrTooLarge means the automaton would need more than Builder.MaxBytes.
	ErrTooLarge = errors.New("substr: automaton too large")
)

// DefaultMaxBytes is the automaton size Build refuses to exceed when
// Builder.MaxBytes is zero: about 1M fragment bytes (e.g. 100k fragments of
// 10 bytes) with BackendCloudflare, ten times that with BackendFlat.
const DefaultMaxBytes = 4 << 30

// Backend selects the automaton a Matcher scans with.
type Backend uint8

// Backends.
const (
	// BackendFlat (the default) is an Aho-Corasick automaton compiled to a
	// deterministic table over byte classes, in pointer-free slices: about
	// 4 bytes per state and class, never scanned by the garbage collector,
	// one table load per haystack byte.
	BackendFlat Backend = iota
	// BackendCloudflare is github.com/cloudflare/ahocorasick: two
	// 256-pointer tables per fragment byte (about 4.2 KB), which the
	// garbage collector scans on every cycle.
	BackendCloudflare
)

func (b Backend) String() string {
	if b == BackendCloudflare {
		return "cloudflare"
	}
	return "flat"
}

// Builder collects (fragment, id) pairs and builds an immutable Matcher.
// Fragments are copied and deduplicated: a fragment added with several ids
// is stored once and reports all of them. The zero value is ready to use;
// a Builder is not safe for concurrent use.
//
// Keep fragments short: an automaton state costs 4 bytes per byte class
// with BackendFlat and about 4.2 KB with BackendCloudflare (see Matcher).
// The engine should index the rarest window of at most 12 bytes of a
// longer literal and verify candidates afterwards.
type Builder struct {
	// Backend selects the automaton; the zero value is BackendFlat.
	Backend Backend
	// FoldCase makes the Matcher ASCII case-insensitive: fragments and
	// haystacks are compared with A-Z folded to a-z. Set it before Add.
	FoldCase bool
	// MaxBytes bounds the automaton's estimated size; zero means
	// DefaultMaxBytes, negative means no bound.
	MaxBytes int64

	index     map[string]int32 // fragment -> position in frags
	frags     [][]byte
	ids       [][]uint32
	pairs     int
	fragBytes int64
	used      [256]bool // bytes of the fragments: their classes
	classes   int64     // 1 + distinct bytes
}

// Add records that fragment maps to id. It copies fragment (folded to lower
// case if FoldCase is set). An empty fragment is rejected with
// ErrEmptyFragment.
func (b *Builder) Add(fragment []byte, id uint32) error {
	if len(fragment) == 0 {
		return ErrEmptyFragment
	}
	key := string(fragment)
	if b.FoldCase {
		key = string(lowerASCII(nil, fragment))
	}
	if b.index == nil {
		b.index = map[string]int32{}
	}
	i, ok := b.index[key]
	if !ok {
		i = int32(len(b.frags))
		b.index[key] = i
		b.frags = append(b.frags, []byte(key))
		b.ids = append(b.ids, nil)
		b.fragBytes += int64(len(key))
		for _, c := range []byte(key) {
			if !b.used[c] {
				b.used[c] = true
				b.classes++
			}
		}
	}
	if !slices.Contains(b.ids[i], id) {
		b.ids[i] = append(b.ids[i], id)
		b.pairs++
	}
	return nil
}

// Len returns the number of distinct fragments added so far.
func (b *Builder) Len() int { return len(b.frags) }

// Pairs returns the number of distinct (fragment, id) pairs added so far.
func (b *Builder) Pairs() int { return b.pairs }

// EstimateBytes returns the heap bytes the automaton for the fragments
// added so far would take (see Matcher.SizeBytes).
func (b *Builder) EstimateBytes() int64 {
	if b.Backend == BackendCloudflare {
		return (1 + b.fragBytes) * nodeBytes
	}
	// At most one state per fragment byte, plus the root.
	return flatBytes(1+b.fragBytes, 1+b.classes)
}

// Build returns a Matcher for every fragment added so far, or ErrTooLarge
// if its automaton would exceed MaxBytes. The Builder keeps its contents.
func (b *Builder) Build() (*Matcher, error) {
	limit := b.MaxBytes
	if limit == 0 {
		limit = DefaultMaxBytes
	}
	if est := b.EstimateBytes(); limit > 0 && est > limit {
		return nil, fmt.Errorf("%w: %d fragments of %d bytes need ~%d MiB with the %s backend, limit %d MiB",
			ErrTooLarge, len(b.frags), b.fragBytes, est>>20, b.Backend, limit>>20)
	}
	m := &Matcher{fold: b.FoldCase, frags: len(b.frags)}
	if len(b.frags) == 0 {
		return m, nil
	}
	m.idOff = make([]uint32, 0, len(b.frags)+1)
	for i, f := range b.frags {
		m.fragBytes += len(f)
		m.idOff = append(m.idOff, uint32(len(m.ids)))
		ids := slices.Clone(b.ids[i])
		slices.Sort(ids)
		m.ids = append(m.ids, ids...)
	}
	m.idOff = append(m.idOff, uint32(len(m.ids)))
	if b.Backend != BackendCloudflare {
		m.flat = newFlatDFA(b.frags, b.FoldCase)
		return m, nil
	}
	// The library keeps references to the fragment slices; hand it copies
	// so that later Adds to the Builder cannot reach the Matcher.
	dict := make([][]byte, len(b.frags))
	for i, f := range b.frags {
		dict[i] = slices.Clone(f)
	}
	m.ac = ahocorasick.NewMatcher(dict)
	return m, nil
}
