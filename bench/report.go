package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Report is the result of a benchmark run. It renders as Markdown
// (Markdown) and as a chart (Chart).
type Report struct {
	Date    time.Time
	Machine Machine
	Command string
	Config  Config
	Took    time.Duration
	// RealIndicators and RealEvents count the bundled real data the sets
	// and the replay are made from.
	RealIndicators, RealEvents int
	Sizes                      []SizeResult
	Profiles                   []ProfileTop
	// BenchMemory is this process's resident memory at the end (it holds
	// the in-process engines and the embedded NATS server).
	BenchMemory Memory
}

// WriteFiles writes report.md and throughput.svg into dir.
func (r *Report) WriteFiles(dir string) error {
	if err := os.WriteFile(filepath.Join(dir, "report.md"), []byte(r.Markdown("throughput.svg", 2)), 0o644); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "throughput.svg"), []byte(r.Chart()), 0o644); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	return nil
}

// Markdown renders the report. chart is the chart's path relative to the
// Markdown file ("" for none); level is the heading level of the title.
func (r *Report) Markdown(chart string, level int) string {
	var b strings.Builder
	h := func(extra int, title string) {
		fmt.Fprintf(&b, "\n%s %s\n\n", strings.Repeat("#", level+extra), title)
	}
	m := r.Machine
	fmt.Fprintf(&b, "%s Product benchmark (`matcher bench`)\n\n", strings.Repeat("#", level))
	fmt.Fprintf(&b, "Measured %s by the command below; took %s.\n\n", r.Date.Format("2006-01-02 15:04 MST"), r.Took.Round(time.Second))
	fmt.Fprintf(&b, "```\n%s\n```\n\n", r.Command)
	fmt.Fprintf(&b, "Machine: %d CPUs (`nproc`), `%s` (`/proc/cpuinfo` model name), %s RAM, %s %s/%s, Linux %s. ",
		m.CPUs, m.CPUModel, fmtBytes(m.MemBytes), m.GoVersion, m.OS, m.Arch, m.Kernel)
	fmt.Fprintf(&b, "Load average (1, 5, 15 min) at the start: %s; at the end: %s. The machine is shared with other sessions, so figures move by several per cent between runs.\n", m.LoadStart, m.LoadEnd)
	r.describe(&b)

	h(1, fmt.Sprintf("Headline (%s indicators)", sizeName(r.headlineSize().Indicators)))
	r.headline(&b)
	h(1, "Targets")
	r.targets(&b)
	h(1, "Throughput")
	r.throughput(&b)
	if chart != "" {
		fmt.Fprintf(&b, "\n![throughput against indicator count](%s)\n", chart)
	}
	if r.hasBreakdown() {
		h(1, "Match path breakdown")
		r.breakdown(&b)
	}
	if r.hasE2E() {
		h(1, "End to end and raw NATS")
		r.endToEnd(&b)
		h(1, "Event-to-alert latency")
		r.latency(&b)
	}
	h(1, "Indicator sets, compile time, memory and updates")
	r.sets(&b)
	if len(r.Profiles) > 0 {
		h(1, "CPU profiles")
		fmt.Fprintf(&b, "`go tool pprof -top -cum` of the parse-only, match-path and match-path-without-verify-always stages at the largest size, and of the matcher process during the saturated end-to-end runs (taken from its operations endpoint, `http.pprof`). The profiles are in the output directory; they count the workers and the garbage collector together, so the samples exceed the wall clock.\n")
		for _, p := range r.Profiles {
			fmt.Fprintf(&b, "\n%s (`%s`):\n\n```\n%s\n```\n", p.Stage, p.File, p.Top)
		}
	}
	return b.String()
}

// Summary renders the headline and the targets, for the terminal.
func (r *Report) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Headline (%s indicators):\n\n", sizeName(r.headlineSize().Indicators))
	r.headline(&b)
	b.WriteString("\nTargets:\n\n")
	r.targets(&b)
	return b.String()
}

