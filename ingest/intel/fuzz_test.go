package intel_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/indicator-matcher/matcher/ingest/intel"
)

// seeds adds the real API examples to a fuzz corpus.
func seeds(f *testing.F, extra ...string) {
	files, _ := filepath.Glob("../../testdata/sekoia/*.json")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err == nil {
			f.Add(b)
		}
	}
	for _, e := range extra {
		f.Add([]byte(e))
	}
}

func FuzzParseFeedPage(f *testing.F) {
	seeds(f, `{"items": [], "next_cursor": "abcd"}`, `{"items": [{"type":"indicator"}], "next_cursor": null}`, `{"next_cursor": "x"}`)
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := intel.ParseFeedPage(b)
		if err != nil {
			return
		}
		for _, it := range p.Items {
			var m map[string]any
			if json.Unmarshal(it, &m) != nil {
				t.Fatalf("item %q is not an object", it)
			}
		}
	})
}

func FuzzParseBundle(f *testing.F) {
	seeds(f, `{"data": {"type": "bundle", "id": "bundle--1", "objects": []}}`)
	f.Fuzz(func(t *testing.T, b []byte) {
		if bd, err := intel.ParseBundle(b); err == nil && bd.Type != "bundle" {
			t.Fatalf("type %q", bd.Type)
		}
	})
}

func FuzzParseObject(f *testing.F) {
	seeds(f, `{"data": {"type": "indicator"}}`, `{"items": [{"type": "x"}]}`)
	f.Fuzz(func(t *testing.T, b []byte) {
		if o, err := intel.ParseObject(b); err == nil && !json.Valid(o) {
			t.Fatalf("invalid object %q", o)
		}
	})
}

func FuzzParseTAXIIEnvelope(f *testing.F) {
	seeds(f, `{"more": true, "next": "n", "objects": [{"type": "indicator"}]}`, `{}`)
	f.Fuzz(func(t *testing.T, b []byte) {
		if e, err := intel.ParseTAXIIEnvelope(b); err == nil {
			for _, o := range e.Objects {
				if !json.Valid(o) {
					t.Fatalf("invalid object %q", o)
				}
			}
		}
	})
}
