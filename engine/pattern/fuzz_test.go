package pattern

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"os"
	"testing"
)

// seedPatterns returns patterns from the bundled vectors and a sample of
// the real indicators.
func seedPatterns(tb testing.TB, limit int) []string {
	var out []string
	for _, f := range []string{"../../testdata/stix/visible-syntax.jsonl", "../../testdata/stix/visible-match.jsonl"} {
		fh, err := os.Open(f)
		if err != nil {
			tb.Logf("seed %s: %v", f, err)
			continue
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 16<<20)
		for sc.Scan() {
			var v struct{ Pattern string }
			if json.Unmarshal(sc.Bytes(), &v) == nil && v.Pattern != "" {
				out = append(out, v.Pattern)
			}
		}
		fh.Close()
	}
	return append(out, realPatterns(tb, limit)...)
}

// realPatterns reads up to limit patterns of the real indicator set (all
// when limit <= 0).
func realPatterns(tb testing.TB, limit int) []string {
	var out []string
	for _, f := range []string{"../../testdata/real/indicators.jsonl.gz", "../../testdata/real/benign_indicators.jsonl.gz"} {
		fh, err := os.Open(f)
		if err != nil {
			tb.Logf("real patterns %s: %v", f, err)
			continue
		}
		zr, err := gzip.NewReader(fh)
		if err != nil {
			tb.Fatal(err)
		}
		sc := bufio.NewScanner(zr)
		sc.Buffer(nil, 16<<20)
		for sc.Scan() && (limit <= 0 || len(out) < limit) {
			var v struct{ Pattern string }
			if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
				tb.Fatal(err)
			}
			out = append(out, v.Pattern)
		}
		fh.Close()
	}
	return out
}

// FuzzParse checks that no input makes the parser panic, that whatever
// parses prints to a form that parses to the same form, and that the
// helpers run on every tree the parser builds.
func FuzzParse(f *testing.F) {
	for _, p := range seedPatterns(f, 300) {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, src string) {
		p, err := Parse(src)
		if err != nil {
			if _, ok := err.(*SyntaxError); !ok {
				t.Fatalf("Parse(%q) returned %T, want *SyntaxError", src, err)
			}
			return
		}
		text := p.String()
		q, err := Parse(text)
		if err != nil {
			t.Fatalf("canonical form %q of %q does not parse: %v", text, src, err)
		}
		if q.String() != text {
			t.Fatalf("unstable canonical form: %q then %q", text, q.String())
		}
		_ = p.Validate()
		_ = p.CheckRootTypes()
		_ = p.Inspect()
	})
}
