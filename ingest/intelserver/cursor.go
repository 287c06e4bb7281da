package intelserver

import (
	"encoding/base64"
	"errors"
	"strings"
	"time"
)

// pos is a position in the feed: entries are ordered by (updated, id).
// A cursor encodes the position of the last entry a page covered.
type pos struct {
	t  time.Time
	id string
}

func (p pos) before(q pos) bool {
	if !p.t.Equal(q.t) {
		return p.t.Before(q.t)
	}
	return p.id < q.id
}

// encodeCursor gives base64("<timestamp>|<id>"). The real next_cursor is
// believed to be base64 of a timestamp; the id breaks ties.
func encodeCursor(p pos) string {
	s := p.t.UTC().Format(time.RFC3339Nano)
	if p.id != "" {
		s += "|" + p.id
	}
	return base64.StdEncoding.EncodeToString([]byte(s))
}

var errCursor = errors.New("invalid cursor")

// decodeCursor accepts our cursors and client-made ones: base64 (standard
// or URL alphabet, padded or not) of an ISO-8601 timestamp, as OpenCTI's
// connector sends ("2022-01-01T00:00:00Z", "…+00:00", even "…+00:00Z").
func decodeCursor(s string) (pos, error) {
	if s == "" || len(s) > 1024 {
		return pos{}, errCursor
	}
	var raw []byte
	var err error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if raw, err = enc.DecodeString(s); err == nil {
			break
		}
	}
	if err != nil {
		return pos{}, errCursor
	}
	ts, id, _ := strings.Cut(string(raw), "|")
	t, err := parseLooseTime(ts)
	if err != nil {
		return pos{}, errCursor
	}
	if id != "" && !strings.Contains(id, "--") {
		return pos{}, errCursor
	}
	return pos{t: t, id: id}, nil
}

// parseLooseTime parses RFC 3339 with any fraction, an offset followed by
// a stray "Z", or a time with no zone (taken as UTC).
func parseLooseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	if strings.HasSuffix(s, "Z") {
		if t, err := time.Parse(time.RFC3339Nano, strings.TrimSuffix(s, "Z")); err == nil {
			return t.UTC(), nil
		}
	}
	if t, err := time.Parse("2006-01-02T15:04:05.999999999", s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, errCursor
}
