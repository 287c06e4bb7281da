package jsonscan

import (
	"encoding/json"
	"testing"
)

func benchLines(b *testing.B) ([][]byte, int64) {
	lines := realLines(b)
	var n int64
	for _, l := range lines {
		n += int64(len(l)) + 1
	}
	return lines, n
}

// BenchmarkScan measures validation plus path/value reporting over the real
// events file (one op = the whole file).
func BenchmarkScan(b *testing.B) {
	lines, size := benchLines(b)
	var s Scanner
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, l := range lines {
			s.Arena = s.Arena[:0]
			if err := s.Scan(l, nil, discard{}); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkTopKeys(b *testing.B) {
	lines, size := benchLines(b)
	n := 0
	count := func([]byte) bool { n++; return true }
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, l := range lines {
			TopKeys(l, count)
		}
	}
}

// BenchmarkStdlibMap is the naive baseline: encoding/json into
// map[string]any.
func BenchmarkStdlibMap(b *testing.B) {
	lines, size := benchLines(b)
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, l := range lines {
			var m map[string]any
			if err := json.Unmarshal(l, &m); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkStdlibValid is encoding/json's validator alone, the floor of
// what the standard library can do.
func BenchmarkStdlibValid(b *testing.B) {
	lines, size := benchLines(b)
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, l := range lines {
			if !json.Valid(l) {
				b.Fatal("invalid")
			}
		}
	}
}
