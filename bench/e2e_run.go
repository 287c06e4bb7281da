package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"
)

// e2e runs the end-to-end and raw-NATS stages: the NATS server runs in
// this process; the matcher, the publisher and the raw receiver are child
// processes of exe (the matcher binary).
type e2e struct {
	exe        string
	url        string
	server     string     // pid of the NATS server process
	matcherEnv []string   // Config.MatcherEnv
	nc         *nats.Conn // this process's connection, for the alert collector
	prog       *progress
	http       *http.Client
}

// matcherProc is a running `matcher run`.
type matcherProc struct {
	*child
	pid        string
	metricsURL string
	startup    time.Duration
	compile    string // the matcher's own "took" for compiling the indicators
	started    time.Time

	gcMu sync.Mutex
	gcs  []gcCycle // from the runtime's GC trace (GODEBUG=gctrace=1)
}

// startMatcher starts `matcher run` on the indicator file and waits until
// it is consuming. Suppression and rate limits are off and validity
// windows are ignored, so that every hit becomes an alert, as in the
// in-process match path; enrichment is off (no feed).
func (e *e2e) startMatcher(ctx context.Context, indicatorFile string, pendingMsgs int, profiling bool) (*matcherProc, error) {
	env := childEnv(append(slices.Clip(e.matcherEnv), "MATCHER_ALERTS_RATE_PER_INDICATOR=0", "GODEBUG=gctrace=1",
		"MATCHER_NATS_PENDING_LIMITS_MSGS="+strconv.Itoa(pendingMsgs), "MATCHER_NATS_PENDING_LIMITS_BYTES=4GiB",
		"MATCHER_HTTP_PPROF="+strconv.FormatBool(profiling))...)
	urls := make(chan string, 1)
	m := &matcherProc{started: time.Now()}
	onLog := func(line string) {
		if c, ok := parseGCTrace(line, m.started); ok {
			m.gcMu.Lock()
			m.gcs = append(m.gcs, c)
			m.gcMu.Unlock()
			return
		}
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) != nil {
			return
		}
		switch rec["msg"] {
		case "operations endpoint":
			if u, ok := rec["metrics"].(string); ok {
				select {
				case urls <- u:
				default:
				}
			}
		case "indicators compiled":
			switch t := rec["took"].(type) {
			case string:
				m.compile = t
			case float64: // slog's JSON handler writes durations in nanoseconds
				m.compile = fmtDur(time.Duration(t))
			}
		}
	}
	c, err := startChild(ctx, e.exe, env, onLog, "run", "--nats-url", e.url, "--indicators", indicatorFile,
		"--demo", "off", "--source", "none", "--validity", "off", "--suppress-window", "0", "--enrich=false",
		"--http", "127.0.0.1:0", "--log-format", "json")
	if err != nil {
		return nil, err
	}
	m.child, m.pid = c, c.pid()
	stopTick := e.prog.tick("matcher start-up", func() string {
		mem := readMemory(m.pid)
		return fmt.Sprintf("loading and compiling, RSS %d MiB", mem.RSS>>20)
	})
	defer stopTick()
	deadline := time.After(20 * time.Minute)
	select {
	case m.metricsURL = <-urls:
	case <-deadline:
		m.kill()
		return nil, fmt.Errorf("bench: matcher did not open its metrics endpoint\n%s", c.tail)
	case <-ctx.Done():
		m.kill()
		return nil, ctx.Err()
	}
	ready := strings.TrimSuffix(m.metricsURL, "/metrics") + "/readyz"
	for {
		resp, err := e.http.Get(ready)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case <-deadline:
			m.kill()
			return nil, fmt.Errorf("bench: matcher not ready\n%s", c.tail)
		case <-ctx.Done():
			m.kill()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	m.startup = time.Since(m.started)
	return m, nil
}

// metric reads one sample of the matcher's /metrics.
func (e *e2e) metric(m *matcherProc, name string) (float64, error) {
	resp, err := e.http.Get(m.metricsURL)
	if err != nil {
		return 0, fmt.Errorf("bench: matcher metrics: %w", err)
	}
	defer resp.Body.Close()
	return scrape(resp.Body, name)
}

// stop ends the matcher gracefully and returns its memory high-water mark
// (read just before it exits) and its summary line.
func (m *matcherProc) stop() (Memory, string, error) {
	mem := readMemory(m.pid)
	if err := m.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return mem, "", fmt.Errorf("bench: stop matcher: %w", err)
	}
	var summary string
	for line := range m.lines {
		if strings.HasPrefix(line, "events ") {
			summary = line
		}
	}
	if err := <-m.done; err != nil {
		return mem, summary, fmt.Errorf("bench: matcher exited: %w\n%s", err, m.tail)
	}
	return mem, summary, nil
}

