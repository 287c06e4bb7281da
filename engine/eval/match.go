package eval

import (
	"slices"
	"time"

	"github.com/indicator-matcher/matcher/engine/observation"
	"github.com/indicator-matcher/matcher/engine/pattern"
)

// DefaultMaxSteps is the default budget of binding attempts per Match.
const DefaultMaxSteps = 2_000_000

// maxBindingDepth bounds how many observations one binding may hold, which
// bounds the depth of the search.
const maxBindingDepth = 100_000

// Options tune Match. The zero value uses the defaults.
type Options struct {
	// MaxSteps bounds the attempts to bind an observation to a simple
	// observation expression; 0 means DefaultMaxSteps.
	MaxSteps int
}

// Result is the outcome of a successful Match call.
type Result struct {
	// Matched reports whether a binding exists.
	Matched bool
	// Binding lists the observations of the first binding found, by index
	// into the slice given to Match, in ascending order and without
	// repetition.
	Binding []int
	// Steps is the number of binding attempts the search made.
	Steps int
}

// Match reports whether the observations satisfy the pattern. An error
// wrapping ErrInvalidData means the data could not be evaluated (the
// reference matcher raises an error in the same cases); ErrWorkLimit means
// the search gave up.
func (m *Matcher) Match(obs []observation.Observation, opts Options) (Result, error) {
	cands, err := m.candidates(obs)
	if err != nil {
		return Result{}, err
	}
	var total int64
	for i := range obs {
		total = satAdd(total, int64(max(obs[i].NumberObserved, 1)))
	}
	if m.minObs > total {
		return Result{}, nil
	}
	s := newSearch(obs, cands, opts)
	s.demand = m.demand
	s.bound = make([]int64, m.groups)
	ok := s.feasible(m.root) && s.solve(m.root, func() bool { return true })
	if s.exceeded {
		return Result{Steps: s.steps}, ErrWorkLimit
	}
	if !ok {
		return Result{Steps: s.steps}, nil
	}
	binding := slices.Clone(s.stack)
	slices.Sort(binding)
	return Result{Matched: true, Binding: slices.Compact(binding), Steps: s.steps}, nil
}

// MatchOne is Match for a single observation, the streaming case: one
// event is one observation. For an observation with NumberObserved 1 it
// takes a direct path with no search: only OR branches and qualifiers
// that one observation can satisfy are evaluated, and it stops at the
// first branch that holds, so a data error in a branch it does not reach
// is not reported.
func (m *Matcher) MatchOne(o *observation.Observation) (bool, error) {
	if m.minObs > int64(max(o.NumberObserved, 1)) {
		return false, nil
	}
	if o.NumberObserved <= 1 {
		return single(m.root, o)
	}
	r, err := m.Match([]observation.Observation{*o}, Options{})
	return r.Matched, err
}

// single decides n for one observation instance.
func single(n obsNode, o *observation.Observation) (bool, error) {
	switch n := n.(type) {
	case *leafNode:
		return evalLeaf(n, o)
	case *orNode:
		for _, c := range n.children {
			if c.minObs() > 1 {
				continue
			}
			if ok, err := single(c, o); ok || err != nil {
				return ok, err
			}
		}
		return false, nil
	case *withinNode:
		return single(n.child, o) // one observation is always within any window
	case *startStopNode:
		if !n.start.Before(n.stop) || !o.First.Before(n.stop) || o.Last.Before(n.start) {
			return false, nil
		}
		return single(n.child, o)
	case *repeatNode:
		if n.n != 1 {
			return false, nil
		}
		return single(n.child, o)
	}
	return false, nil // AND and FOLLOWEDBY need two instances
}

// candidates evaluates every simple observation expression on every
// observation, as the reference does, so that data errors surface whatever
// the binding.
func (m *Matcher) candidates(obs []observation.Observation) ([][]int, error) {
	cands := make([][]int, len(m.leaves))
	for _, l := range m.leaves {
		for i := range obs {
			ok, err := evalLeaf(l, &obs[i])
			if err != nil {
				return nil, err
			}
			if ok {
				cands[l.idx] = append(cands[l.idx], i)
			}
		}
	}
	return cands, nil
}

