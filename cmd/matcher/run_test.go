package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/indicator-matcher/matcher/engine/alert"
	"github.com/indicator-matcher/matcher/engine/pipeline"
)

// TestMain lets the test binary act as the matcher command, so tests can
// run real matcher processes.
func TestMain(m *testing.M) {
	if os.Getenv("TEST_MATCHER_AS_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

const demoIndicators = "../../testdata/demo/indicators.jsonl"

// noSuppression makes every hit an alert.
func noSuppression(t *testing.T) {
	t.Setenv("MATCHER_ALERTS_SUPPRESS_WINDOW", "0s")
	t.Setenv("MATCHER_ALERTS_RATE_PER_INDICATOR", "0")
}

func startNATS(t *testing.T) *pipeline.Embedded {
	t.Helper()
	srv, err := pipeline.StartEmbedded(pipeline.EmbeddedOptions{Port: -1, JetStream: true, StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	return srv
}

// collectAlerts subscribes nc to every alert subject and returns a
// function giving the alerts received so far.
func collectAlerts(t *testing.T, nc *nats.Conn) func() []alert.Alert {
	t.Helper()
	var mu sync.Mutex
	var got []alert.Alert
	sub, err := nc.Subscribe("matcher.alerts.>", func(m *nats.Msg) {
		var a alert.Alert
		if json.Unmarshal(m.Data, &a) == nil {
			mu.Lock()
			got = append(got, a)
			mu.Unlock()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sub.Unsubscribe() })
	return func() []alert.Alert {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(got)
	}
}

type pair struct{ indicator, event string }

func pairsOf(alerts []alert.Alert) []pair {
	var out []pair
	for _, a := range alerts {
		out = append(out, pair{a.Threat.Indicator.ID, a.Event.Original})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].indicator != out[j].indicator {
			return out[i].indicator < out[j].indicator
		}
		return out[i].event < out[j].event
	})
	return out
}

// TestMatchEqualsStreaming runs the real logs through matcher match and
// through matcher run over NATS, with the same indicators, and checks both
// give the same alerts.
func TestMatchEqualsStreaming(t *testing.T) {
	noSuppression(t)
	events := "../../testdata/real/events.jsonl.gz"
	inds := []string{"--indicators", "../../testdata/real/indicators.jsonl.gz", "--indicators", "../../testdata/real/benign_indicators.jsonl.gz", "--indicators", demoIndicators}

	out, errOut, err := runCLI(t, append(append([]string{"match", "--validity", "off"}, inds...), events)...)
	if err != nil {
		t.Fatalf("match: %v\n%s", err, errOut)
	}
	var offline []alert.Alert
	sc := bufio.NewScanner(bytes.NewReader([]byte(out)))
	sc.Buffer(nil, 8<<20)
	for sc.Scan() {
		var a alert.Alert
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatalf("alert line: %v", err)
		}
		if a.Event.File != events || a.Event.Line < 1 || a.Event.Line > 22725 {
			t.Fatalf("offline alert without file and line: %+v", a.Event)
		}
		offline = append(offline, a)
	}
	if len(offline) < 1000 {
		t.Fatalf("only %d offline alerts; the demo indicators alone should give thousands", len(offline))
	}

	srv := startNATS(t)
	nc, err := nats.Connect(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	streamed := collectAlerts(t, nc)
	ctx, cancel := context.WithCancel(context.Background())
	var runOut, runErr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"run", "--nats-url", srv.URL(), "--demo", "off", "--validity", "off", "--http", ""}, inds...), &runOut, &runErr)
	}()
	waitOutput(t, &runOut, "matcher: consuming")
	n, err := publishFile(context.Background(), nc, events)
	if err != nil || n != 22725 {
		t.Fatalf("published %d events: %v", n, err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		if len(streamed()) >= len(offline) || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v\n%s", err, runErr.String())
	}
	a, b := pairsOf(offline), pairsOf(streamed())
	if len(a) != len(b) {
		t.Fatalf("match gave %d alerts, run %d", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("alert %d differs:\n match %v\n run   %v", i, a[i], b[i])
		}
	}
	t.Logf("%d alerts, identical (indicator, event) pairs", len(a))
}

