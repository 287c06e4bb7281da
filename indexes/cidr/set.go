// Package cidr is the prefix index of the matcher: given an IPv4 or IPv6
// address, it returns the posting ids of every indicator prefix that
// contains it.
//
// A 16 KiB gate (one bit per first-16-bit value per family) first rejects,
// in a few nanoseconds, addresses no prefix can hold. Behind it sits one of
// two backends (Builder.Backend):
//
//   - BackendFlat, the default: the prefixes, which are always nested or
//     disjoint, are turned into sorted elementary address ranges that each
//     name their deepest covering prefix; a lookup is a binary search plus
//     a walk up the enclosing prefixes. No allocation.
//   - BackendRanger: the path-compressed trie of github.com/yl2chen/cidranger
//     (the product owner's choice). It allocates on every lookup (it takes a
//     net.IP and returns a fresh slice of entries): 0.8-5 us and 3-7
//     allocations per hit at 10k-1M prefixes against 0.1-0.5 us and none
//     for BackendFlat, 180-290 ns per real-event miss at 100k-1M against
//     21-27 ns, and 540 against 40-45 bytes per prefix; see
//     bench/results-indexes.md.
//
// IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are looked up as IPv4.
package cidr

import (
	"net"
	"net/netip"
	"slices"

	"github.com/yl2chen/cidranger"
)

// bytesPerPrefix is the heap cost of one prefix in the cidranger trie,
// measured by BenchmarkBuild (heapB/entry) on the real prefix mix.
const bytesPerPrefix = 540

// Set is an immutable prefix index built by a Builder.
//
// A Set is safe for concurrent use by any number of goroutines without
// locking: lookups only read the trie and the gate. The zero value is an
// empty set on which every lookup misses.
type Set struct {
	flat     *flat
	ranger   cidranger.Ranger
	gate     gate
	odd      []oddPrefix
	prefixes int
	ids      int
}

// oddPrefix is a prefix the trie cannot hold, scanned linearly.
type oddPrefix struct {
	p   netip.Prefix
	ids []uint32
}

// LookupAppend appends to dst the ids of every prefix containing a, in
// ascending order without duplicates, and returns the extended slice. An
// invalid address matches nothing. Addresses rejected by the gate cost a
// few nanoseconds and no allocation; others allocate inside cidranger.
func (s *Set) LookupAppend(dst []uint32, a netip.Addr) []uint32 {
	a = a.Unmap()
	if !a.IsValid() || s.prefixes == 0 || !s.gate.mayContain(a) {
		return dst
	}
	start := len(dst)
	if s.flat != nil {
		dst = s.flat.lookup(dst, a)
	}
	if s.ranger != nil {
		var ip net.IP
		if a.Is4() {
			b := a.As4()
			ip = net.IP(b[:])
		} else {
			b := a.As16()
			ip = net.IP(b[:])
		}
		// The only error is an address of neither family, excluded above.
		entries, _ := s.ranger.ContainingNetworks(ip)
		for _, e := range entries {
			dst = append(dst, e.(*entry).ids...)
		}
	}
	for i := range s.odd {
		if s.odd[i].p.Contains(a) {
			dst = append(dst, s.odd[i].ids...)
		}
	}
	if len(dst)-start > 1 {
		ids := dst[start:]
		slices.Sort(ids)
		dst = dst[:start+len(slices.Compact(ids))]
	}
	return dst
}

// Contains reports whether some prefix contains a.
func (s *Set) Contains(a netip.Addr) bool {
	var buf [8]uint32
	return len(s.LookupAppend(buf[:0], a)) > 0
}

// Len returns the number of distinct prefixes.
func (s *Set) Len() int { return s.prefixes }

// SizeBytes returns the approximate heap bytes held by the Set (with
// BackendRanger the trie's share is an estimate, see bytesPerPrefix).
func (s *Set) SizeBytes() int {
	n := 2*len(s.gate.v4)*8 + len(s.odd)*48
	if s.flat != nil {
		n += s.flat.sizeBytes()
	}
	if s.ranger != nil {
		n += s.prefixes*bytesPerPrefix + s.ids*4
	}
	return n
}

// Backend returns the structure the Set answers lookups from.
func (s *Set) Backend() Backend {
	if s.ranger != nil {
		return BackendRanger
	}
	return BackendFlat
}
