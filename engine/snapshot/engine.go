package snapshot

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Source yields the whole current indicator set. The Engine calls it to
// merge its delta into a new base; it must reflect every change already
// given to Apply.
type Source func(yield func(Indicator) error) error

// Change is one update of the indicator set: an indicator added or
// modified (Indicator set) or removed by id (Removed set).
type Change struct {
	Indicator Indicator
	Removed   string
}

// Engine owns the published snapshot and applies updates to it. Match
// paths call Load; writers call Apply. Apply calls are serialised; Load
// never blocks.
type Engine struct {
	cur    atomic.Pointer[Snapshot]
	mu     sync.Mutex // serialises writers
	opts   Options
	source Source

	// delta holds the indicators added or changed since the base was
	// built, by id; removed ids are only marked dead in the base.
	delta map[string]Indicator
	// merging is set while a background merge runs; changes meanwhile are
	// logged to be replayed on the new base.
	merging bool
	log     []Change
	mergeWG sync.WaitGroup

	onMerge func(*Snapshot, []Diagnostic, error)
}

// NewEngine builds the first snapshot from source and returns an Engine
// publishing it, with the diagnostics of the indicators it could not use.
func NewEngine(opts Options, source Source) (*Engine, []Diagnostic, error) {
	if opts.MergeThreshold <= 0 {
		opts.MergeThreshold = 20000
	}
	s, diags, err := buildFrom(opts, source)
	if err != nil {
		return nil, diags, err
	}
	e := &Engine{opts: opts, source: source, delta: map[string]Indicator{}}
	e.cur.Store(s)
	return e, diags, nil
}

func buildFrom(opts Options, source Source) (*Snapshot, []Diagnostic, error) {
	b := NewBuilder(opts)
	if err := source(func(ind Indicator) error { b.Add(ind); return nil }); err != nil {
		return nil, nil, fmt.Errorf("snapshot: reading indicators: %w", err)
	}
	return b.Build()
}

// Load returns the current snapshot.
func (e *Engine) Load() *Snapshot { return e.cur.Load() }

// OnMerge registers a function called after each background merge, with
// the new snapshot (nil on error) and its diagnostics.
func (e *Engine) OnMerge(fn func(*Snapshot, []Diagnostic, error)) {
	e.mu.Lock()
	e.onMerge = fn
	e.mu.Unlock()
}

// Apply publishes a snapshot that includes the changes, and returns the
// diagnostics of changed indicators that cannot be used. The changes are
// visible to Load when Apply returns.
func (e *Engine) Apply(changes []Change) ([]Diagnostic, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.merging {
		e.log = append(e.log, changes...)
	}
	cur := e.cur.Load()
	next, diags, err := e.applyTo(cur, changes)
	if err != nil {
		return diags, err
	}
	e.cur.Store(next)
	if !e.merging && len(e.delta) > e.opts.MergeThreshold && e.source != nil {
		e.startMerge()
	}
	return diags, nil
}

// applyTo derives a snapshot from cur: changed and removed ids are marked
// dead in the base, and the delta segment is rebuilt from e.delta.
func (e *Engine) applyTo(cur *Snapshot, changes []Change) (*Snapshot, []Diagnostic, error) {
	dead := cur.dead
	copied := false
	markDead := func(id string) {
		if i, ok := cur.base.ids.find(id); ok {
			if !copied {
				n := (len(cur.base.plans) + 63) / 64
				nd := make([]uint64, n)
				copy(nd, dead)
				dead, copied = nd, true
			}
			dead[i/64] |= 1 << (i % 64)
		}
	}
	for _, c := range changes {
		switch {
		case c.Removed != "":
			markDead(c.Removed)
			delete(e.delta, c.Removed)
		case c.Indicator.ID != "":
			markDead(c.Indicator.ID)
			if c.Indicator.Revoked {
				delete(e.delta, c.Indicator.ID)
				continue
			}
			if prev, ok := e.delta[c.Indicator.ID]; ok && c.Indicator.Modified.Before(prev.Modified) {
				continue
			}
			e.delta[c.Indicator.ID] = c.Indicator
		}
	}
	sb := newSegmentBuilder(cur.opts, uint32(len(cur.base.plans)))
	inds := make([]Indicator, 0, len(e.delta))
	for _, ind := range e.delta {
		inds = append(inds, ind)
	}
	compileAll(cur.opts.Plan, inds, func(c compiled) { sb.add(c) })
	delta, err := sb.build()
	if err != nil {
		return nil, sb.diags, err
	}
	next := &Snapshot{base: cur.base, delta: delta, dead: dead, gen: cur.gen + 1, built: time.Now(), opts: cur.opts, diags: cur.diags}
	if delta.stats.Indicators == 0 {
		next.delta = nil
	}
	return next, sb.diags, nil
}

// startMerge rebuilds the base from the source in the background. Called
// with e.mu held.
func (e *Engine) startMerge() {
	e.merging = true
	e.log = nil
	e.mergeWG.Add(1)
	go func() {
		defer e.mergeWG.Done()
		base, diags, err := buildFrom(e.opts, e.source)
		e.mu.Lock()
		defer e.mu.Unlock()
		e.merging = false
		log := e.log
		e.log = nil
		if err != nil {
			if e.onMerge != nil {
				e.onMerge(nil, diags, err)
			}
			return
		}
		// The new base reflects the source at some point during the
		// merge; replaying the changes logged meanwhile on top of it
		// gives the current set (changes are idempotent).
		cur := e.cur.Load()
		base.gen = cur.gen
		e.delta = map[string]Indicator{}
		next, more, err := e.applyTo(base, log)
		diags = append(diags, more...)
		if err == nil {
			e.cur.Store(next)
		}
		if e.onMerge != nil {
			e.onMerge(next, diags, err)
		}
	}()
}

// Merge rebuilds the base from the source now and waits for it: the delta
// becomes empty. It is mostly for tests and for operators forcing a
// compaction.
func (e *Engine) Merge() error {
	e.mu.Lock()
	if e.source == nil {
		e.mu.Unlock()
		return errors.New("snapshot: no source to merge from")
	}
	if !e.merging {
		e.startMerge()
	}
	e.mu.Unlock()
	e.mergeWG.Wait()
	return nil
}

// Close waits for a running merge to finish.
func (e *Engine) Close() { e.mergeWG.Wait() }
