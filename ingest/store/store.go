// Package store is the durable indicator store of the feed ingest, kept in
// one bbolt file.
//
// It holds, per indicator id, the raw JSON exactly as the feed sent it and
// a compact match record (id, pattern, pattern_type, valid_from,
// valid_until, modified) that the engine loads at start-up without decoding
// JSON. The latest modified wins; a revoked indicator is deleted and leaves
// a tombstone (its id and modified time) so an older copy cannot come back.
// Expired indicators (valid_until passed) stay stored; ForEachActive skips
// them. Per source and feed it also keeps the feed cursor.
//
// Crash safety: Apply writes a page's objects and the cursor that follows
// the page in one bbolt transaction, which is atomic and fsynced on commit.
// After kill -9 (or a power cut, unless Options.NoSync) the file holds
// either the state before the page or the state after it, cursor included,
// so a restart resumes where the last committed page left off and loses or
// repeats nothing.
//
// A Store is safe for concurrent use: any number of readers run beside one
// writer (bbolt's MVCC). Only one process may open the file at a time.
package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Bucket names and the schema version of the file.
var (
	bucketMeta   = []byte("meta")
	bucketRaw    = []byte("raw")    // id -> raw JSON
	bucketMatch  = []byte("match")  // id -> compact match record
	bucketTomb   = []byte("tomb")   // id -> modified (revoked ids)
	bucketCursor = []byte("cursor") // source \x00 feed -> cursor record
	keySchema    = []byte("schema")
)

const schemaVersion = "indicator-store/1"

// Errors that callers branch on.
var (
	ErrNotFound = errors.New("store: indicator not found")
	ErrSchema   = errors.New("store: file has another schema")
	ErrCorrupt  = errors.New("store: corrupt record")
)

// Options configures Open. The zero value is the safe default.
type Options struct {
	// NoSync skips fsync on commit. The store still survives kill -9 (the
	// kernel keeps the written pages) but not a power cut. For benchmarks
	// and bulk loads only.
	NoSync bool
	// ReadOnly opens the file shared and read-only.
	ReadOnly bool
	// LockTimeout bounds the wait for the file lock held by another
	// process. Default 2 s.
	LockTimeout time.Duration
	// Now is the clock used to tell active from expired in Changes.
	// Default time.Now.
	Now func() time.Time
}

// Store is an open indicator store. See the package doc for its contract.
type Store struct {
	db   *bolt.DB
	path string
	now  func() time.Time
}

// Open opens or creates the store at path.
func Open(path string, opts Options) (*Store, error) {
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = 2 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if !opts.ReadOnly {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout:      opts.LockTimeout,
		NoSync:       opts.NoSync,
		ReadOnly:     opts.ReadOnly,
		FreelistType: bolt.FreelistMapType,
	})
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return nil, fmt.Errorf("store: %s is in use by another process: %w", path, err)
		}
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	s := &Store{db: db, path: path, now: opts.Now}
	if err := s.init(opts.ReadOnly); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) init(readOnly bool) error {
	check := func(tx *bolt.Tx) error {
		m := tx.Bucket(bucketMeta)
		if m == nil {
			return fmt.Errorf("%w: %s has no meta bucket", ErrSchema, s.path)
		}
		if v := m.Get(keySchema); string(v) != schemaVersion {
			return fmt.Errorf("%w: %s is %q, want %q", ErrSchema, s.path, v, schemaVersion)
		}
		for _, b := range [][]byte{bucketRaw, bucketMatch, bucketTomb, bucketCursor} {
			if tx.Bucket(b) == nil {
				return fmt.Errorf("%w: %s lacks bucket %s", ErrSchema, s.path, b)
			}
		}
		return nil
	}
	if readOnly {
		return s.db.View(check)
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketMeta) == nil {
			m, err := tx.CreateBucket(bucketMeta)
			if err != nil {
				return fmt.Errorf("store: %w", err)
			}
			if err := m.Put(keySchema, []byte(schemaVersion)); err != nil {
				return fmt.Errorf("store: %w", err)
			}
			for _, b := range [][]byte{bucketRaw, bucketMatch, bucketTomb, bucketCursor} {
				if _, err := tx.CreateBucketIfNotExists(b); err != nil {
					return fmt.Errorf("store: %w", err)
				}
			}
		}
		return check(tx)
	})
}

// Path returns the file name.
func (s *Store) Path() string { return s.path }

// Close closes the file. Calls after Close fail.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}
