package pipeline

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/indicator-matcher/matcher/engine/alert"
	"github.com/indicator-matcher/matcher/engine/extract"
	"github.com/indicator-matcher/matcher/engine/metrics"
	"github.com/indicator-matcher/matcher/engine/snapshot"
)

// Validity is how indicator validity windows are judged.
type Validity uint8

// Validity modes.
const (
	// ValidityEvent judges valid_from/valid_until by the event's time.
	ValidityEvent Validity = iota
	// ValidityArrival judges them by the time the event arrived.
	ValidityArrival
	// ValidityOff ignores them: for hunting old logs with today's
	// indicators, and for replays.
	ValidityOff
)

func (v Validity) String() string {
	switch v {
	case ValidityArrival:
		return "arrival"
	case ValidityOff:
		return "off"
	}
	return "event"
}

// ParseValidity reads "event", "arrival" or "off".
func ParseValidity(s string) (Validity, error) {
	switch strings.ToLower(s) {
	case "event", "":
		return ValidityEvent, nil
	case "arrival":
		return ValidityArrival, nil
	case "off":
		return ValidityOff, nil
	}
	return 0, fmt.Errorf("pipeline: validity must be event, arrival or off, got %q", s)
}

// Loader gives the current snapshot; *snapshot.Engine implements it.
type Loader interface {
	Load() *snapshot.Snapshot
}

// Stats are the pipeline's counters. They are updated atomically and may
// be read at any time. Make them with NewStats; the zero value has no
// histograms and does not record latencies.
type Stats struct {
	EventsIn      atomic.Uint64
	EventsMatched atomic.Uint64
	Hits          atomic.Uint64
	Suppressed    atomic.Uint64
	Allowlisted   atomic.Uint64 // malicious hits on a value a benign indicator names
	BenignHits    atomic.Uint64
	RateLimited   atomic.Uint64
	AlertsOut     atomic.Uint64
	Summaries     atomic.Uint64
	FollowUps     atomic.Uint64
	BuildErrors   atomic.Uint64
	PublishErrors atomic.Uint64
	VerifyErrors  atomic.Uint64
	Candidates    atomic.Uint64
	SlowConsumer  atomic.Uint64

	deadMu      sync.Mutex
	deadLetters map[string]*atomic.Uint64

	// Latency is the time from an event's arrival to its alert's
	// publication; Lag from the event's own time to its arrival.
	Latency *metrics.Histogram
	Lag     *metrics.Histogram
}

// NewStats returns zeroed counters with their histograms.
func NewStats() *Stats {
	return &Stats{
		Latency: metrics.NewHistogram("matcher_alert_latency_seconds", "Time from an event's arrival to the publication of its alert.", metrics.LatencyBuckets()),
		Lag:     metrics.NewHistogram("matcher_event_lag_seconds", "Time from an event's own timestamp to its arrival.", metrics.ExponentialBuckets(0.001, 4, 14)),
	}
}

// DeadLetter counts one event dead-lettered for reason.
func (s *Stats) DeadLetter(reason string) {
	s.deadMu.Lock()
	if s.deadLetters == nil {
		s.deadLetters = map[string]*atomic.Uint64{}
	}
	c, ok := s.deadLetters[reason]
	if !ok {
		c = &atomic.Uint64{}
		s.deadLetters[reason] = c
	}
	s.deadMu.Unlock()
	c.Add(1)
}

// DeadLetters returns the dead-letter counts by reason.
func (s *Stats) DeadLetters() map[string]uint64 {
	s.deadMu.Lock()
	defer s.deadMu.Unlock()
	out := make(map[string]uint64, len(s.deadLetters))
	for k, v := range s.deadLetters {
		out[k] = v.Load()
	}
	return out
}

// Processor turns raw events into alerts: extraction, matching,
// suppression and alert building. It is owned by one goroutine.
type Processor struct {
	x        *extract.Extractor
	loader   Loader
	builder  *alert.Builder
	supp     *alert.Suppressor
	validity Validity
	stats    *Stats
	now      func() time.Time
	// eventClock: suppression runs on event time.
	eventClock bool

	ev       extract.Event
	sc       snapshot.Scratch
	allowed  []int // observables a benign indicator matched in this event
	profiles map[string]*extract.Profile
	alerts   []alert.Alert
}

// ProcessorConfig gathers what a Processor uses; the pieces are shared by
// every Processor of a pipeline.
type ProcessorConfig struct {
	Extractor  *extract.Extractor
	Loader     Loader
	Builder    *alert.Builder
	Suppressor *alert.Suppressor // nil: no suppression
	Validity   Validity
	Stats      *Stats
	Now        func() time.Time // time.Now when nil
	// SuppressOnEventTime runs suppression windows and rate limits on
	// event time instead of the clock: for replays and offline hunts.
	SuppressOnEventTime bool
}

