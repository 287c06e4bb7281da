package enrich

import (
	"hash/maphash"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// ttlCache is a size-bounded LRU whose entries expire after a TTL set per
// entry. It wraps golang-lru's simplelru rather than its expirable LRU
// because that one (v2.0.7) reads time.Now itself (no test clock) and
// starts a cleanup goroutine per cache that can never be stopped. Here the
// size bound caps memory; expired entries are dropped when read and, a
// few at a time, from the cold end on every Add.
//
// Safe for concurrent use.
type ttlCache[V any] struct {
	mu  sync.Mutex
	lru *simplelru.LRU[string, ttlEntry[V]]
	now func() time.Time
}

type ttlEntry[V any] struct {
	v       V
	expires time.Time
}

func newTTLCache[V any](size int, now func() time.Time) *ttlCache[V] {
	l, err := simplelru.NewLRU[string, ttlEntry[V]](max(size, 1), nil)
	if err != nil {
		panic("enrich: simplelru.NewLRU with a positive size failed: " + err.Error())
	}
	return &ttlCache[V]{lru: l, now: now}
}

// get returns the live value of key.
func (c *ttlCache[V]) get(key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.lru.Get(key)
	if !ok {
		var zero V
		return zero, false
	}
	if !c.now().Before(e.expires) {
		c.lru.Remove(key)
		var zero V
		return zero, false
	}
	return e.v, true
}

// add stores v under key for ttl.
func (c *ttlCache[V]) add(key string, v V, ttl time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	c.lru.Add(key, ttlEntry[V]{v: v, expires: now.Add(ttl)})
	for i := 0; i < 2; i++ {
		_, e, ok := c.lru.GetOldest()
		if !ok || now.Before(e.expires) {
			break
		}
		c.lru.RemoveOldest()
	}
}

func (c *ttlCache[V]) remove(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lru.Remove(key)
}

func (c *ttlCache[V]) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}

// distinctSet counts distinct indicator ids by a 64-bit hash, up to a bound
// (past it the count stops and saturated is set). Safe for concurrent use.
type distinctSet struct {
	mu        sync.Mutex
	seed      maphash.Seed
	set       map[uint64]struct{}
	limit     int
	saturated bool
}

func newDistinctSet(limit int) *distinctSet {
	return &distinctSet{seed: maphash.MakeSeed(), set: map[uint64]struct{}{}, limit: limit}
}

// add records id and reports whether it was new.
func (s *distinctSet) add(id string) bool {
	h := maphash.String(s.seed, id)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.set[h]; ok {
		return false
	}
	if len(s.set) >= s.limit {
		s.saturated = true
		return false
	}
	s.set[h] = struct{}{}
	return true
}

func (s *distinctSet) count() (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.set), s.saturated
}
