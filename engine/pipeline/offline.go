package pipeline

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/indicator-matcher/matcher/engine/alert"
	"github.com/indicator-matcher/matcher/enrich"
)

// Input is one source of events for offline matching: a named reader
// holding one event per line, gzip-compressed or not.
type Input struct {
	Name string
	R    io.Reader
}

// OfflineOptions configure RunOffline.
type OfflineOptions struct {
	Workers int // default GOMAXPROCS
	// MaxLine bounds one line; longer ones are dead-lettered as too large.
	MaxLine int
	// Enricher, when set, attaches context to alerts (waiting up to
	// EnrichBudget per alert).
	Enricher     *enrich.Enricher
	EnrichBudget time.Duration
	// DeadLetter, when set, receives the bad events as JSON lines with
	// their file, line and reason.
	DeadLetter io.Writer
	IncludeRaw bool
}

// OfflineSummary counts what RunOffline did.
type OfflineSummary struct {
	Events, Matched, Alerts, DeadLetters int
	Elapsed                              time.Duration
}

// batch is a run of lines of one input.
type batch struct {
	seq   int
	name  string
	first int // line number of lines[0]
	lines [][]byte
	out   []alert.Alert
	bad   []deadLine
}

type deadLine struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Reason string `json:"reason"`
	Error  string `json:"error"`
	Event  string `json:"event"`
}

// RunOffline matches every line of the inputs and writes the alerts to w
// as JSON lines, in input order. Processors share cfg's suppressor, so
// repeats are folded as in streaming mode; suppression windows run on
// event time.
func RunOffline(ctx context.Context, inputs []Input, cfg ProcessorConfig, w io.Writer, opts OfflineOptions) (OfflineSummary, error) {
	start := time.Now()
	if opts.Workers <= 0 {
		opts.Workers = maxProcs()
	}
	if opts.MaxLine <= 0 {
		opts.MaxLine = 1 << 20
	}
	if cfg.Stats == nil {
		cfg.Stats = NewStats()
	}
	if cfg.Suppressor == nil {
		cfg.Suppressor = alert.NewSuppressor(alert.SuppressOptions{})
	}
	cfg.SuppressOnEventTime = true
	var sum OfflineSummary
	batches := make(chan *batch, opts.Workers*2)
	results := make(chan *batch, opts.Workers*2)
	var wg sync.WaitGroup
	for i := 0; i < opts.Workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := NewProcessor(cfg)
			for b := range batches {
				processBatch(ctx, p, b, opts)
				results <- b
			}
		}()
	}
	readErr := make(chan error, 1)
	go func() {
		readErr <- readInputs(ctx, inputs, opts.MaxLine, batches)
		close(batches)
		wg.Wait()
		close(results)
	}()
	enc := json.NewEncoder(w)
	var dlEnc *json.Encoder
	if opts.DeadLetter != nil {
		dlEnc = json.NewEncoder(opts.DeadLetter)
	}
	// Write in input order: hold results that arrive early.
	held := map[int]*batch{}
	next := 0
	var writeErr error
	for b := range results {
		held[b.seq] = b
		for {
			hb, ok := held[next]
			if !ok {
				break
			}
			delete(held, next)
			next++
			sum.Events += len(hb.lines)
			for i := range hb.out {
				if writeErr == nil {
					writeErr = enc.Encode(&hb.out[i])
				}
			}
			sum.Alerts += len(hb.out)
			for _, d := range hb.bad {
				sum.DeadLetters++
				if dlEnc != nil && writeErr == nil {
					writeErr = dlEnc.Encode(d)
				}
			}
		}
	}
	if err := <-readErr; err != nil {
		return sum, err
	}
	for _, s := range cfg.Suppressor.Flush(time.Now().Add(1000 * time.Hour)) {
		if writeErr == nil {
			writeErr = enc.Encode(&s)
		}
		sum.Alerts++
	}
	sum.Matched = int(cfg.Stats.EventsMatched.Load())
	sum.Elapsed = time.Since(start)
	if writeErr != nil {
		return sum, fmt.Errorf("pipeline: writing alerts: %w", writeErr)
	}
	return sum, ctx.Err()
}

