package intel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Bundle is a STIX bundle as the context endpoints return it.
type Bundle struct {
	Type    string            `json:"type"`
	ID      string            `json:"id"`
	Objects []json.RawMessage `json:"objects"`
}

// Object fetches objects/{id}. The API answers {"data": {…}}; a bare object
// and {"items": [obj]} are accepted too. The result is the object's JSON.
func (c *Client) Object(ctx context.Context, id string) (json.RawMessage, error) {
	return c.single(ctx, "objects/", id)
}

// Relationship fetches relationships/{id}, shaped like Object.
func (c *Client) Relationship(ctx context.Context, id string) (json.RawMessage, error) {
	return c.single(ctx, "relationships/", id)
}

func (c *Client) single(ctx context.Context, prefix, id string) (json.RawMessage, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	return getParsed(ctx, c, prefix+url.PathEscape(id), nil, ParseObject)
}

// ParseObject decodes the answer of objects/{id}: {"data": obj}, {"items":
// [obj]} or a bare object (one with a "type").
func ParseObject(body []byte) (json.RawMessage, error) {
	var w struct {
		Data  json.RawMessage   `json:"data"`
		Items []json.RawMessage `json:"items"`
		Type  string            `json:"type"`
	}
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, fmt.Errorf("object: %w", err)
	}
	switch {
	case len(w.Data) > 0 && string(w.Data) != "null":
		if err := checkObject(w.Data); err != nil {
			return nil, fmt.Errorf("object: data: %w", err)
		}
		return w.Data, nil
	case len(w.Items) == 1:
		if err := checkObject(w.Items[0]); err != nil {
			return nil, fmt.Errorf("object: items: %w", err)
		}
		return w.Items[0], nil
	case w.Type != "":
		return append(json.RawMessage(nil), body...), nil
	}
	return nil, errors.New("object: no data")
}

// Context fetches objects/{id}/context: a bundle of the object, its
// first-level relationships and related objects, relevant courses of
// action, sources and markings. A bundle wrapped in {"data": …} is
// accepted.
func (c *Client) Context(ctx context.Context, id string) (*Bundle, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	return getParsed(ctx, c, "objects/"+url.PathEscape(id)+"/context", nil, ParseBundle)
}

// ParseBundle decodes a bundle, bare or wrapped in {"data": …}.
func ParseBundle(body []byte) (*Bundle, error) {
	var w struct {
		Bundle
		Data *Bundle `json:"data"`
	}
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	b := &w.Bundle
	if w.Data != nil {
		b = w.Data
	}
	if b.Type != "bundle" {
		return nil, fmt.Errorf("bundle: type %q", clip(b.Type, 40))
	}
	for i, o := range b.Objects {
		if err := checkObject(o); err != nil {
			return nil, fmt.Errorf("bundle: object %d: %w", i, err)
		}
	}
	return b, nil
}

// IndicatorContext looks an observable up with indicators/context?type=&
// value=. typ is one of ipv4-addr, ipv6-addr, domain-name, url, file (value
// is a hash), filename, email-addr. It returns one bundle per matching
// indicator; none is not an error.
func (c *Client) IndicatorContext(ctx context.Context, typ, value string) ([]Bundle, error) {
	if typ == "" || value == "" || strings.ContainsAny(typ, "/?#&") {
		return nil, fmt.Errorf("intel: indicator context: bad type %q or empty value", clip(typ, 40))
	}
	u, err := c.resolve("indicators/context", url.Values{"type": {typ}, "value": {value}})
	if err != nil {
		return nil, err
	}
	var out []Bundle
	err = c.get(ctx, u, request{accept: "application/json"}, func(body []byte, _ http.Header) error {
		var w struct {
			HasMore bool               `json:"has_more"`
			Items   *[]json.RawMessage `json:"items"`
		}
		if err := json.Unmarshal(body, &w); err != nil {
			return fmt.Errorf("indicator context: %w", err)
		}
		if w.Items == nil {
			return errors.New("indicator context: no items")
		}
		out = make([]Bundle, 0, len(*w.Items))
		for _, it := range *w.Items {
			b, err := ParseBundle(it)
			if err != nil {
				return fmt.Errorf("indicator context: %w", err)
			}
			out = append(out, *b)
		}
		return nil
	})
	return out, err
}
