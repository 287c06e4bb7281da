package intel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// TAXIIMediaType is the Accept header of every TAXII request.
const TAXIIMediaType = "application/taxii+json;version=2.1"

// TAXIIDiscovery is the TAXII 2.1 discovery resource.
type TAXIIDiscovery struct {
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Contact     string   `json:"contact,omitempty"`
	Default     string   `json:"default,omitempty"`
	APIRoots    []string `json:"api_roots"`
}

// TAXIIAPIRoot is the API root information resource.
type TAXIIAPIRoot struct {
	Title            string   `json:"title"`
	Description      string   `json:"description,omitempty"`
	Versions         []string `json:"versions"`
	MaxContentLength int64    `json:"max_content_length"`
}

// TAXIICollection is one collection; on this API its id is a feed id.
type TAXIICollection struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	CanRead     bool     `json:"can_read"`
	CanWrite    bool     `json:"can_write"`
	MediaTypes  []string `json:"media_types,omitempty"`
}

// TAXIIQuery is one request to a collection's objects.
type TAXIIQuery struct {
	Limit       int       // page size; 0 means MaxFeedLimit
	Next        string    // the previous envelope's next
	AddedAfter  time.Time // added_after; zero sends none
	Types       []string  // match[type]
	SpecVersion string    // match[spec_version]
}

// TAXIIEnvelope is one page of objects.
type TAXIIEnvelope struct {
	More    bool              `json:"more"`
	Next    string            `json:"next,omitempty"`
	Objects []json.RawMessage `json:"objects,omitempty"`
	// DateAddedFirst and DateAddedLast are the X-TAXII-Date-Added-First and
	// -Last headers, zero when absent.
	DateAddedFirst time.Time `json:"-"`
	DateAddedLast  time.Time `json:"-"`
}

// TAXIIDiscover reads the discovery resource beside the API root
// (…/taxii-server/taxii2/, falling back to …/taxii/ on 404).
func (c *Client) TAXIIDiscover(ctx context.Context) (*TAXIIDiscovery, error) {
	var d TAXIIDiscovery
	var err error
	for _, p := range []string{"taxii2/", "taxii/"} {
		u := c.taxiiRoot.ResolveReference(&url.URL{Path: p})
		err = c.get(ctx, u, request{accept: TAXIIMediaType, basic: true}, jsonInto(&d))
		if !errors.Is(err, ErrNotFound) {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// TAXIIAPIRootInfo reads the API root resource at root (TAXIIRoot() when
// empty).
func (c *Client) TAXIIAPIRootInfo(ctx context.Context, root string) (*TAXIIAPIRoot, error) {
	u, err := c.taxiiURL(root, "")
	if err != nil {
		return nil, err
	}
	var r TAXIIAPIRoot
	if err := c.get(ctx, u, request{accept: TAXIIMediaType, basic: true}, jsonInto(&r)); err != nil {
		return nil, err
	}
	return &r, nil
}

// TAXIICollections lists the collections of root (TAXIIRoot() when empty).
func (c *Client) TAXIICollections(ctx context.Context, root string) ([]TAXIICollection, error) {
	u, err := c.taxiiURL(root, "collections/")
	if err != nil {
		return nil, err
	}
	var r struct {
		Collections []TAXIICollection `json:"collections"`
	}
	if err := c.get(ctx, u, request{accept: TAXIIMediaType, basic: true}, jsonInto(&r)); err != nil {
		return nil, err
	}
	return r.Collections, nil
}

// TAXIIObjects fetches one page of a collection's objects.
func (c *Client) TAXIIObjects(ctx context.Context, root, collection string, q TAXIIQuery) (*TAXIIEnvelope, error) {
	if err := checkID(collection); err != nil {
		return nil, err
	}
	u, err := c.taxiiURL(root, "collections/"+url.PathEscape(collection)+"/objects/")
	if err != nil {
		return nil, err
	}
	limit := q.Limit
	if limit == 0 {
		limit = MaxFeedLimit
	}
	if limit < 1 || limit > MaxFeedLimit {
		return nil, fmt.Errorf("intel: TAXII limit %d outside 1..%d", q.Limit, MaxFeedLimit)
	}
	v := url.Values{"limit": {strconv.Itoa(limit)}}
	if q.Next != "" {
		v.Set("next", q.Next)
	}
	if !q.AddedAfter.IsZero() {
		v.Set("added_after", q.AddedAfter.UTC().Format(time.RFC3339Nano))
	}
	if len(q.Types) > 0 {
		v.Set("match[type]", strings.Join(q.Types, ","))
	}
	if q.SpecVersion != "" {
		v.Set("match[spec_version]", q.SpecVersion)
	}
	u.RawQuery = v.Encode()
	var env *TAXIIEnvelope
	err = c.get(ctx, u, request{accept: TAXIIMediaType, basic: true}, func(body []byte, h http.Header) error {
		e, err := ParseTAXIIEnvelope(body)
		if err != nil {
			return err
		}
		e.DateAddedFirst, _ = time.Parse(time.RFC3339Nano, h.Get("X-TAXII-Date-Added-First"))
		e.DateAddedLast, _ = time.Parse(time.RFC3339Nano, h.Get("X-TAXII-Date-Added-Last"))
		env = e
		return nil
	})
	return env, err
}

// ParseTAXIIEnvelope decodes a TAXII 2.1 envelope. An empty object is a
// valid, empty envelope.
func ParseTAXIIEnvelope(body []byte) (*TAXIIEnvelope, error) {
	var e TAXIIEnvelope
	if err := json.Unmarshal(body, &e); err != nil {
		return nil, fmt.Errorf("taxii envelope: %w", err)
	}
	for i, o := range e.Objects {
		if err := checkObject(o); err != nil {
			return nil, fmt.Errorf("taxii envelope: object %d: %w", i, err)
		}
	}
	return &e, nil
}

// taxiiURL joins rel to root. A root on another host than the configured
// one is refused, so that a discovery answer cannot send the key elsewhere.
func (c *Client) taxiiURL(root, rel string) (*url.URL, error) {
	r := c.taxiiRoot
	if root != "" {
		u, err := parseHTTPURL(root)
		if err != nil {
			return nil, fmt.Errorf("intel: TAXII root: %w", err)
		}
		if u.Host != c.taxiiRoot.Host || u.Scheme != c.taxiiRoot.Scheme {
			return nil, fmt.Errorf("intel: TAXII root %s is not on the configured host", u.Redacted())
		}
		if !strings.HasSuffix(u.Path, "/") {
			u.Path += "/"
		}
		r = u
	}
	ref, err := url.Parse(rel)
	if err != nil {
		return nil, fmt.Errorf("intel: %w", err)
	}
	return r.ResolveReference(ref), nil
}

func jsonInto(v any) func([]byte, http.Header) error {
	return func(b []byte, _ http.Header) error { return json.Unmarshal(b, v) }
}
