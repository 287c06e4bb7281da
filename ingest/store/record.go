package store

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/indicator-matcher/matcher/engine/indicator"
)

// Record is the part of an indicator the engine compiles. Records handed to
// callers own their strings.
type Record struct {
	ID          string
	Pattern     string
	PatternType string
	ValidFrom   time.Time // zero when absent
	ValidUntil  time.Time // zero when absent (no end)
	Modified    time.Time
	Revoked     bool
	// Benign is set when indicator_types holds "benign": the indicator
	// names a known-good value, which the engine uses as an allow-list.
	Benign bool
}

// ActiveAt reports whether r belongs in the matching set at t: not revoked
// and not expired (valid_until is absent or after t). A valid_from in the
// future does not make a record inactive; the engine checks it per event.
func (r *Record) ActiveAt(t time.Time) bool {
	return !r.Revoked && (r.ValidUntil.IsZero() || t.Before(r.ValidUntil))
}

// RecordOf extracts the match record of a decoded indicator.
func RecordOf(ind *indicator.Indicator) Record {
	return Record{
		ID:          ind.ID,
		Pattern:     ind.Pattern,
		PatternType: ind.PatternType,
		ValidFrom:   ind.ValidFrom,
		ValidUntil:  ind.ValidUntil,
		Modified:    ind.Modified,
		Revoked:     ind.Revoked,
		Benign:      slices.Contains(ind.IndicatorTypes, "benign"),
	}
}

// Record encoding (the value of the match bucket; the id is the key):
//
//	byte     version (1)
//	byte     flags: 1 valid_from, 2 valid_until, 4 revoked, 8 benign
//	varint   modified seconds, uvarint nanoseconds
//	[varint, uvarint] valid_from when flag 1
//	[varint, uvarint] valid_until when flag 2
//	uvarint  len, bytes: pattern_type
//	uvarint  len, bytes: pattern
const recordVersion = 1

const (
	flagValidFrom  = 1
	flagValidUntil = 2
	flagRevoked    = 4
	flagBenign     = 8
)

func appendTime(b []byte, t time.Time) []byte {
	b = binary.AppendVarint(b, t.Unix())
	return binary.AppendUvarint(b, uint64(t.Nanosecond()))
}

// appendRecord appends the encoding of r (without its id) to b.
func appendRecord(b []byte, r *Record) []byte {
	var flags byte
	if !r.ValidFrom.IsZero() {
		flags |= flagValidFrom
	}
	if !r.ValidUntil.IsZero() {
		flags |= flagValidUntil
	}
	if r.Revoked {
		flags |= flagRevoked
	}
	if r.Benign {
		flags |= flagBenign
	}
	b = append(b, recordVersion, flags)
	b = appendTime(b, r.Modified)
	if flags&flagValidFrom != 0 {
		b = appendTime(b, r.ValidFrom)
	}
	if flags&flagValidUntil != 0 {
		b = appendTime(b, r.ValidUntil)
	}
	b = binary.AppendUvarint(b, uint64(len(r.PatternType)))
	b = append(b, r.PatternType...)
	b = binary.AppendUvarint(b, uint64(len(r.Pattern)))
	return append(b, r.Pattern...)
}

// recordHead is the fixed part of a record, decoded without allocating.
type recordHead struct {
	flags                         byte
	modified, validFrom, validUnt time.Time
	patternType, pattern          []byte // borrowed from the input
}

func readTime(b []byte) (time.Time, []byte, bool) {
	sec, n := binary.Varint(b)
	if n <= 0 {
		return time.Time{}, nil, false
	}
	b = b[n:]
	ns, n := binary.Uvarint(b)
	if n <= 0 || ns >= 1e9 {
		return time.Time{}, nil, false
	}
	return time.Unix(sec, int64(ns)).UTC(), b[n:], true
}

func readBytes(b []byte) ([]byte, []byte, bool) {
	l, n := binary.Uvarint(b)
	if n <= 0 || l > uint64(len(b)-n) {
		return nil, nil, false
	}
	b = b[n:]
	return b[:l], b[l:], true
}

// decodeHead parses an encoded record. The byte slices it returns borrow
// from b.
func decodeHead(b []byte) (recordHead, error) {
	var h recordHead
	if len(b) < 2 || b[0] != recordVersion {
		return h, fmt.Errorf("%w: bad version", ErrCorrupt)
	}
	h.flags = b[1]
	if h.flags&^(flagValidFrom|flagValidUntil|flagRevoked|flagBenign) != 0 {
		return h, fmt.Errorf("%w: bad flags", ErrCorrupt)
	}
	b = b[2:]
	var ok bool
	if h.modified, b, ok = readTime(b); !ok {
		return h, fmt.Errorf("%w: modified", ErrCorrupt)
	}
	if h.flags&flagValidFrom != 0 {
		if h.validFrom, b, ok = readTime(b); !ok {
			return h, fmt.Errorf("%w: valid_from", ErrCorrupt)
		}
	}
	if h.flags&flagValidUntil != 0 {
		if h.validUnt, b, ok = readTime(b); !ok {
			return h, fmt.Errorf("%w: valid_until", ErrCorrupt)
		}
	}
	if h.patternType, b, ok = readBytes(b); !ok {
		return h, fmt.Errorf("%w: pattern_type", ErrCorrupt)
	}
	if h.pattern, b, ok = readBytes(b); !ok {
		return h, fmt.Errorf("%w: pattern", ErrCorrupt)
	}
	if len(b) != 0 {
		return h, fmt.Errorf("%w: %d trailing bytes", ErrCorrupt, len(b))
	}
	return h, nil
}

// activeAt is Record.ActiveAt on an encoded record.
func (h *recordHead) activeAt(t time.Time) bool {
	return h.flags&flagRevoked == 0 && (h.flags&flagValidUntil == 0 || t.Before(h.validUnt))
}

// record materialises h with the given id. The id and pattern share one
// allocation; "stix" is interned.
func (h *recordHead) record(id []byte) Record {
	var sb strings.Builder
	sb.Grow(len(id) + len(h.pattern))
	sb.Write(id)
	sb.Write(h.pattern)
	s := sb.String()
	r := Record{
		ID:         s[:len(id)],
		Pattern:    s[len(id):],
		ValidFrom:  h.validFrom,
		ValidUntil: h.validUnt,
		Modified:   h.modified,
		Revoked:    h.flags&flagRevoked != 0,
		Benign:     h.flags&flagBenign != 0,
	}
	if string(h.patternType) == "stix" {
		r.PatternType = "stix"
	} else {
		r.PatternType = string(h.patternType)
	}
	return r
}

// DecodeRecord decodes an encoded match record (the value stored under id).
func DecodeRecord(id, b []byte) (Record, error) {
	h, err := decodeHead(b)
	if err != nil {
		return Record{}, err
	}
	return h.record(id), nil
}

// EncodeRecord returns the stored encoding of r (without its id).
func EncodeRecord(r *Record) []byte { return appendRecord(nil, r) }
