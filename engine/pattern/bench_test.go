package pattern

import (
	"testing"
)

// BenchmarkParseReal parses every pattern of the real indicator set
// (malicious and benign, 96,614 patterns) per iteration.
func BenchmarkParseReal(b *testing.B) {
	patterns := realPatterns(b, 0)
	if len(patterns) == 0 {
		b.Skip("testdata/real is absent")
	}
	var bytes int64
	for _, p := range patterns {
		bytes += int64(len(p))
	}
	b.SetBytes(bytes)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, p := range patterns {
			if _, err := Parse(p); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(patterns)), "patterns/op")
}

// TestRealPatternsParse checks that every real pattern parses, validates
// and round-trips.
func TestRealPatternsParse(t *testing.T) {
	patterns := realPatterns(t, 0)
	if len(patterns) == 0 {
		t.Skip("testdata/real is absent")
	}
	for _, src := range patterns {
		p, err := Parse(src)
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		if err := p.Validate(); err != nil {
			t.Errorf("%q: %v", src, err)
		}
		if q, err := Parse(p.String()); err != nil || q.String() != p.String() {
			t.Errorf("round trip of %q: %v", src, err)
		}
	}
	if len(patterns) != 96614 {
		t.Logf("parsed %d patterns", len(patterns))
	}
}
