package exact

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"hash/maphash"
	"math"
	"slices"
)

// MaxKeyLen is the longest key a Builder accepts. Longer observables can
// still be looked up; they simply miss.
const MaxKeyLen = 1<<24 - 1

// maxArena bounds the key bytes a Builder holds (offsets are 32-bit).
const maxArena = math.MaxUint32

// Errors returned by Builder.Add. Callers branch on them with errors.Is.
var (
	ErrKeyTooLong = errors.New("exact: key longer than MaxKeyLen")
	ErrTooLarge   = errors.New("exact: builder holds 4 GiB of key bytes")
)

// loadFactor is the highest share of occupied slots in the table. A miss
// probes 1/2*(1+1/(1-a)^2) slots on average with linear probing: 3.6 at 0.6.
const loadFactor = 0.6

// Builder collects (key, id) pairs and builds an immutable Set. Keys are
// copied, so the caller may reuse its buffers. Duplicate (key, id) pairs
// collapse into one.
//
// The zero value is ready to use with Gate set to GateAuto. A Builder is
// not safe for concurrent use; Build may be called more than once and each
// call returns an independent Set.
type Builder struct {
	// Gate chooses whether Build puts a bloom filter in front of the table.
	Gate Gate
	// GateFPRate is the bloom filter's target false-positive rate; zero
	// means DefaultGateFPRate.
	GateFPRate float64

	seed   maphash.Seed
	seeded bool
	arena  []byte
	ents   []pending
}

// pending is one added pair: the key is arena[off:off+n].
type pending struct {
	hash uint64
	off  uint32
	n    uint32
	id   uint32
}

// Add records that key maps to id. It copies key. It fails only for a key
// longer than MaxKeyLen or when the builder already holds 4 GiB of keys; the
// pair is then not added and the builder stays usable.
func (b *Builder) Add(key []byte, id uint32) error {
	if len(key) > MaxKeyLen {
		return fmt.Errorf("%w: %d bytes", ErrKeyTooLong, len(key))
	}
	if uint64(len(b.arena))+uint64(len(key)) > maxArena {
		return ErrTooLarge
	}
	if !b.seeded {
		b.seed, b.seeded = maphash.MakeSeed(), true
	}
	off := uint32(len(b.arena))
	b.arena = append(b.arena, key...)
	b.ents = append(b.ents, pending{hash: maphash.Bytes(b.seed, key), off: off, n: uint32(len(key)), id: id})
	return nil
}

// Len returns the number of pairs added so far, duplicates included.
func (b *Builder) Len() int { return len(b.ents) }

func (b *Builder) key(p *pending) []byte { return b.arena[p.off : p.off+p.n] }

// Build returns a Set holding every pair added so far. The Builder keeps its
// contents and may go on being used.
func (b *Builder) Build() *Set {
	if len(b.ents) == 0 {
		return &Set{}
	}
	ents := slices.Clone(b.ents)
	slices.SortFunc(ents, func(x, y pending) int {
		if c := cmp.Compare(x.hash, y.hash); c != 0 {
			return c
		}
		if c := bytes.Compare(b.key(&x), b.key(&y)); c != 0 {
			return c
		}
		return cmp.Compare(x.id, y.id)
	})

	// Count distinct keys and their bytes to size everything exactly.
	keys, keyBytes := 0, 0
	for i := range ents {
		if i == 0 || !b.sameKey(&ents[i-1], &ents[i]) {
			keys++
			keyBytes += int(ents[i].n)
		}
	}
	s := &Set{
		seed:  b.seed,
		slots: make([]slot, tableSize(keys)),
		arena: make([]byte, 0, keyBytes),
		keys:  keys,
	}
	var gate gateBuilder
	if b.Gate.enabled(keys) {
		gate = newGateBuilder(keys, b.GateFPRate)
	}
	for i := 0; i < len(ents); {
		j := i + 1
		for j < len(ents) && b.sameKey(&ents[i], &ents[j]) {
			j++
		}
		group := ents[i:j]
		sl := slot{tag: tagOf(group[0].hash), off: uint32(len(s.arena)), klen: group[0].n}
		s.arena = append(s.arena, b.key(&group[0])...)
		ids := distinctIDs(group)
		if ids == 1 {
			sl.id = group[0].id
		} else {
			sl.klen |= multiBit
			sl.id = uint32(len(s.multi))
			s.multi = append(s.multi, uint32(ids))
			for k := range group {
				if k == 0 || group[k].id != group[k-1].id {
					s.multi = append(s.multi, group[k].id)
				}
			}
		}
		s.insert(group[0].hash, sl)
		gate.add(group[0].hash)
		i = j
	}
	s.gate = gate.build()
	return s
}

func (b *Builder) sameKey(x, y *pending) bool {
	return x.hash == y.hash && bytes.Equal(b.key(x), b.key(y))
}

// distinctIDs counts distinct ids in a group sorted by id.
func distinctIDs(group []pending) int {
	n := 1
	for k := 1; k < len(group); k++ {
		if group[k].id != group[k-1].id {
			n++
		}
	}
	return n
}

// tableSize returns the slot count for n keys: at most loadFactor full and
// always with at least one empty slot so that probing terminates.
func tableSize(n int) int {
	return int(float64(n)/loadFactor) + 1
}
