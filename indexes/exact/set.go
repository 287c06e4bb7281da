// Package exact is the exact-match index of the matcher: a compact,
// immutable hash set from byte-string keys to the uint32 posting ids of
// compiled indicator plans, with an optional bloom filter as a negative gate.
//
// Keys are opaque bytes; the engine keeps one Set per observable kind and
// encodes values itself (4 or 16 raw bytes for addresses, raw digests,
// lower-cased domains, ...). Lookups do not allocate.
//
// Layout: the distinct keys sit back to back in one byte arena; an
// open-addressing table (linear probing, load factor 0.6) holds 16-byte
// slots with a 32-bit hash tag, the key's offset and length and either the
// key's only id or, for keys with several ids, the offset of its id list in
// a shared []uint32. Hashing is hash/maphash with a seed drawn per Builder.
package exact

import (
	"hash/maphash"
	"math/bits"
	"unsafe"
)

// multiBit in slot.klen marks a key with several ids.
const multiBit = 1 << 31

// slot is one table cell. tag == 0 marks an empty cell.
type slot struct {
	tag  uint32 // low 32 bits of the key hash, low bit forced to 1
	off  uint32 // key offset in Set.arena
	klen uint32 // key length; multiBit set when id indexes Set.multi
	id   uint32 // the key's only id, or the offset of [count, ids...] in Set.multi
}

func tagOf(h uint64) uint32 { return uint32(h) | 1 }

// Set is an immutable exact-match set built by a Builder.
//
// A Set is safe for concurrent use by any number of goroutines without
// locking: nothing in it changes after Build. The zero value is an empty set
// on which every lookup misses.
type Set struct {
	seed  maphash.Seed
	slots []slot
	arena []byte
	multi []uint32
	gate  *gate
	keys  int
}

// insert places sl in the first free slot of its probe sequence. Only Build
// calls it, before the Set is published.
func (s *Set) insert(h uint64, sl slot) {
	n := uint64(len(s.slots))
	i, _ := bits.Mul64(h, n)
	for s.slots[i].tag != 0 {
		if i++; i == n {
			i = 0
		}
	}
	s.slots[i] = sl
}

// find returns the slot holding key, or nil.
func (s *Set) find(key []byte) *slot {
	n := uint64(len(s.slots))
	if n == 0 || len(key) > MaxKeyLen {
		return nil
	}
	h := maphash.Bytes(s.seed, key)
	if s.gate != nil && !s.gate.test(h) {
		return nil
	}
	tag, klen := tagOf(h), uint32(len(key))
	i, _ := bits.Mul64(h, n)
	for {
		sl := &s.slots[i]
		if sl.tag == tag && sl.klen&^multiBit == klen && string(s.arena[sl.off:sl.off+klen]) == string(key) {
			return sl
		}
		if sl.tag == 0 {
			return nil
		}
		if i++; i == n {
			i = 0
		}
	}
}

// Lookup returns the ids of key (empty Postings on a miss). It does not
// allocate.
func (s *Set) Lookup(key []byte) Postings {
	sl := s.find(key)
	switch {
	case sl == nil:
		return Postings{}
	case sl.klen&multiBit == 0:
		return Postings{one: sl.id, n: 1}
	default:
		cnt := s.multi[sl.id]
		return Postings{many: s.multi[sl.id+1 : sl.id+1+cnt : sl.id+1+cnt], n: cnt}
	}
}

// LookupAppend appends the ids of key, in ascending order, to dst and
// returns the extended slice. It allocates only if dst must grow.
func (s *Set) LookupAppend(dst []uint32, key []byte) []uint32 {
	return s.Lookup(key).AppendTo(dst)
}

// Contains reports whether key has at least one id.
func (s *Set) Contains(key []byte) bool { return s.find(key) != nil }

// Len returns the number of distinct keys.
func (s *Set) Len() int { return s.keys }

// Gated reports whether lookups pass a bloom filter before the table.
func (s *Set) Gated() bool { return s.gate != nil }

// SizeBytes returns the approximate heap bytes held by the Set.
func (s *Set) SizeBytes() int {
	n := int(unsafe.Sizeof(*s)) + cap(s.slots)*int(unsafe.Sizeof(slot{})) + cap(s.arena) + cap(s.multi)*4
	if s.gate != nil {
		n += s.gate.sizeBytes()
	}
	return n
}

// Postings is the read-only list of ids a key maps to, in ascending order
// without duplicates. The zero value is an empty list. It is a small value
// that views memory of its Set; it stays valid as long as the Set does.
type Postings struct {
	many []uint32
	one  uint32
	n    uint32
}

// Len returns the number of ids.
func (p Postings) Len() int { return int(p.n) }

// At returns the i-th id; it panics if i is out of range, like a slice.
func (p Postings) At(i int) uint32 {
	if p.many != nil {
		return p.many[i]
	}
	if i != 0 || p.n == 0 {
		panic("exact: Postings index out of range")
	}
	return p.one
}

// AppendTo appends the ids to dst and returns the extended slice.
func (p Postings) AppendTo(dst []uint32) []uint32 {
	if p.many != nil {
		return append(dst, p.many...)
	}
	if p.n == 1 {
		return append(dst, p.one)
	}
	return dst
}