// evalLeaf reports whether some root object of the observation satisfies
// the comparison expression.
func evalLeaf(l *leafNode, o *observation.Observation) (bool, error) {
	found := false
	for _, obj := range o.Objects {
		if !slices.Contains(l.types, obj.Type()) {
			continue
		}
		ok, err := evalCmp(l.expr, o, obj)
		if err != nil {
			return false, err
		}
		// Keep going after a hit: every comparison is evaluated on every
		// root so that data errors are reported consistently.
		found = found || ok
	}
	return found, nil
}

func evalCmp(n cmpNode, o *observation.Observation, root *observation.Object) (bool, error) {
	switch c := n.(type) {
	case *cmpAnd:
		l, err := evalCmp(c.left, o, root)
		if err != nil {
			return false, err
		}
		r, err := evalCmp(c.right, o, root)
		return l && r, err
	case *cmpOr:
		l, err := evalCmp(c.left, o, root)
		if err != nil {
			return false, err
		}
		r, err := evalCmp(c.right, o, root)
		return l || r, err
	case *test:
		if root.Type() != c.objType {
			return false, nil
		}
		if c.op == pattern.OpExists {
			// EXISTS is about the path, not a value: NOT EXISTS holds
			// when the path selects nothing.
			found, err := selectValues(o, value{v: observation.ObjectValue(root)}, c.steps, selectAny)
			return found != c.negated, err
		}
		return selectValues(o, value{v: observation.ObjectValue(root)}, c.steps, c.pass)
	}
	return false, nil
}

func selectAny(value) (bool, error) { return true, nil }

// search is the state of one binding search.
type search struct {
	first, last []time.Time
	capacity    []int
	used        []int
	cands       [][]int
	stack       []int // bound observation indexes, in binding order

	followBounds []time.Time // each bound leaf must have last >= these
	windows      []*startStopNode
	withins      []*withinScope

	scopes []scope // open constraint scopes, innermost last
	demand []int64 // per leaf group, bindings any full binding needs
	bound  []int64 // per leaf group, bindings made so far
	minIdx int     // the next leaf may only take candidates >= minIdx

	steps, maxSteps int
	exceeded        bool
	keyA, keyB      []int // scratch for ordering keys
}

// scope is an open constraint scope (WITHIN, START/STOP or the right side
// of FOLLOWEDBY): what it must still bind is its demand minus what was
// bound since it opened.
type scope struct {
	demand      []int64
	boundAtOpen []int64
}

// openScope records a constraint scope; the caller closes it with
// closeScope when the scoped operand is bound, and reopens it with
// reopenScope when backtracking into it.
func (s *search) openScope(demand []int64) {
	s.scopes = append(s.scopes, scope{demand: demand, boundAtOpen: slices.Clone(s.bound)})
}

func (s *search) closeScope() scope {
	sc := s.scopes[len(s.scopes)-1]
	s.scopes = s.scopes[:len(s.scopes)-1]
	return sc
}

func (s *search) reopenScope(sc scope) { s.scopes = append(s.scopes, sc) }

type withinScope struct {
	d          time.Duration
	maxFirst   time.Time
	minLast    time.Time
	hasMembers bool
}

func newSearch(obs []observation.Observation, cands [][]int, opts Options) *search {
	s := &search{
		first:    make([]time.Time, len(obs)),
		last:     make([]time.Time, len(obs)),
		capacity: make([]int, len(obs)),
		used:     make([]int, len(obs)),
		cands:    cands,
		maxSteps: opts.MaxSteps,
	}
	if s.maxSteps <= 0 {
		s.maxSteps = DefaultMaxSteps
	}
	for i := range obs {
		s.first[i], s.last[i] = obs[i].First, obs[i].Last
		s.capacity[i] = max(obs[i].NumberObserved, 1)
	}
	return s
}

// feasible is a cheap necessary condition: every leaf the pattern cannot
// do without has at least one candidate.
func (s *search) feasible(n obsNode) bool {
	switch n := n.(type) {
	case *leafNode:
		return len(s.cands[n.idx]) > 0
	case *seqNode:
		for _, c := range n.children {
			if !s.feasible(c) {
				return false
			}
		}
		return true
	case *orNode:
		for _, c := range n.children {
			if s.feasible(c) {
				return true
			}
		}
		return false
	case *followedByNode:
		return s.feasible(n.left) && s.feasible(n.right)
	case *withinNode:
		return s.feasible(n.child)
	case *repeatNode:
		return s.feasible(n.child)
	case *startStopNode:
		return n.start.Before(n.stop) && s.feasible(n.child)
	}
	return false
}

