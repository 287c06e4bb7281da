package intel_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/indicator-matcher/matcher/ingest/intel"
)

func TestObjectsAndContext(t *testing.T) {
	s, hs := standIn(t)
	c := newClient(t, fastConfig(t, hs.URL+"/api/"))
	ctx := context.Background()
	id := s.IndicatorIDs()[5]
	obj, err := c.Object(ctx, id)
	want, _ := s.Object(id)
	if err != nil || !bytes.Equal(obj, want) {
		t.Fatalf("Object: %v", err)
	}
	b, err := c.Context(ctx, id)
	if err != nil || b.Type != "bundle" || len(b.Objects) < 5 {
		t.Fatalf("Context: %v %+v", err, b)
	}
	if !bytes.Equal(b.Objects[0], want) {
		t.Fatal("context does not start with the indicator")
	}
	var relID string
	for _, o := range b.Objects {
		var m struct{ Type, ID string }
		json.Unmarshal(o, &m)
		if m.Type == "relationship" {
			relID = m.ID
		}
	}
	rel, err := c.Relationship(ctx, relID)
	if err != nil || !bytes.Contains(rel, []byte(relID)) {
		t.Fatalf("Relationship: %v", err)
	}
	if _, err := c.Object(ctx, "indicator--00000000-0000-4000-8000-000000000000"); !errors.Is(err, intel.ErrNotFound) {
		t.Fatalf("unknown object: %v", err)
	}
	// Look the indicator up by its value.
	var ind struct{ Pattern string }
	json.Unmarshal(want, &ind)
	typ, val := "", ""
	for _, id := range s.IndicatorIDs() {
		raw, _ := s.Object(id)
		json.Unmarshal(raw, &ind)
		if strings.HasPrefix(ind.Pattern, "[domain-name:value = '") {
			typ, val = "domain-name", strings.TrimSuffix(strings.TrimPrefix(ind.Pattern, "[domain-name:value = '"), "']")
			break
		}
	}
	bs, err := c.IndicatorContext(ctx, typ, val)
	if err != nil || len(bs) == 0 {
		t.Fatalf("IndicatorContext(%s, %s): %v %d", typ, val, err, len(bs))
	}
	bs, err = c.IndicatorContext(ctx, "domain-name", "nothing.invalid")
	if err != nil || len(bs) != 0 {
		t.Fatalf("no match: %v %d", err, len(bs))
	}
	// Generic GET shares the key, limiter and retries.
	var rels struct {
		Items []map[string]json.RawMessage `json:"items"`
	}
	if err := c.GetJSON(ctx, "objects/"+id+"/relationships", nil, &rels); err != nil || len(rels.Items) != 2 {
		t.Fatalf("GetJSON: %v %d", err, len(rels.Items))
	}
	if err := c.GetJSON(ctx, "../../elsewhere", nil, &rels); err == nil {
		t.Fatal("path escaping the base accepted")
	}
	if got := s.Counts(); got["object"] != 2 || got["object-context"] != 1 || got["relationship"] != 1 || got["indicator-context"] != 2 {
		t.Fatalf("counts %v", got)
	}
}

func TestTAXIIClient(t *testing.T) {
	s, hs := standIn(t)
	c := newClient(t, fastConfig(t, hs.URL+"/api/"))
	ctx := context.Background()
	d, err := c.TAXIIDiscover(ctx)
	if err != nil || len(d.APIRoots) != 1 || d.APIRoots[0] != c.TAXIIRoot() {
		t.Fatalf("discover: %v %+v (root %s)", err, d, c.TAXIIRoot())
	}
	root, err := c.TAXIIAPIRootInfo(ctx, d.APIRoots[0])
	if err != nil || len(root.Versions) == 0 {
		t.Fatalf("api root: %v", err)
	}
	cols, err := c.TAXIICollections(ctx, "")
	if err != nil || len(cols) != 1 || cols[0].ID != intel.DefaultFeedID || !cols[0].CanRead {
		t.Fatalf("collections: %v %+v", err, cols)
	}
	n, next := 0, ""
	for {
		env, err := c.TAXIIObjects(ctx, "", intel.DefaultFeedID, intel.TAXIIQuery{Limit: 111, Next: next, Types: []string{"indicator"}})
		if err != nil {
			t.Fatal(err)
		}
		n += len(env.Objects)
		next = env.Next
		if len(env.Objects) > 0 && env.DateAddedLast.IsZero() {
			t.Fatal("no X-TAXII-Date-Added-Last")
		}
		if !env.More {
			break
		}
	}
	if n != len(s.Indicators()) {
		t.Fatalf("TAXII: %d, want %d", n, len(s.Indicators()))
	}
	if _, err := c.TAXIIObjects(ctx, "https://elsewhere.invalid/taxii/", intel.DefaultFeedID, intel.TAXIIQuery{}); err == nil {
		t.Fatal("a root on another host was accepted")
	}
}
