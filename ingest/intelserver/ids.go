package intelserver

import (
	"crypto/sha1"
	"encoding/hex"
	"hash/fnv"
	"time"
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
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
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
