package bench

import (
	"bytes"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/indicator-matcher/matcher/bench/gen"
	"github.com/indicator-matcher/matcher/engine/extract"
	"github.com/indicator-matcher/matcher/engine/pattern"
	"github.com/indicator-matcher/matcher/engine/snapshot"
)

var (
	realOnce sync.Once
	realSet  []snapshot.Indicator
	realErr  error
)

func realIndicators(t testing.TB) []snapshot.Indicator {
	realOnce.Do(func() {
		realSet, realErr = gen.LoadReal("../testdata/real/indicators.jsonl.gz", "../testdata/real/benign_indicators.jsonl.gz")
	})
	if realErr != nil {
		t.Fatalf("real indicators: %v", realErr)
	}
	return realSet
}

// smallSet is the real set with some mutated copies and synthetic
// substring and CIDR indicators.
func smallSet(t testing.TB) []snapshot.Indicator {
	real := realIndicators(t)
	return gen.Scale(real, gen.Options{N: len(real) + 3000, Seed: 5, MinSubstring: 300, MinCIDR: 200})
}

// simpleIDs are the indicators both matchers read the same way: one
// comparison, = or ISSUBSET, on a domain, address, URL, hash or e-mail
// address.
func simpleIDs(inds []snapshot.Indicator) map[string]bool {
	out := map[string]bool{}
	for _, ind := range inds {
		p, err := pattern.Parse(ind.Pattern)
		if err != nil {
			continue
		}
		root, ok := p.Root.(*pattern.ObsSimple)
		if !ok {
			continue
		}
		c, ok := root.Expr.(*pattern.Comparison)
		if !ok || c.Negated || c.Op != pattern.OpEq && c.Op != pattern.OpIsSubset {
			continue
		}
		switch c.Path.String() {
		case "domain-name:value", "ipv4-addr:value", "ipv6-addr:value", "url:value", "email-addr:value",
			"file:hashes.MD5", "file:hashes.'MD5'", "file:hashes.'SHA-1'", "file:hashes.'SHA-256'":
			out[ind.ID] = true
		}
	}
	return out
}

// TestNaiveAgreesWithProduct is the correctness cross-check of the
// baseline against the product, on the exact-value and CIDR indicators
// both read the same way (simpleIDs). On generated events of the schemas
// that carry each value in a field of its own, the two find the same
// indicators. On the real Zeek lines, everything the baseline finds the
// product finds too; the product finds more, because it also reads
// values inside longer strings (a domain in a certificate subject or a
// notice message, the domain of a wildcard name), which whole-string
// look-ups miss. (Windows hash lists and text lines are left out for the
// same reason.)
func TestNaiveAgreesWithProduct(t *testing.T) {
	inds := smallSet(t)
	simple := simpleIDs(inds)
	b := snapshot.NewBuilder(snapshot.Options{})
	for _, ind := range inds {
		b.Add(ind)
	}
	snap, _, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	naive := NewNaive(inds)
	x, err := extract.New(extract.Config{})
	if err != nil {
		t.Fatal(err)
	}
	lines, err := gen.LoadLines("../testdata/real/events.jsonl.gz")
	if err != nil {
		t.Fatal(err)
	}
	gens, err := gen.Events(inds, gen.EventOptions{N: 3000, Seed: 9, HitRate: 0.4,
		Schemas: []gen.Schema{gen.ZeekDotted, gen.ZeekUnderscored, gen.Suricata, gen.ECS}})
	if err != nil {
		t.Fatal(err)
	}
	var ev extract.Event
	var sc snapshot.Scratch
	var ids []string
	hits := func(raw []byte) (product, baseline []string) {
		if err := x.Extract(raw, time.Now(), &ev); err != nil {
			t.Fatalf("%v: %s", err, raw)
		}
		for _, h := range snap.Match(&ev, snapshot.MatchOptions{}, &sc) {
			if id := snap.IndicatorID(h.Plan); simple[id] {
				product = append(product, id)
			}
		}
		if ids, err = naive.Match(raw, ids[:0]); err != nil {
			t.Fatalf("naive: %v: %s", err, raw)
		}
		for _, id := range ids {
			if simple[id] {
				baseline = append(baseline, id)
			}
		}
		return uniq(product), uniq(baseline)
	}

	planted, composed := 0, 0
	for i, e := range gens {
		product, baseline := hits(e.Raw)
		if e.Planted.Kind == gen.PlantURL && !bytes.Contains(e.Raw, []byte(e.Planted.Value)) {
			// A URL logged as host and path: the product puts the URL
			// together, whole-string look-ups cannot.
			if !isSubset(baseline, product) || !slices.Contains(product, e.Planted.ID) {
				t.Errorf("generated event %d: product %v, naive %v\n%s", i, product, baseline, e.Raw)
			}
			composed++
			continue
		}
		if !slices.Equal(product, baseline) {
			t.Errorf("generated event %d: product %v, naive %v\n%s", i, product, baseline, e.Raw)
		}
		if e.Planted.Kind != 0 && simple[e.Planted.ID] {
			if !slices.Contains(baseline, e.Planted.ID) {
				t.Errorf("generated event %d: naive misses the planted %s\n%s", i, e.Planted.ID, e.Raw)
			}
			planted++
		}
	}
	if planted < 500 {
		t.Errorf("only %d planted events compared", planted)
	}

	withHits, productMore := 0, 0
	for i, e := range gen.Replay(lines, len(lines)) {
		product, baseline := hits(e.Raw)
		if !isSubset(baseline, product) {
			t.Errorf("real event %d: naive finds %v, the product %v\n%s", i, baseline, product, e.Raw)
		}
		if len(baseline) > 0 {
			withHits++
		}
		if len(product) > len(baseline) {
			productMore++
		}
	}
	if withHits < len(lines)/2 {
		t.Errorf("only %d of %d real events have baseline hits to compare", withHits, len(lines))
	}
	t.Logf("generated: %d events, %d planted simple hits compared, %d URLs logged as host and path; real: %d events, %d with baseline hits, %d where the product finds more",
		len(gens), planted, composed, len(lines), withHits, productMore)
}

