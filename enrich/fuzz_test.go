package enrich

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/indicator-matcher/matcher/ingest/intel"
)

// FuzzBuild feeds context bundles (seeded with the real Sekoia examples)
// to Build, with a resolver answering from the bundle itself or with junk.
func FuzzBuild(f *testing.F) {
	files, _ := filepath.Glob(sekoiaDir + "*.json")
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		var w struct {
			Items []json.RawMessage `json:"items"`
		}
		if json.Unmarshal(raw, &w) == nil && len(w.Items) > 0 {
			for _, it := range w.Items {
				f.Add(withoutProse(it))
			}
			continue
		}
		if strings.HasPrefix(strings.TrimSpace(string(raw)), "[") {
			raw = append(append([]byte(`{"type":"bundle","id":"bundle--x","objects":`), raw...), '}')
		}
		f.Add(withoutProse(raw))
	}
	f.Add([]byte(`{"type":"bundle","objects":[{"type":"indicator","id":"indicator--a","object_marking_refs":["marking-definition--x"],"x_inthreat_sources_refs":["identity--s","relationship--r"]},{"type":"relationship","id":"relationship--b","source_ref":"indicator--a","target_ref":"relationship--r"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := intel.ParseBundle(data)
		if err != nil {
			return
		}
		byID := newMapResolver(b)
		junk := ResolverFunc(func(_ context.Context, id string) (json.RawMessage, error) {
			if len(id)%2 == 0 {
				return json.RawMessage(`{"type":"identity","id":"` + id + `","name":7}`), nil
			}
			return byID.Resolve(context.Background(), id)
		})
		for _, r := range []Resolver{nil, byID, junk} {
			d, err := Build(context.Background(), b, "", r, BuildOptions{FullBundle: true})
			if err != nil {
				continue
			}
			if d.Indicator.STIXID == "" {
				t.Fatal("digest without a root id")
			}
			for _, n := range []int{len(d.Sources), len(d.Malware), len(d.AttackPatterns), len(d.Relationships), len(d.Unresolved), len(d.Tactics)} {
				if n > MaxListLen {
					t.Fatalf("list of %d entries", n)
				}
			}
			if d.Fetched > DefaultMaxFetches {
				t.Fatalf("%d fetches", d.Fetched)
			}
			raw, err := json.Marshal(d)
			if err != nil || !json.Valid(raw) {
				t.Fatalf("marshal: %v", err)
			}
			if err := d.WriteText(io.Discard); err != nil {
				t.Fatal(err)
			}
			if _, err := json.Marshal(d.ECS(ECSMatched{})); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// withoutProse drops the descriptions of a bundle's objects: long prose
// the digest hardly reads, which would make every fuzz input (and its
// minimisation) slow.
func withoutProse(raw []byte) []byte {
	var b struct {
		Type    string           `json:"type"`
		ID      string           `json:"id"`
		Objects []map[string]any `json:"objects"`
	}
	if json.Unmarshal(raw, &b) != nil || b.Objects == nil {
		return raw
	}
	for _, o := range b.Objects {
		delete(o, "description")
	}
	out, err := json.Marshal(b)
	if err != nil {
		return raw
	}
	return out
}