func (r *Report) describe(b *strings.Builder) {
	c := r.Config
	var schemas []string
	for _, s := range c.Schemas {
		schemas = append(schemas, s.String())
	}
	fmt.Fprintf(b, "\nIndicator sets: the %s real indicators of `testdata/real` (malicious and benign), scaled by `bench/gen` to each size with the same mix of pattern shapes, at least 1 substring indicator per 100 and 1 CIDR per 1000. Workloads, %s distinct events each:\n\n",
		fmtInt(int64(r.RealIndicators)), fmtInt(int64(c.Events)))
	for _, wl := range c.Workloads {
		switch wl {
		case WorkloadGenerated:
			fmt.Fprintf(b, "- `generated`: events drawn uniformly from the schemas %s; %.2g%% of them carry the value of an indicator of the set (a planted, real hit), the rest only values that hit no malicious indicator (internal and benchmarking-range addresses hit the benign allow-list, as real traffic does).\n", strings.Join(schemas, ", "), 100*c.HitRate)
		case WorkloadReplay:
			fmt.Fprintf(b, "- `zeek-replay`: the %s real Zeek log lines of `testdata/real/events.jsonl.gz`, replayed in order as often as needed; their hits are the real ones (mostly benign ranges, and port-only indicators of the feed).\n", fmtInt(int64(r.RealEvents)))
		}
	}
	fmt.Fprintf(b, "\nStages, measured side by side on the same events: (1) **parse-only ceiling**: the product's extraction (`extract.Extractor`), no matching; (2) **match path**: `pipeline.Processor` in process: extraction, matching and alert building, no suppression, validity windows off; (3) **end to end**: publisher, `matcher run` and the NATS server (the product's embedded server, in a process of its own: `matcher bench nats`) as separate processes, the publisher as fast as it can, measured until the matcher has taken in every event and every expected alert has arrived; beside it the **raw NATS** ceiling: the same publisher and a subscriber process that only counts; (4) **naive baseline**: `encoding/json` into `map[string]any`, Go map look-ups of every string, a linear scan of the CIDRs (`bench.Naive`). In-process stages run %d worker goroutines for at least %s. Events/s count events; MB/s their bytes.\n", c.Workers, c.Duration)
}

func (r *Report) hasE2E() bool {
	for _, s := range r.Sizes {
		for _, w := range s.Workloads {
			if w.E2E != nil {
				return true
			}
		}
	}
	return false
}

// headlineSize is the size the headline and targets are judged at: 1M
// indicators when measured, else the largest.
func (r *Report) headlineSize() SizeResult {
	if len(r.Sizes) == 0 {
		return SizeResult{}
	}
	for _, s := range r.Sizes {
		if s.Indicators == 1_000_000 {
			return s
		}
	}
	return r.Sizes[len(r.Sizes)-1]
}

func ratio(a, b float64) string {
	if a == 0 || b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

func rate(t *Throughput) float64 {
	if t == nil {
		return 0
	}
	return t.EventsPerSec()
}

func e2eRate(t *E2EResult) float64 {
	if t == nil {
		return 0
	}
	return t.EventsPerSec()
}

func (r *Report) headline(b *strings.Builder) {
	s := r.headlineSize()
	fmt.Fprintln(b, "| workload | match path, events/s | ÷ parse-only (1) | end to end, events/s | ÷ raw NATS (3) | match path ÷ naive (4) | end to end ÷ naive |")
	fmt.Fprintln(b, "|---|---:|---:|---:|---:|---:|---:|")
	for _, w := range s.Workloads {
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s |\n", w.Name, fmtRate(rate(w.Match)), ratio(rate(w.Match), rate(w.Parse)),
			fmtRate(e2eRate(w.E2E)), ratio(e2eRate(w.E2E), e2eRate(w.RawNATS)), ratio(rate(w.Match), rate(w.Naive)), ratio(e2eRate(w.E2E), rate(w.Naive)))
	}
}