func isSubset(a, b []string) bool {
	for _, v := range a {
		if !slices.Contains(b, v) {
			return false
		}
	}
	return true
}

func uniq(s []string) []string {
	sort.Strings(s)
	return slices.Compact(s)
}

func TestReadLiterals(t *testing.T) {
	cases := []struct {
		pattern string
		want    []literal
	}{
		{`[domain-name:value = 'evil.example']`, []literal{{"domain-name:value", "evil.example", false}}},
		{`[ipv4-addr:value ISSUBSET '198.51.100.0/24']`, []literal{{"ipv4-addr:value", "198.51.100.0/24", true}}},
		{`[ipv4-addr:value = '198.51.100.0/24']`, []literal{{"ipv4-addr:value", "198.51.100.0/24", true}}},
		{`[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '203.0.113.9' AND network-traffic:dst_port = 443]`,
			[]literal{{"network-traffic:dst_ref.value", "203.0.113.9", false}}},
		{`[file:hashes.'SHA-256' = 'AB' OR file:hashes.MD5 = 'cd']`, []literal{{"file:hashes.'SHA-256'", "AB", false}, {"file:hashes.MD5", "cd", false}}},
		{`[url:value LIKE '%/gate.php']`, nil},
		{`[domain-name:value NOT = 'a.example']`, nil},
		{`[domain-name:value != 'a.example']`, nil},
		{`[domain-name:value IN ('a.example', 'b\'q.example')]`, []literal{{"domain-name:value", "a.example", false}, {"domain-name:value", "b'q.example", false}}},
		{`[process:name = 'x'] FOLLOWEDBY [process:name = 'y']`, []literal{{"process:name", "x", false}, {"process:name", "y", false}}},
	}
	for _, c := range cases {
		if got := readLiterals(c.pattern); !slices.Equal(got, c.want) {
			t.Errorf("%s:\n got %v\nwant %v", c.pattern, got, c.want)
		}
	}
}

func TestNaiveMatch(t *testing.T) {
	n := NewNaive([]snapshot.Indicator{
		{ID: "d", Pattern: `[domain-name:value = 'Evil.Example']`},
		{ID: "c", Pattern: `[ipv4-addr:value ISSUBSET '198.51.100.0/24']`},
		{ID: "r", Pattern: `[domain-name:value = 'gone.example']`, Revoked: true},
	})
	if e, c := n.Sizes(); e != 1 || c != 1 {
		t.Fatalf("sizes %d, %d", e, c)
	}
	got, err := n.Match([]byte(`{"query":"evil.example","x":{"y":["198.51.100.7","gone.example"]},"n":3}`), nil)
	if err != nil || !slices.Equal(uniq(got), []string{"c", "d"}) {
		t.Fatalf("JSON: %v, %v", got, err)
	}
	got, err = n.Match([]byte(`Mar 1 host sshd: from 198.51.100.9 port 22 <EVIL.example>`), nil)
	if err != nil || !slices.Equal(uniq(got), []string{"c", "d"}) {
		t.Fatalf("text: %v, %v", got, err)
	}
	if _, err := n.Match([]byte(`{"broken"`), nil); err == nil {
		t.Fatal("broken JSON: no error")
	}
}
