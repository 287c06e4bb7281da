package snapshot

import (
	"bytes"
	"sort"
	"strings"

	"github.com/indicator-matcher/matcher/engine/indicator"
)

// idPrefix is the type prefix of indicator ids.
const idPrefix = "indicator--"

// idTable stores indicator ids compactly: the 16 bytes of the UUID for
// well-formed ids, the full string for the rest. It also keeps the ids in
// sorted order for lookups by id.
type idTable struct {
	uuids     [][16]byte
	other     map[uint32]string // ids that are not indicator--<uuid>
	otherByID map[string]uint32
	sorted    []uint32 // plan indexes of UUID ids, ordered by UUID
}

func parseUUID(id string) ([16]byte, bool) {
	if !strings.HasPrefix(id, idPrefix) {
		return [16]byte{}, false
	}
	return indicator.ParseUUID(id[len(idPrefix):])
}

func formatUUID(u [16]byte) string { return idPrefix + indicator.FormatUUID(u) }

func (t *idTable) add(id string) {
	i := uint32(len(t.uuids))
	u, ok := parseUUID(id)
	if !ok {
		if t.other == nil {
			t.other = map[uint32]string{}
		}
		t.other[i] = id
	}
	t.uuids = append(t.uuids, u)
}

func (t *idTable) get(i uint32) string {
	if s, ok := t.other[i]; ok {
		return s
	}
	return formatUUID(t.uuids[i])
}

// freeze builds the lookup structures.
func (t *idTable) freeze() {
	t.sorted = t.sorted[:0]
	for i := range t.uuids {
		if _, odd := t.other[uint32(i)]; !odd {
			t.sorted = append(t.sorted, uint32(i))
		}
	}
	sort.Slice(t.sorted, func(a, b int) bool {
		return bytes.Compare(t.uuids[t.sorted[a]][:], t.uuids[t.sorted[b]][:]) < 0
	})
	if len(t.other) > 0 {
		t.otherByID = make(map[string]uint32, len(t.other))
		for i, s := range t.other {
			t.otherByID[s] = i
		}
	}
}

// find returns the plan index of id.
func (t *idTable) find(id string) (uint32, bool) {
	u, ok := parseUUID(id)
	if !ok {
		i, found := t.otherByID[id]
		return i, found
	}
	n := sort.Search(len(t.sorted), func(i int) bool { return bytes.Compare(t.uuids[t.sorted[i]][:], u[:]) >= 0 })
	if n < len(t.sorted) && t.uuids[t.sorted[n]] == u {
		return t.sorted[n], true
	}
	return 0, false
}

func (t *idTable) sizeBytes() int {
	n := len(t.uuids)*16 + len(t.sorted)*4
	for _, s := range t.other {
		n += 2 * (len(s) + 24)
	}
	return n
}