func (r *Report) throughput(b *strings.Builder) {
	fmt.Fprintln(b, "| indicators | workload | stage | events/s | MB/s | output per event | allocs/event | B alloc/event | GC cycles | CPU stolen | note |")
	fmt.Fprintln(b, "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
	for _, s := range r.Sizes {
		for _, w := range s.Workloads {
			row := func(stage, output string, t *Throughput) {
				if t == nil {
					return
				}
				stolen := "0"
				if t.Elapsed > 0 && t.Steal > 0 {
					stolen = fmt.Sprintf("%.1f%%", 100*t.Steal.Seconds()/(t.Elapsed.Seconds()*float64(r.Machine.CPUs)))
				}
				fmt.Fprintf(b, "| %s | %s | %s | %s | %.1f | %.3f %s | %.1f | %s | %d | %s | %s |\n", sizeName(s.Indicators), w.Name, stage,
					fmtRate(t.EventsPerSec()), t.MBPerSec(), float64(t.Outputs)/float64(max(t.Events, 1)), output,
					t.AllocsPerEvent(), fmtInt(int64(t.AllocBytesPerEvent())), t.GCs, stolen, t.Note)
			}
			row("(1) parse-only", "observables", w.Parse)
			row("(2) match path", "alerts", w.Match)
			row("(4) naive", "ids", w.Naive)
			if w.E2E != nil {
				fmt.Fprintf(b, "| %s | %s | (3) end to end | %s | %.1f | %.3f alerts | – | – | – | – | %s |\n", sizeName(s.Indicators), w.Name,
					fmtRate(w.E2E.EventsPerSec()), w.E2E.MBPerSec(), float64(w.E2E.AlertsReceived)/float64(max(w.E2E.Events, 1)), w.E2E.Note)
			}
			if w.RawNATS != nil {
				fmt.Fprintf(b, "| %s | %s | (3) raw NATS | %s | %.1f | – | – | – | – | – | %s |\n", sizeName(s.Indicators), w.Name,
					fmtRate(w.RawNATS.EventsPerSec()), w.RawNATS.MBPerSec(), w.RawNATS.Note)
			}
		}
	}
	fmt.Fprintln(b, "\nAllocations are the whole process's heap allocations during the stage divided by the events (Go `runtime.MemStats`). Output per event: observables extracted, alerts built, indicator ids found. CPU stolen: the share of the machine's CPU time the hypervisor gave to other guests during the stage (`/proc/stat`).")
}

func (r *Report) hasBreakdown() bool {
	for _, s := range r.Sizes {
		for _, w := range s.Workloads {
			if w.MatchOnly != nil || w.Observation != nil {
				return true
			}
		}
	}
	return false
}

// breakdown splits the match path into its parts, in events/s.
func (r *Report) breakdown(b *strings.Builder) {
	fmt.Fprintln(b, "| indicators | workload | candidates/event | verifications/event | (1) extraction | (2b) extraction + STIX observation | (2a) extraction + matching, no alerts | (2) match path | (2c) match path without verify-always indicators |")
	fmt.Fprintln(b, "|---:|---|---:|---:|---:|---:|---:|---:|---:|")
	for _, s := range r.Sizes {
		for _, w := range s.Workloads {
			c := "–"
			if w.NoVerifyAlways != nil {
				c = fmt.Sprintf("%s (%d left out)", fmtRate(rate(w.NoVerifyAlways)), s.VerifyAlwaysLeftOut)
			}
			fmt.Fprintf(b, "| %s | %s | %.2f | %.2f | %s | %s | %s | %s | %s |\n", sizeName(s.Indicators), w.Name, w.Candidates, w.Verifications,
				fmtRate(rate(w.Parse)), fmtRate(rate(w.Observation)), fmtRate(rate(w.MatchOnly)), fmtRate(rate(w.Match)), c)
		}
	}
	fmt.Fprintln(b, "\nAll in events/s with the same workers. (2b) builds the STIX observation (`extract.Event.Observation`) that verifying a candidate needs; a verify-always plan (a pattern no index can serve) makes every event pay it. (2a) less (2) is alert building; (2c) runs the match path on the set without the indicators whose plans are verify-always.")
}

func (r *Report) endToEnd(b *strings.Builder) {
	fmt.Fprintln(b, "| indicators | workload | run | events | events/s | wall | publishing alone | alerts received / expected | CPU: matcher | publisher | receiver | NATS server + bench (collector) | machine: idle | steal | matcher GC cycles (wall) |")
	fmt.Fprintln(b, "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, s := range r.Sizes {
		for _, w := range s.Workloads {
			for _, run := range []struct {
				name string
				e    *E2EResult
			}{{"raw NATS", w.RawNATS}, {"end to end", w.E2E}} {
				e := run.e
				if e == nil {
					continue
				}
				alerts, gc := "–", "–"
				if run.name == "end to end" {
					alerts = fmt.Sprintf("%s / %s", fmtInt(e.AlertsReceived), fmtInt(e.AlertsExpected))
					gc = fmtGC(e.GC)
				}
				fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", sizeName(s.Indicators), w.Name, run.name,
					fmtInt(e.Events), fmtRate(e.EventsPerSec()), fmtDur(e.Elapsed), fmtDur(e.PublishElapsed), alerts,
					fmtDur(e.CPU.Matcher), fmtDur(e.CPU.Publisher), fmtDur(e.CPU.Receiver), fmtDur(e.CPU.Bench),
					fmtDur(e.CPU.Machine.Idle), fmtDur(e.CPU.Machine.Steal), gc)
			}
		}
	}
	fmt.Fprintf(b, "\nAlerts expected are those of one in-process pass of the match path over the same events, times the passes; when the matcher process makes another number from the same events, the run still ends when it has taken in every event. CPU is user + system time of each process during the run (`/proc/<pid>/stat`, `getrusage`); the machine has %d CPUs, i.e. %d CPU-seconds per wall-clock second. Machine idle and steal are summed over all CPUs from `/proc/stat`: idle is CPU time no process used, steal time the hypervisor gave to other guests.\n", r.Machine.CPUs, r.Machine.CPUs)
}

