package ops

import (
	"context"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// maxThrottleKeys bounds the keys a Throttle tracks; past it, messages of
// new keys share one overflow key.
const maxThrottleKeys = 1024

// overflowKey is the shared key of messages past maxThrottleKeys.
const overflowKey = "(other)"

// Throttle lets at most a fixed number of log messages per key through in
// each interval and counts the others, so that a stream of bad events
// cannot flood the log. The next message let through for a key carries
// the number dropped before it ("suppressed"). Keys should come from a
// small set (a problem kind, a subject), not from event contents; at most
// 1024 are tracked. Safe for concurrent use.
type Throttle struct {
	log   *slog.Logger
	limit int
	every time.Duration
	now   func() time.Time

	dropped atomic.Uint64

	mu        sync.Mutex
	keys      map[string]*throttleKey
	lastPrune time.Time
}

type throttleKey struct {
	start   time.Time // start of the current interval
	n       int       // messages let through in it
	dropped uint64    // dropped since the last message let through
}

// NewThrottle returns a throttle that lets limit messages per key through
// in every interval (at least 1, and at least a millisecond), logging to
// logger (nil: no logs, only counts).
func NewThrottle(logger *slog.Logger, limit int, every time.Duration) *Throttle {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Throttle{log: logger, limit: max(limit, 1), every: max(every, time.Millisecond), now: time.Now, keys: map[string]*throttleKey{}}
}

// Allow reports whether a message under key may be logged now; when it
// may, suppressed is the number of messages of key dropped since the
// last one allowed. A refused message is counted as dropped. Use Allow
// directly to skip building the log arguments of a message that would be
// dropped.
func (t *Throttle) Allow(key string) (ok bool, suppressed uint64) {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	k := t.keys[key]
	if k == nil {
		if len(t.keys) >= maxThrottleKeys {
			t.prune(now)
		}
		if len(t.keys) >= maxThrottleKeys {
			key = overflowKey
			k = t.keys[key]
		}
		if k == nil {
			k = &throttleKey{start: now}
			t.keys[key] = k
		}
	}
	if now.Sub(k.start) >= t.every {
		k.start, k.n = now, 0
	}
	if k.n >= t.limit {
		k.dropped++
		t.dropped.Add(1)
		return false, 0
	}
	k.n++
	suppressed, k.dropped = k.dropped, 0
	return true, suppressed
}

// prune forgets keys whose interval is over and that have nothing to
// report, at most once per interval so that a full table of busy keys is
// not scanned on every message.
func (t *Throttle) prune(now time.Time) {
	if now.Sub(t.lastPrune) < t.every {
		return
	}
	t.lastPrune = now
	for key, k := range t.keys {
		if k.dropped == 0 && now.Sub(k.start) >= t.every {
			delete(t.keys, key)
		}
	}
}

// Log logs msg with args at level if the logger is enabled for it and the
// key's budget allows, adding "suppressed" when messages were dropped
// before it. It reports whether the message was logged.
func (t *Throttle) Log(ctx context.Context, level slog.Level, key, msg string, args ...any) bool {
	if !t.log.Enabled(ctx, level) {
		return false
	}
	ok, suppressed := t.Allow(key)
	if !ok {
		return false
	}
	if suppressed > 0 {
		args = append(args, slog.Uint64("suppressed", suppressed))
	}
	t.log.Log(ctx, level, msg, args...)
	return true
}

// Dropped returns the number of messages dropped since the start, for a
// metric.
func (t *Throttle) Dropped() uint64 { return t.dropped.Load() }

// Flush logs, at level, one line per key with messages dropped since the
// last one let through, and resets those counts. Call it at shutdown so
// that no count is lost.
func (t *Throttle) Flush(ctx context.Context, level slog.Level) {
	t.mu.Lock()
	type pending struct {
		key string
		n   uint64
	}
	var ps []pending
	for key, k := range t.keys {
		if k.dropped > 0 {
			ps = append(ps, pending{key, k.dropped})
			k.dropped = 0
		}
	}
	t.mu.Unlock()
	sort.Slice(ps, func(i, j int) bool { return ps[i].key < ps[j].key })
	for _, p := range ps {
		t.log.Log(ctx, level, "ops: log messages suppressed", "key", p.key, "suppressed", p.n)
	}
}
