package cidr

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"sync"
	"testing"

	"github.com/indicator-matcher/matcher/indexes/internal/fixture"
)

const realDir = "../../testdata/real"

var (
	realSet    = sync.OnceValues(func() (*fixture.Set, error) { return fixture.Load(realDir) })
	realEvents = sync.OnceValues(func() (*fixture.Events, error) { return fixture.LoadEvents(realDir) })
)

// reference is the obviously correct model: a list of (prefix, id) pairs
// scanned with netip.Prefix.Contains.
type reference []pair

func (r reference) lookup(a netip.Addr) []uint32 {
	a = a.Unmap()
	var ids []uint32
	for _, p := range r {
		if p.p.Contains(a) {
			ids = append(ids, p.id)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

func (r reference) check(t testing.TB, s *Set, probes []netip.Addr) {
	t.Helper()
	wants := make([][]uint32, len(probes))
	for i, a := range probes {
		wants[i] = r.lookup(a)
	}
	checkWants(t, s, probes, wants)
}

// checkWants compares s's answers with precomputed reference answers.
func checkWants(t testing.TB, s *Set, probes []netip.Addr, wants [][]uint32) {
	t.Helper()
	var buf []uint32
	for i, a := range probes {
		want := wants[i]
		buf = s.LookupAppend(buf[:0], a)
		if !slices.Equal(buf, want) && !(len(buf) == 0 && len(want) == 0) {
			t.Fatalf("LookupAppend(%v) = %v, want %v", a, buf, want)
		}
		if s.Contains(a) != (len(want) > 0) {
			t.Fatalf("Contains(%v) = %v, want %v", a, !s.Contains(a), len(want) > 0)
		}
	}
}

func randomAddr(rng *rand.Rand) netip.Addr {
	// A few fixed high bytes make prefixes nest and collide often.
	switch rng.IntN(4) {
	case 0:
		return netip.AddrFrom4([4]byte{10, byte(rng.IntN(3)), byte(rng.Uint32()), byte(rng.Uint32())})
	case 1:
		return netip.AddrFrom4([4]byte{byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32())})
	case 2:
		var b [16]byte
		b[0], b[1], b[2] = 0x20, 0x01, byte(rng.IntN(3))
		for i := 3; i < 16; i++ {
			b[i] = byte(rng.Uint32())
		}
		return netip.AddrFrom16(b)
	default:
		// IPv4-mapped IPv6 and its neighbourhood.
		var b [16]byte
		b[10], b[11] = 0xff, byte(0xfe+rng.IntN(2))
		b[12], b[13], b[14], b[15] = 10, byte(rng.IntN(3)), byte(rng.Uint32()), byte(rng.Uint32())
		return netip.AddrFrom16(b)
	}
}

var backends = []Backend{BackendFlat, BackendRanger}

func TestRandomAgainstReference(t *testing.T) {
	for _, be := range backends {
		for _, n := range []int{0, 1, 10, 300, 3000} {
			t.Run(fmt.Sprintf("backend%d/n%d", be, n), func(t *testing.T) {
				testRandom(t, be, n, uint64(n))
			})
		}
	}
	// Enough ranges for the flat backend's bucket index (minBucketed).
	t.Run("flat/n6000", func(t *testing.T) { testRandom(t, BackendFlat, 6000, 6000) })
}

func testRandom(t *testing.T, be Backend, n int, seed uint64) {
	rng := rand.New(rand.NewPCG(3, seed))
	b := Builder{Backend: be}
	var ref reference
	var probes []netip.Addr
	for range n {
		a := randomAddr(rng)
		bits := rng.IntN(a.BitLen() + 1)
		if a.Is4() || rng.IntN(2) == 0 {
			bits = a.BitLen() - rng.IntN(min(a.BitLen(), 24)+1)
		}
		p := netip.PrefixFrom(a, bits)
		id := uint32(rng.IntN(n/2 + 1))
		if err := b.Add(p, id); err != nil {
			t.Fatal(err)
		}
		ref = append(ref, pair{Canonical(p), id})
		probes = append(probes, a)
	}
	for range 3000 {
		probes = append(probes, randomAddr(rng))
	}
	probes = append(probes, netip.Addr{}, netip.IPv6Unspecified(), netip.IPv4Unspecified())
	s, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	if b.Len() != n {
		t.Fatalf("Builder.Len = %d", b.Len())
	}
	if s.Backend() != be {
		t.Fatalf("Backend() = %d, want %d", s.Backend(), be)
	}
	if n >= 6000 && s.flat.bucket4 == nil {
		t.Fatal("the bucket index was not built")
	}
	if raceEnabled {
		probes = every(probes, 4)
	}
	ref.check(t, s, probes)
}

// every returns every k-th element of s.
func every[T any](s []T, k int) []T {
	var out []T
	for i := 0; i < len(s); i += k {
		out = append(out, s[i])
	}
	return out
}

func TestMappedAndOddPrefixes(t *testing.T) {
	for _, be := range backends {
		testMappedAndOdd(t, be)
	}
}

func testMappedAndOdd(t *testing.T, be Backend) {
	b := Builder{Backend: be}
	add := func(p string, id uint32) {
		if err := b.Add(netip.MustParsePrefix(p), id); err != nil {
			t.Fatal(err)
		}
	}
	add("::ffff:198.51.100.0/120", 1) // mapped: becomes 198.51.100.0/24
	add("::ffff:0:0/90", 2)           // odd: IPv6 shorter than /96 starting in the mapped range
	add("0.0.0.0/0", 3)
	add("::/0", 4)
	add("198.51.100.7/32", 5)
	add("198.51.100.0/24", 1) // duplicate of the mapped one
	s, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() != 5 {
		t.Fatalf("Len = %d, want 5", s.Len())
	}
	for _, tc := range []struct {
		addr string
		want []uint32
	}{
		{"198.51.100.7", []uint32{1, 3, 5}},
		{"::ffff:198.51.100.7", []uint32{1, 3, 5}},
		{"198.51.101.1", []uint32{3}},
		{"::ffc0:0:1", []uint32{2, 4}},
		{"2001:db8::1", []uint32{4}},
	} {
		got := s.LookupAppend(nil, netip.MustParseAddr(tc.addr))
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.addr, got, tc.want)
		}
	}
}

