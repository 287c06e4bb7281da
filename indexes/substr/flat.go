package substr

import "slices"

// flatDFA is an Aho-Corasick automaton compiled to a complete
// deterministic automaton over byte classes, stored in pointer-free
// slices: the garbage collector never scans it, and a step is one table
// load.
//
// Bytes that occur in no fragment share class 0; every other byte has a
// class of its own, except that a case-folding automaton gives A-Z the
// class of a-z, so haystacks need no folding copy. A transition to a state
// at which some fragment ends is stored complemented (^next), so the scan
// tests a sign instead of loading a flag.
type flatDFA struct {
	classes [256]uint8
	nc      int32   // number of classes
	delta   []int32 // delta[s*nc+c]: next state, complemented if it has output
	out     []int32 // fragment ending at state s, or -1
	dict    []int32 // nearest state on s's failure chain with output, or -1
}

// flatBytes estimates the heap of a flat automaton with the given number
// of states and classes.
func flatBytes(states, classes int64) int64 {
	return states*classes*4 + states*8 + 256
}

// newFlatDFA builds the automaton of frags (distinct, non-empty, already
// folded when fold is set).
func newFlatDFA(frags [][]byte, fold bool) *flatDFA {
	d := &flatDFA{}
	var used [256]bool
	for _, f := range frags {
		for _, c := range f {
			used[c] = true
		}
	}
	nc := int32(1)
	for c := range 256 {
		if used[c] {
			d.classes[c] = uint8(nc)
			nc++
		}
	}
	if fold {
		for c := 'A'; c <= 'Z'; c++ {
			d.classes[c] = d.classes[c+'a'-'A']
		}
	}
	d.nc = nc
	// The trie: state 0 is the root; -1 marks a missing edge. There is at
	// most one state per fragment byte, plus the root.
	most := 1
	for _, f := range frags {
		most += len(f)
	}
	d.delta = make([]int32, 0, most*int(nc))
	d.out = make([]int32, 0, most)
	newState := func() int32 {
		s := int32(len(d.out))
		for range nc {
			d.delta = append(d.delta, -1)
		}
		d.out = append(d.out, -1)
		return s
	}
	newState()
	for i, f := range frags {
		s := int32(0)
		for _, c := range f {
			t := &d.delta[s*nc+int32(d.classes[c])]
			if *t < 0 {
				n := newState()
				t = &d.delta[s*nc+int32(d.classes[c])] // delta may have moved
				*t = n
			}
			s = *t
		}
		d.out[s] = int32(i)
	}
	// Breadth first: failure links, dictionary links, and the missing
	// edges filled from the failure state's (already complete) row.
	fail := make([]int32, len(d.out))
	d.dict = make([]int32, len(d.out))
	d.dict[0] = -1
	queue := make([]int32, 0, len(d.out))
	for c := range nc {
		t := &d.delta[c]
		if *t < 0 {
			*t = 0
			continue
		}
		fail[*t] = 0
		d.dict[*t] = -1
		queue = append(queue, *t)
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for c := range nc {
			t := &d.delta[s*nc+c]
			via := d.delta[fail[s]*nc+c]
			if *t < 0 {
				*t = via
				continue
			}
			fail[*t] = via
			if d.out[via] >= 0 {
				d.dict[*t] = via
			} else {
				d.dict[*t] = d.dict[via]
			}
			queue = append(queue, *t)
		}
	}
	if len(d.out) < most*3/4 { // shared prefixes: give the spare room back
		d.delta, d.out = slices.Clone(d.delta), slices.Clone(d.out)
	}
	// Mark the transitions into states with output.
	for i, t := range d.delta {
		if d.out[t] >= 0 || d.dict[t] >= 0 {
			d.delta[i] = ^t
		}
	}
	return d
}

// sizeBytes is the heap the automaton holds.
func (d *flatDFA) sizeBytes() int {
	return 4*(cap(d.delta)+cap(d.out)+cap(d.dict)) + 256
}

// contains reports whether some fragment occurs in h.
func (d *flatDFA) contains(h []byte) bool {
	s, nc := int32(0), d.nc
	for _, c := range h {
		s = d.delta[s*nc+int32(d.classes[c])]
		if s < 0 {
			return true
		}
	}
	return false
}

// appendIDs appends the posting ids of every fragment occurrence in h
// (ids[idOff[f]:idOff[f+1]] for fragment f, repeated if f occurs twice).
func (d *flatDFA) appendIDs(dst []uint32, h []byte, idOff, ids []uint32) []uint32 {
	s, nc := int32(0), d.nc
	for _, c := range h {
		s = d.delta[s*nc+int32(d.classes[c])]
		if s >= 0 {
			continue
		}
		s = ^s
		for o := s; o >= 0; o = d.dict[o] {
			if f := d.out[o]; f >= 0 {
				dst = append(dst, ids[idOff[f]:idOff[f+1]]...)
			}
		}
	}
	return dst
}
