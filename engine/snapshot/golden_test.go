package snapshot

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/indicator-matcher/matcher/engine/extract"
	"github.com/indicator-matcher/matcher/engine/indicator"
	"github.com/indicator-matcher/matcher/engine/observable"
	"github.com/indicator-matcher/matcher/engine/plan"
	"github.com/indicator-matcher/matcher/indexes/cidr"
	"github.com/indicator-matcher/matcher/indexes/substr"
	"github.com/indicator-matcher/matcher/ingest/stixfile"
)

// realEvents returns the lines of the bundled Zeek logs.
func realEvents(tb testing.TB) [][]byte {
	tb.Helper()
	f, err := os.Open("../../testdata/real/events.jsonl.gz")
	if err != nil {
		tb.Skipf("bundled events absent: %v", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		tb.Fatal(err)
	}
	var out [][]byte
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 4<<20)
	for sc.Scan() {
		out = append(out, bytes.Clone(sc.Bytes()))
	}
	return out
}

func realIndicators(tb testing.TB, path string) []Indicator {
	tb.Helper()
	var out []Indicator
	err := stixfile.ReadFile(path, func(obj []byte) error {
		ind, err := indicator.Decode(obj)
		if err != nil {
			return err
		}
		out = append(out, FromIndicator(&ind))
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// planted builds indicators from values seen in the events, so that the
// test has hits of every plan shape.
func planted(tb testing.TB, x *extract.Extractor, events [][]byte, r *rand.Rand) []Indicator {
	var out []Indicator
	add := func(p string, validUntil time.Time) {
		out = append(out, Indicator{ID: fmt.Sprintf("indicator--00000000-0000-4000-8000-%012d", len(out)), Pattern: p, PatternType: "stix",
			ValidFrom: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), ValidUntil: validUntil, Modified: time.Unix(1, 0)})
	}
	var ev extract.Event
	esc := func(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `'`, `\'`) }
	for n := 0; n < 400; n++ {
		raw := events[r.IntN(len(events))]
		if err := x.Extract(raw, time.Now(), &ev); err != nil || len(ev.Observables) == 0 {
			continue
		}
		o := ev.Observables[r.IntN(len(ev.Observables))]
		text := string(o.Text)
		var until time.Time
		if r.IntN(10) == 0 {
			until = time.Date(2018, 3, 24, 17, 16, 0, 0, time.UTC) // expires mid-capture
		}
		switch o.Kind {
		case observable.Domain:
			add(fmt.Sprintf("[domain-name:value = '%s']", strings.ToUpper(esc(text))), until)
			if labels := strings.Split(text, "."); len(labels[0]) >= 3 {
				add(fmt.Sprintf("[domain-name:value MATCHES '^%s\\\\.']", labels[0]), until)
			}
		case observable.IPv4, observable.IPv6:
			add(fmt.Sprintf("[ipv4-addr:value = '%s' OR ipv6-addr:value = '%s']", text, text), until)
			if o.Kind == observable.IPv4 {
				add(fmt.Sprintf("[ipv4-addr:value ISSUBSET '%s/%d']", text, 16+r.IntN(16)), until)
				add(fmt.Sprintf("[network-traffic:src_ref.value = '%s' AND network-traffic:protocols[*] = 'tcp']", text), until)
			}
		case observable.AddrPort:
			side := "dst"
			if o.Role == observable.RoleSource {
				side = "src"
			}
			add(fmt.Sprintf("[network-traffic:%s_ref.type = 'ipv4-addr' AND network-traffic:%s_ref.value = '%s' AND network-traffic:%s_port = %d]", side, side, o.Addr, side, o.Port), until)
		case observable.URL:
			add(fmt.Sprintf("[url:value = '%s']", esc(text)), until)
			if len(text) > 12 {
				add(fmt.Sprintf("[url:value LIKE '%%%s%%']", esc(text[len(text)/2:len(text)/2+5])), until)
			}
		case observable.MD5, observable.SHA1, observable.SHA256:
			add(fmt.Sprintf("[file:hashes.%s = '%s']", strings.ReplaceAll(o.Kind.HashAlgorithm(), "-", ""), strings.ToUpper(text)), until)
		default:
			if o.Kind.KeyIsText() && len(text) >= 4 {
				add(fmt.Sprintf("[x509-certificate:subject = '%s' OR x509-certificate:issuer LIKE '%%%s%%']", esc(text), esc(text[:3])), until)
			}
		}
	}
	add("[network-traffic:dst_port = 3389]", time.Time{})
	add("[network-traffic:dst_port = 53 AND network-traffic:protocols[*] = 'udp']", time.Time{})
	return out
}

// bruteForce evaluates every indicator on the event with the evaluator.
func bruteForce(tb testing.TB, plans []*plan.Plan, inds []Indicator, ev *extract.Event, at time.Time) []string {
	var out []string
	for i, pl := range plans {
		if pl == nil {
			continue
		}
		ind := inds[i]
		if !ind.ValidFrom.IsZero() && at.Before(ind.ValidFrom) || !ind.ValidUntil.IsZero() && !at.Before(ind.ValidUntil) {
			continue
		}
		ok, err := pl.Matcher.MatchOne(ev.Observation())
		if err == nil && ok {
			out = append(out, ind.ID)
		}
	}
	slices.Sort(out)
	return out
}

func hitIDs(s *Snapshot, hits []Hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, s.IndicatorID(h.Plan))
	}
	slices.Sort(out)
	return out
}

