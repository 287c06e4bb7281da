package bench

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/indicator-matcher/matcher/bench/gen"
	"github.com/indicator-matcher/matcher/engine/pipeline"
)

func tinyConfig(t *testing.T) Config {
	cfg := DefaultConfig()
	cfg.Sizes = []int{2_000, 5_000}
	cfg.Events = 600
	cfg.HitRate = 0.1
	cfg.Duration = 30 * time.Millisecond
	cfg.LatencyDuration = 400 * time.Millisecond
	cfg.DataDir = "../testdata"
	cfg.OutDir = t.TempDir()
	cfg.Command = "matcher bench (test)"
	return cfg
}

// TestRunInProcess runs every in-process stage at tiny sizes and checks
// the figures and the files.
func TestRunInProcess(t *testing.T) {
	cfg := tinyConfig(t)
	cfg.Stages = []string{StageParse, StageMatch, StageBreakdown, StageNaive, StageUpdate}
	var progress bytes.Buffer
	cfg.Progress = &progress
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Sizes) != 2 || rep.Sizes[1].Indicators != 5_000 {
		t.Fatalf("sizes: %+v", rep.Sizes)
	}
	for _, s := range rep.Sizes {
		if s.Compile <= 0 || s.Stats.Indicators == 0 || s.Update == nil || s.Update.P50 <= 0 {
			t.Errorf("%d: compile %v, stats %+v, update %+v", s.Indicators, s.Compile, s.Stats, s.Update)
		}
		if len(s.Workloads) != 2 {
			t.Fatalf("%d: %d workloads", s.Indicators, len(s.Workloads))
		}
		for _, w := range s.Workloads {
			for name, tp := range map[string]*Throughput{"parse": w.Parse, "match": w.Match, "naive": w.Naive, "match-only": w.MatchOnly, "observation": w.Observation} {
				if tp == nil || tp.Events < int64(w.Events) && tp.Note == "" || tp.EventsPerSec() <= 0 {
					t.Errorf("%d %s %s: %+v", s.Indicators, w.Name, name, tp)
				}
			}
			if w.Parse.AllocsPerEvent() > 1 {
				t.Errorf("%d %s: extraction allocates %.1f times per event", s.Indicators, w.Name, w.Parse.AllocsPerEvent())
			}
			if w.BadEvents != 0 {
				t.Errorf("%d %s: %d bad events", s.Indicators, w.Name, w.BadEvents)
			}
			if w.Name == WorkloadGenerated && (w.Planted != 60 || w.AlertsPerPass < 60) {
				t.Errorf("%d generated: %d planted, %d alerts per pass", s.Indicators, w.Planted, w.AlertsPerPass)
			}
		}
	}
	md := mustRead(t, filepath.Join(cfg.OutDir, "report.md"))
	if !strings.Contains(md, "| 5k | generated | (2) match path |") || !strings.Contains(md, "### Match path breakdown") {
		t.Errorf("report:\n%s", md)
	}
	checkSVG(t, mustRead(t, filepath.Join(cfg.OutDir, "throughput.svg")))
	if !strings.Contains(progress.String(), "5k generated match: match path") {
		t.Errorf("progress:\n%s", progress.String())
	}
}

func TestRunRejectsBadConfig(t *testing.T) {
	cfg := tinyConfig(t)
	cfg.Sizes, cfg.Events, cfg.Exe = nil, 0, ""
	cfg.MatcherEnv = []string{"GOGC=50"}
	_, err := Run(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "no indicator sizes") || !strings.Contains(err.Error(), "e2e stage needs") ||
		!strings.Contains(err.Error(), `matcher setting "GOGC=50"`) {
		t.Errorf("got %v", err)
	}
}

