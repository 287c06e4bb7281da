package indicator

import (
	"bytes"
	"cmp"
	"fmt"
	"hash/maphash"
	"runtime"
	"slices"
	"sync"
	"time"
)

// Set is an immutable collection of indicators held as their raw JSON in
// a few large byte chunks, with the head of each in a pointer-free table.
// A million indicators cost the garbage collector a few dozen pointers
// instead of tens of millions of strings, so a process that keeps the
// whole feed for its alerts does not pay for it in collection pauses.
//
// A Set is safe for concurrent use. The zero value is an empty set.
type Set struct {
	chunks [][]byte
	ents   []setEntry
	index  []int32 // ents sorted by id hash; superseded ones left out
	seed   maphash.Seed
}

// setEntry locates one indicator in the chunks: its id, pattern, pattern
// type and raw JSON, in that order, then its head's times and flags.
type setEntry struct {
	hash                        uint64
	chunk, off                  uint32
	idLen, patLen, rawLen       uint32
	typLen                      uint8
	flags                       uint8
	from, until, modified       int64 // Unix seconds
	fromNs, untilNs, modifiedNs int32
}

const (
	entRevoked uint8 = 1 << iota
	entBenign
	entFrom
	entUntil
	entModified
	entSuperseded
)

// chunkSize is the size of the arena chunks; an object larger than this
// gets a chunk of its own.
const chunkSize = 1 << 20

// SetBuilder collects indicators for a Set. Of two indicators with one id,
// the newer (NewerThan) wins, the first one on a tie. A SetBuilder is not
// safe for concurrent use; the zero value is ready.
type SetBuilder struct {
	set  Set
	init bool
}

// Add decodes the head of one indicator object and keeps a copy of its
// bytes. It returns the errors of DecodeHead (ErrNotIndicator for other
// object types), and keeps nothing then.
func (b *SetBuilder) Add(data []byte) error {
	h, err := DecodeHead(data)
	if err != nil {
		return err
	}
	return b.add(&h, data)
}

// AddBatch is Add for many objects, whose heads it decodes on every CPU.
// The objects are added in order; errs[i] is Add's error for objs[i].
func (b *SetBuilder) AddBatch(objs [][]byte) (errs []error) {
	heads := make([]Head, len(objs))
	errs = make([]error, len(objs))
	workers := min(runtime.GOMAXPROCS(0), 1+len(objs)/64)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(objs); i += workers {
				heads[i], errs[i] = DecodeHead(objs[i])
			}
		})
	}
	wg.Wait()
	for i := range objs {
		if errs[i] == nil {
			errs[i] = b.add(&heads[i], objs[i])
		}
	}
	return errs
}

func (b *SetBuilder) add(h *Head, data []byte) error {
	if !b.init {
		b.set.seed = maphash.MakeSeed()
		b.init = true
	}
	if len(h.PatternType) > 255 {
		return fmt.Errorf("indicator: %s: pattern_type longer than 255 bytes", h.ID)
	}
	s := &b.set
	n := len(h.ID) + len(h.Pattern) + len(h.PatternType) + len(data)
	last := len(s.chunks) - 1
	if last < 0 || len(s.chunks[last])+n > cap(s.chunks[last]) {
		s.chunks = append(s.chunks, make([]byte, 0, max(chunkSize, n)))
		last++
	}
	c := s.chunks[last]
	e := setEntry{
		hash: maphash.String(s.seed, h.ID), chunk: uint32(last), off: uint32(len(c)),
		idLen: uint32(len(h.ID)), patLen: uint32(len(h.Pattern)), rawLen: uint32(len(data)), typLen: uint8(len(h.PatternType)),
	}
	c = append(c, h.ID...)
	c = append(c, h.Pattern...)
	c = append(c, h.PatternType...)
	s.chunks[last] = append(c, data...)
	e.from, e.fromNs = splitTime(h.ValidFrom, &e.flags, entFrom)
	e.until, e.untilNs = splitTime(h.ValidUntil, &e.flags, entUntil)
	e.modified, e.modifiedNs = splitTime(h.Modified, &e.flags, entModified)
	if h.Revoked {
		e.flags |= entRevoked
	}
	if h.Benign {
		e.flags |= entBenign
	}
	s.ents = append(s.ents, e)
	return nil
}

func splitTime(t time.Time, flags *uint8, bit uint8) (int64, int32) {
	if t.IsZero() {
		return 0, 0
	}
	*flags |= bit
	return t.Unix(), int32(t.Nanosecond())
}

