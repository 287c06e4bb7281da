package snapshot

import (
	"bytes"
	"encoding/hex"
	"sort"
	"strings"
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
	var u [16]byte
	if !strings.HasPrefix(id, idPrefix) {
		return u, false
	}
	s := id[len(idPrefix):]
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, false
	}
	hexs := s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:36]
	if _, err := hex.Decode(u[:], []byte(hexs)); err != nil {
		return u, false
	}
	// Only lower-case hex round-trips; keep other spellings verbatim.
	if strings.ToLower(s) != s {
		return u, false
	}
	return u, true
}

func formatUUID(u [16]byte) string {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:36], u[10:16])
	return idPrefix + string(b[:])
}

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
