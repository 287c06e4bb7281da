package bench

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/indicator-matcher/matcher/bench/gen"
	"github.com/indicator-matcher/matcher/engine/alert"
	"github.com/indicator-matcher/matcher/engine/extract"
	"github.com/indicator-matcher/matcher/engine/pipeline"
)

// Throughput is one measured run of a stage over an event set.
type Throughput struct {
	Events  int64         // events handled
	Bytes   int64         // their bytes
	Elapsed time.Duration // wall clock
	Workers int           // goroutines (in-process) or matcher workers
	// Mallocs and AllocBytes are the heap allocations of the whole
	// process during the run (in-process stages only).
	Mallocs, AllocBytes uint64
	// GCs is the number of garbage collections during the run.
	GCs uint32
	// Steal is the CPU time the hypervisor gave to other guests during
	// the run, summed over the CPUs (in-process stages only).
	Steal time.Duration
	// Outputs counts what the stage produced: observables (parse), alerts
	// (match path, end to end), indicator ids (naive), messages (raw NATS).
	Outputs int64
	// Errors counts events the stage rejected (bad events).
	Errors int64
	// Note qualifies the figure (a partial pass, lost messages...).
	Note string
}

// EventsPerSec is the throughput in events per second.
func (t Throughput) EventsPerSec() float64 {
	if t.Elapsed <= 0 {
		return 0
	}
	return float64(t.Events) / t.Elapsed.Seconds()
}

// MBPerSec is the throughput in MB (10^6 bytes) of events per second.
func (t Throughput) MBPerSec() float64 {
	if t.Elapsed <= 0 {
		return 0
	}
	return float64(t.Bytes) / 1e6 / t.Elapsed.Seconds()
}

// AllocsPerEvent is the number of heap allocations per event.
func (t Throughput) AllocsPerEvent() float64 {
	if t.Events == 0 {
		return 0
	}
	return float64(t.Mallocs) / float64(t.Events)
}

// AllocBytesPerEvent is the number of heap bytes allocated per event.
func (t Throughput) AllocBytesPerEvent() float64 {
	if t.Events == 0 {
		return 0
	}
	return float64(t.AllocBytes) / float64(t.Events)
}

// handler processes one event and returns its output count.
type handler func(ev *gen.Event) (outputs int, err error)

// runOptions bound a timed run.
type runOptions struct {
	workers int
	min     time.Duration // run at least this long
	max     time.Duration // and at most this long, even short of a full pass
	label   string
	profile string // CPU profile file, or ""
}

// runStage runs handlers (one per worker goroutine, each from newHandler)
// over evs, cycling, for at least o.min and until one full pass is done
// or o.max has passed. Work is handed out in chunks from a shared counter,
// so the workers stay busy to the end.
func runStage(ctx context.Context, evs []gen.Event, o runOptions, prog *progress, newHandler func() handler) (Throughput, error) {
	if len(evs) == 0 {
		return Throughput{}, fmt.Errorf("bench: %s: no events", o.label)
	}
	if o.workers <= 0 {
		o.workers = runtime.GOMAXPROCS(0)
	}
	handlers := make([]handler, o.workers)
	for i := range handlers {
		handlers[i] = newHandler()
	}
	stopProfile, err := startProfile(o.profile)
	if err != nil {
		return Throughput{}, err
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	mach0 := readMachineCPU()

	const chunk = 64
	var next, events, bytes, outputs, errs atomic.Int64
	var stop atomic.Bool
	start := time.Now()
	stopTick := prog.tick(o.label, func() string {
		n, el := events.Load(), time.Since(start).Seconds()
		return fmt.Sprintf("%d events, %.0f events/s", n, float64(n)/el)
	})
	var wg sync.WaitGroup
	for _, h := range handlers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var b, out, bad int64
			for !stop.Load() {
				c := next.Add(1) - 1
				for k := int64(0); k < chunk; k++ {
					ev := &evs[int((c*chunk+k)%int64(len(evs)))]
					got, err := h(ev)
					if err != nil {
						bad++
					}
					b += int64(len(ev.Raw))
					out += int64(got)
				}
				events.Add(chunk)
			}
			bytes.Add(b)
			outputs.Add(out)
			errs.Add(bad)
		}()
	}
	full := int64(len(evs))
	for {
		time.Sleep(5 * time.Millisecond)
		el := time.Since(start)
		if ctx.Err() != nil || el >= o.min && (events.Load() >= full || el >= o.max) {
			stop.Store(true)
			break
		}
	}
	wg.Wait()
	elapsed := time.Since(start)
	stopTick()
	runtime.ReadMemStats(&after)
	steal := readMachineCPU().sub(mach0).Steal
	stopProfile()
	if ctx.Err() != nil {
		return Throughput{}, ctx.Err()
	}
	t := Throughput{
		Events: events.Load(), Bytes: bytes.Load(), Elapsed: elapsed, Workers: o.workers,
		Mallocs: after.Mallocs - before.Mallocs, AllocBytes: after.TotalAlloc - before.TotalAlloc,
		Outputs: outputs.Load(), Errors: errs.Load(), GCs: after.NumGC - before.NumGC, Steal: steal,
	}
	if t.Events < full {
		t.Note = fmt.Sprintf("%.0f%% of one pass", 100*float64(t.Events)/float64(full))
	}
	return t, nil
}

// parseHandler is the parse-only ceiling: the product's extraction, with
// one reused Event per worker and no matching.
func parseHandler(x *extract.Extractor) func() handler {
	return func() handler {
		var ev extract.Event
		return func(e *gen.Event) (int, error) {
			if err := x.Extract(e.Raw, time.Now(), &ev); err != nil {
				return 0, err
			}
			return len(ev.Observables), nil
		}
	}
}

// matchHandler is the in-process match path: extraction, matching and
// alert building by one pipeline.Processor per worker.
func matchHandler(cfg pipeline.ProcessorConfig) func() handler {
	return func() handler {
		p := pipeline.NewProcessor(cfg)
		return func(e *gen.Event) (int, error) {
			alerts, err := p.Process(e.Raw, alert.Origin{Subject: e.Subject, Arrival: time.Now()})
			return len(alerts), err
		}
	}
}

// naiveHandler is the baseline.
func naiveHandler(n *Naive) func() handler {
	return func() handler {
		var hits []string
		return func(e *gen.Event) (int, error) {
			var err error
			hits, err = n.Match(e.Raw, hits[:0])
			return len(hits), err
		}
	}
}

// onePass runs h over every event once, in order, on this goroutine, and
// returns the total output and the number of errors.
func onePass(evs []gen.Event, h handler) (outputs, errs int64) {
	for i := range evs {
		n, err := h(&evs[i])
		outputs += int64(n)
		if err != nil {
			errs++
		}
	}
	return outputs, errs
}
