package bench

import (
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// sampleReport is a report with every part filled, as a full run makes it.
func sampleReport() *Report {
	tp := func(rate float64, outputs int64) *Throughput {
		return &Throughput{Events: int64(rate * 3), Bytes: int64(rate * 3 * 450), Elapsed: 3 * time.Second, Workers: 2, Mallocs: uint64(rate * 6), AllocBytes: uint64(rate * 900), Outputs: outputs, GCs: 4}
	}
	e2e := func(rate float64) *E2EResult {
		return &E2EResult{Throughput: Throughput{Events: int64(rate * 2), Bytes: int64(rate * 900), Elapsed: 2 * time.Second},
			AlertsExpected: 100, AlertsReceived: 100, CPU: CPUSplit{Matcher: 3 * time.Second, Publisher: time.Second / 4, Bench: time.Second / 5, Machine: machineCPU{Idle: time.Second / 10}},
			PublishElapsed: time.Second / 2}
	}
	var sizes []SizeResult
	for i, n := range []int{100_000, 1_000_000} {
		f := float64(i + 1)
		wl := func(name string) WorkloadResult {
			return WorkloadResult{Name: name, Events: 100_000, Bytes: 45_000_000, Planted: 1000, AlertsPerPass: 1200, Candidates: 13.5, Verifications: 11,
				Parse: tp(700_000/f, 900_000), Match: tp(130_000/f, 3600), Naive: tp(2500/f, 20_000),
				MatchOnly: tp(150_000/f, 3000), Observation: tp(160_000/f, 50_000), NoVerifyAlways: tp(480_000/f, 3600),
				RawNATS: e2e(700_000), E2E: e2e(90_000 / f), E2EPasses: 4,
				Latencies: []Latency{
					{Load: 0.1, Rate: 9_000 / f, Achieved: 8_990 / f, Events: 90_000, Samples: 900, P50: time.Millisecond / 2, P99: 2 * time.Millisecond, Max: 3 * time.Millisecond},
					{Load: 0.5, Rate: 45_000 / f, Achieved: 44_990 / f, Events: 450_000, Samples: 4500, P50: time.Millisecond, P99: 4 * time.Millisecond * time.Duration(i+1), Max: 9 * time.Millisecond, Over5ms: 60 * i, GC: GCStats{Cycles: i, Clock: time.Second}},
				}}
		}
		sizes = append(sizes, SizeResult{Indicators: n, Compile: time.Duration(f) * 2 * time.Second, HeapBytes: 300 << 20, VerifyAlwaysLeftOut: 11,
			Update:    &UpdateResult{Rounds: 5, Changes: 1000, P50: 12 * time.Millisecond, Max: 14 * time.Millisecond},
			Workloads: []WorkloadResult{wl(WorkloadGenerated), wl(WorkloadReplay)},
			Matcher:   &MatcherResult{Startup: 25 * time.Second, Compile: "13 s", Memory: Memory{HWM: 4 << 30}, Summary: "events 10, matched 1"}})
	}
	cfg := DefaultConfig()
	cfg.Workers = 2
	return &Report{
		Date: time.Date(2026, 12, 4, 22, 0, 0, 0, time.UTC), Command: "go run ./cmd/matcher bench --sizes 100k,1M", Config: cfg, Took: time.Minute,
		Machine:        Machine{CPUs: 2, CPUModel: "Test CPU <x86> & co", MemBytes: 24 << 30, GoVersion: "go1.26.8", OS: "linux", Arch: "amd64", LoadStart: "0.1 0.2 0.3", LoadEnd: "1 1 1"},
		RealIndicators: 96614, RealEvents: 22725, Sizes: sizes,
		Profiles: []ProfileTop{{Stage: "match path, 1M indicators, generated", File: "cpu-match-1M-generated.pprof", Top: "flat flat% sum%"}},
	}
}

func TestReportMarkdown(t *testing.T) {
	md := sampleReport().Markdown("throughput.svg", 2)
	for _, want := range []string{
		"## Product benchmark (`matcher bench`)",
		"go run ./cmd/matcher bench --sizes 100k,1M",
		"2 CPUs (`nproc`), `Test CPU <x86> & co`",
		"### Headline (1M indicators)",
		"| generated | 65,000 | 0.19× | 45,000 | 0.06× | 52.00× | 36.00× |",
		"| match path ≥ 50% of the parse-only ceiling | generated | ≥ 0.50× | 0.19× | **missed** |",
		"| match path ≥ 10× the naive baseline | generated | ≥ 10× | 52.0× | met |",
		"| event-to-alert p99 ≤ 5 ms at half the maximum rate | generated | ≤ 5 ms | 8.00 ms | **missed** |",
		"What holds the missed targets back",
		"| 1M | generated | (2) match path | 65,000 |",
		"![throughput against indicator count](throughput.svg)",
		"### Match path breakdown",
		"480,000 (11 left out)",
		"### End to end and raw NATS",
		"| 1M | zeek-replay | end to end | 90,000 |",
		"### Event-to-alert latency",
		"| 1M | generated | 50% | 22,500 / 22,495 | 450,000 | 4,500 | 1.00 ms | 8.00 ms | 9.00 ms | 60 (1.33%) | 1 (1.00 s) |",
		"at 10% of the rate p50 is 500.0 µs and p99 2.00 ms",
		"### Indicator sets, compile time, memory and updates",
		"12.00 ms / 14.00 ms",
		"### CPU profiles",
		"`cpu-match-1M-generated.pprof`",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	// Every table row has as many cells as its header.
	var cols int
	for i, line := range strings.Split(md, "\n") {
		if !strings.HasPrefix(line, "|") {
			cols = 0
			continue
		}
		n := strings.Count(line, "|")
		if cols == 0 {
			cols = n
		} else if n != cols {
			t.Errorf("line %d has %d cells, its table %d: %s", i+1, n-1, cols-1, line)
		}
	}
	if s := sampleReport().Summary(); !strings.Contains(s, "Targets:") || !strings.Contains(s, "| zeek-replay |") {
		t.Errorf("summary:\n%s", s)
	}
}

// TestReportEmptyParts renders a report of a run with few stages.
func TestReportEmptyParts(t *testing.T) {
	r := sampleReport()
	for i := range r.Sizes {
		r.Sizes[i].Matcher, r.Sizes[i].Update = nil, nil
		for j := range r.Sizes[i].Workloads {
			w := &r.Sizes[i].Workloads[j]
			w.E2E, w.RawNATS, w.Latencies, w.Naive, w.MatchOnly, w.Observation, w.NoVerifyAlways = nil, nil, nil, nil, nil, nil, nil
		}
	}
	r.Profiles = nil
	md := r.Markdown("", 1)
	for _, absent := range []string{"End to end and raw NATS", "Match path breakdown", "CPU profiles", "![throughput"} {
		if strings.Contains(md, absent) {
			t.Errorf("report has %q", absent)
		}
	}
	if !strings.Contains(md, "| end to end ≥ 50% of raw NATS | generated | ≥ 0.50× | – | not measured |") {
		t.Errorf("unmeasured target not shown:\n%s", md)
	}
	checkSVG(t, r.Chart())
	checkSVG(t, (&Report{}).Chart())
}

// checkSVG parses the chart as XML and checks its root and lines.
func checkSVG(t *testing.T, svg string) {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(svg))
	root, lines := "", 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("chart is not well-formed XML: %v\n%s", err, svg)
		}
		if se, ok := tok.(xml.StartElement); ok {
			if root == "" {
				root = se.Name.Local
				if se.Name.Space != "http://www.w3.org/2000/svg" {
					t.Errorf("root namespace %q", se.Name.Space)
				}
			}
			if se.Name.Local == "polyline" {
				lines++
			}
		}
	}
	if root != "svg" {
		t.Errorf("root element %q", root)
	}
	t.Logf("%d polylines", lines)
}