// publisher starts `matcher bench publish` and delivers its result on
// the returned channel.
func (e *e2e) publisher(ctx context.Context, file, prefix string, rate float64, count int) (*child, <-chan publishDone, error) {
	args := []string{"bench", "publish", "--nats-url", e.url, "--file", file, "--prefix", prefix,
		"--rate", strconv.FormatFloat(rate, 'f', 0, 64), "--count", strconv.Itoa(count)}
	c, err := startChild(ctx, e.exe, childEnv(), nil, args...)
	if err != nil {
		return nil, nil, err
	}
	ch := make(chan publishDone, 1)
	go func() {
		var d publishDone
		d.err = c.result(&d.res)
		ch <- d
	}()
	return c, ch, nil
}

type publishDone struct {
	res PublishResult
	err error
}

// rawNATS publishes the events to a plain subscriber process that only
// counts them: the ceiling of moving the events through NATS.
func (e *e2e) rawNATS(ctx context.Context, file string, n int) (E2EResult, error) {
	sink, err := startChild(ctx, e.exe, childEnv(), nil, "bench", "sink", "--nats-url", e.url, "--subject", "raw.>", "--count", strconv.Itoa(n))
	if err != nil {
		return E2EResult{}, err
	}
	if err := sink.waitLine(ctx, "ready", time.Minute); err != nil {
		return E2EResult{}, err
	}
	bench0 := e.benchCPU()
	mach0 := readMachineCPU()
	pub, pubDone, err := e.publisher(ctx, file, "raw.", 0, n)
	if err != nil {
		return E2EResult{}, err
	}
	pd := <-pubDone
	if pd.err != nil {
		return E2EResult{}, pd.err
	}
	var sr SinkResult
	if err := sink.result(&sr); err != nil {
		return E2EResult{}, err
	}
	bench1 := e.benchCPU()
	mach1 := readMachineCPU()
	r := E2EResult{
		Throughput:     Throughput{Events: sr.Received, Bytes: sr.Bytes, Elapsed: time.Duration(sr.LastNs - pd.res.StartNs), Outputs: sr.Received},
		Lost:           int64(n) - sr.Received,
		CPU:            CPUSplit{Publisher: pub.cpu(), Receiver: sink.cpu(), Bench: bench1 - bench0, Machine: mach1.sub(mach0)},
		PublishElapsed: time.Duration(pd.res.EndNs - pd.res.StartNs),
	}
	if r.Lost > 0 {
		r.Note = fmt.Sprintf("%d messages lost", r.Lost)
	}
	return r, nil
}

// endToEnd publishes the events as fast as possible to the running
// matcher and measures until it has taken in every event and the expected
// alerts have arrived.
func (e *e2e) endToEnd(ctx context.Context, m *matcherProc, file string, n int, expected int64) (E2EResult, error) {
	col, err := newCollector(e.nc, "matcher.alerts.>", false)
	if err != nil {
		return E2EResult{}, err
	}
	defer col.close()
	base, err := e.metric(m, "matcher_events_in_total")
	if err != nil {
		return E2EResult{}, err
	}
	matcher0, _ := cpuTime(m.pid)
	bench0 := e.benchCPU()
	mach0 := readMachineCPU()
	pub, pubDone, err := e.publisher(ctx, file, "", 0, n)
	if err != nil {
		return E2EResult{}, err
	}
	in, doneAt, err := e.waitIntake(ctx, m, base, base+float64(n), pubDone, 10*time.Millisecond)
	if err != nil {
		return E2EResult{}, err
	}
	// Wait for the expected alerts, or for a second without a new one
	// (the matcher may make another number of alerts, see the report).
	for prev, quiet := int64(-1), time.Now(); ; time.Sleep(5 * time.Millisecond) {
		a, _ := col.counts()
		if a >= expected && expected > 0 || time.Since(quiet) > time.Second {
			break
		}
		if a != prev {
			prev, quiet = a, time.Now()
		}
	}
	pd := <-pubDone
	if pd.err != nil {
		return E2EResult{}, pd.err
	}
	alerts, lastNs := col.counts()
	end := doneAt.UnixNano()
	if lastNs > end {
		end = lastNs
	}
	matcher1, _ := cpuTime(m.pid)
	bench1 := e.benchCPU()
	mach1 := readMachineCPU()
	r := E2EResult{
		Throughput:     Throughput{Events: int64(in - base), Bytes: pd.res.Bytes * int64(in-base) / int64(max(n, 1)), Elapsed: time.Duration(end - pd.res.StartNs), Outputs: alerts},
		AlertsExpected: expected, AlertsReceived: alerts, Lost: int64(base + float64(n) - in),
		CPU:            CPUSplit{Matcher: matcher1 - matcher0, Publisher: pub.cpu(), Bench: bench1 - bench0, Machine: mach1.sub(mach0)},
		PublishElapsed: time.Duration(pd.res.EndNs - pd.res.StartNs),
	}
	var notes []string
	if r.Lost > 0 {
		notes = append(notes, fmt.Sprintf("%d events lost", r.Lost))
	}
	if alerts != expected {
		notes = append(notes, fmt.Sprintf("%d alerts received, %d expected", alerts, expected))
	}
	r.Note = strings.Join(notes, "; ")
	r.GC = m.gcBetween(time.Unix(0, pd.res.StartNs), time.Unix(0, end))
	return r, nil
}