// solve binds n, then calls k to bind the rest of the pattern. It returns
// true as soon as k does; on false, every change it made is undone.
func (s *search) solve(n obsNode, k func() bool) bool {
	if s.exceeded {
		return false
	}
	switch n := n.(type) {
	case *leafNode:
		return s.leaf(n, k)
	case *seqNode:
		return s.sequence(len(n.children), func(i int) obsNode { return n.children[i] },
			func(i int) bool { return n.same[i] }, k)
	case *repeatNode:
		if n.n > maxBindingDepth {
			s.exceeded = true
			return false
		}
		return s.sequence(int(n.n), func(int) obsNode { return n.child },
			func(i int) bool { return i > 0 }, k)
	case *orNode:
		for _, c := range n.children {
			if s.feasible(c) && s.solve(c, k) {
				return true
			}
		}
		return false
	case *followedByNode:
		return s.followedBy(n, k)
	case *withinNode:
		w := &withinScope{d: n.d}
		s.withins = append(s.withins, w)
		s.openScope(n.demand)
		ok := s.solve(n.child, func() bool {
			// The scope ends with the child: constraints of the rest of
			// the pattern do not see it.
			s.withins = s.withins[:len(s.withins)-1]
			sc := s.closeScope()
			r := k()
			s.reopenScope(sc)
			s.withins = append(s.withins, w)
			return r
		})
		s.closeScope()
		s.withins = s.withins[:len(s.withins)-1]
		return ok
	case *startStopNode:
		if !n.start.Before(n.stop) {
			return false
		}
		s.windows = append(s.windows, n)
		s.openScope(n.demand)
		ok := s.solve(n.child, func() bool {
			s.windows = s.windows[:len(s.windows)-1]
			sc := s.closeScope()
			r := k()
			s.reopenScope(sc)
			s.windows = append(s.windows, n)
			return r
		})
		s.closeScope()
		s.windows = s.windows[:len(s.windows)-1]
		return ok
	}
	return false
}

// sequence binds count operands with disjoint instances. When same(i) is
// true, operand i is identical to operand i-1 and must take a binding whose
// sorted observation list is not smaller: each combination is visited once.
func (s *search) sequence(count int, child func(int) obsNode, same func(int) bool, k func() bool) bool {
	var step func(i, prevStart, prevEnd int) bool
	step = func(i, prevStart, prevEnd int) bool {
		if i == count {
			return k()
		}
		start := len(s.stack)
		c := child(i)
		if _, isLeaf := c.(*leafNode); isLeaf && same(i) {
			// Identical leaves take observations in ascending order.
			s.minIdx = s.stack[prevStart]
		}
		return s.solve(c, func() bool {
			end := len(s.stack)
			if same(i) && s.keyLess(start, end, prevStart, prevEnd) {
				return false
			}
			return step(i+1, start, end)
		})
	}
	return step(0, 0, 0)
}

// keyLess reports whether the sorted binding stack[aStart:aEnd] is
// lexicographically smaller than stack[bStart:bEnd].
func (s *search) keyLess(aStart, aEnd, bStart, bEnd int) bool {
	s.keyA = append(s.keyA[:0], s.stack[aStart:aEnd]...)
	s.keyB = append(s.keyB[:0], s.stack[bStart:bEnd]...)
	slices.Sort(s.keyA)
	slices.Sort(s.keyB)
	return slices.Compare(s.keyA, s.keyB) < 0
}

func (s *search) followedBy(n *followedByNode, k func() bool) bool {
	start := len(s.stack)
	return s.solve(n.left, func() bool {
		var bound time.Time
		for i, idx := range s.stack[start:] {
			if i == 0 || s.first[idx].After(bound) {
				bound = s.first[idx]
			}
		}
		s.followBounds = append(s.followBounds, bound)
		s.openScope(n.rightDemand)
		ok := s.solve(n.right, func() bool {
			s.followBounds = s.followBounds[:len(s.followBounds)-1]
			sc := s.closeScope()
			r := k()
			s.reopenScope(sc)
			s.followBounds = append(s.followBounds, bound)
			return r
		})
		s.closeScope()
		s.followBounds = s.followBounds[:len(s.followBounds)-1]
		return ok
	})
}

