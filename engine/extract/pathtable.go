package extract

import "encoding/binary"

// pathTable is an immutable open-addressing hash table from key paths to
// actions, built once per profile. Its hash reads only the length and the
// first and last eight bytes of a path, which is enough to tell log field
// names apart and several times cheaper than hashing every byte; probing
// compares full keys, so collisions cost time, never correctness.
type pathTable struct {
	slots []pathSlot
	mask  uint64
}

type pathSlot struct {
	hash uint64
	key  string
	used bool
	a    action
}

func newPathTable(m map[string]*action) pathTable {
	n := 8
	for n < 2*len(m) {
		n <<= 1
	}
	t := pathTable{slots: make([]pathSlot, n), mask: uint64(n - 1)}
	for k, a := range m {
		h := hashPath([]byte(k))
		i := h & t.mask
		for t.slots[i].used {
			i = (i + 1) & t.mask
		}
		t.slots[i] = pathSlot{hash: h, key: k, used: true, a: *a}
	}
	return t
}

// lookupHash returns the action of path, or nil, and hashPath(path).
func (t *pathTable) lookupHash(path []byte) (*action, uint64) {
	h := hashPath(path)
	if len(t.slots) == 0 {
		return nil, h
	}
	i := h & t.mask
	for {
		s := &t.slots[i]
		if !s.used {
			return nil, h
		}
		if s.hash == h && s.key == string(path) {
			return &s.a, h
		}
		i = (i + 1) & t.mask
	}
}

func hashPath(b []byte) uint64 {
	n := len(b)
	var x, y uint64
	switch {
	case n >= 8:
		x = binary.LittleEndian.Uint64(b)
		y = binary.LittleEndian.Uint64(b[n-8:])
	case n >= 4:
		x = uint64(binary.LittleEndian.Uint32(b))
		y = uint64(binary.LittleEndian.Uint32(b[n-4:]))
	default:
		for i := 0; i < n; i++ {
			x |= uint64(b[i]) << (8 * i)
		}
	}
	h := (x ^ uint64(n)*0x9e3779b97f4a7c15) * 0xff51afd7ed558ccd
	h ^= (y ^ h>>31) * 0xc4ceb9fe1a85ec53
	return h ^ h>>29
}

// valueTable is the frozen form of a field's "values" map: raw value →
// replacement, with the same cheap hash as pathTable.
type valueTable struct {
	slots []valueSlot
	mask  uint64
}

type valueSlot struct {
	hash uint64
	key  string
	val  []byte
	used bool
}

func newValueTable(m map[string]string) *valueTable {
	n := 8
	for n < 2*len(m) {
		n <<= 1
	}
	t := &valueTable{slots: make([]valueSlot, n), mask: uint64(n - 1)}
	for k, v := range m {
		h := hashPath([]byte(k))
		i := h & t.mask
		for t.slots[i].used {
			i = (i + 1) & t.mask
		}
		t.slots[i] = valueSlot{hash: h, key: k, val: []byte(v), used: true}
	}
	return t
}

// get returns the replacement of v.
func (t *valueTable) get(v []byte) ([]byte, bool) {
	h := hashPath(v)
	i := h & t.mask
	for {
		s := &t.slots[i]
		if !s.used {
			return nil, false
		}
		if s.hash == h && s.key == string(v) {
			return s.val, true
		}
		i = (i + 1) & t.mask
	}
}
