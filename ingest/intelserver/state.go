package intelserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"
)

// entry is the current version of one object on a server, at its place in
// the feed order (updated, id). A changed object gets a new entry at the
// end of the order; the old one is marked dead.
type entry struct {
	item
	dead bool
}

func (e *entry) pos() pos { return pos{e.updated, e.id} }

// state is a server's objects. Guarded by mu.
type state struct {
	mu    sync.RWMutex
	now   func() time.Time
	list  []*entry // sorted by pos, dead entries included
	byID  map[string]*entry
	dead  int
	last  time.Time           // the largest updated
	rels  map[string][]string // object id -> ids of relationships it is in
	index map[observable][]string
}

func newState(ds *Dataset, now func() time.Time) *state {
	st := &state{
		now:   now,
		list:  make([]*entry, 0, len(ds.items)),
		byID:  make(map[string]*entry, len(ds.items)),
		rels:  map[string][]string{},
		index: map[observable][]string{},
	}
	for _, it := range ds.items {
		e := &entry{item: it}
		st.list = append(st.list, e)
		st.byID[it.id] = e
		st.indexEntry(e, nil)
		if it.updated.After(st.last) {
			st.last = it.updated
		}
	}
	return st
}

// indexEntry records e's relationship endpoints and observables; old is
// the version e replaces (nil for a new object), whose entries are already
// indexed. Lookups verify against the current version, so stale index
// entries are harmless. Called with mu held (or before the state is shared).
func (st *state) indexEntry(e, old *entry) {
	switch e.typ {
	case "relationship":
		var oldEnds [2]string
		if old != nil && old.typ == "relationship" {
			oldEnds[0], oldEnds[1] = old.relEnds()
		}
		src, tgt := e.relEnds()
		for _, end := range []string{src, tgt} {
			if end != "" && end != oldEnds[0] && end != oldEnds[1] {
				st.rels[end] = append(st.rels[end], e.id)
			}
		}
	case "indicator":
		var oldObs []observable
		if old != nil {
			oldObs = observables(old.pattern)
		}
		for _, o := range observables(e.pattern) {
			dup := false
			for _, x := range oldObs {
				dup = dup || x == o
			}
			if !dup {
				st.index[o] = append(st.index[o], e.id)
			}
		}
	}
}

func (e *entry) relEnds() (string, string) {
	if e.rel != nil {
		return e.rel.source, e.rel.target
	}
	var r struct {
		Source string `json:"source_ref"`
		Target string `json:"target_ref"`
	}
	_ = json.Unmarshal(e.raw, &r)
	return r.Source, r.Target
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// tick returns a new feed position time, after every existing one. Called
// with mu held.
func (st *state) tick() time.Time {
	t := st.now().UTC().Truncate(time.Microsecond)
	if !t.After(st.last) {
		t = st.last.Add(time.Microsecond)
	}
	st.last = t
	return t
}

// put stores obj as the newest version of its id at a new position.
// Called with mu held.
func (st *state) put(raw []byte) (*entry, error) {
	var m meta
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("intelserver: %w", err)
	}
	if m.Type == "" || m.ID == "" {
		return nil, errors.New("intelserver: object has no type or id")
	}
	e := &entry{item: item{
		id: m.ID, typ: m.Type, updated: st.tick(), raw: raw,
		revoked: m.Revoked, validUntil: m.ValidUntil, pattern: m.Pattern,
	}}
	old := st.byID[m.ID]
	if old != nil {
		old.dead = true
		st.dead++
	}
	st.byID[m.ID] = e
	st.list = append(st.list, e)
	st.indexEntry(e, old)
	if st.dead > 1024 && st.dead > len(st.list)/2 {
		live := st.list[:0]
		for _, x := range st.list {
			if !x.dead {
				live = append(live, x)
			}
		}
		clear(st.list[len(live):])
		st.list, st.dead = live, 0
	}
	return e, nil
}

// mutate applies fn to the current version of id (decoded as a map), sets
// modified to a new time and stores the result.
func (st *state) mutate(id string, fn func(obj map[string]any, now time.Time) error) (json.RawMessage, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	e := st.byID[id]
	if e == nil {
		return nil, fmt.Errorf("intelserver: no object %s", id)
	}
	var obj map[string]any
	dec := json.NewDecoder(bytes.NewReader(e.body()))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil {
		return nil, fmt.Errorf("intelserver: %s: %w", id, err)
	}
	// The position and modified time share one tick.
	now := st.now().UTC().Truncate(time.Microsecond)
	if !now.After(st.last) {
		now = st.last.Add(time.Microsecond)
	}
	if err := fn(obj, now); err != nil {
		return nil, err
	}
	obj["modified"] = stixTime(now)
	raw, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("intelserver: %s: %w", id, err)
	}
	if _, err := st.put(raw); err != nil {
		return nil, err
	}
	return raw, nil
}

// after returns the index of the first entry after p.
func (st *state) after(p pos) int {
	return sort.Search(len(st.list), func(i int) bool { return p.before(st.list[i].pos()) })
}

// scan collects up to limit live entries after p that keep accepts.
// last is the position of the last entry examined (p when none was); more
// reports whether another accepted entry follows. Called with mu held for
// reading.
func (st *state) scan(p pos, limit int, keep func(*entry) bool) (out []*entry, last pos, more bool) {
	last = p
	for i := st.after(p); i < len(st.list); i++ {
		e := st.list[i]
		if e.dead || !keep(e) {
			if len(out) < limit {
				last = e.pos()
			}
			continue
		}
		if len(out) == limit {
			return out, last, true
		}
		out = append(out, e)
		last = e.pos()
	}
	return out, last, false
}
