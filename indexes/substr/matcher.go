// Package substr is the substring prefilter of the matcher: it holds
// literal fragments (pieces of STIX LIKE patterns, the required literal of
// MATCHES regexes, substring indicators) and reports the posting ids of
// every fragment that occurs in a haystack. Candidates are verified by the
// engine afterwards.
//
// Matching runs an Aho-Corasick automaton, from one of two backends
// (Builder.Backend). BackendFlat, the default, compiles it to a
// deterministic table over byte classes held in pointer-free slices: a few
// hundred bytes per state, nothing for the garbage collector to scan, no
// per-call state, and case folding by the class table instead of a copy.
// BackendCloudflare uses github.com/cloudflare/ahocorasick, which stores
// each trie node with two 256-pointer tables (4168 bytes) and allocates one
// node per fragment byte, shared prefixes or not: about 4.2 KB per byte,
// i.e. 40 MB per 1k fragments of 10 bytes, all scanned by every garbage
// collection. Deduplicate and keep fragments short; Build refuses automata
// above Builder.MaxBytes.
package substr

import (
	"slices"
	"sync"

	"github.com/cloudflare/ahocorasick"
)

// nodeBytes is the heap cost of one automaton node of
// github.com/cloudflare/ahocorasick (the node struct: two [256]*node tables
// and bookkeeping, 4168 bytes on 64-bit platforms). The library allocates
// one node per fragment byte plus the root. Checked by TestEstimate.
const nodeBytes = 4168

// Matcher is an immutable set of fragments built by a Builder.
//
// A Matcher is safe for concurrent use by any number of goroutines without
// locking (BackendCloudflare uses the library's MatchThreadSafe, which
// keeps its per-call state in a sync.Pool). The zero value holds no
// fragment and matches nothing.
type Matcher struct {
	flat      *flatDFA
	ac        *ahocorasick.Matcher
	idOff     []uint32 // ids of fragment i: ids[idOff[i]:idOff[i+1]]
	ids       []uint32
	fold      bool
	frags     int
	fragBytes int
	scratch   sync.Pool // *[]byte, for folding haystacks
}

// maxPooledScratch bounds the fold buffers kept for reuse.
const maxPooledScratch = 1 << 20

// MatchAppend appends to dst the ids of every fragment that occurs in
// haystack, in ascending order without duplicates, and returns the
// extended slice.
//
// A haystack containing no fragment costs one pass of the automaton and no
// allocation (the common case for a prefilter). With BackendFlat a hit
// allocates only if dst must grow. With BackendCloudflare the library's
// MatchThreadSafe runs a second pass and allocates its result slice (and,
// after a garbage collection emptied its pool, a dedup map sized to the
// automaton).
func (m *Matcher) MatchAppend(dst []uint32, haystack []byte) []uint32 {
	if m.flat != nil {
		return sortIDs(m.flat.appendIDs(dst, haystack, m.idOff, m.ids), len(dst))
	}
	if m.ac == nil {
		return dst
	}
	if m.fold && hasUpperASCII(haystack) {
		bp := m.getScratch()
		*bp = lowerASCII((*bp)[:0], haystack)
		dst = m.match(dst, *bp)
		m.putScratch(bp)
		return dst
	}
	return m.match(dst, haystack)
}

func (m *Matcher) match(dst []uint32, h []byte) []uint32 {
	if !m.ac.Contains(h) {
		return dst
	}
	start := len(dst)
	for _, f := range m.ac.MatchThreadSafe(h) {
		dst = append(dst, m.ids[m.idOff[f]:m.idOff[f+1]]...)
	}
	return sortIDs(dst, start)
}

// sortIDs sorts dst[start:] and removes its repeats.
func sortIDs(dst []uint32, start int) []uint32 {
	if len(dst)-start > 1 {
		ids := dst[start:]
		slices.Sort(ids)
		dst = dst[:start+len(slices.Compact(ids))]
	}
	return dst
}

// Contains reports whether any fragment occurs in haystack. It does not
// allocate unless FoldCase needs a scratch buffer the pool cannot supply.
func (m *Matcher) Contains(haystack []byte) bool {
	if m.flat != nil {
		return m.flat.contains(haystack)
	}
	if m.ac == nil {
		return false
	}
	if m.fold && hasUpperASCII(haystack) {
		bp := m.getScratch()
		*bp = lowerASCII((*bp)[:0], haystack)
		ok := m.ac.Contains(*bp)
		m.putScratch(bp)
		return ok
	}
	return m.ac.Contains(haystack)
}

func (m *Matcher) getScratch() *[]byte {
	if bp, ok := m.scratch.Get().(*[]byte); ok {
		return bp
	}
	return new([]byte)
}

func (m *Matcher) putScratch(bp *[]byte) {
	if cap(*bp) <= maxPooledScratch {
		m.scratch.Put(bp)
	}
}

// Len returns the number of distinct fragments.
func (m *Matcher) Len() int { return m.frags }

// FoldCase reports whether the Matcher is ASCII case-insensitive.
func (m *Matcher) FoldCase() bool { return m.fold }

// Backend returns the automaton the Matcher scans with.
func (m *Matcher) Backend() Backend {
	if m.ac != nil {
		return BackendCloudflare
	}
	return BackendFlat
}

// SizeBytes returns the approximate heap bytes held by the Matcher: the
// automaton (with BackendCloudflare nodeBytes per fragment byte) dominates
// everything else.
func (m *Matcher) SizeBytes() int {
	if m.flat != nil {
		return m.flat.sizeBytes() + 4*(len(m.idOff)+len(m.ids))
	}
	if m.ac == nil {
		return 0
	}
	return (1+m.fragBytes)*nodeBytes + 2*m.fragBytes + 4*(len(m.idOff)+len(m.ids)) + 24*m.frags
}

func hasUpperASCII(b []byte) bool {
	for _, c := range b {
		if c-'A' < 26 {
			return true
		}
	}
	return false
}

// lowerASCII appends b to dst with A-Z folded to a-z.
func lowerASCII(dst, b []byte) []byte {
	for _, c := range b {
		if c-'A' < 26 {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}
