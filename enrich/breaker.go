package enrich

import (
	"sync"
	"time"
)

// Breaker states, as Stats.BreakerState reports them.
const (
	BreakerClosed   = "closed"
	BreakerOpen     = "open"
	BreakerHalfOpen = "half-open"
)

// breaker is a circuit breaker: after threshold consecutive failures it
// opens and refuses calls for a cool-down; then it lets one probe through
// (half-open). A successful probe closes it; a failed one opens it again
// with the cool-down doubled, up to maxCooldown. Safe for concurrent use.
type breaker struct {
	mu          sync.Mutex
	now         func() time.Time
	threshold   int
	cooldown    time.Duration
	maxCooldown time.Duration

	state    string
	failures int           // consecutive, while closed
	until    time.Time     // end of the current open period
	current  time.Duration // current cool-down
	probing  bool          // a half-open probe is out
	opens    int64
}

func newBreaker(threshold int, cooldown, maxCooldown time.Duration, now func() time.Time) *breaker {
	return &breaker{now: now, threshold: threshold, cooldown: cooldown, maxCooldown: max(maxCooldown, cooldown), state: BreakerClosed, current: cooldown}
}

// allow reports whether a call may be sent, and whether it is the
// half-open probe. The caller must report the outcome with done.
func (b *breaker) allow() (ok, probe bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch b.state {
	case BreakerClosed:
		return true, false
	case BreakerOpen:
		if b.now().Before(b.until) {
			return false, false
		}
		b.state = BreakerHalfOpen
		fallthrough
	default: // half-open
		if b.probing {
			return false, false
		}
		b.probing = true
		return true, true
	}
}

// refusing reports, without side effects, whether allow would refuse now
// (for the hot path, which must not take the probe slot).
func (b *breaker) refusing() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch b.state {
	case BreakerOpen:
		return b.now().Before(b.until)
	case BreakerHalfOpen:
		return b.probing
	}
	return false
}

// done reports the outcome of an allowed call: > 0 success, < 0 failure,
// 0 neither (the call was abandoned; a probe slot is released). Outcomes
// of calls sent before the breaker opened are ignored once it is open. It
// returns the new state when the call changed it, else "".
func (b *breaker) done(probe bool, outcome int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	before := b.state
	switch {
	case b.state == BreakerClosed && outcome > 0:
		b.failures = 0
	case b.state == BreakerClosed && outcome < 0:
		b.failures++
		if b.failures >= b.threshold {
			b.open(b.cooldown)
		}
	case b.state != BreakerHalfOpen || !probe:
		// a stale outcome while open: ignored
	case outcome > 0:
		b.state, b.current, b.probing, b.failures = BreakerClosed, b.cooldown, false, 0
	case outcome < 0:
		b.open(min(b.current*2, b.maxCooldown))
	default:
		b.probing = false
	}
	if b.state != before {
		return b.state
	}
	return ""
}

func (b *breaker) open(cooldown time.Duration) {
	b.state, b.current, b.probing, b.failures = BreakerOpen, cooldown, false, 0
	b.until = b.now().Add(cooldown)
	b.opens++
}

func (b *breaker) snapshot() (state string, opens int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.state, b.opens
}