// waitIntake polls the matcher's event counter every interval until it
// reaches target, or stops growing for 10 s after the publisher is done
// (events lost).
func (e *e2e) waitIntake(ctx context.Context, m *matcherProc, base, target float64, pubDone <-chan publishDone, every time.Duration) (float64, time.Time, error) {
	var seen atomic.Int64 // read by the progress ticker
	seen.Store(int64(base))
	lastChange := time.Now()
	stopTick := e.prog.tick("end to end", func() string {
		return fmt.Sprintf("matcher took in %d of %.0f events", seen.Load()-int64(base), target-base)
	})
	defer stopTick()
	for {
		v, err := e.metric(m, "matcher_events_in_total")
		if err != nil {
			return 0, time.Time{}, err
		}
		now := time.Now()
		if int64(v) != seen.Load() {
			seen.Store(int64(v))
			lastChange = now
		}
		if v >= target {
			return v, now, nil
		}
		if now.Sub(lastChange) > 10*time.Second && len(pubDone) > 0 {
			return v, lastChange, nil
		}
		if now.Sub(lastChange) > 5*time.Minute {
			return v, lastChange, fmt.Errorf("bench: matcher stalled at %.0f events\n%s", v, m.tail)
		}
		select {
		case <-ctx.Done():
			return 0, time.Time{}, ctx.Err()
		case <-time.After(every):
		}
	}
}

// latency publishes count events at a fixed rate and measures the
// latency of every alert.
func (e *e2e) latency(ctx context.Context, m *matcherProc, file string, rate float64, count int) (Latency, error) {
	// This process holds the generated sets; a collection of its heap
	// during the run would delay the collector's timestamps. It collects
	// now and not again until the run ends (the collector allocates
	// little: a message per alert).
	runtime.GC()
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	col, err := newCollector(e.nc, "matcher.alerts.>", true)
	if err != nil {
		return Latency{}, err
	}
	defer col.close()
	base, err := e.metric(m, "matcher_events_in_total")
	if err != nil {
		return Latency{}, err
	}
	_, pubDone, err := e.publisher(ctx, file, "", rate, count)
	if err != nil {
		return Latency{}, err
	}
	// Polled rarely: a latency run times alerts, not the intake, and each
	// scrape costs the matcher about half a millisecond of CPU.
	if _, _, err := e.waitIntake(ctx, m, base, base+float64(count), pubDone, 250*time.Millisecond); err != nil {
		return Latency{}, err
	}
	pd := <-pubDone
	if pd.err != nil {
		return Latency{}, pd.err
	}
	// Let the last alerts arrive: wait for 300 ms without a new one.
	for prev := int64(-1); ; time.Sleep(300 * time.Millisecond) {
		a, _ := col.counts()
		if a == prev {
			break
		}
		prev = a
	}
	col.mu.Lock()
	lat := append([]time.Duration(nil), col.lat...)
	col.mu.Unlock()
	l := Latency{Rate: rate, Events: pd.res.Published, Samples: len(lat), GC: m.gcBetween(time.Unix(0, pd.res.StartNs), time.Now())}
	for _, d := range lat {
		if d > 5*time.Millisecond {
			l.Over5ms++
		}
	}
	if d := pd.res.EndNs - pd.res.StartNs; d > 0 {
		l.Achieved = float64(pd.res.Published) / time.Duration(d).Seconds()
	}
	l.P50, l.P99, l.Max = quantiles(lat)
	return l, nil
}

// profileMatcher takes a CPU profile of the matcher process through its
// operations endpoint (http.pprof) for d, into path, in the background.
func (e *e2e) profileMatcher(ctx context.Context, m *matcherProc, path string, d time.Duration) <-chan error {
	done := make(chan error, 1)
	url := strings.TrimSuffix(m.metricsURL, "/metrics") + "/debug/pprof/profile?seconds=" + strconv.Itoa(int(d.Seconds()))
	go func() {
		done <- func() error {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
			if err != nil {
				return err
			}
			client := http.Client{Timeout: d + time.Minute}
			resp, err := client.Do(req)
			if err != nil {
				return fmt.Errorf("bench: matcher profile: %w", err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("bench: matcher profile: %s", resp.Status)
			}
			f, err := os.Create(path)
			if err != nil {
				return fmt.Errorf("bench: matcher profile: %w", err)
			}
			if _, err := io.Copy(f, resp.Body); err != nil {
				f.Close()
				return fmt.Errorf("bench: matcher profile: %w", err)
			}
			return f.Close()
		}()
	}()
	return done
}

// benchCPU is the CPU time of the NATS server process and of this one
// (the alert collector), together.
func (e *e2e) benchCPU() time.Duration {
	self, _ := cpuTime("self")
	srv, _ := cpuTime(e.server)
	return self + srv
}
