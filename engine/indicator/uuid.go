package indicator

import (
	"encoding/hex"
	"strings"
)

// FormatUUID writes u in the canonical 8-4-4-4-12 lower-case form.
func FormatUUID(u [16]byte) string {
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
	return string(b[:])
}

// ParseUUID reads a UUID in the form FormatUUID writes. Other spellings
// (upper case, no dashes) are refused, so that a parsed id always formats
// back to the same string.
func ParseUUID(s string) ([16]byte, bool) {
	var u [16]byte
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' || strings.ToLower(s) != s {
		return u, false
	}
	for i, part := range [5][2]int{{0, 8}, {9, 13}, {14, 18}, {19, 23}, {24, 36}} {
		dst := [5]int{0, 4, 6, 8, 10}[i]
		if _, err := hex.Decode(u[dst:], []byte(s[part[0]:part[1]])); err != nil {
			return u, false
		}
	}
	return u, true
}