// TestPublishSink runs the two halves of the raw NATS ceiling against an
// embedded server: every event arrives, stamped.
func TestPublishSink(t *testing.T) {
	srv, err := pipeline.StartEmbedded(pipeline.EmbeddedOptions{Port: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	lines, err := gen.LoadLines("../testdata/real/events.jsonl.gz")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "events.txt")
	if err := WriteEventFile(file, gen.Replay(lines[:100], 100)); err != nil {
		t.Fatal(err)
	}
	// A second subscriber checks the stamps.
	nc, err := nats.Connect(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	var mu sync.Mutex
	stamped := 0
	sub, err := nc.Subscribe("raw.>", func(m *nats.Msg) {
		if _, ok := gen.ReadStamp(m.Data); ok && strings.HasPrefix(m.Subject, "raw.logs.zeek.") {
			mu.Lock()
			stamped++
			mu.Unlock()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	nc.Flush()

	ready := make(chan struct{})
	done := make(chan SinkResult, 1)
	go func() {
		r, err := Sink(context.Background(), SinkOptions{URL: srv.URL(), Subject: "raw.>", Count: 250, Idle: 5 * time.Second}, func() { close(ready) })
		if err != nil {
			t.Error(err)
		}
		done <- r
	}()
	<-ready
	start := time.Now()
	pr, err := Publish(context.Background(), PublishOptions{URL: srv.URL(), File: file, Prefix: "raw.", Count: 250, Rate: 2500})
	if err != nil {
		t.Fatal(err)
	}
	sr := <-done
	if pr.Published != 250 || sr.Received != 250 || sr.Bytes != pr.Bytes || sr.LastNs < pr.StartNs {
		t.Errorf("published %+v, received %+v", pr, sr)
	}
	// 250 events at 2,500/s take about 100 ms.
	if el := time.Since(start); el < 80*time.Millisecond {
		t.Errorf("rate not applied: %v", el)
	}
	time.Sleep(100 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	if stamped != 250 {
		t.Errorf("%d of 250 messages stamped", stamped)
	}
	if _, err := Publish(context.Background(), PublishOptions{URL: srv.URL(), File: filepath.Join(t.TempDir(), "none")}); err == nil {
		t.Error("missing file accepted")
	}
}

// TestEndToEnd runs the end-to-end stage at a tiny size with the real
// matcher binary, built for the test: every expected alert arrives, no
// event is lost, and the latency is measured.
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the matcher binary")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build the matcher")
	}
	exe := filepath.Join(t.TempDir(), "matcher")
	build := exec.Command(goCmd, "build", "-o", exe, "../cmd/matcher")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the matcher: %v\n%s", err, out)
	}
	cfg := tinyConfig(t)
	cfg.Sizes = []int{3_000}
	cfg.Events = 1_500
	cfg.Stages = []string{StageMatch, StageE2E}
	cfg.LatencyLoads = []float64{0.2, 0.5}
	cfg.Exe = exe
	cfg.Profile = true // also profiles the matcher process through http.pprof
	cfg.MatcherEnv = []string{"MATCHER_RUNTIME_GC_RUNWAY=64MiB"}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	rep, err := Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Sizes[0]
	if s.Matcher == nil || s.Matcher.Startup <= 0 || s.Matcher.Memory.HWM == 0 || !strings.HasPrefix(s.Matcher.Summary, "events ") {
		t.Fatalf("matcher: %+v", s.Matcher)
	}
	for _, w := range s.Workloads {
		if w.RawNATS == nil || w.RawNATS.Lost != 0 || w.RawNATS.Events != int64(w.E2EPasses*w.Events) {
			t.Errorf("%s raw NATS: %+v", w.Name, w.RawNATS)
		}
		e := w.E2E
		if e == nil || e.Lost != 0 || e.AlertsReceived != e.AlertsExpected || e.EventsPerSec() <= 0 || e.CPU.Matcher <= 0 {
			t.Fatalf("%s end to end: %+v", w.Name, e)
		}
		half := w.halfRate()
		if len(w.Latencies) != 2 || half == nil || half.Events == 0 || w.Latencies[0].Load != 0.2 {
			t.Fatalf("%s latency: %+v", w.Name, w.Latencies)
		}
		if w.Name == WorkloadGenerated && (e.AlertsExpected == 0 || half.Samples == 0 || half.P99 <= 0) {
			t.Errorf("generated: %d alerts expected, latency %+v", e.AlertsExpected, half)
		}
	}
	md := mustRead(t, filepath.Join(cfg.OutDir, "report.md"))
	if !strings.Contains(md, "### End to end and raw NATS") || !strings.Contains(md, "| 3k | generated | end to end |") ||
		!strings.Contains(md, "matcher process, end to end, 3k indicators, generated") {
		t.Errorf("report:\n%s", md)
	}
	if _, err := os.Stat(filepath.Join(cfg.OutDir, "throughput.svg")); err != nil {
		t.Error(err)
	}
}

func TestProfileTop(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go tool pprof")
	}
	path := filepath.Join(t.TempDir(), "cpu.pprof")
	stop, err := startProfile(path)
	if err != nil {
		t.Fatal(err)
	}
	x := 0
	for t0 := time.Now(); time.Since(t0) < 300*time.Millisecond; {
		for i := 0; i < 1000; i++ {
			x += i * i
		}
	}
	stop()
	_ = x
	top := pprofTop(context.Background(), path, 5)
	if !strings.Contains(top, "flat%") && !strings.Contains(top, "go command not found") {
		t.Errorf("pprof top:\n%s", top)
	}
}
