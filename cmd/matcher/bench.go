package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/indicator-matcher/matcher/bench"
	"github.com/indicator-matcher/matcher/bench/gen"
)

// runBench runs the product benchmark (package bench). Three hidden
// subcommands, `bench nats`, `bench publish` and `bench sink`, are the
// NATS server, the publisher and the raw-NATS receiver it starts as child
// processes.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "publish":
			return runBenchPublish(ctx, args[1:], stdout, stderr)
		case "sink":
			return runBenchSink(ctx, args[1:], stdout, stderr)
		case "nats":
			if len(args) > 1 {
				return fmt.Errorf("%w: bench nats takes no arguments", errUsage)
			}
			return bench.ServeNATS(ctx, stdout)
		}
	}
	def := bench.DefaultConfig()
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sizes := fs.String("sizes", "100k,1M", "indicator counts, comma-separated (k and M suffixes)")
	events := fs.Int("events", def.Events, "distinct events per workload")
	hitRate := fs.Float64("hit-rate", def.HitRate, "share of generated events that carry an indicator value (0 to 1)")
	schemas := fs.String("schemas", "all", "schemas of generated events: zeek-dotted, zeek-underscored, suricata, ecs, windows, text")
	workloads := fs.String("workloads", strings.Join(bench.AllWorkloads(), ","), "workloads: generated, zeek-replay")
	stages := fs.String("stages", strings.Join(bench.AllStages(), ","), "stages: parse, match, breakdown, naive, update, e2e")
	duration := fs.Duration("duration", def.Duration, "least time of each in-process stage")
	latency := fs.Duration("latency-duration", def.LatencyDuration, "length of each latency run")
	loads := fs.String("latency-loads", "0.5", "publication rates of the latency runs, as fractions of the end-to-end rate (the target is judged at 0.5)")
	workers := fs.Int("workers", 0, "in-process worker goroutines; 0 means GOMAXPROCS")
	seed := fs.Uint64("seed", def.Seed, "seed of the generated indicators and events")
	dataDir := fs.String("data", def.DataDir, "folder holding real/ (the bundled indicators and Zeek logs)")
	outDir := fs.String("out", def.OutDir, "output folder for report.md, throughput.svg and profiles; empty writes nothing")
	results := fs.String("results", "", "rewrite the benchmark section of this results file (bench/RESULTS.md) and write its chart next to it")
	profile := fs.Bool("profile", false, "CPU-profile the parse-only and match-path stages at the largest size; the report shows the pprof top")
	quiet := fs.Bool("quiet", false, "no progress on standard error")
	var matcherEnv stringList
	fs.Var(&matcherEnv, "matcher-env", "`MATCHER_KEY=value` setting of the end-to-end matcher process (docs/config.md); repeatable")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: matcher bench [flags]")
		fmt.Fprintln(stderr, "Measures the parse-only ceiling, the match path, end to end through NATS (with the raw NATS ceiling) and a naive baseline on the same events, at each indicator count.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	cfg := def
	var err error
	if cfg.Sizes, err = bench.ParseSizes(*sizes); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if cfg.Schemas, err = gen.ParseSchemas(*schemas); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if cfg.Workloads, err = bench.ParseList(*workloads, bench.AllWorkloads()); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if cfg.Stages, err = bench.ParseList(*stages, bench.AllStages()); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if cfg.LatencyLoads, err = bench.ParseLoads(*loads); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	cfg.Events, cfg.HitRate, cfg.Duration, cfg.LatencyDuration = *events, *hitRate, *duration, *latency
	cfg.Workers, cfg.Seed, cfg.DataDir, cfg.OutDir, cfg.Profile = *workers, *seed, *dataDir, *outDir, *profile
	cfg.MatcherEnv = matcherEnv
	if cfg.Profile && cfg.OutDir == "" {
		return fmt.Errorf("%w: --profile needs --out", errUsage)
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("bench: locating the matcher binary: %w", err)
	}
	cfg.Exe = exe
	cfg.Command = benchCommand(exe, args)
	if !*quiet {
		cfg.Progress = stderr
	}
	rep, err := bench.Run(ctx, cfg)
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, rep.Summary())
	if cfg.OutDir != "" {
		fmt.Fprintf(stdout, "\nReport: %s/report.md, chart: %s/throughput.svg\n", cfg.OutDir, cfg.OutDir)
	}
	if *results != "" {
		if err := rep.UpdateResults(*results); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Updated %s\n", *results)
	}
	return nil
}

// benchCommand is the command line recorded in the report: `go run
// ./cmd/matcher bench …` when running from `go run` (a binary in the go
// build cache), else `matcher bench …`.
func benchCommand(exe string, args []string) string {
	cmd := "matcher bench"
	if strings.Contains(exe, "go-build") {
		cmd = "go run ./cmd/matcher bench"
	}
	for _, a := range args {
		if a == "" || strings.ContainsAny(a, " \t'\"$*?") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		cmd += " " + a
	}
	return cmd
}

func runBenchPublish(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench publish", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o bench.PublishOptions
	fs.StringVar(&o.URL, "nats-url", "", "NATS server URL")
	fs.StringVar(&o.File, "file", "", "event file (\"<subject> <event>\" lines)")
	fs.StringVar(&o.Prefix, "prefix", "", "prefix of every subject")
	fs.Float64Var(&o.Rate, "rate", 0, "events per second; 0 is as fast as possible")
	fs.IntVar(&o.Count, "count", 0, "events to publish, cycling through the file; 0 is the file once")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if o.URL == "" || o.File == "" {
		return fmt.Errorf("%w: bench publish needs --nats-url and --file", errUsage)
	}
	res, err := bench.Publish(ctx, o)
	if err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(res)
}

func runBenchSink(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench sink", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o bench.SinkOptions
	fs.StringVar(&o.URL, "nats-url", "", "NATS server URL")
	fs.StringVar(&o.Subject, "subject", "", "subject to count")
	fs.IntVar(&o.Count, "count", 0, "messages to wait for")
	fs.DurationVar(&o.Idle, "idle", 10*time.Second, "stop when no message came for this long")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if o.URL == "" || o.Subject == "" || o.Count <= 0 {
		return fmt.Errorf("%w: bench sink needs --nats-url, --subject and --count", errUsage)
	}
	res, err := bench.Sink(ctx, o, func() { fmt.Fprintln(stdout, "ready") })
	if err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(res)
}
