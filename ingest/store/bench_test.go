package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/indicator-matcher/matcher/ingest/stixfile"
)

var (
	realOnce sync.Once
	realRaw  [][]byte
	realErr  error
)

// realIndicators loads the bundled real indicators once.
func realIndicators(b testing.TB) [][]byte {
	realOnce.Do(func() {
		realErr = stixfile.ReadFile("../../testdata/real/indicators.jsonl.gz", func(o []byte) error {
			realRaw = append(realRaw, bytes.Clone(o))
			return nil
		})
	})
	if realErr != nil {
		b.Fatal(realErr)
	}
	return realRaw
}

var (
	builtMu sync.Mutex
	built   = map[int]string{}
)

// storeOf returns the path of a store holding n indicators generated from
// the real ones (copies get new ids), built once per size per process.
func storeOf(b *testing.B, n int) string {
	builtMu.Lock()
	defer builtMu.Unlock()
	if p, ok := built[n]; ok {
		return p
	}
	real := realIndicators(b)
	dir, err := os.MkdirTemp("", "storebench")
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(dir, "ind.db")
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	page := make([]json.RawMessage, 0, 10000)
	for i := 0; i < n; i++ {
		src := real[i%len(real)]
		if k := i / len(real); k > 0 {
			var m struct{ ID string }
			json.Unmarshal(src, &m)
			id := fmt.Sprintf("indicator--%08x-%s", k, m.ID[len("indicator--")+9:])
			src = bytes.Replace(src, []byte(m.ID), []byte(id), 1)
		}
		page = append(page, src)
		if len(page) == cap(page) || i == n-1 {
			if _, err := s.Apply("bench", "f", page, Cursor{Value: fmt.Sprint(i)}); err != nil {
				b.Fatal(err)
			}
			page = page[:0]
		}
	}
	if c, _ := s.Counts(); c.Indicators != n {
		b.Fatalf("built %d indicators, want %d", c.Indicators, n)
	}
	s.Close()
	built[n] = path
	return path
}

// BenchmarkLoadActive measures engine start-up: open the store and scan
// every active match record. With STORE_BENCH_COLD=1 (root only) the page
// cache is dropped before each load, as after a reboot.
func BenchmarkLoadActive(b *testing.B) {
	cold := os.Getenv("STORE_BENCH_COLD") == "1"
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			if testing.Short() && n > 100_000 {
				b.Skip("short")
			}
			path := storeOf(b, n)
			now := time.Now()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if cold {
					b.StopTimer()
					dropCaches(b)
					b.StartTimer()
				}
				s, err := Open(path, Options{ReadOnly: true})
				if err != nil {
					b.Fatal(err)
				}
				count := 0
				if err := s.ForEachActive(now, func(r Record) error { count++; return nil }); err != nil {
					b.Fatal(err)
				}
				s.Close()
				if count != n {
					b.Fatalf("%d active, want %d", count, n)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/load")
		})
	}
}

// BenchmarkGet measures fetching and decoding one full indicator (alerts).
func BenchmarkGet(b *testing.B) {
	path := storeOf(b, 100_000)
	s, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var ids []string
	s.ForEachActive(time.Now(), func(r Record) error {
		if len(ids) < 1000 {
			ids = append(ids, r.ID)
		}
		return nil
	})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Get(ids[i%len(ids)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkApply measures storing pages of 2000 real indicators (fsync on
// commit, as in production).
func BenchmarkApply(b *testing.B) {
	real := realIndicators(b)
	page := make([]json.RawMessage, 2000)
	for i := range page {
		page[i] = real[i]
	}
	s, err := Open(filepath.Join(b.TempDir(), "a.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// Shift the page so every iteration writes new ids.
		off := (i * 2000) % (len(real) - 2000)
		if _, err := s.Apply("bench", "f", real2raw(real[off:off+2000]), Cursor{Value: fmt.Sprint(i)}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*2000)/b.Elapsed().Seconds(), "indicators/s")
}

func real2raw(r [][]byte) []json.RawMessage {
	out := make([]json.RawMessage, len(r))
	for i := range r {
		out[i] = r[i]
	}
	return out
}

// dropCaches empties the kernel's page cache.
func dropCaches(b *testing.B) {
	syscall.Sync()
	if err := os.WriteFile("/proc/sys/vm/drop_caches", []byte("3"), 0); err != nil {
		b.Fatalf("STORE_BENCH_COLD needs root: %v", err)
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, p := range built {
		os.RemoveAll(filepath.Dir(p))
	}
	os.Exit(code)
}
