package store

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/indicator-matcher/matcher/engine/indicator"
	bolt "go.etcd.io/bbolt"
)

// maxReportedErrors bounds Changes.Errors.
const maxReportedErrors = 10

// Changes describes what one Apply did. Every indicator id whose state
// changed appears once, in Upserted or in Removed.
type Changes struct {
	Source, Feed string
	Cursor       Cursor

	// Upserted holds indicators inserted or replaced by a newer version
	// that are active (not revoked, not expired) now.
	Upserted []Record
	// Removed holds ids that were stored and are no longer active: revoked
	// (and deleted), or replaced by a version that is already expired.
	Removed []string

	Received int // objects in the page
	Stored   int // indicator versions written
	Revoked  int // revocations applied (deleted or tombstoned)
	Stale    int // indicators not newer than what is stored
	Skipped  int // objects that are not indicators
	Invalid  int // indicators that did not decode
	// Errors describes the first invalid objects.
	Errors []string
}

// Empty reports whether the page changed no indicator.
func (c *Changes) Empty() bool { return len(c.Upserted) == 0 && len(c.Removed) == 0 }

// Apply stores one page of STIX objects and the cursor that follows it, in
// one transaction. Objects other than indicators are skipped; indicators
// that do not decode are counted in Invalid and skipped. For each
// indicator the version with the latest modified wins (on a tie a
// revocation wins); a revoked one is deleted and tombstoned.
//
// Apply never keeps objs or their bytes past the call.
func (s *Store) Apply(source, feed string, objs []json.RawMessage, cur Cursor) (Changes, error) {
	ck, err := cursorKey(source, feed)
	if err != nil {
		return Changes{}, err
	}
	if cur.Updated.IsZero() {
		cur.Updated = s.now()
	}
	now := s.now()
	ch := Changes{Source: source, Feed: feed, Cursor: cur, Received: len(objs)}
	type change struct {
		rec     Record
		removed bool
	}
	var order []string
	final := map[string]change{}
	note := func(id string, c change) {
		if _, ok := final[id]; !ok {
			order = append(order, id)
		}
		final[id] = c
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		raw, match, tomb := tx.Bucket(bucketRaw), tx.Bucket(bucketMatch), tx.Bucket(bucketTomb)
		for _, obj := range objs {
			ind, err := indicator.Decode(obj)
			if errors.Is(err, indicator.ErrNotIndicator) {
				ch.Skipped++
				continue
			}
			if err != nil {
				ch.Invalid++
				if len(ch.Errors) < maxReportedErrors {
					ch.Errors = append(ch.Errors, err.Error())
				}
				continue
			}
			id := []byte(ind.ID)
			existed := false
			var prev indicator.Indicator // only Modified and Revoked are used
			if v := match.Get(id); v != nil {
				h, err := decodeHead(v)
				if err != nil {
					return fmt.Errorf("store: %s: %w", ind.ID, err)
				}
				existed = true
				prev.Modified = h.modified
			} else if v := tomb.Get(id); v != nil {
				t, rest, ok := readTime(v)
				if !ok || len(rest) != 0 {
					return fmt.Errorf("store: %s: %w: tombstone", ind.ID, ErrCorrupt)
				}
				prev.Modified, prev.Revoked = t, true
			}
			if (existed || prev.Revoked) && !ind.NewerThan(&prev) {
				ch.Stale++
				continue
			}
			if ind.Revoked {
				if err := raw.Delete(id); err != nil {
					return err
				}
				if err := match.Delete(id); err != nil {
					return err
				}
				if err := tomb.Put(id, appendTime(nil, ind.Modified)); err != nil {
					return err
				}
				ch.Revoked++
				if existed {
					note(ind.ID, change{removed: true})
				}
				continue
			}
			rec := RecordOf(&ind)
			if err := raw.Put(id, ind.Raw); err != nil {
				return err
			}
			if err := match.Put(id, appendRecord(nil, &rec)); err != nil {
				return err
			}
			if prev.Revoked {
				if err := tomb.Delete(id); err != nil {
					return err
				}
			}
			ch.Stored++
			switch {
			case rec.ActiveAt(now):
				note(ind.ID, change{rec: rec})
			case existed:
				note(ind.ID, change{removed: true})
			}
		}
		return tx.Bucket(bucketCursor).Put(ck, encodeCursor(cur))
	})
	if err != nil {
		return Changes{}, fmt.Errorf("store: apply %s/%s: %w", source, feed, err)
	}
	for _, id := range order {
		if c := final[id]; c.removed {
			ch.Removed = append(ch.Removed, id)
		} else {
			ch.Upserted = append(ch.Upserted, c.rec)
		}
	}
	return ch, nil
}
