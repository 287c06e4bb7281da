package exact

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/indicator-matcher/matcher/indexes/internal/fixture"
)

const realDir = "../../testdata/real"

var (
	realKeys   = sync.OnceValues(func() (*fixture.Set, error) { return fixture.Load(realDir) })
	realEvents = sync.OnceValues(func() (*fixture.Events, error) { return fixture.LoadEvents(realDir) })
)

// reference is the obviously correct model: key -> sorted distinct ids.
type reference map[string][]uint32

func (r reference) add(key []byte, id uint32) {
	ids := r[string(key)]
	if i, found := slices.BinarySearch(ids, id); !found {
		r[string(key)] = slices.Insert(ids, i, id)
	}
}

// check compares s with r for every key in probes.
func (r reference) check(t testing.TB, s *Set, probes [][]byte) {
	t.Helper()
	if s.Len() != len(r) {
		t.Fatalf("Len = %d, want %d", s.Len(), len(r))
	}
	var buf []uint32
	for _, k := range probes {
		want := r[string(k)]
		buf = s.LookupAppend(buf[:0], k)
		if !slices.Equal(buf, want) && !(len(buf) == 0 && len(want) == 0) {
			t.Fatalf("LookupAppend(%q) = %v, want %v", k, buf, want)
		}
		p := s.Lookup(k)
		if p.Len() != len(want) || s.Contains(k) != (len(want) > 0) {
			t.Fatalf("Lookup(%q).Len() = %d, Contains = %v, want %d ids", k, p.Len(), s.Contains(k), len(want))
		}
		for i := range p.Len() {
			if p.At(i) != want[i] {
				t.Fatalf("Lookup(%q).At(%d) = %d, want %d", k, i, p.At(i), want[i])
			}
		}
	}
}

func randomKey(rng *rand.Rand) []byte {
	// A small alphabet and short lengths give many shared prefixes, equal
	// hashes of nothing, empty keys and duplicate keys.
	k := make([]byte, rng.IntN(12))
	for i := range k {
		k[i] = "ab\x00\xff"[rng.IntN(4)]
	}
	return k
}

func TestRandomAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, gate := range []Gate{GateOff, GateOn, GateAuto} {
		for _, n := range []int{0, 1, 7, 100, 5000} {
			t.Run(fmt.Sprintf("gate%d/n%d", gate, n), func(t *testing.T) {
				b := Builder{Gate: gate}
				ref := reference{}
				var probes [][]byte
				for range n {
					k := randomKey(rng)
					id := uint32(rng.IntN(n/2 + 1))
					if err := b.Add(k, id); err != nil {
						t.Fatal(err)
					}
					ref.add(k, id)
					probes = append(probes, k)
					for i := range k { // the builder must have copied the key
						k[i] = 'z'
					}
				}
				if b.Len() != n {
					t.Fatalf("Builder.Len = %d, want %d", b.Len(), n)
				}
				for range 2000 {
					probes = append(probes, randomKey(rng))
				}
				// The caller's slices were overwritten above; probe the
				// original keys from the reference too.
				for k := range ref {
					probes = append(probes, []byte(k))
				}
				s := b.Build()
				if gate == GateOn && n > 0 && !s.Gated() {
					t.Fatal("GateOn built no gate")
				}
				ref.check(t, s, probes)
			})
		}
	}
}

func TestBuilderCopiesKey(t *testing.T) {
	var b Builder
	k := []byte("evil.example")
	if err := b.Add(k, 7); err != nil {
		t.Fatal(err)
	}
	copy(k, "xxxx")
	s := b.Build()
	if got := s.LookupAppend(nil, []byte("evil.example")); !slices.Equal(got, []uint32{7}) {
		t.Fatalf("lookup after caller reused its buffer = %v", got)
	}
	if s.Contains(k) {
		t.Fatal("found the caller's overwritten bytes")
	}
}

func TestBuildTwiceAndKeepAdding(t *testing.T) {
	var b Builder
	_ = b.Add([]byte("a"), 1)
	s1 := b.Build()
	_ = b.Add([]byte("a"), 2)
	_ = b.Add([]byte("b"), 3)
	s2 := b.Build()
	if got := s1.LookupAppend(nil, []byte("a")); !slices.Equal(got, []uint32{1}) {
		t.Fatalf("first snapshot changed: %v", got)
	}
	if got := s2.LookupAppend(nil, []byte("a")); !slices.Equal(got, []uint32{1, 2}) {
		t.Fatalf("second snapshot: %v", got)
	}
	if s1.Len() != 1 || s2.Len() != 2 {
		t.Fatalf("Len %d %d", s1.Len(), s2.Len())
	}
}