func processBatch(ctx context.Context, p *Processor, b *batch, opts OfflineOptions) {
	for i, line := range b.lines {
		o := alert.Origin{File: b.name, Line: b.first + i}
		if line == nil {
			b.bad = append(b.bad, deadLine{File: b.name, Line: o.Line, Reason: "too_large", Error: fmt.Sprintf("line longer than %d bytes", opts.MaxLine)})
			p.stats.DeadLetter("too_large")
			continue
		}
		o.Arrival = time.Now()
		alerts, err := p.Process(line, o)
		if err != nil {
			be, _ := IsBadEvent(err)
			d := deadLine{File: b.name, Line: o.Line, Error: err.Error(), Event: string(line)}
			if be != nil {
				d.Reason = be.Reason
			}
			b.bad = append(b.bad, d)
			continue
		}
		for _, a := range alerts {
			if opts.Enricher != nil {
				setContext(&a, opts.Enricher.Await(ctx, a.Threat.Indicator.ID, "", opts.EnrichBudget))
			}
			if !opts.IncludeRaw {
				a.Event.Original, a.Event.OriginalBase64 = "", ""
			}
			b.out = append(b.out, a)
		}
	}
	b.lines = nil
}

// readInputs splits the inputs into batches of lines. A line over max
// bytes becomes a nil entry (dead-lettered as too large).
func readInputs(ctx context.Context, inputs []Input, max int, out chan<- *batch) error {
	const batchLines = 256
	seq := 0
	for _, in := range inputs {
		r, err := maybeGunzip(in.R)
		if err != nil {
			return fmt.Errorf("pipeline: %s: %w", in.Name, err)
		}
		br := bufio.NewReaderSize(r, 256<<10)
		b := &batch{seq: seq, name: in.Name, first: 1}
		lineNo := 0
		for {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			line, tooLong, err := readLine(br, max)
			if err != nil && !errors.Is(err, io.EOF) {
				return fmt.Errorf("pipeline: %s: line %d: %w", in.Name, lineNo+1, err)
			}
			if line != nil && len(line) == 0 {
				lineNo++ // blank lines are not events
				if len(b.lines) == 0 {
					b.first = lineNo + 1
				}
			} else if line != nil || tooLong {
				lineNo++
				if tooLong {
					b.lines = append(b.lines, nil)
				} else {
					b.lines = append(b.lines, line)
				}
				if len(b.lines) == batchLines {
					out <- b
					seq++
					b = &batch{seq: seq, name: in.Name, first: lineNo + 1}
				}
			}
			if errors.Is(err, io.EOF) {
				break
			}
		}
		if len(b.lines) > 0 {
			out <- b
			seq++
		}
	}
	return nil
}

// readLine returns the next line without its newline (a fresh slice), or
// tooLong when it exceeds max (the rest of it is skipped). At the end of
// input it returns io.EOF, with the last line if it had no newline.
func readLine(br *bufio.Reader, max int) ([]byte, bool, error) {
	var buf []byte
	tooLong := false
	for {
		part, err := br.ReadSlice('\n')
		if !tooLong {
			if len(buf)+len(part) > max+1 {
				tooLong, buf = true, nil
			} else {
				buf = append(buf, part...)
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if tooLong {
			return nil, true, err
		}
		buf = bytes.TrimRight(buf, "\r\n")
		if err == io.EOF && len(buf) == 0 {
			return nil, false, io.EOF
		}
		if buf == nil {
			buf = []byte{}
		}
		return buf, false, err
	}
}

func maybeGunzip(r io.Reader) (io.Reader, error) {
	br := bufio.NewReader(r)
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		return gzip.NewReader(br)
	}
	return br, nil
}
