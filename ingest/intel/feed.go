package intel

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// FeedQuery is one request to collections/{feed_id}/objects.
type FeedQuery struct {
	// Limit is the page size, 1..MaxFeedLimit; 0 means MaxFeedLimit.
	Limit int
	// Cursor is the next_cursor of the previous page; empty on the first.
	Cursor string
	// Types fills match[type] (comma-separated); nil sends no filter.
	Types []string
	// ModifiedAfter, when not zero, is sent only with an empty Cursor (the
	// two are mutually exclusive in practice).
	ModifiedAfter time.Time
	// SkipExpired sends skip_expired=true.
	SkipExpired bool
	// IncludeRevoked, when not nil, sends include_revoked.
	IncludeRevoked *bool
}

// FeedPage is one page of the feed.
type FeedPage struct {
	// Items are the STIX objects, each a JSON object, in feed order. They
	// are copies owned by the caller.
	Items []json.RawMessage
	// NextCursor is next_cursor; empty when the server sent null or
	// nothing (keep the previous cursor then).
	NextCursor string
}

// Values returns the query string parameters of q.
func (q FeedQuery) Values() (url.Values, error) {
	v := url.Values{}
	limit := q.Limit
	if limit == 0 {
		limit = MaxFeedLimit
	}
	if limit < 1 || limit > MaxFeedLimit {
		return nil, fmt.Errorf("intel: feed limit %d outside 1..%d", q.Limit, MaxFeedLimit)
	}
	v.Set("limit", strconv.Itoa(limit))
	if len(q.Types) > 0 {
		v.Set("match[type]", strings.Join(q.Types, ","))
	}
	if q.Cursor != "" {
		v.Set("cursor", q.Cursor)
	} else if !q.ModifiedAfter.IsZero() {
		v.Set("modified_after", q.ModifiedAfter.UTC().Format("2006-01-02T15:04:05.000Z"))
	}
	if q.SkipExpired {
		v.Set("skip_expired", "true")
	}
	if q.IncludeRevoked != nil {
		v.Set("include_revoked", strconv.FormatBool(*q.IncludeRevoked))
	}
	return v, nil
}

// FeedPage fetches one page of the feed feedID (DefaultFeedID when empty).
// A body that does not parse is retried and, if it never parses, gives an
// error wrapping ErrBadResponse: the caller keeps its cursor.
func (c *Client) FeedPage(ctx context.Context, feedID string, q FeedQuery) (*FeedPage, error) {
	if feedID == "" {
		feedID = DefaultFeedID
	}
	if err := checkID(feedID); err != nil {
		return nil, err
	}
	vals, err := q.Values()
	if err != nil {
		return nil, err
	}
	return getParsed(ctx, c, "collections/"+url.PathEscape(feedID)+"/objects", vals, ParseFeedPage)
}

// ParseFeedPage decodes a feed page body: {"items": [...], "next_cursor":
// "…" | null}. Unknown top-level fields are ignored; items must be present
// and be JSON objects.
func ParseFeedPage(body []byte) (*FeedPage, error) {
	var raw struct {
		Items      *[]json.RawMessage `json:"items"`
		NextCursor *string            `json:"next_cursor"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, fmt.Errorf("feed page: %w", err)
	}
	if raw.Items == nil {
		return nil, errors.New("feed page: no items")
	}
	for i, it := range *raw.Items {
		if err := checkObject(it); err != nil {
			return nil, fmt.Errorf("feed page: item %d: %w", i, err)
		}
	}
	p := &FeedPage{Items: *raw.Items}
	if raw.NextCursor != nil {
		p.NextCursor = *raw.NextCursor
	}
	return p, nil
}

// checkObject accepts a JSON object (json.Unmarshal already validated it).
func checkObject(b json.RawMessage) error {
	b = bytes.TrimSpace(b)
	if len(b) < 2 || b[0] != '{' {
		return errors.New("not a JSON object")
	}
	return nil
}

// checkID rejects ids that could change the request path.
func checkID(id string) error {
	if id == "" || len(id) > 200 {
		return fmt.Errorf("intel: bad id %q", clip(id, 40))
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return fmt.Errorf("intel: bad id %q", clip(id, 40))
		}
	}
	if id == "." || id == ".." {
		return fmt.Errorf("intel: bad id %q", id)
	}
	return nil
}
