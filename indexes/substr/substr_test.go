package substr

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"

	"github.com/indicator-matcher/matcher/indexes/internal/fixture"
)

const realDir = "../../testdata/real"

// backends are checked alike by every test.
var backends = []Backend{BackendFlat, BackendCloudflare}

var (
	realSet    = sync.OnceValues(func() (*fixture.Set, error) { return fixture.Load(realDir) })
	realEvents = sync.OnceValues(func() (*fixture.Events, error) { return fixture.LoadEvents(realDir) })
)

// reference is the obviously correct model: every (fragment, id) pair,
// tested with bytes.Contains.
type reference struct {
	fold  bool
	frags [][]byte
	ids   []uint32
}

func (r *reference) add(f []byte, id uint32) {
	if r.fold {
		f = foldRef(f)
	}
	r.frags = append(r.frags, f)
	r.ids = append(r.ids, id)
}

// foldRef folds A-Z to a-z and leaves every other byte alone (unlike
// bytes.ToLower, which rewrites invalid UTF-8).
func foldRef(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

func (r *reference) match(h []byte) []uint32 {
	if r.fold {
		h = foldRef(h)
	}
	var ids []uint32
	for i, f := range r.frags {
		if bytes.Contains(h, f) {
			ids = append(ids, r.ids[i])
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

func (r *reference) check(t testing.TB, m *Matcher, haystacks [][]byte) {
	t.Helper()
	var buf []uint32
	for _, h := range haystacks {
		want := r.match(h)
		buf = m.MatchAppend(buf[:0], h)
		if !slices.Equal(buf, want) && !(len(buf) == 0 && len(want) == 0) {
			t.Fatalf("MatchAppend(%q) = %v, want %v", h, buf, want)
		}
		if m.Contains(h) != (len(want) > 0) {
			t.Fatalf("Contains(%q) = %v, want %v", h, !m.Contains(h), len(want) > 0)
		}
	}
}

func randomBytes(rng *rand.Rand, maxLen int, alphabet string) []byte {
	b := make([]byte, 1+rng.IntN(maxLen))
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return b
}

// TestRandomAgainstReference uses a tiny alphabet so that fragments
// overlap, nest, repeat and are suffixes of one another.
func TestRandomAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, be := range backends {
		for _, fold := range []bool{false, true} {
			for _, n := range []int{1, 5, 50, 400} {
				t.Run(fmt.Sprintf("%s/fold=%v/n=%d", be, fold, n), func(t *testing.T) {
					b := Builder{FoldCase: fold, Backend: be}
					ref := &reference{fold: fold}
					for range n {
						f := randomBytes(rng, 6, "abAB\x00")
						id := uint32(rng.IntN(n/2 + 1))
						if err := b.Add(f, id); err != nil {
							t.Fatal(err)
						}
						ref.add(slices.Clone(f), id)
						f[0] = 'z' // Add must have copied it
					}
					m, err := b.Build()
					if err != nil {
						t.Fatal(err)
					}
					var hs [][]byte
					for range 1000 {
						hs = append(hs, randomBytes(rng, 40, "abAB\x00c"))
					}
					hs = append(hs, nil, []byte{})
					ref.check(t, m, hs)
				})
			}
		}
	}
}

func TestDuplicatesAndErrors(t *testing.T) {
	for _, be := range backends {
		t.Run(be.String(), func(t *testing.T) { testDuplicatesAndErrors(t, be) })
	}
}

func testDuplicatesAndErrors(t *testing.T, be Backend) {
	b := Builder{Backend: be}
	if err := b.Add(nil, 1); !errors.Is(err, ErrEmptyFragment) {
		t.Fatalf("Add(empty) = %v", err)
	}
	for _, p := range []struct {
		f  string
		id uint32
	}{{"evil", 3}, {"evil", 1}, {"evil", 3}, {"vil", 1}, {"il", 2}, {"evil.example", 4}} {
		if err := b.Add([]byte(p.f), p.id); err != nil {
			t.Fatal(err)
		}
	}
	if b.Len() != 4 || b.Pairs() != 5 {
		t.Fatalf("Len %d Pairs %d", b.Len(), b.Pairs())
	}
	m, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	// Repeated and overlapping occurrences still report each id once.
	got := m.MatchAppend([]uint32{99}, []byte("an evil.example and evil evil"))
	if want := []uint32{99, 1, 2, 3, 4}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if m.Len() != 4 || m.FoldCase() || m.Backend() != be {
		t.Fatal("Len, FoldCase or Backend wrong")
	}
	// Later Adds do not reach the built Matcher.
	_ = b.Add([]byte("zzz"), 9)
	if m.Contains([]byte("zzz")) {
		t.Fatal("Matcher sees a later Add")
	}
	b.MaxBytes = 1000
	if _, err := b.Build(); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Build over MaxBytes = %v", err)
	}
}

func TestZeroValue(t *testing.T) {
	var m Matcher
	if m.Contains([]byte("x")) || len(m.MatchAppend(nil, []byte("x"))) != 0 || m.Len() != 0 || m.SizeBytes() != 0 {
		t.Fatal("zero Matcher matches")
	}
	var b Builder
	e, err := b.Build()
	if err != nil || e.Contains([]byte("x")) {
		t.Fatalf("empty build: %v", err)
	}
}

func TestFoldCase(t *testing.T) {
	for _, be := range backends {
		t.Run(be.String(), func(t *testing.T) { testFoldCase(t, be) })
	}
}

func testFoldCase(t *testing.T, be Backend) {
	b := Builder{FoldCase: true, Backend: be}
	_ = b.Add([]byte("PowerShell"), 1)
	_ = b.Add([]byte("-enc"), 2)
	m, _ := b.Build()
	got := m.MatchAppend(nil, []byte("C:\\Windows\\POWERSHELL.exe -ENC abc"))
	if !slices.Equal(got, []uint32{1, 2}) {
		t.Fatalf("got %v", got)
	}
	// Non-ASCII bytes are left alone.
	if m.Contains([]byte("POWERSHELL\xc3\x89")) != true || m.Contains([]byte("P\xc3\x89WERSHELL")) {
		t.Fatal("fold of non-ASCII bytes")
	}
}

// TestRealAgainstReference indexes windows of real literals (domains, URLs,
// LIKE text) and scans every string of the real events.
func TestRealAgainstReference(t *testing.T) {
	set, err := realSet()
	if err != nil {
		t.Fatal(err)
	}
	ev, err := realEvents()
	if err != nil {
		t.Fatal(err)
	}
	frags := fixture.Fragments(set.Literals, 300, 12, 1)
	// Add common short ones so that real haystacks hit.
	frags = append(frags, []byte("10.47."), []byte(".com"), []byte("wrccdc"), []byte("Mozilla/"))
	for _, be := range backends {
		for _, fold := range []bool{false, true} {
			b := Builder{FoldCase: fold, Backend: be}
			ref := &reference{fold: fold}
			for i, f := range frags {
				_ = b.Add(f, uint32(i%200))
				ref.add(f, uint32(i%200))
			}
			m, err := b.Build()
			if err != nil {
				t.Fatal(err)
			}
			ref.check(t, m, distinct(ev.Haystacks))
		}
	}
}

// distinct returns the haystacks without repeats (real logs repeat a lot).
func distinct(hs [][]byte) [][]byte {
	seen := map[string]bool{}
	var out [][]byte
	for _, h := range hs {
		if !seen[string(h)] {
			seen[string(h)] = true
			out = append(out, h)
		}
	}
	return out
}

// TestEstimate checks SizeBytes against the heap growth of a real build.
func TestEstimate(t *testing.T) {
	for _, be := range backends {
		t.Run(be.String(), func(t *testing.T) { testEstimate(t, be) })
	}
}

func testEstimate(t *testing.T, be Backend) {
	set, err := realSet()
	if err != nil {
		t.Fatal(err)
	}
	b := Builder{Backend: be}
	for i, f := range fixture.Fragments(set.Literals, 1000, 12, 2) {
		_ = b.Add(f, uint32(i))
	}
	before := heapAlloc()
	m, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	grown := heapAlloc() - before
	est := m.SizeBytes()
	t.Logf("%d fragments: heap grew %d, SizeBytes %d, EstimateBytes %d", m.Len(), grown, est, b.EstimateBytes())
	if float64(est) < 0.9*float64(grown) || float64(est) > 1.1*float64(grown) {
		t.Fatalf("SizeBytes %d is more than 10%% off the measured %d", est, grown)
	}
	if e := b.EstimateBytes(); e < int64(est)*95/100 {
		t.Fatalf("EstimateBytes %d is well below the size built, %d", e, est)
	}
	runtime.KeepAlive(m)
}

// heapAlloc returns the live heap after two collections (the second frees
// what sync.Pools, such as the library's dedup maps, kept in their victim
// caches).
func heapAlloc() int64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

func TestMissDoesNotAllocate(t *testing.T) {
	for _, be := range backends {
		for _, fold := range []bool{false, true} {
			b := Builder{FoldCase: fold, Backend: be}
			_ = b.Add([]byte("evil"), 1)
			m, _ := b.Build()
			miss, upper := []byte("a perfectly benign haystack"), []byte("A Perfectly Benign Haystack")
			m.Contains(upper) // warm the scratch pool
			allocs := testing.AllocsPerRun(200, func() {
				if len(m.MatchAppend(nil, miss)) != 0 || m.Contains(miss) {
					panic("wrong answer")
				}
				if !fold {
					return
				}
				if len(m.MatchAppend(nil, upper)) != 0 || m.Contains(upper) {
					panic("wrong answer")
				}
			})
			if allocs != 0 && !(fold && raceEnabled) {
				t.Fatalf("%s fold=%v: %v allocations per miss, want 0", be, fold, allocs)
			}
		}
	}
}

// TestFlatHitDoesNotAllocate: with room in dst, a hit costs no allocation
// with the default backend either.
func TestFlatHitDoesNotAllocate(t *testing.T) {
	b := Builder{FoldCase: true}
	_ = b.Add([]byte("evil"), 1)
	_ = b.Add([]byte("vil"), 2)
	m, _ := b.Build()
	h := []byte("an EVIL haystack, evil twice")
	dst := make([]uint32, 0, 16)
	allocs := testing.AllocsPerRun(200, func() {
		if got := m.MatchAppend(dst[:0], h); len(got) != 2 {
			panic("wrong answer")
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per hit, want 0", allocs)
	}
}

// TestConcurrentMatch runs matches from several goroutines on one Matcher
// (run with -race): the library keeps per-call dedup state in a pool and a
// shared atomic generation counter.
func TestConcurrentMatch(t *testing.T) {
	for _, be := range backends {
		t.Run(be.String(), func(t *testing.T) { testConcurrentMatch(t, be) })
	}
}

func testConcurrentMatch(t *testing.T, be Backend) {
	b := Builder{FoldCase: true, Backend: be}
	ref := &reference{fold: true}
	for i, f := range []string{"evil", "vil", "Ransom", "cmd.exe", "x"} {
		_ = b.Add([]byte(f), uint32(i))
		ref.add([]byte(f), uint32(i))
	}
	m, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	hs := [][]byte{[]byte("EVIL ransom"), []byte("benign"), []byte("CMD.EXE /c x"), []byte("vilevil")}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			var dst []uint32
			for i := range 2000 {
				h := hs[(g+i)%len(hs)]
				dst = m.MatchAppend(dst[:0], h)
				if want := ref.match(h); !slices.Equal(dst, want) && len(want)+len(dst) > 0 {
					t.Errorf("MatchAppend(%q) = %v, want %v", h, dst, want)
					return
				}
			}
		})
	}
	wg.Wait()
}
