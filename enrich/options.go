package enrich

import (
	"log/slog"
	"time"
)

// Options configures an Enricher. The zero value of a field selects the
// default in its comment.
type Options struct {
	// TTL is how long a digest stays cached. Default 1 h.
	TTL time.Duration
	// MaxEntries bounds the digest cache. Default 10000.
	MaxEntries int
	// NegativeTTL is how long a failure stays cached, so that hits on an
	// indicator whose fetch failed do not hammer the API. Default 30 s.
	NegativeTTL time.Duration
	// MaxNegative bounds the failure cache. Default MaxEntries/4, at
	// least 1000.
	MaxNegative int
	// MaxObjects bounds the cache of referenced objects (sources,
	// markings, related objects the bundles lack). Default 4096.
	MaxObjects int
	// Budget is how long Await waits for context by default. Default 2 s.
	Budget time.Duration
	// CallTimeout bounds one API call (retries and their waits included).
	// Default 10 s.
	CallTimeout time.Duration
	// BreakerThreshold consecutive failed calls open the circuit breaker
	// for BreakerCooldown; a failed half-open probe doubles the cool-down
	// up to BreakerMaxCooldown. Defaults 5, 30 s and 10 min (the API's
	// WAF blocks for 30 s to 10 min).
	BreakerThreshold   int
	BreakerCooldown    time.Duration
	BreakerMaxCooldown time.Duration
	// Workers fetch queued requests; QueueSize bounds the queue (a full
	// queue drops the hit and counts it). Defaults 4 and 1024.
	Workers   int
	QueueSize int
	// FollowUp delivers on FollowUps the digest of every alert Await left
	// pending. FollowUpQueue bounds that channel and MaxWaiting the alerts
	// waiting for one; past either, follow-ups are dropped and counted.
	// Defaults 1024 and 10000.
	FollowUp      bool
	FollowUpQueue int
	MaxWaiting    int
	// FullBundle puts the whole context bundle into every digest.
	FullBundle bool
	// MaxFetches bounds the referenced objects fetched per digest.
	// Default DefaultMaxFetches; negative: none.
	MaxFetches int
	// MaxTracked bounds the ids kept to count distinct indicators.
	// Default 1<<20.
	MaxTracked int
	// Now is the clock of the caches and the breaker. Default time.Now.
	Now func() time.Time
	// Logger receives circuit breaker transitions. Default: discard.
	Logger *slog.Logger
}

func (o *Options) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	defInt := func(n *int, v int) {
		if *n <= 0 {
			*n = v
		}
	}
	def(&o.TTL, time.Hour)
	def(&o.NegativeTTL, 30*time.Second)
	def(&o.Budget, 2*time.Second)
	def(&o.CallTimeout, 10*time.Second)
	def(&o.BreakerCooldown, 30*time.Second)
	def(&o.BreakerMaxCooldown, 10*time.Minute)
	defInt(&o.MaxEntries, 10000)
	defInt(&o.MaxNegative, max(o.MaxEntries/4, 1000))
	defInt(&o.MaxObjects, 4096)
	defInt(&o.BreakerThreshold, 5)
	defInt(&o.Workers, 4)
	defInt(&o.QueueSize, 1024)
	defInt(&o.FollowUpQueue, 1024)
	defInt(&o.MaxWaiting, 10000)
	defInt(&o.MaxTracked, 1<<20)
	if o.MaxFetches == 0 {
		o.MaxFetches = DefaultMaxFetches
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}