func fmtGC(g GCStats) string {
	if g.Cycles == 0 {
		return "0"
	}
	return fmt.Sprintf("%d (%s)", g.Cycles, fmtDur(g.Clock))
}

func (r *Report) latency(b *strings.Builder) {
	fmt.Fprintln(b, "| indicators | workload | load | rate: target / achieved, events/s | events | alerts timed | p50 | p99 | max | alerts over 5 ms | matcher GC cycles (wall) |")
	fmt.Fprintln(b, "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, s := range r.Sizes {
		for _, w := range s.Workloads {
			for i := range w.Latencies {
				l := &w.Latencies[i]
				over := "–"
				if l.Samples > 0 {
					over = fmt.Sprintf("%s (%.2f%%)", fmtInt(int64(l.Over5ms)), 100*float64(l.Over5ms)/float64(l.Samples))
				}
				fmt.Fprintf(b, "| %s | %s | %.0f%% | %s / %s | %s | %s | %s | %s | %s | %s | %s |\n", sizeName(s.Indicators), w.Name, 100*l.Load, fmtRate(l.Rate), fmtRate(l.Achieved),
					fmtInt(int64(l.Events)), fmtInt(int64(l.Samples)), fmtDur(l.P50), fmtDur(l.P99), fmtDur(l.Max), over, fmtGC(l.GC))
			}
		}
	}
	fmt.Fprintln(b, "\nFrom the publication time the publisher writes into each event (`bench_sent_ns`) to the arrival of its alert at a subscriber in the bench process, with the publisher paced at a fraction (load) of the end-to-end rate measured just before; the target is judged at 50%. A workload without alerts (the real Zeek logs hit only allow-listed values at the larger sizes) has no latency to time. Matcher GC cycles come from its runtime trace (`GODEBUG=gctrace=1`); the wall time is that of their phases, mostly the concurrent mark, during which the matcher runs slower.")
}

func (r *Report) sets(b *strings.Builder) {
	fmt.Fprintln(b, "| indicators | compile (in process) | heap after compile | snapshot estimate | exact keys | prefixes | substring fragments | verify-always | diagnostics | update: 1k changes, p50 / max | matcher start-up (load + compile) | matcher RSS peak | matcher live heap |")
	fmt.Fprintln(b, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, s := range r.Sizes {
		upd, start, rss, live := "–", "–", "–", "–"
		if u := s.Update; u != nil {
			upd = fmt.Sprintf("%s / %s", fmtDur(u.P50), fmtDur(u.Max))
		}
		if m := s.Matcher; m != nil {
			start = fmtDur(m.Startup)
			if m.Compile != "" {
				start += " (compile " + m.Compile + ")"
			}
			rss = fmtBytes(m.Memory.HWM)
			if m.LiveHeap > 0 {
				live = fmtBytes(m.LiveHeap)
			}
		}
		st := s.Stats
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", sizeName(s.Indicators), fmtDur(s.Compile),
			fmtBytes(uint64(max(s.HeapBytes, 0))), fmtBytes(uint64(st.SizeBytes)), fmtInt(int64(st.ExactKeys)), fmtInt(int64(st.Prefixes)),
			fmtInt(int64(st.Fragments)), fmtInt(int64(st.VerifyAlways)), fmtInt(int64(s.Diagnostics)), upd, start, rss, live)
	}
	fmt.Fprintf(b, "\nUpdate: rounds of 1,000 indicators changed (a later `modified`) applied to the running engine with `Engine.Apply`, timed until `Load` returns the new snapshot; the delta segment grows over the rounds. Bench process peak RSS: %s (it holds the generated sets, the in-process engine and the naive maps, and the NATS server). The matcher's live heap is the largest its garbage collections marked (its GC trace): the snapshot, the full indicators it keeps for alerts, and the events buffered in its NATS subscription while it catches up with the saturated runs.\n", fmtBytes(r.BenchMemory.HWM))
	for _, s := range r.Sizes {
		if s.Matcher != nil && s.Matcher.Summary != "" {
			fmt.Fprintf(b, "\nMatcher summary at exit, %s indicators: `%s`\n", sizeName(s.Indicators), s.Matcher.Summary)
		}
	}
}
