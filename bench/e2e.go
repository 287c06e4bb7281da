package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/indicator-matcher/matcher/bench/gen"
)

// CPUSplit is the CPU time each process used during a run.
type CPUSplit struct {
	Matcher   time.Duration // the matcher process (end to end)
	Publisher time.Duration // the publisher process
	Receiver  time.Duration // the sink process (raw NATS)
	Bench     time.Duration // the NATS server process and this one (the alert collector)
	// Machine is the whole machine's CPU time by state during the run:
	// idle time shows CPUs the processes left unused, steal time CPUs the
	// host gave to other virtual machines.
	Machine machineCPU
}

// E2EResult is one end-to-end or raw-NATS run.
type E2EResult struct {
	Throughput
	// AlertsExpected is what the in-process match path produced for the
	// same events; AlertsReceived what reached the alert subscriber.
	AlertsExpected, AlertsReceived int64
	// Lost counts events the receiver never saw (slow-consumer drops).
	Lost int64
	CPU  CPUSplit
	// PublishElapsed is how long publishing alone took.
	PublishElapsed time.Duration
	// GC is the matcher's garbage collection during the run.
	GC GCStats
}

// Latency is the event-to-alert latency measured at a fixed publication
// rate: from the publisher's stamp in the event to the alert's arrival at
// the subscriber.
type Latency struct {
	Load          float64 // the rate as a fraction of the end-to-end rate
	Rate          float64 // target events/s
	Achieved      float64 // events/s actually published
	Events        int
	Samples       int // alerts that carried a stamp
	P50, P99, Max time.Duration
	Over5ms       int     // alerts later than 5 ms
	GC            GCStats // the matcher's garbage collection during the run
}

// collector counts the alerts the matcher publishes and, when recording,
// the latency of each.
type collector struct {
	mu     sync.Mutex
	alerts int64
	lastNs int64
	record bool
	lat    []time.Duration
	sub    *nats.Subscription
}

func newCollector(nc *nats.Conn, subject string, record bool) (*collector, error) {
	c := &collector{record: record}
	sub, err := nc.Subscribe(subject, func(m *nats.Msg) {
		now := time.Now().UnixNano()
		ns, ok := gen.ReadStamp(m.Data)
		c.mu.Lock()
		c.alerts++
		c.lastNs = now
		if c.record && ok {
			c.lat = append(c.lat, time.Duration(now-ns))
		}
		c.mu.Unlock()
	})
	if err != nil {
		return nil, fmt.Errorf("bench: alert subscription: %w", err)
	}
	if err := sub.SetPendingLimits(-1, -1); err != nil {
		return nil, fmt.Errorf("bench: alert subscription: %w", err)
	}
	if err := nc.Flush(); err != nil {
		return nil, fmt.Errorf("bench: alert subscription: %w", err)
	}
	c.sub = sub
	return c, nil
}

func (c *collector) counts() (alerts, lastNs int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.alerts, c.lastNs
}

func (c *collector) close() { _ = c.sub.Unsubscribe() }