// NewProcessor returns a Processor.
func NewProcessor(c ProcessorConfig) *Processor {
	if c.Suppressor == nil {
		c.Suppressor = alert.NewSuppressor(alert.SuppressOptions{})
	}
	if c.Stats == nil {
		c.Stats = NewStats()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return &Processor{x: c.Extractor, loader: c.Loader, builder: c.Builder, supp: c.Suppressor, validity: c.Validity, stats: c.Stats, now: c.Now, eventClock: c.SuppressOnEventTime, profiles: map[string]*extract.Profile{}}
}

// BadEventError is returned by Process for events that cannot be read;
// they go to the dead-letter subject.
type BadEventError struct {
	Reason string // a stable label for metrics
	Err    error
}

func (e *BadEventError) Error() string {
	return "pipeline: bad event (" + e.Reason + "): " + e.Err.Error()
}
func (e *BadEventError) Unwrap() error { return e.Err }

// Process handles one event. It returns the alerts to publish (owned by
// the Processor and valid until the next call) or a *BadEventError.
//
// No input may bring the process down: should a bug make handling an event
// panic, the panic is turned into a BadEventError with reason
// "internal_error", so the event is dead-lettered and counted, and the
// worker goes on.
func (p *Processor) Process(raw []byte, o alert.Origin) (alerts []alert.Alert, err error) {
	defer func() {
		if r := recover(); r != nil {
			p.ev.Reset()
			p.stats.DeadLetter("internal_error")
			alerts, err = nil, &BadEventError{Reason: "internal_error", Err: fmt.Errorf("panic while handling the event: %v", r)}
		}
	}()
	return p.process(raw, o)
}

func (p *Processor) process(raw []byte, o alert.Origin) ([]alert.Alert, error) {
	p.stats.EventsIn.Add(1)
	if o.Arrival.IsZero() {
		o.Arrival = p.now()
	}
	prof := p.profileFor(o.Subject)
	var err error
	if prof != nil {
		err = p.x.ExtractWith(prof, raw, o.Arrival, &p.ev)
	} else {
		err = p.x.Extract(raw, o.Arrival, &p.ev)
	}
	if err != nil {
		reason := extract.Reason(err)
		p.stats.DeadLetter(reason)
		return nil, &BadEventError{Reason: reason, Err: err}
	}
	if p.ev.TimeSource == extract.TimeEvent && p.stats.Lag != nil {
		p.stats.Lag.Observe(o.Arrival.Sub(p.ev.Time).Seconds())
	}
	snap := p.loader.Load()
	mo := snapshot.MatchOptions{CheckValidity: p.validity != ValidityOff, At: p.ev.Time}
	if p.validity == ValidityArrival {
		mo.At = o.Arrival
	}
	before := p.sc.Counters
	hits := snap.Match(&p.ev, mo, &p.sc)
	p.stats.Candidates.Add(p.sc.Counters.Candidates - before.Candidates)
	p.stats.VerifyErrors.Add(p.sc.Counters.VerifyErrors - before.VerifyErrors)
	p.alerts = p.alerts[:0]
	if len(hits) == 0 {
		return p.alerts, nil
	}
	p.stats.Hits.Add(uint64(len(hits)))
	p.allowed = p.allowed[:0]
	for _, h := range hits {
		if h.Benign {
			p.stats.BenignHits.Add(1)
			if h.Observable >= 0 {
				p.allowed = append(p.allowed, h.Observable)
			}
		}
	}
	now := p.now()
	if p.eventClock {
		now = p.ev.Time
	}
	matched := false
	for _, h := range hits {
		if h.Benign {
			continue
		}
		if p.allowlisted(h.Observable) {
			p.stats.Allowlisted.Add(1)
			continue
		}
		matched = true
		id := snap.IndicatorID(h.Plan)
		pair := alert.PairKey(id, p.atomic(h))
		switch p.supp.Admit(id, pair, now) {
		case alert.Suppressed:
			p.stats.Suppressed.Add(1)
			continue
		case alert.RateLimited:
			p.stats.RateLimited.Add(1)
			continue
		}
		a, err := p.builder.Build(snap, h, &p.ev, o)
		if err != nil {
			p.stats.BuildErrors.Add(1)
			continue
		}
		p.supp.Remember(pair, &a)
		p.alerts = append(p.alerts, a)
	}
	if matched {
		p.stats.EventsMatched.Add(1)
	}
	return p.alerts, nil
}

// allowlisted reports whether a benign indicator matched the observable
// of a hit: the same value, or the same address (an address and an
// address-plus-port pair).
func (p *Processor) allowlisted(obs int) bool {
	if obs < 0 {
		return false
	}
	o := &p.ev.Observables[obs]
	for _, b := range p.allowed {
		if b == obs {
			return true
		}
		if bo := &p.ev.Observables[b]; o.Addr.IsValid() && bo.Addr.IsValid() && bo.Addr == o.Addr {
			return true
		}
	}
	return false
}

// atomic names the matched value of a hit for suppression: the observable's
// canonical text, or the field for substring and verify-always hits.
func (p *Processor) atomic(h snapshot.Hit) string {
	if h.Observable >= 0 && h.Observable < len(p.ev.Observables) {
		return string(p.ev.Observables[h.Observable].Text)
	}
	return "field:" + h.Field
}

// profileFor caches the extractor's per-subject profile choice.
func (p *Processor) profileFor(subject string) *extract.Profile {
	if subject == "" {
		return nil
	}
	if prof, ok := p.profiles[subject]; ok {
		return prof
	}
	prof := p.x.ProfileFor(subject)
	if len(p.profiles) < 4096 {
		p.profiles[subject] = prof
	}
	return prof
}

// Event returns the event of the last Process call, for callers that need
// more of it (its time); valid until the next call.
func (p *Processor) Event() *extract.Event { return &p.ev }

// IsBadEvent reports whether err is a *BadEventError and returns it.
func IsBadEvent(err error) (*BadEventError, bool) {
	var be *BadEventError
	ok := errors.As(err, &be)
	return be, ok
}
