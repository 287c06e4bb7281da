package ingest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/indicator-matcher/matcher/ingest/intel"
	"github.com/indicator-matcher/matcher/ingest/store"
)

// Options configures a Syncer. The zero value polls every 5 minutes and
// runs until its context ends.
type Options struct {
	// Once makes Run return as soon as the feed is caught up.
	Once bool
	// PollInterval is the wait between incremental pulls once caught up.
	// Default 5 min.
	PollInterval time.Duration
	// RetryInterval is the wait after a fetch failed with a transient error
	// (the client has already retried it). Default 1 min. With Once the
	// error is returned instead.
	RetryInterval time.Duration
	// Progress, when set, is called after every stored page.
	Progress func(Progress)
	// Logger receives a line per failed pull and per catch-up. Default:
	// discard.
	Logger *slog.Logger
}

// Progress describes a running sync.
type Progress struct {
	Pages     int64 // pages stored by this Run
	Objects   int64 // objects received
	Upserted  int64 // indicators that became (or stayed, updated) active
	Removed   int64 // indicators that left the active set
	Skipped   int64 // non-indicator objects
	Invalid   int64 // indicators that did not decode
	Stale     int64 // versions not newer than the stored one
	Errors    int64 // failed pulls survived
	Elapsed   time.Duration
	Cursor    string
	CaughtUp  bool
	LastPage  time.Time
	FirstDone time.Duration // time to the first catch-up; 0 before
}

// Rate returns objects received per second.
func (p Progress) Rate() float64 {
	if p.Elapsed <= 0 {
		return 0
	}
	return float64(p.Objects) / p.Elapsed.Seconds()
}

// Syncer drives one Source into one Store. Run it in one goroutine; the
// store may be read concurrently (by the engine) while it runs.
type Syncer struct {
	st   *store.Store
	src  Source
	opts Options
	log  *slog.Logger
}

// NewSyncer makes a Syncer.
func NewSyncer(st *store.Store, src Source, opts Options) *Syncer {
	if opts.PollInterval <= 0 {
		opts.PollInterval = 5 * time.Minute
	}
	if opts.RetryInterval <= 0 {
		opts.RetryInterval = time.Minute
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Syncer{st: st, src: src, opts: opts, log: log}
}

// Run syncs until ctx ends (nil error when it ends by cancellation) or,
// with Options.Once, until caught up. onChange, when not nil, is called
// synchronously after each page's transaction has committed, with what the
// page changed (also for pages that changed nothing); a slow onChange slows
// the sync. Permanent errors (authentication, permission, unknown feed,
// oversized page, store failure) end Run; transient ones are retried after
// RetryInterval.
func (s *Syncer) Run(ctx context.Context, onChange func(store.Changes)) (Progress, error) {
	source, feed := s.src.Key()
	if c, ok := s.src.(io.Closer); ok {
		defer c.Close()
	}
	start := time.Now()
	var p Progress
	cur, err := s.st.Cursor(source, feed)
	if err != nil {
		return p, err
	}
	p.Cursor, p.CaughtUp = cur.Value, cur.CaughtUp
	for {
		page, err := s.src.Fetch(ctx, cur)
		if err != nil {
			p.Elapsed = time.Since(start)
			if ctx.Err() != nil {
				if s.opts.Once {
					return p, ctx.Err()
				}
				return p, nil
			}
			if s.opts.Once || intel.Permanent(err) {
				return p, err
			}
			p.Errors++
			s.log.Warn("ingest: pull failed; will retry", "source", source, "feed", feed, "wait", s.opts.RetryInterval, "err", err.Error())
			if werr := wait(ctx, s.opts.RetryInterval); werr != nil {
				return p, nil
			}
			continue
		}
		next := store.Cursor{Value: page.Cursor, CaughtUp: cur.CaughtUp || page.CaughtUp}
		ch, err := s.st.Apply(source, feed, page.Objects, next)
		if err != nil {
			p.Elapsed = time.Since(start)
			return p, err
		}
		cur = ch.Cursor
		p.Pages++
		p.Objects += int64(ch.Received)
		p.Upserted += int64(len(ch.Upserted))
		p.Removed += int64(len(ch.Removed))
		p.Skipped += int64(ch.Skipped)
		p.Invalid += int64(ch.Invalid)
		p.Stale += int64(ch.Stale)
		p.Elapsed = time.Since(start)
		p.Cursor, p.CaughtUp, p.LastPage = cur.Value, page.CaughtUp, time.Now()
		if ch.Invalid > 0 {
			s.log.Warn("ingest: invalid indicators skipped", "count", ch.Invalid, "first", ch.Errors[0])
		}
		if onChange != nil {
			onChange(ch)
		}
		if s.opts.Progress != nil {
			s.opts.Progress(p)
		}
		if !page.CaughtUp {
			if err := ctx.Err(); err != nil {
				if s.opts.Once {
					return p, err
				}
				return p, nil
			}
			continue
		}
		if p.FirstDone == 0 {
			p.FirstDone = p.Elapsed
			s.log.Info("ingest: caught up", "source", source, "feed", feed, "pages", p.Pages, "objects", p.Objects)
		}
		if s.opts.Once {
			return p, nil
		}
		if err := wait(ctx, s.opts.PollInterval); err != nil {
			return p, nil
		}
	}
}

func wait(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Describe formats p as the one-line progress the CLI prints.
func (p Progress) Describe() string {
	cur := p.Cursor
	if len(cur) > 40 {
		cur = cur[:37] + "..."
	}
	state := "syncing"
	if p.CaughtUp {
		state = "caught up"
	}
	return fmt.Sprintf("objects %d  pages %d  rate %.0f/s  active+ %d  removed %d  cursor %q  %s",
		p.Objects, p.Pages, p.Rate(), p.Upserted, p.Removed, cur, state)
}