func TestZeroValueAndErrors(t *testing.T) {
	var s Set
	if s.Contains(netip.MustParseAddr("1.2.3.4")) || s.Len() != 0 || len(s.LookupAppend(nil, netip.Addr{})) != 0 {
		t.Fatal("zero Set is not empty")
	}
	var b Builder
	if err := b.Add(netip.Prefix{}, 1); !errors.Is(err, ErrInvalidPrefix) {
		t.Fatalf("Add(zero prefix) = %v", err)
	}
	if err := b.Add(netip.PrefixFrom(netip.MustParseAddr("1.2.3.4"), 33), 1); !errors.Is(err, ErrInvalidPrefix) {
		t.Fatalf("Add(/33) = %v", err)
	}
	e, err := b.Build()
	if err != nil || e.Len() != 0 || e.Contains(netip.MustParseAddr("1.2.3.4")) {
		t.Fatalf("empty build: %v %v", e, err)
	}
}

// TestRealAgainstReference loads every real ISSUBSET prefix (malicious and
// benign) and probes with every address of the real events plus addresses
// inside and next to each prefix.
func TestRealAgainstReference(t *testing.T) {
	set, err := realSet()
	if err != nil {
		t.Fatal(err)
	}
	ev, err := realEvents()
	if err != nil {
		t.Fatal(err)
	}
	var ref reference
	builders := []*Builder{{Backend: BackendFlat}, {Backend: BackendRanger}}
	probes := slices.Clone(ev.Addrs)
	for i, p := range set.Prefixes {
		for _, b := range builders {
			if err := b.Add(p, uint32(i/2)); err != nil {
				t.Fatal(err)
			}
		}
		ref = append(ref, pair{Canonical(p), uint32(i / 2)})
		probes = append(probes, p.Addr(), p.Addr().Prev(), p.Masked().Addr().Next())
	}
	if raceEnabled {
		probes = every(probes, 8)
	}
	// Reference answers, computed once: a linear scan per distinct probe.
	memo := map[netip.Addr][]uint32{}
	wants := make([][]uint32, len(probes))
	for i, a := range probes {
		w, ok := memo[a]
		if !ok {
			w = ref.lookup(a)
			memo[a] = w
		}
		wants[i] = w
	}
	for _, b := range builders {
		s, err := b.Build()
		if err != nil {
			t.Fatal(err)
		}
		checkWants(t, s, probes, wants)
		t.Logf("backend %d: %d prefixes, %d probes, ~%d bytes", b.Backend, s.Len(), len(probes), s.SizeBytes())
	}
}

// TestExtremes covers the ends of both address spaces, where range
// boundaries overflow.
func TestExtremes(t *testing.T) {
	for _, be := range backends {
		b := Builder{Backend: be}
		var ref reference
		for i, p := range []string{"255.255.255.255/32", "255.255.255.0/24", "0.0.0.0/32", "0.0.0.0/1",
			"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", "ffff::/16", "::/128", "::/1", "8000::/1", "128.0.0.0/1"} {
			p := netip.MustParsePrefix(p)
			_ = b.Add(p, uint32(i))
			ref = append(ref, pair{p, uint32(i)})
		}
		s, err := b.Build()
		if err != nil {
			t.Fatal(err)
		}
		var probes []netip.Addr
		for _, a := range []string{"255.255.255.255", "255.255.255.254", "255.255.254.255", "0.0.0.0", "0.0.0.1",
			"127.255.255.255", "128.0.0.0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff::", "fffe::", "::", "::1",
			"7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "8000::"} {
			probes = append(probes, netip.MustParseAddr(a))
		}
		ref.check(t, s, probes)
	}
}

func TestFlatLookupDoesNotAllocate(t *testing.T) {
	var b Builder
	_ = b.Add(netip.MustParsePrefix("10.0.0.0/8"), 1)
	_ = b.Add(netip.MustParsePrefix("10.1.0.0/16"), 2)
	_ = b.Add(netip.MustParsePrefix("2001:db8::/32"), 3)
	s, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	hit4, hit6 := netip.MustParseAddr("10.1.2.3"), netip.MustParseAddr("2001:db8::1")
	miss4, mapped := netip.MustParseAddr("11.0.0.1"), netip.MustParseAddr("::ffff:10.1.2.3")
	dst := make([]uint32, 0, 8)
	allocs := testing.AllocsPerRun(200, func() {
		if len(s.LookupAppend(dst[:0], hit4)) != 2 || len(s.LookupAppend(dst[:0], hit6)) != 1 ||
			len(s.LookupAppend(dst[:0], miss4)) != 0 || len(s.LookupAppend(dst[:0], mapped)) != 2 || !s.Contains(hit4) {
			panic("wrong answer")
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per lookup round, want 0", allocs)
	}
}
