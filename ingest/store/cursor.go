package store

import (
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Cursor is the saved position of one source and feed.
type Cursor struct {
	// Value is the source's opaque cursor ("" before the first page).
	Value string
	// CaughtUp is set once a pull reached the end of the feed: the initial
	// full sync is over and later pulls are incremental.
	CaughtUp bool
	// Updated is when the cursor was written.
	Updated time.Time
}

func cursorKey(source, feed string) ([]byte, error) {
	if source == "" || strings.IndexByte(source, 0) >= 0 || strings.IndexByte(feed, 0) >= 0 {
		return nil, fmt.Errorf("store: bad cursor key %q/%q", source, feed)
	}
	return []byte(source + "\x00" + feed), nil
}

func encodeCursor(c Cursor) []byte {
	b := []byte{1, 0}
	if c.CaughtUp {
		b[1] = 1
	}
	b = binary.AppendVarint(b, c.Updated.UnixNano())
	b = binary.AppendUvarint(b, uint64(len(c.Value)))
	return append(b, c.Value...)
}

func decodeCursor(b []byte) (Cursor, error) {
	var c Cursor
	if len(b) < 2 || b[0] != 1 || b[1] > 1 {
		return c, fmt.Errorf("%w: cursor header", ErrCorrupt)
	}
	c.CaughtUp = b[1] == 1
	b = b[2:]
	ns, n := binary.Varint(b)
	if n <= 0 {
		return c, fmt.Errorf("%w: cursor time", ErrCorrupt)
	}
	c.Updated = time.Unix(0, ns).UTC()
	v, rest, ok := readBytes(b[n:])
	if !ok || len(rest) != 0 {
		return c, fmt.Errorf("%w: cursor value", ErrCorrupt)
	}
	c.Value = string(v)
	return c, nil
}

// Cursor returns the saved cursor of source and feed; the zero Cursor when
// there is none.
func (s *Store) Cursor(source, feed string) (Cursor, error) {
	k, err := cursorKey(source, feed)
	if err != nil {
		return Cursor{}, err
	}
	var c Cursor
	err = s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketCursor).Get(k)
		if v == nil {
			return nil
		}
		var err error
		c, err = decodeCursor(v)
		return err
	})
	return c, err
}

// ResetCursor forgets the cursor of source and feed, so the next sync is a
// full one. Stored indicators stay.
func (s *Store) ResetCursor(source, feed string) error {
	k, err := cursorKey(source, feed)
	if err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketCursor).Delete(k) })
}

// Cursors returns every saved cursor keyed by "source/feed".
func (s *Store) Cursors() (map[string]Cursor, error) {
	out := map[string]Cursor{}
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketCursor).ForEach(func(k, v []byte) error {
			c, err := decodeCursor(v)
			if err != nil {
				return err
			}
			out[strings.Replace(string(k), "\x00", "/", 1)] = c
			return nil
		})
	})
	return out, err
}
