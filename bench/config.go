package bench

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/indicator-matcher/matcher/bench/gen"
)

// Stage names, for Config.Stages.
const (
	StageParse  = "parse"  // (1) the parse-only ceiling
	StageMatch  = "match"  // (2) the in-process match path
	StageE2E    = "e2e"    // (3) end to end through NATS, and the raw NATS ceiling
	StageNaive  = "naive"  // (4) the naive baseline
	StageUpdate = "update" // update latency: 1k changed indicators applied to the engine
	// StageBreakdown splits the match path: matching without alerts,
	// extraction plus the STIX observation, and the match path without
	// the verify-always indicators.
	StageBreakdown = "breakdown"
)

// Workload names, for Config.Workloads.
const (
	WorkloadGenerated = "generated"   // events of several schemas with planted hits
	WorkloadReplay    = "zeek-replay" // the real Zeek logs, replayed
)

// AllStages lists the stages in the order they run.
func AllStages() []string {
	return []string{StageParse, StageMatch, StageBreakdown, StageNaive, StageUpdate, StageE2E}
}

// AllWorkloads lists the workloads.
func AllWorkloads() []string { return []string{WorkloadGenerated, WorkloadReplay} }

// Config is one benchmark run. DefaultConfig gives the defaults.
type Config struct {
	// Sizes are the indicator counts, smallest first.
	Sizes []int
	// Events is the number of distinct events per workload.
	Events int
	// HitRate is the share of generated events that carry an indicator
	// value.
	HitRate float64
	// Schemas are the formats of generated events.
	Schemas []gen.Schema
	// Workloads and Stages select what runs.
	Workloads, Stages []string
	// Duration is the least time of each in-process stage; a stage stops
	// after one pass over the events once Duration has passed, or at
	// 3 × Duration short of a pass (the naive baseline at 1M).
	Duration time.Duration
	// LatencyDuration is the length of each latency run.
	LatencyDuration time.Duration
	// LatencyLoads are the publication rates of the latency runs, as
	// fractions of the end-to-end rate; the target is judged at 0.5.
	LatencyLoads []float64
	// Workers is the number of in-process worker goroutines (0: GOMAXPROCS).
	Workers int
	// Seed makes the indicator sets and events.
	Seed uint64
	// DataDir holds real/indicators.jsonl.gz, real/benign_indicators.jsonl.gz
	// and real/events.jsonl.gz.
	DataDir string
	// Profile writes a CPU profile of each in-process stage at the largest
	// size into the output directory and puts its top lines in the report.
	Profile bool
	// OutDir receives report.md, throughput.svg and the profiles; "" writes
	// nothing.
	OutDir string
	// Exe is the matcher binary run as the child processes of the
	// end-to-end stage (`run`, `bench publish`, `bench sink`).
	Exe string
	// MatcherEnv configures the matcher process of the end-to-end stage:
	// MATCHER_* variables (docs/config.md), e.g.
	// "MATCHER_RUNTIME_GC_RUNWAY=128MiB". The bench's own settings of
	// that process come after them and win.
	MatcherEnv []string
	// Command is the command line recorded in the report.
	Command string
	// Progress receives progress lines; nil prints nothing.
	Progress io.Writer
}

// DefaultConfig returns the defaults of `matcher bench`.
func DefaultConfig() Config {
	return Config{
		Sizes: []int{100_000, 1_000_000}, Events: 100_000, HitRate: 0.01, Schemas: gen.AllSchemas(),
		Workloads: AllWorkloads(), Stages: AllStages(), Duration: 3 * time.Second, LatencyDuration: 20 * time.Second, LatencyLoads: []float64{0.5},
		Seed: 1, DataDir: "testdata", OutDir: filepath.Join("bench", "out"),
	}
}

func (c *Config) has(stage string) bool { return slices.Contains(c.Stages, stage) }

func (c *Config) validate() error {
	var errs []error
	if len(c.Sizes) == 0 {
		errs = append(errs, errors.New("no indicator sizes"))
	}
	for _, n := range c.Sizes {
		if n < 1 {
			errs = append(errs, fmt.Errorf("size %d is not positive", n))
		}
	}
	if c.Events < 1 {
		errs = append(errs, fmt.Errorf("events %d is not positive", c.Events))
	}
	if c.HitRate < 0 || c.HitRate > 1 {
		errs = append(errs, fmt.Errorf("hit rate %v is not between 0 and 1", c.HitRate))
	}
	if c.Duration <= 0 || c.LatencyDuration <= 0 {
		errs = append(errs, errors.New("durations must be positive"))
	}
	for _, l := range c.LatencyLoads {
		if l <= 0 || l > 1 {
			errs = append(errs, fmt.Errorf("latency load %v is not in (0, 1]", l))
		}
	}
	if len(c.Workloads) == 0 || len(c.Stages) == 0 {
		errs = append(errs, errors.New("no workload or no stage"))
	}
	for _, kv := range c.MatcherEnv {
		if k, _, ok := strings.Cut(kv, "="); !ok || !strings.HasPrefix(k, "MATCHER_") {
			errs = append(errs, fmt.Errorf("matcher setting %q is not MATCHER_<KEY>=<value>", kv))
		}
	}
	if c.has(StageE2E) && c.Exe == "" {
		errs = append(errs, errors.New("the e2e stage needs the matcher binary (Config.Exe)"))
	}
	if len(errs) > 0 {
		return fmt.Errorf("bench: %w", errors.Join(errs...))
	}
	return nil
}

// ParseSizes reads a comma-separated list of counts with optional k or M
// suffixes: "10k,100k,1M". The result is sorted.
func ParseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		mult := 1
		switch {
		case strings.HasSuffix(f, "k"), strings.HasSuffix(f, "K"):
			mult, f = 1_000, f[:len(f)-1]
		case strings.HasSuffix(f, "M"), strings.HasSuffix(f, "m"):
			mult, f = 1_000_000, f[:len(f)-1]
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 || n > 100_000_000/mult {
			return nil, fmt.Errorf("bench: size %q: want a positive count like 10k or 1M", f)
		}
		out = append(out, n*mult)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// ParseList reads a comma-separated list whose items must be in allowed;
// "all" is every item.
func ParseList(s string, allowed []string) ([]string, error) {
	if s == "all" {
		return allowed, nil
	}
	var out []string
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if !slices.Contains(allowed, f) {
			return nil, fmt.Errorf("bench: unknown item %q (have %s)", f, strings.Join(allowed, ", "))
		}
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out, nil
}

// ParseLoads reads a comma-separated list of fractions: "0.1,0.5".
func ParseLoads(s string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || v <= 0 || v > 1 {
			return nil, fmt.Errorf("bench: load %q: want a fraction in (0, 1]", f)
		}
		out = append(out, v)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// sizeName writes 100000 as 100k and 1000000 as 1M.
func sizeName(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return fmt.Sprintf("%dM", n/1_000_000)
	case n >= 1_000 && n%1_000 == 0:
		return fmt.Sprintf("%dk", n/1_000)
	}
	return strconv.Itoa(n)
}
