package metrics

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func scrapeText(t *testing.T, r *Registry) string {
	t.Helper()
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if _, err := checkText(b.String()); err != nil {
		t.Fatalf("invalid exposition: %v\n%s", err, b.String())
	}
	return b.String()
}

func TestGolden(t *testing.T) {
	r := NewRegistry()
	events := NewCounter("matcher_events_in_total", "Events read.")
	dead := NewCounterVec("matcher_dead_letters_total", "Events sent to the dead-letter subject.", "reason")
	lag := NewGauge("matcher_lag_seconds", "Lag.\nSecond line with a \\ backslash.")
	kind := NewGaugeVec("matcher_queue", "Queue length.", "kind", "stage")
	h := NewHistogram("matcher_latency_seconds", "Latency.", []float64{0.01, 0.1, 1, math.Inf(1)})
	gen := NewGaugeFunc("matcher_snapshot_generation", "Generation.", func() float64 { return 7 })
	cf := NewCounterFunc("matcher_external_total", "External.", func() float64 { return 1.5 })
	enrich := NewCollectorFunc("enrich_", "From the enricher.", func() map[string]float64 {
		return map[string]float64{
			"enrich_hits_total":                      3,
			`enrich_results_total{status="pending"}`: 1,
			`enrich_results_total{status="failed"}`:  2,
			"enrich_queue_length":                    0,
		}
	})
	if err := r.Register(events, dead, lag, kind, h, gen, cf, enrich); err != nil {
		t.Fatal(err)
	}
	events.Add(41)
	events.Inc()
	dead.With("too_large").Inc()
	dead.With(`bad "json"` + "\n\\").Add(2)
	lag.Set(0.25)
	kind.With("x", "decode").Set(3)
	kind.With("x", "decode").Dec()
	for _, v := range []float64{0.001, 0.01, 0.05, 0.5, 3, math.NaN()} {
		h.Observe(v)
	}
	got := scrapeText(t, r)
	want := `# HELP enrich_hits_total From the enricher.
# TYPE enrich_hits_total counter
enrich_hits_total 3
# HELP enrich_queue_length From the enricher.
# TYPE enrich_queue_length gauge
enrich_queue_length 0
# HELP enrich_results_total From the enricher.
# TYPE enrich_results_total counter
enrich_results_total{status="failed"} 2
enrich_results_total{status="pending"} 1
# HELP matcher_dead_letters_total Events sent to the dead-letter subject.
# TYPE matcher_dead_letters_total counter
matcher_dead_letters_total{reason="bad \"json\"\n\\"} 2
matcher_dead_letters_total{reason="too_large"} 1
# HELP matcher_events_in_total Events read.
# TYPE matcher_events_in_total counter
matcher_events_in_total 42
# HELP matcher_external_total External.
# TYPE matcher_external_total counter
matcher_external_total 1.5
# HELP matcher_lag_seconds Lag.\nSecond line with a \\ backslash.
# TYPE matcher_lag_seconds gauge
matcher_lag_seconds 0.25
# HELP matcher_latency_seconds Latency.
# TYPE matcher_latency_seconds histogram
matcher_latency_seconds_bucket{le="0.01"} 2
matcher_latency_seconds_bucket{le="0.1"} 3
matcher_latency_seconds_bucket{le="1"} 4
matcher_latency_seconds_bucket{le="+Inf"} 5
matcher_latency_seconds_sum 3.561
matcher_latency_seconds_count 5
# HELP matcher_queue Queue length.
# TYPE matcher_queue gauge
matcher_queue{kind="x",stage="decode"} 2
# HELP matcher_snapshot_generation Generation.
# TYPE matcher_snapshot_generation gauge
matcher_snapshot_generation 7
`
	if got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestRegisterErrors(t *testing.T) {
	base := func() *Registry {
		r := NewRegistry()
		if err := r.Register(NewCounter("a_total", ""), NewHistogram("lat", "", []float64{1}), NewCollectorFunc("ext_", "", func() map[string]float64 { return nil })); err != nil {
			t.Fatal(err)
		}
		return r
	}
	cases := []struct {
		name string
		c    []Collector
		want string
	}{
		{"duplicate", []Collector{NewGauge("a_total", "")}, "a_total registered twice"},
		{"duplicate in one call", []Collector{NewGauge("b", ""), NewCounter("b", "")}, "b registered twice"},
		{"histogram suffix", []Collector{NewCounter("lat_count", "")}, "lat_count registered twice"},
		{"histogram over counter", []Collector{NewHistogram("a", "", nil), NewGauge("a_sum", "")}, "a_sum registered twice"},
		{"bad name", []Collector{NewCounter("1abc", "")}, `invalid metric name "1abc"`},
		{"bad name dash", []Collector{NewGauge("a-b", "")}, `invalid metric name "a-b"`},
		{"bad label", []Collector{NewCounterVec("v", "", "le")}, `invalid label name "le"`},
		{"reserved label", []Collector{NewCounterVec("v", "", "__x")}, `invalid label name "__x"`},
		{"label twice", []Collector{NewGaugeVec("v", "", "a", "a")}, `label "a" twice`},
		{"no labels", []Collector{NewCounterVec("v", "")}, "needs at least one label"},
		{"buckets", []Collector{NewHistogram("h", "", []float64{1, 1})}, "strictly increasing"},
		{"buckets nan", []Collector{NewHistogram("h", "", []float64{math.NaN()})}, "strictly increasing"},
		{"under prefix", []Collector{NewCounter("ext_x_total", "")}, `under the prefix "ext_"`},
		{"prefix overlap", []Collector{NewCollectorFunc("ext_a", "", func() map[string]float64 { return nil })}, "overlaps"},
		{"prefix covers", []Collector{NewCollectorFunc("a_", "", func() map[string]float64 { return nil })}, "covers the registered a_total"},
		{"bad prefix", []Collector{NewCollectorFunc("", "", func() map[string]float64 { return nil })}, "invalid CollectorFunc prefix"},
		{"nil func", []Collector{NewGaugeFunc("g", "", nil)}, "nil function"},
		{"nil", []Collector{nil}, "nil collector"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := base()
			err := r.Register(tc.c...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			// Nothing of a failed call is registered.
			if err := r.Register(NewCounter("b", "")); err != nil {
				t.Fatalf("after a failed Register: %v", err)
			}
		})
	}
}

func TestZeroRegistry(t *testing.T) {
	var r Registry
	if err := r.Register(NewCounter("x_total", "x")); err != nil {
		t.Fatal(err)
	}
	if got := scrapeText(t, &r); got != "# HELP x_total x\n# TYPE x_total counter\nx_total 0\n" {
		t.Fatalf("got %q", got)
	}
	if got := scrapeText(t, NewRegistry()); got != "" {
		t.Fatalf("empty registry wrote %q", got)
	}
}

func TestVecChildren(t *testing.T) {
	v := NewCounterVec("c_total", "", "kind", "status")
	a := v.With("ip", "ok")
	if v.With("ip", "ok") != a || v.With("ip", "err") == a || v.With("i", "pok") == a {
		t.Fatal("children not told apart by their values")
	}
	// Invalid UTF-8 spellings that print the same share one series.
	one := NewGaugeVec("g", "", "x")
	if one.With("a\xff") != one.With("a\xfe") || one.With("a\xff") == one.With("a") {
		t.Fatal("invalid UTF-8 values not merged")
	}
	r := NewRegistry()
	if err := r.Register(v, one); err != nil {
		t.Fatal(err)
	}
	// A wrong number of values is reported, not written.
	v.With("only-one").Inc()
	var b strings.Builder
	err := r.WriteText(&b)
	if err == nil || !strings.Contains(err.Error(), "With called 1 times with a number of values other than 2") {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(b.String(), "only-one") {
		t.Fatal("misused child written")
	}
	if _, err := checkText(b.String()); err != nil {
		t.Fatal(err)
	}
}

func TestVecOverflow(t *testing.T) {
	v := NewCounterVec("c_total", "", "reason")
	for i := range MaxChildren + 50 {
		v.With(strings.Repeat("x", i%7) + string(rune('a'+i%26)) + time.Duration(i).String()).Inc()
	}
	other := v.With(OverflowValue)
	if got := other.Value(); got != 50 {
		t.Fatalf("overflow child counted %d, want 50", got)
	}
	r := NewRegistry()
	if err := r.Register(v); err != nil {
		t.Fatal(err)
	}
	p, err := checkText(scrapeText(t, r))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.samples) != MaxChildren+1 {
		t.Fatalf("%d series, want %d", len(p.samples), MaxChildren+1)
	}
}

func TestCollectorFuncBadSamples(t *testing.T) {
	r := NewRegistry()
	c := NewCollectorFunc("ext_", "ext", func() map[string]float64 {
		return map[string]float64{
			`ext_ok{b="2",a="1"}`:   1,
			`ext_ok{a="1", b="2"}`:  2, // the same series, spelled differently
			`ext_ok{a="3"}`:         math.Inf(1),
			"other_total":           1,
			"ext_bad name":          1,
			`ext_x{a=1}`:            1,
			`ext_x{a="1"`:           1,
			`ext_x{a="\q"}`:         1,
			`ext_x{__a="1"}`:        1,
			`ext_esc{a="q\"\\\n}"}`: 4,
			`ext_empty{}`:           5,
			`ext_trailing{a="1",}`:  6,
		}
	})
	if err := r.Register(c); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	err := r.WriteText(&b)
	for _, want := range []string{`skipped 7 samples`, `"other_total": not under the prefix`, `the same series as`, `unknown escape \q`, `label value must be quoted`, `invalid label name "__a"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	p, cerr := checkText(b.String())
	if cerr != nil {
		t.Fatalf("%v\n%s", cerr, b.String())
	}
	for series, want := range map[string]float64{
		`ext_ok{a="1",b="2"}`:   2, // of two spellings, the key that sorts first wins
		`ext_ok{a="3"}`:         math.Inf(1),
		`ext_esc{a="q\"\\\n}"}`: 4,
		`ext_empty`:             5,
		`ext_trailing{a="1"}`:   6,
	} {
		if got, ok := p.samples[series]; !ok || got != want {
			t.Errorf("%s = %v, %v; want %v\n%s", series, got, ok, want, b.String())
		}
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("boom") }

func TestWriteError(t *testing.T) {
	r := NewRegistry()
	if err := r.Register(NewCounter("x_total", "")); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteText(failWriter{}); err == nil || err.Error() != "boom" {
		t.Fatalf("err = %v", err)
	}
}

func TestHistogramBounds(t *testing.T) {
	h := NewHistogram("h", "", []float64{1, 2, 4})
	for _, v := range []float64{-5, 1, 1.0000001, 2, 4, 4.5, math.Inf(1), math.Inf(-1)} {
		h.Observe(v)
	}
	want := []uint64{3, 2, 1, 2} // (-inf,1], (1,2], (2,4], (4,+inf)
	for i, w := range want {
		if got := h.counts[i].Load(); got != w {
			t.Errorf("bucket %d: %d, want %d", i, got, w)
		}
	}
	if h.Count() != 8 {
		t.Errorf("count %d", h.Count())
	}
	h2 := NewHistogram("h2", "", nil) // only +Inf
	h2.ObserveDuration(1500 * time.Millisecond)
	if h2.Count() != 1 || h2.Sum() != 1.5 {
		t.Errorf("got %d %v", h2.Count(), h2.Sum())
	}
	if b := ExponentialBuckets(0.001, 2, 4); len(b) != 4 || b[3] != 0.008 {
		t.Errorf("exponential: %v", b)
	}
	if ExponentialBuckets(1, 1, 3) != nil || ExponentialBuckets(0, 2, 3) != nil {
		t.Error("bad exponential arguments accepted")
	}
	lb := LatencyBuckets()
	if NewHistogram("l", "", lb).err != nil {
		t.Error("LatencyBuckets invalid")
	}
}

// TestHistogramAgainstSlow checks bucket placement against a linear scan
// on random values.
func TestHistogramAgainstSlow(t *testing.T) {
	bounds := LatencyBuckets()
	h := NewHistogram("h", "", bounds)
	want := make([]uint64, len(bounds)+1)
	x := uint64(12345)
	for range 20000 {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		v := float64(x%20000000)/1e6 - 1 // -1 .. 19 s
		if x%5 == 0 {
			v = bounds[x%uint64(len(bounds))] // exact bounds go to their own bucket
		}
		h.Observe(v)
		i := len(bounds)
		for j, b := range bounds {
			if v <= b {
				i = j
				break
			}
		}
		want[i]++
	}
	for i := range want {
		if got := h.counts[i].Load(); got != want[i] {
			t.Fatalf("bucket %d: %d, want %d", i, got, want[i])
		}
	}
}