// TestMatchAgainstEvaluator checks the indexed match path against
// evaluating every indicator's whole pattern on every event.
func TestMatchAgainstEvaluator(t *testing.T) {
	events := realEvents(t)
	x, err := extract.New(extract.Config{})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(7, 8))
	inds := planted(t, x, events, r)
	for _, f := range []string{"../../testdata/real/indicators.jsonl.gz", "../../testdata/real/benign_indicators.jsonl.gz"} {
		all := realIndicators(t, f)
		for range 300 {
			inds = append(inds, all[r.IntN(len(all))])
		}
	}
	backends := []Options{
		{},
		{CIDRBackend: cidr.BackendRanger, SubstringBackend: substr.BackendCloudflare},
	}
	for _, opts := range backends {
		name := fmt.Sprintf("cidr=%d/substr=%s", opts.CIDRBackend, opts.SubstringBackend)
		t.Run(name, func(t *testing.T) { checkAgainstEvaluator(t, x, events, inds, opts) })
	}
}

func checkAgainstEvaluator(t *testing.T, x *extract.Extractor, events [][]byte, inds []Indicator, opts Options) {
	b := NewBuilder(opts)
	plans := make([]*plan.Plan, len(inds))
	seen := map[string]bool{}
	for i, ind := range inds {
		if seen[ind.ID] {
			continue
		}
		seen[ind.ID] = true
		b.Add(ind)
		plans[i], _ = plan.Compile(ind.Pattern, ind.PatternType, plan.Options{})
	}
	snap, _, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	t.Log(snap)
	var ev extract.Event
	var sc Scratch
	hits, checked := 0, 0
	for i := 0; i < len(events); i += 7 {
		if err := x.Extract(events[i], time.Now(), &ev); err != nil {
			continue
		}
		checked++
		mo := MatchOptions{CheckValidity: true, At: ev.Time}
		got := hitIDs(snap, snap.Match(&ev, mo, &sc))
		want := bruteForce(t, plans, inds, &ev, ev.Time)
		if !slices.Equal(got, want) {
			t.Fatalf("event %d (%s):\n got  %v\n want %v", i+1, events[i], got, want)
		}
		hits += len(got)
	}
	t.Logf("%d events checked, %d hits, %d verifications", checked, hits, sc.Counters.Verifications)
	if hits < 100 {
		t.Errorf("only %d hits; the planted indicators should hit more", hits)
	}
}
