package ingest

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/indicator-matcher/matcher/ingest/intel"
	"github.com/indicator-matcher/matcher/ingest/store"
)

// TAXIIOptions configures a TAXIISource.
type TAXIIOptions struct {
	// Root is the API root URL; default the client's TAXIIRoot().
	Root string
	// Collection is the collection id; on this API it is the feed id.
	// Default intel.DefaultFeedID.
	Collection string
	Limit      int      // 1..2000, default 2000
	Types      []string // match[type]; default ["indicator"]; ["*"] for none
	// AddedAfter limits the first sync (no cursor yet).
	AddedAfter time.Time
}

// TAXIISource reads a TAXII 2.1 collection. Its cursor is "next:<token>"
// when the server gave a next token (Sekoia sends one even with more=false,
// and it works as an incremental cursor), else "added_after:<time>" from
// X-TAXII-Date-Added-Last, as a strict TAXII server needs.
type TAXIISource struct {
	c       *intel.Client
	opts    TAXIIOptions
	checked bool
}

// NewTAXIISource makes a TAXII source on c.
func NewTAXIISource(c *intel.Client, opts TAXIIOptions) (*TAXIISource, error) {
	if opts.Root == "" {
		opts.Root = c.TAXIIRoot()
	}
	if opts.Collection == "" {
		opts.Collection = intel.DefaultFeedID
	}
	if err := pagingDefaults(&opts.Limit, &opts.Types); err != nil {
		return nil, err
	}
	return &TAXIISource{c: c, opts: opts}, nil
}

// Key implements Source.
func (s *TAXIISource) Key() (string, string) { return "taxii", s.opts.Collection }

// check reads the API root and the collection list once, so that a wrong
// root or collection is reported clearly before any paging.
func (s *TAXIISource) check(ctx context.Context) error {
	if s.checked {
		return nil
	}
	root, err := s.c.TAXIIAPIRootInfo(ctx, s.opts.Root)
	if err != nil {
		return fmt.Errorf("ingest: taxii api root: %w", err)
	}
	ok := len(root.Versions) == 0
	for _, v := range root.Versions {
		ok = ok || strings.Contains(v, "version=2.1")
	}
	if !ok {
		return fmt.Errorf("ingest: taxii api root does not offer version 2.1 (%v)", root.Versions)
	}
	cols, err := s.c.TAXIICollections(ctx, s.opts.Root)
	if err != nil {
		return fmt.Errorf("ingest: taxii collections: %w", err)
	}
	for _, c := range cols {
		if c.ID == s.opts.Collection {
			if !c.CanRead {
				return fmt.Errorf("ingest: taxii collection %s is not readable with this key", c.ID)
			}
			s.checked = true
			return nil
		}
	}
	return fmt.Errorf("ingest: taxii collection %s not found at the API root", s.opts.Collection)
}

// Fetch implements Source.
func (s *TAXIISource) Fetch(ctx context.Context, cur store.Cursor) (Page, error) {
	if err := s.check(ctx); err != nil {
		return Page{}, err
	}
	q := intel.TAXIIQuery{Limit: s.opts.Limit, Types: s.opts.Types}
	switch v := cur.Value; {
	case strings.HasPrefix(v, "next:"):
		q.Next = strings.TrimPrefix(v, "next:")
	case strings.HasPrefix(v, "added_after:"):
		t, err := time.Parse(time.RFC3339Nano, strings.TrimPrefix(v, "added_after:"))
		if err != nil {
			return Page{}, fmt.Errorf("ingest: taxii: bad saved cursor: %w", err)
		}
		q.AddedAfter = t
	case v == "":
		q.AddedAfter = s.opts.AddedAfter
	default:
		return Page{}, fmt.Errorf("ingest: taxii: bad saved cursor %q", v)
	}
	env, err := s.c.TAXIIObjects(ctx, s.opts.Root, s.opts.Collection, q)
	if err != nil {
		return Page{}, fmt.Errorf("ingest: taxii collection %s: %w", s.opts.Collection, err)
	}
	next := cur.Value
	switch {
	case env.Next != "":
		next = "next:" + env.Next
	case !env.DateAddedLast.IsZero():
		next = "added_after:" + env.DateAddedLast.UTC().Format(time.RFC3339Nano)
	}
	if env.More && next == cur.Value {
		return Page{}, fmt.Errorf("ingest: taxii collection %s: more=true without next or X-TAXII-Date-Added-Last: cannot page", s.opts.Collection)
	}
	return Page{Objects: env.Objects, Cursor: next, CaughtUp: !env.More}, nil
}