// leaf binds one observation instance to a simple observation expression.
func (s *search) leaf(n *leafNode, k func() bool) bool {
	if len(s.stack) >= maxBindingDepth {
		s.exceeded = true
		return false
	}
	minIdx := s.minIdx
	s.minIdx = 0
	cands := s.cands[n.idx]
	lo, _ := slices.BinarySearch(cands, minIdx)
	cands = cands[lo:]
	if !s.enoughSupply(n, cands) {
		return false
	}
	for _, i := range cands {
		s.steps++
		if s.steps > s.maxSteps {
			s.exceeded = true
			return false
		}
		if s.used[i] >= s.capacity[i] || !s.temporalOK(i) {
			continue
		}
		saved := s.enterWithins(i)
		s.used[i]++
		s.bound[n.group]++
		s.stack = append(s.stack, i)
		if k() {
			return true
		}
		s.stack = s.stack[:len(s.stack)-1]
		s.bound[n.group]--
		s.used[i]--
		s.leaveWithins(saved)
		if s.exceeded {
			return false
		}
	}
	return false
}

// enoughSupply is a necessary condition that cuts hopeless branches early.
// The whole pattern still needs demand-bound bindings of the leaf's group,
// and its candidates with free capacity must hold that many instances. The
// innermost open constraint scope still needs its own share, and the
// candidates that meet every active constraint must hold that many. Each
// count is one pass over the candidates, which the binding loop makes
// anyway.
func (s *search) enoughSupply(n *leafNode, cands []int) bool {
	g := n.group
	if need := s.demand[g] - s.bound[g]; need > 1 {
		var have int64
		for _, i := range cands {
			have += int64(s.capacity[i] - s.used[i])
		}
		if have < need {
			return false
		}
	}
	if len(s.scopes) == 0 {
		return true
	}
	sc := s.scopes[len(s.scopes)-1]
	need := sc.demand[g] - (s.bound[g] - sc.boundAtOpen[g])
	if need <= 1 {
		return true
	}
	var have int64
	for _, i := range cands {
		if free := s.capacity[i] - s.used[i]; free > 0 && s.temporalOK(i) {
			have += int64(free)
			if have >= need {
				return true
			}
		}
	}
	return false
}

// temporalOK checks observation i against every active constraint.
func (s *search) temporalOK(i int) bool {
	f, l := s.first[i], s.last[i]
	for _, b := range s.followBounds {
		if l.Before(b) {
			return false
		}
	}
	for _, w := range s.windows {
		// Overlap with [start, stop): touching start is enough, touching
		// only stop is not.
		if !f.Before(w.stop) || l.Before(w.start) {
			return false
		}
	}
	for _, w := range s.withins {
		maxF, minL := f, l
		if w.hasMembers {
			if w.maxFirst.After(maxF) {
				maxF = w.maxFirst
			}
			if w.minLast.Before(minL) {
				minL = w.minLast
			}
		}
		if maxF.Sub(minL) > w.d {
			return false
		}
	}
	return true
}

type withinSave struct {
	maxFirst, minLast time.Time
	hasMembers        bool
}

func (s *search) enterWithins(i int) []withinSave {
	if len(s.withins) == 0 {
		return nil
	}
	saved := make([]withinSave, len(s.withins))
	for j, w := range s.withins {
		saved[j] = withinSave{w.maxFirst, w.minLast, w.hasMembers}
		if !w.hasMembers || s.first[i].After(w.maxFirst) {
			w.maxFirst = s.first[i]
		}
		if !w.hasMembers || s.last[i].Before(w.minLast) {
			w.minLast = s.last[i]
		}
		w.hasMembers = true
	}
	return saved
}

func (s *search) leaveWithins(saved []withinSave) {
	for j, w := range s.withins {
		w.maxFirst, w.minLast, w.hasMembers = saved[j].maxFirst, saved[j].minLast, saved[j].hasMembers
	}
}
