package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/indicator-matcher/matcher/bench/gen"
	"github.com/indicator-matcher/matcher/engine/pipeline"
)

// The end-to-end stage runs the NATS server, the publisher and the
// raw-NATS receiver as child processes (`matcher bench nats`, `matcher
// bench publish`, `matcher bench sink`); these are their implementations. Events travel between the processes in an
// event file: one event per line, "<subject> <event>".

// WriteEventFile writes events for the publisher.
func WriteEventFile(path string, evs []gen.Event) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	for _, ev := range evs {
		if bytes.ContainsAny(ev.Raw, "\n\r") {
			f.Close()
			return fmt.Errorf("bench: event on %s spans lines", ev.Subject)
		}
		w.WriteString(ev.Subject)
		w.WriteByte(' ')
		w.Write(ev.Raw)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("bench: %w", err)
	}
	return f.Close()
}

// readEventFile reads a file written by WriteEventFile.
func readEventFile(path string) (subjects []string, events [][]byte, err error) {
	lines, err := gen.LoadLines(path)
	if err != nil {
		return nil, nil, err
	}
	for i, line := range lines {
		subj, ev, ok := bytes.Cut(line, []byte{' '})
		if !ok || len(subj) == 0 || len(ev) == 0 {
			return nil, nil, fmt.Errorf("bench: %s:%d: want \"<subject> <event>\"", path, i+1)
		}
		subjects = append(subjects, string(subj))
		events = append(events, ev)
	}
	if len(events) == 0 {
		return nil, nil, fmt.Errorf("bench: %s: no events", path)
	}
	return subjects, events, nil
}

// PublishOptions configure Publish.
type PublishOptions struct {
	URL    string  // NATS server
	File   string  // event file (WriteEventFile)
	Prefix string  // prepended to every subject
	Rate   float64 // events per second; 0: as fast as possible
	Count  int     // events to publish, cycling through the file; 0: the file once
}

// PublishResult is what Publish did. Times are Unix nanoseconds, so that
// processes on one machine can compare them.
type PublishResult struct {
	Published int   `json:"published"`
	Bytes     int64 `json:"bytes"`
	StartNs   int64 `json:"start_ns"`
	EndNs     int64 `json:"end_ns"`
}

// Publish sends the events of the file, writing the publication time into
// each event's stamp (gen.StampField) just before sending it, paced at
// o.Rate when it is set. It returns once the server has everything
// (flush).
func Publish(ctx context.Context, o PublishOptions) (PublishResult, error) {
	subjects, events, err := readEventFile(o.File)
	if err != nil {
		return PublishResult{}, err
	}
	offsets := make([]int, len(events))
	for i, ev := range events {
		offsets[i] = gen.StampOffset(ev)
		subjects[i] = o.Prefix + subjects[i]
	}
	count := o.Count
	if count <= 0 {
		count = len(events)
	}
	nc, err := nats.Connect(o.URL, nats.Name("bench-publisher"))
	if err != nil {
		return PublishResult{}, fmt.Errorf("bench: publisher: %w", err)
	}
	defer nc.Close()
	var res PublishResult
	start := time.Now()
	res.StartNs = start.UnixNano()
	for i := 0; i < count; i++ {
		if i&1023 == 0 && ctx.Err() != nil {
			return res, ctx.Err()
		}
		if o.Rate > 0 {
			due := start.Add(time.Duration(float64(i) / o.Rate * float64(time.Second)))
			if d := time.Until(due); d > 200*time.Microsecond {
				time.Sleep(d)
			}
		}
		k := i % len(events)
		ev := events[k]
		if offsets[k] >= 0 {
			gen.PutStamp(ev, offsets[k], time.Now().UnixNano())
		}
		if err := nc.Publish(subjects[k], ev); err != nil {
			return res, fmt.Errorf("bench: publish: %w", err)
		}
		res.Published++
		res.Bytes += int64(len(ev))
	}
	if err := nc.Flush(); err != nil {
		return res, fmt.Errorf("bench: publish: %w", err)
	}
	res.EndNs = time.Now().UnixNano()
	return res, nil
}

// SinkOptions configure Sink.
type SinkOptions struct {
	URL     string
	Subject string        // subscription subject (wildcards allowed)
	Count   int           // stop after this many messages
	Idle    time.Duration // or when none arrived for this long after the first; 0: 10 s
}

// SinkResult is what Sink received. Times are Unix nanoseconds.
type SinkResult struct {
	Received int64 `json:"received"`
	Bytes    int64 `json:"bytes"`
	FirstNs  int64 `json:"first_ns"`
	LastNs   int64 `json:"last_ns"`
}

// Sink counts the messages of a subject, doing nothing else with them:
// the receiving half of the raw NATS ceiling. ready is called once the
// subscription is in place.
func Sink(ctx context.Context, o SinkOptions, ready func()) (SinkResult, error) {
	if o.Count <= 0 {
		return SinkResult{}, errors.New("bench: sink needs a message count")
	}
	if o.Idle <= 0 {
		o.Idle = 10 * time.Second
	}
	nc, err := nats.Connect(o.URL, nats.Name("bench-sink"))
	if err != nil {
		return SinkResult{}, fmt.Errorf("bench: sink: %w", err)
	}
	defer nc.Close()
	var n, size, first, last atomic.Int64
	done := make(chan struct{})
	sub, err := nc.Subscribe(o.Subject, func(m *nats.Msg) {
		now := time.Now().UnixNano()
		first.CompareAndSwap(0, now)
		last.Store(now)
		size.Add(int64(len(m.Data)))
		if n.Add(1) == int64(o.Count) {
			close(done)
		}
	})
	if err != nil {
		return SinkResult{}, fmt.Errorf("bench: sink: %w", err)
	}
	if err := sub.SetPendingLimits(-1, -1); err != nil {
		return SinkResult{}, fmt.Errorf("bench: sink: %w", err)
	}
	if err := nc.Flush(); err != nil {
		return SinkResult{}, fmt.Errorf("bench: sink: %w", err)
	}
	ready()
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
wait:
	for {
		select {
		case <-done:
			break wait
		case <-ctx.Done():
			return SinkResult{}, ctx.Err()
		case <-t.C:
			if l := last.Load(); l != 0 && time.Since(time.Unix(0, l)) > o.Idle {
				break wait
			}
		}
	}
	_ = sub.Unsubscribe()
	return SinkResult{Received: n.Load(), Bytes: size.Load(), FirstNs: first.Load(), LastNs: last.Load()}, nil
}

// natsURLPrefix starts the line ServeNATS prints once it accepts clients.
const natsURLPrefix = "url "

// ServeNATS runs the benchmark's NATS server (the product's embedded
// server, pipeline.StartEmbedded, on a free port) until ctx ends, after
// printing "url <client URL>" to out. It runs in a process of its own so
// that the bench process's garbage collections do not pause the server
// the end-to-end runs go through.
func ServeNATS(ctx context.Context, out io.Writer) error {
	srv, err := pipeline.StartEmbedded(pipeline.EmbeddedOptions{Port: -1})
	if err != nil {
		return err
	}
	defer srv.Shutdown()
	if _, err := fmt.Fprintln(out, natsURLPrefix+srv.URL()); err != nil {
		return fmt.Errorf("bench: nats: %w", err)
	}
	<-ctx.Done()
	return nil
}
