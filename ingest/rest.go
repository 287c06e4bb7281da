package ingest

import (
	"context"
	"fmt"
	"time"

	"github.com/indicator-matcher/matcher/ingest/intel"
	"github.com/indicator-matcher/matcher/ingest/store"
)

// RESTOptions configures a RESTSource. The zero value asks the default feed
// for indicators, 2000 per page.
type RESTOptions struct {
	FeedID string   // default intel.DefaultFeedID
	Limit  int      // page size, 1..2000; default 2000
	Types  []string // match[type]; default ["indicator"]; use ["*"] for no filter
	// ModifiedAfter limits the first sync (no cursor yet) to objects
	// created or modified after it.
	ModifiedAfter time.Time
	// SkipExpired asks the server not to send expired indicators.
	SkipExpired bool
	// IncludeRevokedInitial sends include_revoked=true on the very first
	// request as well. By default that request (no cursor yet: nothing is
	// stored from this feed, so nothing can be revoked) sends false, and
	// every later one sends true: an object revoked while the initial sync
	// runs moves to the end of the feed and its revocation must be seen.
	IncludeRevokedInitial bool
}

// RESTSource reads collections/{feed_id}/objects. It stops a pull when a
// page has fewer items than the limit (the documented rule) or when
// next_cursor is null or unchanged (what Sekoia's own tools check).
type RESTSource struct {
	c    *intel.Client
	opts RESTOptions
}

// NewRESTSource makes a REST feed source on c.
func NewRESTSource(c *intel.Client, opts RESTOptions) (*RESTSource, error) {
	if opts.FeedID == "" {
		opts.FeedID = intel.DefaultFeedID
	}
	if err := pagingDefaults(&opts.Limit, &opts.Types); err != nil {
		return nil, err
	}
	return &RESTSource{c: c, opts: opts}, nil
}

// Key implements Source.
func (s *RESTSource) Key() (string, string) { return "rest", s.opts.FeedID }

// Fetch implements Source.
func (s *RESTSource) Fetch(ctx context.Context, cur store.Cursor) (Page, error) {
	incl := cur.Value != "" || s.opts.IncludeRevokedInitial
	q := intel.FeedQuery{
		Limit:          s.opts.Limit,
		Cursor:         cur.Value,
		Types:          s.opts.Types,
		SkipExpired:    s.opts.SkipExpired,
		IncludeRevoked: &incl,
	}
	if cur.Value == "" {
		q.ModifiedAfter = s.opts.ModifiedAfter
	}
	p, err := s.c.FeedPage(ctx, s.opts.FeedID, q)
	if err != nil {
		return Page{}, fmt.Errorf("ingest: rest feed %s: %w", s.opts.FeedID, err)
	}
	next := p.NextCursor
	if next == "" {
		next = cur.Value
	}
	return Page{
		Objects:  p.Items,
		Cursor:   next,
		CaughtUp: len(p.Items) < s.opts.Limit || next == cur.Value,
	}, nil
}

// pagingDefaults applies the defaults REST and TAXII sources share: the
// largest page the API allows, and indicators only ("*" for every type).
func pagingDefaults(limit *int, types *[]string) error {
	if *limit == 0 {
		*limit = intel.MaxFeedLimit
	}
	if *limit < 1 || *limit > intel.MaxFeedLimit {
		return fmt.Errorf("ingest: limit %d outside 1..%d", *limit, intel.MaxFeedLimit)
	}
	switch {
	case *types == nil:
		*types = []string{"indicator"}
	case len(*types) == 1 && (*types)[0] == "*":
		*types = nil
	}
	return nil
}
