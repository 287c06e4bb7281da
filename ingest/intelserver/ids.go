package intelserver

import (
	"crypto/sha1"
	"hash/fnv"
	"time"

	"github.com/indicator-matcher/matcher/engine/indicator"
)

// stableUUID returns a name-based (version 5 style) UUID of name in this
// package's namespace: the same name always gives the same id.
func stableUUID(name string) string {
	h := sha1.New()
	h.Write([]byte("indicator-matcher/intelserver\x00"))
	h.Write([]byte(name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return indicator.FormatUUID(u)
}

// stableID is "<typ>--<stableUUID(typ+name)>".
func stableID(typ, name string) string { return typ + "--" + stableUUID(typ+"\x00"+name) }

// pick returns a number in [0, n) derived from s and salt.
func pick(s, salt string, n int) int {
	h := fnv.New64a()
	h.Write([]byte(salt))
	h.Write([]byte{0})
	h.Write([]byte(s))
	return int(h.Sum64() % uint64(n))
}

// stixTime formats t the way the API does: UTC, microseconds.
func stixTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }
