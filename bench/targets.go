package bench

import (
	"fmt"
	"strings"
	"time"
)

// Target is one of the performance targets, judged on a run.
type Target struct {
	Name     string // what is compared
	Workload string
	Want     string
	Got      string
	Measured bool // false when the stages it needs did not run
	Met      bool
	// Why names what holds a missed target back, from the measurements.
	Why string
}

// Targets judges the targets at the headline size (1M indicators when
// measured), for each workload.
func (r *Report) Targets() []Target {
	s := r.headlineSize()
	var out []Target
	for _, w := range s.Workloads {
		m, p, n := rate(w.Match), rate(w.Parse), rate(w.Naive)
		e, raw := e2eRate(w.E2E), e2eRate(w.RawNATS)
		t := Target{Name: "match path ≥ 50% of the parse-only ceiling", Workload: w.Name, Want: "≥ 0.50×", Measured: m > 0 && p > 0}
		if t.Measured {
			t.Got, t.Met = fmt.Sprintf("%.2f×", m/p), m >= 0.5*p
			if !t.Met {
				t.Why = matchWhy(s, w)
			}
		}
		out = append(out, t)

		t = Target{Name: "end to end ≥ 50% of raw NATS", Workload: w.Name, Want: "≥ 0.50×", Measured: e > 0 && raw > 0}
		if t.Measured {
			t.Got, t.Met = fmt.Sprintf("%.2f×", e/raw), e >= 0.5*raw
			if !t.Met {
				t.Why = e2eWhy(w, r.Machine.CPUs)
			}
		}
		out = append(out, t)

		t = Target{Name: "match path ≥ 10× the naive baseline", Workload: w.Name, Want: "≥ 10×", Measured: m > 0 && n > 0}
		if t.Measured {
			t.Got, t.Met = fmt.Sprintf("%.1f×", m/n), m >= 10*n
			if !t.Met {
				t.Why = "the match path is slower than expected against a map look-up: see its profile"
			}
		}
		out = append(out, t)

		half := w.halfRate()
		t = Target{Name: "event-to-alert p99 ≤ 5 ms at half the maximum rate", Workload: w.Name, Want: "≤ 5 ms", Measured: half != nil && half.Samples > 0}
		if t.Measured {
			t.Got, t.Met = fmtDur(half.P99), half.P99 <= 5*time.Millisecond
			if !t.Met {
				t.Why = latencyWhy(&w, half)
			}
		}
		out = append(out, t)
	}
	return out
}

// matchWhy explains a missed match-path target from the breakdown.
func matchWhy(s SizeResult, w WorkloadResult) string {
	m, p := rate(w.Match), rate(w.Parse)
	var b strings.Builder
	fmt.Fprintf(&b, "matching and alert building cost %s per event on top of extraction's %s (per worker)", perEvent(m, w.Match), perEvent(p, w.Parse))
	if o := rate(w.Observation); o > 0 {
		fmt.Fprintf(&b, "; building the STIX observation alone takes extraction down to %s events/s", fmtRate(o))
	}
	if c := rate(w.NoVerifyAlways); c > 0 {
		fmt.Fprintf(&b, "; without the %d verify-always indicators, which make every event build that observation and be verified against them (%.1f verifications per event), the match path runs at %s events/s, %.2f× the parse-only ceiling", s.VerifyAlwaysLeftOut, w.Verifications, fmtRate(c), c/p)
		if c >= 0.5*p {
			b.WriteString(", so they are what holds the target back")
		}
	} else {
		b.WriteString("; the match path's profile shows where")
	}
	return b.String()
}

// latencyWhy explains a missed latency target.
func latencyWhy(w *WorkloadResult, l *Latency) string {
	var b strings.Builder
	fmt.Fprintf(&b, "p50 is %s and %.2f%% of the alerts take over 5 ms: ", fmtDur(l.P50), 100*float64(l.Over5ms)/float64(max(l.Samples, 1)))
	if l.P50 > 5*time.Millisecond {
		b.WriteString("even the median waits, so events queue in the matcher at this rate")
	} else {
		b.WriteString("the tail comes from stretches when the matcher falls behind, not from steady queueing")
	}
	if l.GC.Cycles > 0 {
		fmt.Fprintf(&b, "; the matcher ran %d garbage collection(s) during the run, %s of collection phases, when it processes events more slowly", l.GC.Cycles, fmtDur(l.GC.Clock))
		if w.Match != nil {
			fmt.Fprintf(&b, " (the match path allocates %s bytes in %.0f allocations per event)", fmtInt(int64(w.Match.AllocBytesPerEvent())), w.Match.AllocsPerEvent())
		}
	}
	for _, o := range w.Latencies {
		if o.Load < l.Load && o.Samples > 0 {
			fmt.Fprintf(&b, "; at %.0f%% of the rate p50 is %s and p99 %s", 100*o.Load, fmtDur(o.P50), fmtDur(o.P99))
		}
	}
	return b.String()
}

// perEvent turns a multi-worker rate into the time one worker spends on
// an event.
func perEvent(rate float64, t *Throughput) string {
	if rate == 0 || t == nil {
		return "–"
	}
	return fmtDur(time.Duration(float64(t.Workers) / rate * float64(time.Second)))
}

// e2eWhy explains a missed end-to-end target from the CPU each process
// used.
func e2eWhy(w WorkloadResult, cpus int) string {
	e := w.E2E
	wall := e.Elapsed.Seconds()
	if wall <= 0 {
		return ""
	}
	share := func(d time.Duration) string { return fmt.Sprintf("%.2f", d.Seconds()/wall) }
	var b strings.Builder
	fmt.Fprintf(&b, "CPUs busy on average over the run (of %d): matcher %s, publisher %s, NATS server and collector %s. ", cpus, share(e.CPU.Matcher), share(e.CPU.Publisher), share(e.CPU.Bench))
	if m := rate(w.Match); m > 0 {
		fmt.Fprintf(&b, "The matcher's own limit is the match path, %s events/s in process with all CPUs to itself", fmtRate(m))
		if c := rate(w.NoVerifyAlways); c > 0 {
			fmt.Fprintf(&b, " (%s without the verify-always indicators)", fmtRate(c))
		}
		b.WriteString("; ")
		if e.EventsPerSec() < 0.8*m {
			b.WriteString("end to end it gets less, as it shares the CPUs with the publisher and the server, and also decodes NATS messages and encodes and publishes alerts. ")
		} else {
			b.WriteString("end to end it reaches most of it, so matching holds it back. ")
		}
		fmt.Fprintf(&b, "Raw NATS moves the events %.1f× faster than the match path can process them", rate2(e2eRate(w.RawNATS), m))
	}
	return b.String()
}

func rate2(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

func (r *Report) targets(b *strings.Builder) {
	s := r.headlineSize()
	fmt.Fprintf(b, "The issue's targets hold on a 2-core machine with 1M indicators; judged here at %s indicators on %d CPUs.\n\n", sizeName(s.Indicators), r.Machine.CPUs)
	fmt.Fprintln(b, "| target | workload | want | measured | met |")
	fmt.Fprintln(b, "|---|---|---:|---:|---|")
	var why []string
	for _, t := range r.Targets() {
		met := "not measured"
		if t.Measured {
			met = "**missed**"
			if t.Met {
				met = "met"
			}
		}
		got := t.Got
		if got == "" {
			got = "–"
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", t.Name, t.Workload, t.Want, got, met)
		if t.Why != "" {
			why = append(why, fmt.Sprintf("- *%s* (%s): %s.", t.Name, t.Workload, strings.TrimSuffix(t.Why, ".")))
		}
	}
	if len(why) > 0 {
		fmt.Fprintf(b, "\nWhat holds the missed targets back, from the measurements:\n\n%s\n", strings.Join(why, "\n"))
	}
}

func fmtInt(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func fmtRate(v float64) string {
	if v == 0 {
		return "–"
	}
	return fmtInt(int64(v + 0.5))
}

func fmtBytes(n uint64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func fmtDur(d time.Duration) string {
	switch {
	case d <= 0:
		return "–"
	case d < time.Microsecond:
		return fmt.Sprintf("%d ns", d.Nanoseconds())
	case d < time.Millisecond:
		return fmt.Sprintf("%.1f µs", float64(d)/float64(time.Microsecond))
	case d < time.Second:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	case d < time.Minute:
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
	return d.Round(time.Second).String()
}