// waitOutput waits until a matcher writes want.
func waitOutput(t *testing.T, out *syncBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !bytes.Contains(out.Bytes(), []byte(want)) {
		if time.Now().After(deadline) {
			t.Fatalf("the matcher did not print %q:\n%s", want, out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// matcherProcess starts this test binary as `matcher run` and waits until
// it consumes.
func matcherProcess(t *testing.T, args ...string) (*exec.Cmd, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"run"}, args...)...)
	cmd.Env = append(os.Environ(), "TEST_MATCHER_AS_MAIN=1")
	out := &syncBuffer{}
	cmd.Stdout = out
	cmd.Stderr = out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitOutput(t, out, "matcher: consuming")
	return cmd, out
}

// dnsEvent is a Zeek DNS event asking for the planted demo domain: it hits
// exactly one demo indicator.
func dnsEvent(i int) []byte {
	return []byte(fmt.Sprintf(`{"_path":"dns","ts":"2018-03-24T17:16:%02d.%06dZ","uid":"CT%d","id.orig_h":"192.0.2.%d","id.orig_p":%d,"id.resp_h":"198.51.100.53","id.resp_p":53,"proto":"udp","query":"ise.wrccdc.org"}`, i%60, i, i, 1+i%250, 1024+i%60000))
}

var eventsLine = regexp.MustCompile(`events (\d+), matched`)

// TestTwoProcessesShareQueueGroup runs two matcher processes in one queue
// group: each event is handled by exactly one of them.
func TestTwoProcessesShareQueueGroup(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	noSuppression(t)
	srv := startNATS(t)
	var procs []*exec.Cmd
	var outs []*syncBuffer
	for i := 0; i < 2; i++ {
		cmd, out := matcherProcess(t, "--nats-url", srv.URL(), "--indicators", demoIndicators, "--demo", "off", "--validity", "off", "--http", "", "--workers", "1")
		procs, outs = append(procs, cmd), append(outs, out)
	}
	defer func() {
		for _, p := range procs {
			_ = p.Process.Kill()
			_ = p.Wait()
		}
	}()
	nc, err := nats.Connect(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	ids := map[string]int{}
	var mu sync.Mutex
	sub, _ := nc.Subscribe("matcher.alerts.>", func(m *nats.Msg) {
		mu.Lock()
		ids[m.Header.Get(nats.MsgIdHdr)]++
		mu.Unlock()
	})
	defer sub.Unsubscribe()
	_ = nc.Flush()
	const n = 2000
	for i := 0; i < n; i++ {
		if err := nc.Publish("logs.zeek.dns", dnsEvent(i)); err != nil {
			t.Fatal(err)
		}
	}
	_ = nc.Flush()
	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		got := len(ids)
		mu.Unlock()
		if got >= n || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	total := 0
	for i, p := range procs {
		_ = p.Process.Signal(syscall.SIGTERM)
		_ = p.Wait()
		m := eventsLine.FindStringSubmatch(outs[i].String())
		if m == nil {
			t.Fatalf("process %d printed no summary:\n%s", i, outs[i].String())
		}
		k, _ := strconv.Atoi(m[1])
		if k == 0 {
			t.Errorf("process %d handled no event", i)
		}
		total += k
	}
	procs = nil
	mu.Lock()
	defer mu.Unlock()
	dups := 0
	for _, c := range ids {
		if c > 1 {
			dups++
		}
	}
	if len(ids) != n || dups != 0 || total != n {
		t.Fatalf("%d distinct alerts (%d duplicated) for %d events; processes handled %d events in all", len(ids), dups, n, total)
	}
}

// TestJetStreamKill9LosesNothing kills a JetStream matcher process with
// SIGKILL in the middle of the stream and restarts it: every event gets
// its alert, exactly once in the alert stream.
func TestJetStreamKill9LosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	noSuppression(t)
	srv := startNATS(t)
	nc, err := nats.Connect(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx := context.Background()
	if _, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{Name: "LOGS", Subjects: []string{"logs.>"}, Storage: jetstream.FileStorage}); err != nil {
		t.Fatal(err)
	}
	const n = 20000
	for i := 0; i < n; i++ {
		if _, err := js.PublishAsync("logs.zeek.dns", dnsEvent(i)); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-js.PublishAsyncComplete():
	case <-time.After(30 * time.Second):
		t.Fatal("publishing the events timed out")
	}
	args := []string{"--nats-url", srv.URL(), "--mode", "jetstream", "--indicators", demoIndicators, "--demo", "off", "--validity", "off", "--http", ""}
	t.Setenv("MATCHER_NATS_JETSTREAM_ACK_WAIT", "2s")
	cmd, out := matcherProcess(t, args...)
	alertsStream := func() uint64 {
		s, err := js.Stream(ctx, "ALERTS")
		if err != nil {
			return 0
		}
		info, err := s.Info(ctx)
		if err != nil {
			return 0
		}
		return info.State.Msgs
	}
	deadline := time.Now().Add(60 * time.Second)
	for alertsStream() < n/10 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	before := alertsStream()
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
	if before == 0 || before >= n {
		t.Fatalf("killed with %d of %d alerts stored; the test proves nothing\n%s", before, n, out.String())
	}
	cmd2, out2 := matcherProcess(t, args...)
	defer func() { _ = cmd2.Process.Kill(); _ = cmd2.Wait() }()
	cons, err := js.Consumer(ctx, "LOGS", "matcher")
	if err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		ci, err := cons.Info(ctx)
		if err == nil && ci.NumPending == 0 && ci.NumAckPending == 0 && alertsStream() >= n {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = cmd2.Process.Signal(syscall.SIGTERM)
	_ = cmd2.Wait()
	if got := alertsStream(); got != n {
		t.Fatalf("ALERTS holds %d alerts after the restart, want %d (killed at %d)\n%s", got, n, before, out2.String())
	}
	t.Logf("killed after %d alerts; after the restart the stream holds exactly %d", before, n)
}

func TestRunDemoOnEmbeddedDefaults(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the demo")
	}
	dir := t.TempDir()
	gcBefore := debug.SetGCPercent(100)
	debug.SetGCPercent(gcBefore)
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"run", "--data", "../../testdata", "--http", "127.0.0.1:0", "--store", filepath.Join(dir, "s.db")}, &out, &errOut)
	}()
	deadline := time.Now().Add(90 * time.Second)
	for !bytes.Contains(out.Bytes(), []byte("demo: still running")) {
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("the demo did not finish its replay:\n%s\n%s", out.String(), errOut.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v\n%s", err, errOut.String())
	}
	text := out.String()
	for _, want := range []string{"embedded NATS server listening on nats://127.0.0.1:", "ALERT match", "Demo: DNS query for ise.wrccdc.org", "198.199.92.0/22", "demo: 22725 events replayed"} {
		if !bytes.Contains([]byte(text), []byte(want)) {
			t.Errorf("demo output lacks %q:\n%s", want, text)
		}
	}
	if _, gogc := os.LookupEnv("GOGC"); !gogc && !strings.Contains(errOut.String(), "garbage collection tuned") {
		t.Errorf("no GC policy in the log:\n%s", errOut.String())
	}
	if p := debug.SetGCPercent(gcBefore); p != gcBefore {
		t.Errorf("GC percentage %d after run returned, %d before; the policy must restore it", p, gcBefore)
	}
}

// syncBuffer is a bytes.Buffer safe for one writer and concurrent readers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.b.Bytes())
}

func (s *syncBuffer) String() string { return string(s.Bytes()) }