func TestZeroValue(t *testing.T) {
	var s Set
	if s.Contains(nil) || s.Contains([]byte("x")) || s.Lookup([]byte("x")).Len() != 0 || s.Len() != 0 {
		t.Fatal("zero Set is not empty")
	}
	if got := s.LookupAppend([]uint32{9}, []byte("x")); !slices.Equal(got, []uint32{9}) {
		t.Fatalf("LookupAppend on zero Set = %v", got)
	}
	var p Postings
	if p.Len() != 0 || len(p.AppendTo(nil)) != 0 {
		t.Fatal("zero Postings is not empty")
	}
	var b Builder
	if s := b.Build(); s.Len() != 0 || s.Contains(nil) {
		t.Fatal("empty build is not empty")
	}
}

func TestAddErrors(t *testing.T) {
	var b Builder
	err := b.Add(make([]byte, MaxKeyLen+1), 1)
	if !errors.Is(err, ErrKeyTooLong) {
		t.Fatalf("Add(long key) = %v, want ErrKeyTooLong", err)
	}
	if b.Len() != 0 {
		t.Fatal("rejected pair was added")
	}
	if s := b.Build(); s.Contains(make([]byte, MaxKeyLen+1)) {
		t.Fatal("overlong key found")
	}
}

func TestPostingsAtPanicsOutOfRange(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("At(1) on a single-id Postings did not panic")
		}
	}()
	var b Builder
	_ = b.Add([]byte("k"), 1)
	b.Build().Lookup([]byte("k")).At(1)
}

// TestRealAgainstReference loads every real indicator key (malicious and
// benign) with two ids for some, and probes with those keys and with every
// observable of the real events.
func TestRealAgainstReference(t *testing.T) {
	set, err := realKeys()
	if err != nil {
		t.Fatal(err)
	}
	ev, err := realEvents()
	if err != nil {
		t.Fatal(err)
	}
	for _, gate := range []Gate{GateOff, GateOn} {
		b := Builder{Gate: gate}
		ref := reference{}
		probes := make([][]byte, 0, len(set.Keys)+len(ev.Keys))
		for i, k := range set.Keys {
			id := uint32(i)
			if i%17 == 0 { // some keys come from several indicators
				id = uint32(i / 17)
			}
			if err := b.Add(k.Bytes, id); err != nil {
				t.Fatal(err)
			}
			ref.add(k.Bytes, id)
			probes = append(probes, k.Bytes)
		}
		for _, k := range ev.Keys {
			probes = append(probes, k.Bytes)
		}
		s := b.Build()
		ref.check(t, s, probes)
		perKey := float64(s.SizeBytes()) / float64(s.Len())
		t.Logf("gate=%v: %d keys, %d bytes (%.1f B/key)", gate, s.Len(), s.SizeBytes(), perKey)
		if perKey > 80 {
			t.Errorf("%.1f bytes per key, budget 80", perKey)
		}
	}
}

func TestLookupDoesNotAllocate(t *testing.T) {
	for _, gate := range []Gate{GateOff, GateOn} {
		b := Builder{Gate: gate}
		for i := range 1000 {
			_ = b.Add(fmt.Appendf(nil, "host-%d.example", i), uint32(i))
		}
		_ = b.Add([]byte("host-1.example"), 5000) // a multi-id key
		s := b.Build()
		hit, multi, miss := []byte("host-7.example"), []byte("host-1.example"), []byte("absent.example")
		dst := make([]uint32, 0, 8)
		allocs := testing.AllocsPerRun(200, func() {
			dst = s.LookupAppend(dst[:0], hit)
			dst = s.LookupAppend(dst[:0], multi)
			dst = s.LookupAppend(dst[:0], miss)
			if !s.Contains(hit) || s.Contains(miss) || s.Lookup(multi).Len() != 2 {
				panic("wrong answer")
			}
		})
		if allocs != 0 {
			t.Fatalf("gate=%d: %v allocations per lookup round, want 0", gate, allocs)
		}
	}
}
