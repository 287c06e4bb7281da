package ingest

import (
	"context"
	"encoding/json"

	"github.com/indicator-matcher/matcher/ingest/store"
)

// Source is a feed that pages from a cursor. Implementations need not be
// safe for concurrent use: one Syncer calls one Source at a time.
type Source interface {
	// Key names the cursor in the store: the source kind ("rest", "taxii",
	// "file") and the feed.
	Key() (source, feed string)
	// Fetch returns the page that follows cur. A Page with CaughtUp set is
	// the last one for now. On error the caller keeps cur.
	Fetch(ctx context.Context, cur store.Cursor) (Page, error)
}

// Page is one page of a Source.
type Page struct {
	// Objects are STIX objects owned by the caller.
	Objects []json.RawMessage
	// Cursor is the value to save once Objects are stored.
	Cursor string
	// CaughtUp reports that the feed has nothing after this page for now.
	CaughtUp bool
}