// quantiles returns the p50, p99 and maximum of d (sorted in place).
func quantiles(d []time.Duration) (p50, p99, maxD time.Duration) {
	if len(d) == 0 {
		return 0, 0, 0
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	at := func(q float64) time.Duration { // nearest rank
		i := int(math.Ceil(q*float64(len(d)))) - 1
		return d[min(max(i, 0), len(d)-1)]
	}
	return at(0.50), at(0.99), d[len(d)-1]
}

// child is a started child process whose stdout is read line by line.
type child struct {
	cmd   *exec.Cmd
	lines chan string
	tail  *tailBuffer
	done  chan error
}

func startChild(ctx context.Context, exe string, env []string, onStderr func(string), args ...string) (*child, error) {
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Env = env
	cmd.WaitDelay = 10 * time.Second
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	// Children print a few lines on standard output (the matcher its
	// summary, the sink "ready" and its result); the buffer keeps the
	// reader from ever blocking them.
	c := &child{cmd: cmd, lines: make(chan string, 4096), tail: &tailBuffer{max: 40, onLine: onStderr}, done: make(chan error, 1)}
	cmd.Stderr = c.tail
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("bench: start %s %s: %w", exe, strings.Join(args, " "), err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
		close(c.lines)
		c.done <- cmd.Wait()
	}()
	return c, nil
}

// result waits for the child's last stdout line, a JSON value, and its
// exit.
func (c *child) result(v any) error {
	var last string
	for line := range c.lines {
		last = line
	}
	if err := <-c.done; err != nil {
		return fmt.Errorf("bench: %s: %w\n%s", c.cmd.Args[1:], err, c.tail)
	}
	if err := json.Unmarshal([]byte(last), v); err != nil {
		return fmt.Errorf("bench: %s printed %q: %w", c.cmd.Args[1:], last, err)
	}
	return nil
}

// waitLine waits for a line equal to want.
func (c *child) waitLine(ctx context.Context, want string, timeout time.Duration) error {
	_, err := c.waitFor(ctx, func(line string) bool { return line == want }, fmt.Sprintf("%q", want), timeout)
	return err
}

// waitPrefix waits for a line starting with prefix and returns the rest
// of it.
func (c *child) waitPrefix(ctx context.Context, prefix string, timeout time.Duration) (string, error) {
	line, err := c.waitFor(ctx, func(line string) bool { return strings.HasPrefix(line, prefix) }, fmt.Sprintf("a line starting %q", prefix), timeout)
	return strings.TrimPrefix(line, prefix), err
}

func (c *child) waitFor(ctx context.Context, match func(string) bool, what string, timeout time.Duration) (string, error) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		select {
		case line, ok := <-c.lines:
			if !ok {
				return "", fmt.Errorf("bench: %s exited before %s\n%s", c.cmd.Args[1:], what, c.tail)
			}
			if match(line) {
				return line, nil
			}
		case <-t.C:
			return "", fmt.Errorf("bench: %s: no %s after %s", c.cmd.Args[1:], what, timeout)
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
}

// pid is the child's process id, as cpuTime and readMemory take it.
func (c *child) pid() string { return strconv.Itoa(c.cmd.Process.Pid) }

// kill ends the child at once and waits for it.
func (c *child) kill() {
	_ = c.cmd.Process.Kill()
	for range c.lines {
	}
	<-c.done
}

// stop asks the child to end (SIGTERM) and waits for it.
func (c *child) stop() {
	if c.cmd.Process.Signal(syscall.SIGTERM) != nil {
		c.kill()
		return
	}
	for range c.lines {
	}
	<-c.done
}

func (c *child) cpu() time.Duration {
	if c.cmd.ProcessState == nil {
		return 0
	}
	return c.cmd.ProcessState.UserTime() + c.cmd.ProcessState.SystemTime()
}

// tailBuffer keeps the last lines written to it, for error messages.
type tailBuffer struct {
	mu     sync.Mutex
	max    int
	lines  []string
	part   string
	onLine func(string)
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.part + string(p)
	parts := strings.Split(s, "\n")
	t.part = parts[len(parts)-1]
	for _, l := range parts[:len(parts)-1] {
		if t.onLine != nil {
			t.onLine(l)
		}
		t.lines = append(t.lines, l)
		if len(t.lines) > t.max {
			t.lines = t.lines[1:]
		}
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(t.lines, "\n")
}

// childEnv is this process's environment without the matcher's
// configuration variables and the feed key, plus extra.
func childEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "MATCHER_") || strings.HasPrefix(kv, "SEKOIA_API_KEY=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

// scrape reads one sample of a Prometheus text page.
func scrape(r io.Reader, name string) (float64, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, name+" "); ok {
			return strconv.ParseFloat(strings.TrimSpace(rest), 64)
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, errors.New("bench: metric " + name + " not found")
}
