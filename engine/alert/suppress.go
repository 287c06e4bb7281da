package alert

import (
	"container/list"
	"hash/maphash"
	"sync"
	"time"
)

// Decision is what the Suppressor says of a match.
type Decision uint8

// Decisions.
const (
	Publish     Decision = iota // first match of the pair in its window: publish it
	Suppressed                  // a repeat within the window: counted, not published
	RateLimited                 // over the indicator's rate: counted, not published
)

func (d Decision) String() string {
	switch d {
	case Publish:
		return "publish"
	case Suppressed:
		return "suppressed"
	}
	return "rate-limited"
}

// SuppressOptions configure a Suppressor. The zero value suppresses
// nothing and limits nothing.
type SuppressOptions struct {
	// Window folds repeats of one (indicator, observable) pair within it
	// into the first alert; a summary alert with the count follows when
	// the window closes. 0 disables suppression.
	Window time.Duration
	// MaxPairs bounds the pairs tracked; the oldest is closed early past
	// it. 0 means 100,000.
	MaxPairs int
	// Rate is the most alerts per second one indicator may publish, with
	// bursts of Burst; 0 disables the limit.
	Rate  float64
	Burst int
}

// Suppressor decides which matches become alerts. It is safe for
// concurrent use; the state is sharded to keep workers from contending.
type Suppressor struct {
	opts   SuppressOptions
	seed   maphash.Seed
	shards [16]shard
}

type shard struct {
	mu      sync.Mutex
	pairs   map[string]*list.Element // value: *pairState
	order   list.List                // oldest first
	buckets map[string]*bucket
	closed  []Alert // summaries of pairs evicted early
}

type pairState struct {
	key         string
	first, last time.Time
	count       int // matches beyond the published one
	template    *Alert
}

type bucket struct {
	tokens float64
	at     time.Time
}

// NewSuppressor returns a Suppressor.
func NewSuppressor(opts SuppressOptions) *Suppressor {
	if opts.MaxPairs <= 0 {
		opts.MaxPairs = 100_000
	}
	if opts.Burst <= 0 {
		opts.Burst = max(1, int(opts.Rate))
	}
	s := &Suppressor{opts: opts, seed: maphash.MakeSeed()}
	for i := range s.shards {
		s.shards[i].pairs = map[string]*list.Element{}
		s.shards[i].buckets = map[string]*bucket{}
	}
	return s
}

func (s *Suppressor) shard(key string) *shard {
	return &s.shards[maphash.String(s.seed, key)%uint64(len(s.shards))]
}

// PairKey is the suppression key of a match.
func PairKey(indicatorID, atomic string) string { return indicatorID + "\x00" + atomic }

// Admit decides the fate of one match of indicatorID on the pair key at
// time now. When it returns Publish, the caller builds and publishes the
// alert, then passes it to Remember.
func (s *Suppressor) Admit(indicatorID, pair string, now time.Time) Decision {
	if s.opts.Window <= 0 && s.opts.Rate <= 0 {
		return Publish
	}
	if s.opts.Window > 0 {
		sh := s.shard(pair)
		sh.mu.Lock()
		if el, ok := sh.pairs[pair]; ok {
			ps := el.Value.(*pairState)
			if now.Sub(ps.first) < s.opts.Window {
				ps.count++
				ps.last = now
				sh.mu.Unlock()
				return Suppressed
			}
			sh.closePair(el)
		}
		sh.mu.Unlock()
	}
	if s.opts.Rate > 0 {
		sh := s.shard(indicatorID)
		sh.mu.Lock()
		ok := sh.take(indicatorID, now, s.opts)
		sh.mu.Unlock()
		if !ok {
			return RateLimited
		}
	}
	if s.opts.Window > 0 {
		sh := s.shard(pair)
		sh.mu.Lock()
		if _, ok := sh.pairs[pair]; !ok {
			sh.pairs[pair] = sh.order.PushBack(&pairState{key: pair, first: now, last: now})
			if sh.order.Len() > s.opts.MaxPairs/len(s.shards)+1 {
				sh.closePair(sh.order.Front())
			}
		}
		sh.mu.Unlock()
	}
	return Publish
}

// take spends one token of the indicator's bucket.
func (sh *shard) take(indicatorID string, now time.Time, opts SuppressOptions) bool {
	b, ok := sh.buckets[indicatorID]
	if !ok {
		if len(sh.buckets) > 10_000 {
			clear(sh.buckets) // bound memory; buckets refill quickly anyway
		}
		b = &bucket{tokens: float64(opts.Burst), at: now}
		sh.buckets[indicatorID] = b
	}
	b.tokens = min(float64(opts.Burst), b.tokens+now.Sub(b.at).Seconds()*opts.Rate)
	b.at = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// Remember keeps a trimmed copy of a published alert as the template of
// its pair's summary.
func (s *Suppressor) Remember(pair string, a *Alert) {
	if s.opts.Window <= 0 {
		return
	}
	sh := s.shard(pair)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if el, ok := sh.pairs[pair]; ok {
		t := *a
		t.Event.Original, t.Event.OriginalBase64 = "", ""
		el.Value.(*pairState).template = &t
	}
}

// closePair removes a pair and, when repeats were folded into it, queues
// its summary.
func (sh *shard) closePair(el *list.Element) {
	ps := el.Value.(*pairState)
	sh.order.Remove(el)
	delete(sh.pairs, ps.key)
	if ps.count == 0 || ps.template == nil {
		return
	}
	a := *ps.template
	a.Alert.RelatesTo = ps.template.Alert.ID
	a.Alert.ID = ps.template.Alert.ID + "-s"
	a.Alert.Kind = KindSummary
	a.Alert.Count = ps.count
	a.Alert.FirstSeen, a.Alert.LastSeen = ps.first, ps.last
	a.Alert.Created = ps.last
	sh.closed = append(sh.closed, a)
}

// Flush closes the pairs whose window has ended at now and returns the
// summaries of those that folded repeats.
func (s *Suppressor) Flush(now time.Time) []Alert {
	var out []Alert
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		for el := sh.order.Front(); el != nil; {
			ps := el.Value.(*pairState)
			if now.Sub(ps.first) < s.opts.Window {
				break
			}
			next := el.Next()
			sh.closePair(el)
			el = next
		}
		out = append(out, sh.closed...)
		sh.closed = nil
		sh.mu.Unlock()
	}
	return out
}

// Pairs returns the number of pairs tracked, for metrics.
func (s *Suppressor) Pairs() int {
	n := 0
	for i := range s.shards {
		s.shards[i].mu.Lock()
		n += s.shards[i].order.Len()
		s.shards[i].mu.Unlock()
	}
	return n
}