func joinTime(sec int64, ns int32, flags, bit uint8) time.Time {
	if flags&bit == 0 {
		return time.Time{}
	}
	return time.Unix(sec, int64(ns)).UTC()
}

// Set resolves duplicate ids and returns the set. The builder must not be
// used afterwards.
func (b *SetBuilder) Set() *Set {
	s := &b.set
	order := make([]int32, len(s.ents))
	for i := range order {
		order[i] = int32(i)
	}
	// By hash, then order of addition: ids are compared only within a run
	// of equal hashes, which is almost always one entry long.
	slices.SortFunc(order, func(x, y int32) int {
		if c := cmp.Compare(s.ents[x].hash, s.ents[y].hash); c != 0 {
			return c
		}
		return cmp.Compare(x, y)
	})
	for i := 0; i < len(order); {
		j := i + 1
		for j < len(order) && s.ents[order[j]].hash == s.ents[order[i]].hash {
			j++
		}
		s.resolve(order[i:j])
		i = j
	}
	s.index = slices.DeleteFunc(order, func(x int32) bool { return s.ents[x].flags&entSuperseded != 0 })
	s.index = slices.Clip(s.index)
	out := *s
	*s = Set{}
	return &out
}

// resolve marks the superseded entries of a run of equal hashes, given in
// order of addition: of those with one id, the newest stays, the first on
// a tie.
func (s *Set) resolve(run []int32) {
	for a, x := range run {
		ex := &s.ents[x]
		if ex.flags&entSuperseded != 0 {
			continue
		}
		for _, y := range run[a+1:] {
			ey := &s.ents[y]
			if ey.flags&entSuperseded != 0 || !bytes.Equal(s.idBytes(ex), s.idBytes(ey)) {
				continue
			}
			hx, hy := s.head(ex), s.head(ey)
			if hy.newerThan(&hx) {
				ex.flags |= entSuperseded
				break // y is now the candidate; it meets the rest in its own turn
			}
			ey.flags |= entSuperseded
		}
	}
}

// bytesOf returns n bytes of e's record from offset at.
func (s *Set) bytesOf(e *setEntry, at, n uint32) []byte {
	start := e.off + at
	return s.chunks[e.chunk][start : start+n]
}

func (s *Set) idBytes(e *setEntry) []byte { return s.bytesOf(e, 0, e.idLen) }

func (s *Set) id(e *setEntry) string { return string(s.idBytes(e)) }

func (s *Set) raw(e *setEntry) []byte {
	return s.bytesOf(e, e.idLen+e.patLen+uint32(e.typLen), e.rawLen)
}

func (s *Set) head(e *setEntry) Head {
	return Head{
		ID:          s.id(e),
		Pattern:     string(s.bytesOf(e, e.idLen, e.patLen)),
		PatternType: string(s.bytesOf(e, e.idLen+e.patLen, uint32(e.typLen))),
		ValidFrom:   joinTime(e.from, e.fromNs, e.flags, entFrom),
		ValidUntil:  joinTime(e.until, e.untilNs, e.flags, entUntil),
		Modified:    joinTime(e.modified, e.modifiedNs, e.flags, entModified),
		Revoked:     e.flags&entRevoked != 0,
		Benign:      e.flags&entBenign != 0,
	}
}

// Len returns the number of indicators, duplicates resolved.
func (s *Set) Len() int { return len(s.index) }

// Bytes returns the size of the raw JSON the set holds.
func (s *Set) Bytes() int {
	n := 0
	for _, c := range s.chunks {
		n += len(c)
	}
	return n
}

// ForEach calls fn with the head of every indicator, in the order they
// were added, and stops at the first error.
func (s *Set) ForEach(fn func(Head) error) error {
	for i := range s.ents {
		e := &s.ents[i]
		if e.flags&entSuperseded != 0 {
			continue
		}
		if err := fn(s.head(e)); err != nil {
			return err
		}
	}
	return nil
}

// Get decodes the whole indicator with the given id. ok is false when the
// set has no such indicator.
func (s *Set) Get(id string) (ind Indicator, ok bool, err error) {
	if len(s.index) == 0 {
		return Indicator{}, false, nil
	}
	h := maphash.String(s.seed, id)
	i, _ := slices.BinarySearchFunc(s.index, h, func(x int32, h uint64) int { return cmp.Compare(s.ents[x].hash, h) })
	for ; i < len(s.index) && s.ents[s.index[i]].hash == h; i++ {
		if e := &s.ents[s.index[i]]; string(s.idBytes(e)) == id {
			ind, err = Decode(s.raw(e))
			return ind, err == nil, err
		}
	}
	return Indicator{}, false, nil
}
