package bench

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/indicator-matcher/matcher/bench/gen"
	"github.com/indicator-matcher/matcher/engine/extract"
	"github.com/indicator-matcher/matcher/engine/snapshot"
)

// Run runs the benchmark and returns its report; with cfg.OutDir set it
// also writes report.md, throughput.svg and the profiles there.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	prog := newProgress(cfg.Progress)
	start := time.Now()
	rep := &Report{Date: start.UTC(), Machine: ReadMachine(), Command: cfg.Command, Config: cfg}
	prog.printf("machine: %d CPUs (%s), load %s", rep.Machine.CPUs, rep.Machine.CPUModel, rep.Machine.LoadStart)

	realDir := filepath.Join(cfg.DataDir, "real")
	real, err := gen.LoadReal(filepath.Join(realDir, "indicators.jsonl.gz"), filepath.Join(realDir, "benign_indicators.jsonl.gz"))
	if err != nil {
		return nil, err
	}
	rep.RealIndicators = len(real)
	var lines [][]byte
	if slices.Contains(cfg.Workloads, WorkloadReplay) {
		if lines, err = gen.LoadLines(filepath.Join(realDir, "events.jsonl.gz")); err != nil {
			return nil, err
		}
		rep.RealEvents = len(lines)
	}
	x, err := extract.New(extract.Config{})
	if err != nil {
		return nil, err
	}
	if cfg.OutDir != "" {
		if err := os.MkdirAll(cfg.OutDir, 0o755); err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
	}
	s := &sizeRun{cfg: &cfg, prog: prog, x: x, real: real, lines: lines}
	if cfg.has(StageE2E) {
		stop, err := s.startE2E(ctx)
		if err != nil {
			return nil, err
		}
		defer stop()
	}
	for i, n := range cfg.Sizes {
		sr, err := s.run(ctx, n, i == len(cfg.Sizes)-1)
		if err != nil {
			return nil, err
		}
		rep.Sizes = append(rep.Sizes, sr)
		rep.Profiles = append(rep.Profiles, s.profiles...)
		s.profiles = nil
	}
	rep.BenchMemory = readMemory("self")
	rep.Machine.LoadEnd = loadAvg()
	rep.Took = time.Since(start)
	if cfg.OutDir != "" {
		if err := rep.WriteFiles(cfg.OutDir); err != nil {
			return rep, err
		}
		prog.printf("wrote %s and %s", filepath.Join(cfg.OutDir, "report.md"), filepath.Join(cfg.OutDir, "throughput.svg"))
	}
	return rep, nil
}

// sizeRun holds what the sizes of one run share.
type sizeRun struct {
	cfg      *Config
	prog     *progress
	x        *extract.Extractor
	real     []snapshot.Indicator
	lines    [][]byte
	e2e      *e2e
	tmp      string
	profiles []ProfileTop
}

// startE2E starts the NATS server process and connects to it.
func (s *sizeRun) startE2E(ctx context.Context) (func(), error) {
	srv, err := startChild(ctx, s.cfg.Exe, childEnv(), nil, "bench", "nats")
	if err != nil {
		return nil, err
	}
	url, err := srv.waitPrefix(ctx, natsURLPrefix, time.Minute)
	if err != nil {
		srv.kill()
		return nil, err
	}
	nc, err := nats.Connect(url, nats.Name("bench-collector"))
	if err != nil {
		srv.kill()
		return nil, fmt.Errorf("bench: %w", err)
	}
	tmp, err := os.MkdirTemp("", "matcher-bench-")
	if err != nil {
		nc.Close()
		srv.kill()
		return nil, fmt.Errorf("bench: %w", err)
	}
	s.tmp = tmp
	s.e2e = &e2e{exe: s.cfg.Exe, url: url, nc: nc, prog: s.prog, http: &http.Client{Timeout: 10 * time.Second}, server: srv.pid(), matcherEnv: s.cfg.MatcherEnv}
	s.prog.printf("NATS server process on %s; child processes run %s", url, s.cfg.Exe)
	return func() {
		nc.Close()
		srv.stop()
		os.RemoveAll(tmp)
	}, nil
}
