package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/indicator-matcher/matcher/bench/gen"
	"github.com/indicator-matcher/matcher/engine/alert"
	"github.com/indicator-matcher/matcher/engine/config"
	"github.com/indicator-matcher/matcher/engine/pipeline"
)

// runDemoReplay prints the alerts as they come, replays the bundled logs
// into NATS, and prints a summary once every replayed event is handled.
// The pipeline keeps running for more events afterwards.
func runDemoReplay(ctx context.Context, nc *nats.Conn, runner *pipeline.Runner, stats *pipeline.Stats, cfg config.Config, dataDir string, stdout io.Writer, log *slog.Logger) {
	var mu sync.Mutex
	byIndicator := map[string]int{}
	sub, err := nc.Subscribe(cfg.NATS.AlertSubjectPrefix+".>", func(m *nats.Msg) {
		var a alert.Alert
		if json.Unmarshal(m.Data, &a) != nil {
			return
		}
		mu.Lock()
		byIndicator[a.Threat.Indicator.Name]++
		mu.Unlock()
		fmt.Fprintln(stdout, alertLine(&a))
	})
	if err != nil {
		log.Error("demo: subscribe to alerts", "err", err)
		return
	}
	defer func() { <-ctx.Done(); _ = sub.Unsubscribe() }()
	for !runner.Ready() {
		if ctx.Err() != nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	path := filepath.Join(dataDir, "real", "events.jsonl.gz")
	fmt.Fprintf(stdout, "demo: replaying %s into NATS (indicator validity: %s); alerts appear on %s.<kind>\n", path, cfg.Matching.Validity, cfg.NATS.AlertSubjectPrefix)
	start := time.Now()
	before := stats.EventsIn.Load()
	n, err := publishFile(ctx, nc, path)
	if err != nil {
		log.Error("demo: replay", "err", err)
		return
	}
	for stats.EventsIn.Load()-before < uint64(n) && ctx.Err() == nil && time.Since(start) < 2*time.Minute {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // let the last alerts arrive
	elapsed := time.Since(start)
	fmt.Fprintf(stdout, "\ndemo: %d events replayed in %s (%.0f events/s)\n", n, elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds())
	fmt.Fprintln(stdout, "demo:", summaryLine(stats))
	mu.Lock()
	type kv struct {
		name string
		n    int
	}
	var top []kv
	for k, v := range byIndicator {
		top = append(top, kv{k, v})
	}
	mu.Unlock()
	sort.Slice(top, func(i, j int) bool { return top[i].n > top[j].n || top[i].n == top[j].n && top[i].name < top[j].name })
	for i, t := range top {
		if i == 10 {
			break
		}
		fmt.Fprintf(stdout, "demo:   %5d alerts  %s\n", t.n, t.name)
	}
	fmt.Fprintf(stdout, "demo: still running; publish more events to %v on %s, or press Ctrl-C to stop\n", cfg.NATS.Subjects, nc.ConnectedUrl())
}

// publishFile publishes each line of a (gzip) JSON Lines file on
// logs.zeek.<log type>.
func publishFile(ctx context.Context, nc *nats.Conn, path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return 0, err
		}
		r = zr
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 8<<20)
	n := 0
	for sc.Scan() && ctx.Err() == nil {
		line := sc.Bytes()
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if err := nc.Publish("logs.zeek."+gen.ZeekLogType(line), line); err != nil {
			return n, err
		}
		n++
	}
	if err := nc.Flush(); err != nil {
		return n, err
	}
	return n, sc.Err()
}

// alertLine is the one-line rendering of an alert the demo prints.
func alertLine(a *alert.Alert) string {
	m := a.Threat.Enrichments[0].Matched
	what := m.Atomic
	if what == "" {
		what = "(pattern)"
	}
	field := m.Field
	if field == "" {
		field = "-"
	}
	extra := ""
	if a.Alert.Count > 1 {
		extra = fmt.Sprintf(" x%d", a.Alert.Count)
	}
	return fmt.Sprintf("ALERT %-9s %-16s %s in %s  %q (%s, confidence %s) via %s, context %s%s",
		a.Alert.Kind, a.Threat.Match.Kind, what, field, a.Threat.Indicator.Name, a.Threat.Indicator.ID, confidence(a.Threat.Indicator.Confidence), m.Index, a.Threat.Context.Status, extra)
}

func confidence(c *int) string {
	if c == nil {
		return "-"
	}
	return fmt.Sprint(*c)
}
