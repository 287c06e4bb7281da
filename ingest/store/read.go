package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/indicator-matcher/matcher/engine/indicator"
	bolt "go.etcd.io/bbolt"
)

// Get returns the stored indicator id, decoded from its raw JSON (which is
// in Raw). A revoked or unknown id gives ErrNotFound; an expired one is
// returned.
func (s *Store) Get(id string) (indicator.Indicator, error) {
	var ind indicator.Indicator
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketRaw).Get([]byte(id))
		if v == nil {
			return fmt.Errorf("%w: %s", ErrNotFound, id)
		}
		var err error
		ind, err = indicator.Decode(v) // Decode copies v into Raw
		return err
	})
	return ind, err
}

// GetRaw returns a copy of the raw JSON of the stored indicator id.
func (s *Store) GetRaw(id string) (json.RawMessage, error) {
	var out json.RawMessage
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketRaw).Get([]byte(id))
		if v == nil {
			return fmt.Errorf("%w: %s", ErrNotFound, id)
		}
		out = bytes.Clone(v)
		return nil
	})
	return out, err
}

// ForEachActive calls fn with the match record of every stored indicator
// that is active at now (see Record.ActiveAt), in id order, inside one
// read transaction: it sees one consistent snapshot while a sync goes on.
// It decodes no JSON. An error from fn stops the scan and is returned.
func (s *Store) ForEachActive(now time.Time, fn func(Record) error) error {
	return s.scan(func(h *recordHead) bool { return h.activeAt(now) }, fn)
}

// ForEachRecord is ForEachActive without the activity filter: expired
// indicators are included.
func (s *Store) ForEachRecord(fn func(Record) error) error {
	return s.scan(func(*recordHead) bool { return true }, fn)
}

func (s *Store) scan(keep func(*recordHead) bool, fn func(Record) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketMatch).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			h, err := decodeHead(v)
			if err != nil {
				return fmt.Errorf("store: %s: %w", k, err)
			}
			if !keep(&h) {
				continue
			}
			if err := fn(h.record(k)); err != nil {
				return err
			}
		}
		return nil
	})
}

// ForEachRaw calls fn with every stored indicator's id and raw JSON in id
// order. raw is valid only during the call.
func (s *Store) ForEachRaw(fn func(id string, raw []byte) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketRaw).ForEach(func(k, v []byte) error { return fn(string(k), v) })
	})
}

// Counts are the sizes of the store's buckets.
type Counts struct {
	Indicators int // stored, expired included
	Tombstones int // revoked ids
	Cursors    int
}

// Counts returns the bucket sizes. It walks the buckets' pages.
func (s *Store) Counts() (Counts, error) {
	var c Counts
	err := s.db.View(func(tx *bolt.Tx) error {
		c.Indicators = tx.Bucket(bucketRaw).Stats().KeyN
		c.Tombstones = tx.Bucket(bucketTomb).Stats().KeyN
		c.Cursors = tx.Bucket(bucketCursor).Stats().KeyN
		return nil
	})
	return c, err
}

// Digest returns a hash of the store's logical contents at now: every
// stored indicator's id and raw JSON, and the set of active ids. Two stores
// with the same digest hold the same indicators and would load the same
// matching set. Cursors and tombstones are not part of it.
func (s *Store) Digest(now time.Time) (string, error) {
	h := sha256.New()
	var n [8]byte
	put := func(b []byte) {
		l := len(b)
		for i := range n {
			n[i] = byte(l >> (8 * i))
		}
		h.Write(n[:])
		h.Write(b)
	}
	err := s.db.View(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketRaw).ForEach(func(k, v []byte) error {
			put(k)
			put(v)
			return nil
		}); err != nil {
			return err
		}
		h.Write([]byte("\x00active\x00"))
		c := tx.Bucket(bucketMatch).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			rh, err := decodeHead(v)
			if err != nil {
				return fmt.Errorf("store: %s: %w", k, err)
			}
			if rh.activeAt(now) {
				put(k)
			}
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