func TestChart(t *testing.T) {
	svg := sampleReport().Chart()
	checkSVG(t, svg)
	// Two panels, five series each.
	if n := strings.Count(svg, "<polyline"); n != 10 {
		t.Errorf("%d polylines, want 10", n)
	}
	for _, want := range []string{"Throughput against indicator count: generated", "zeek-replay", "(4) naive baseline", ">100k<", ">1M<"} {
		if !strings.Contains(svg, want) {
			t.Errorf("chart lacks %q", want)
		}
	}
}

func TestUpdateResults(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "RESULTS.md")
	orig := "# Benchmark results\n\nIntro.\n\n## Extraction\n\nkept text\n"
	if err := os.WriteFile(path, []byte(orig), 0o644); err != nil {
		t.Fatal(err)
	}
	r := sampleReport()
	if err := r.UpdateResults(path); err != nil {
		t.Fatal(err)
	}
	first, _ := os.ReadFile(path)
	s := string(first)
	if !strings.HasPrefix(s, "# Benchmark results\n\nIntro.\n\n"+resultsBegin) || !strings.HasSuffix(s, "## Extraction\n\nkept text\n") {
		t.Fatalf("section not placed before the first section:\n%s", s)
	}
	checkSVG(t, mustRead(t, filepath.Join(dir, ResultsChart)))
	// A second run replaces the section and keeps the rest, byte for byte.
	r.Command = "matcher bench --sizes 10k"
	if err := r.UpdateResults(path); err != nil {
		t.Fatal(err)
	}
	second := mustRead(t, path)
	if strings.Count(second, resultsBegin) != 1 || !strings.Contains(second, "matcher bench --sizes 10k") || strings.Contains(second, "--sizes 100k,1M") {
		t.Fatalf("section not replaced:\n%s", second)
	}
	if strings.Replace(second, "matcher bench --sizes 10k", "go run ./cmd/matcher bench --sizes 100k,1M", 1) != s {
		t.Error("text outside the section changed")
	}
	// A new file gets a title.
	fresh := filepath.Join(dir, "new.md")
	if err := r.UpdateResults(fresh); err != nil {
		t.Fatal(err)
	}
	if got := mustRead(t, fresh); !strings.HasPrefix(got, "# Benchmark results\n\n"+resultsBegin) {
		t.Errorf("new file:\n%s", got)
	}
	// A begin marker without its end is an error, not a truncation.
	if err := os.WriteFile(path, []byte("x\n"+resultsBegin+"\nrest"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := r.UpdateResults(path); err == nil {
		t.Error("unterminated section accepted")
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestParseSizesAndLists(t *testing.T) {
	got, err := ParseSizes("1M, 10k,100k,10k,2500")
	if err != nil || !slices.Equal(got, []int{2500, 10_000, 100_000, 1_000_000}) {
		t.Fatalf("%v, %v", got, err)
	}
	for _, bad := range []string{"", "0", "-1k", "1G", "x", "1000M"} {
		if _, err := ParseSizes(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if l, err := ParseList("match,parse,match", AllStages()); err != nil || !slices.Equal(l, []string{"match", "parse"}) {
		t.Errorf("%v, %v", l, err)
	}
	if _, err := ParseList("match,fast", AllStages()); err == nil {
		t.Error("unknown stage accepted")
	}
	if l, _ := ParseList("all", AllWorkloads()); !slices.Equal(l, AllWorkloads()) {
		t.Errorf("all: %v", l)
	}
	if l, err := ParseLoads("0.5, 0.1,0.5"); err != nil || !slices.Equal(l, []float64{0.1, 0.5}) {
		t.Errorf("loads %v, %v", l, err)
	}
	for _, bad := range []string{"", "0", "1.5", "x"} {
		if _, err := ParseLoads(bad); err == nil {
			t.Errorf("load %q accepted", bad)
		}
	}
	for n, want := range map[int]string{1_000_000: "1M", 100_000: "100k", 2500: "2500", 3_000_000: "3M"} {
		if got := sizeName(n); got != want {
			t.Errorf("sizeName(%d) = %q", n, got)
		}
	}
}

func TestQuantiles(t *testing.T) {
	var d []time.Duration
	for i := 100; i >= 1; i-- {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	p50, p99, mx := quantiles(d)
	if p50 != 50*time.Millisecond || p99 != 99*time.Millisecond || mx != 100*time.Millisecond {
		t.Errorf("p50 %v p99 %v max %v", p50, p99, mx)
	}
	if a, b, c := quantiles(nil); a != 0 || b != 0 || c != 0 {
		t.Error("quantiles of nothing")
	}
	if a, b, c := quantiles([]time.Duration{7}); a != 7 || b != 7 || c != 7 {
		t.Error("quantiles of one")
	}
}

func TestScrape(t *testing.T) {
	page := "# HELP matcher_events_in_total Events received.\n# TYPE matcher_events_in_total counter\nmatcher_events_in_total 1234\nmatcher_events_in_total_x 9\n"
	if v, err := scrape(strings.NewReader(page), "matcher_events_in_total"); err != nil || v != 1234 {
		t.Errorf("%v, %v", v, err)
	}
	if _, err := scrape(strings.NewReader(page), "matcher_alerts_out_total"); err == nil {
		t.Error("missing metric found")
	}
}

func TestFormatting(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", -1234567: "-1,234,567"} {
		if got := fmtInt(n); got != want {
			t.Errorf("fmtInt(%d) = %q", n, got)
		}
	}
	if got := fmtDur(1500 * time.Microsecond); got != "1.50 ms" {
		t.Errorf("fmtDur: %q", got)
	}
	if got := fmtBytes(3 << 29); got != "1.50 GiB" {
		t.Errorf("fmtBytes: %q", got)
	}
}

func TestMachine(t *testing.T) {
	m := ReadMachine()
	if m.CPUs < 1 || m.GoVersion == "" {
		t.Errorf("%+v", m)
	}
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc")
	}
	if mem := readMemory("self"); mem.RSS == 0 || mem.HWM < mem.RSS {
		t.Errorf("memory %+v", mem)
	}
	if d, err := cpuTime("self"); err != nil || d < 0 {
		t.Errorf("cpu %v, %v", d, err)
	}
	if c := readMachineCPU(); c.Busy+c.Idle <= 0 {
		t.Errorf("machine cpu %+v", c)
	}
}

func TestParseGCTrace(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c, ok := parseGCTrace("gc 16 @6.609s 9%: 0.72+943+0.21 ms clock, 1.4+76/487/618+0.42 ms cpu, 1089->1167->917 MB, 1222 MB goal, 0 MB stacks, 0 MB globals, 2 P", start)
	if !ok || !c.at.Equal(start.Add(6609*time.Millisecond)) || c.clock != 943930*time.Microsecond || c.live != 917<<20 {
		t.Errorf("%+v, %v", c, ok)
	}
	for _, bad := range []string{"", "gc", `{"msg":"gc 1"}`, "gc 1 @x 1%: 1+2+3 ms clock,", "gc 1 @1s 1%: 1+x+3 ms clock,"} {
		if _, ok := parseGCTrace(bad, start); ok {
			t.Errorf("%q parsed", bad)
		}
	}
	m := &matcherProc{gcs: []gcCycle{{start, time.Second, 1 << 30}, {start.Add(time.Minute), 2 * time.Second, 2 << 30}}}
	if g := m.gcBetween(start.Add(-time.Second), start.Add(time.Second)); g.Cycles != 1 || g.Clock != time.Second {
		t.Errorf("%+v", g)
	}
	if m.maxLive() != 2<<30 {
		t.Errorf("max live %d", m.maxLive())
	}
}
