package snapshot

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"time"
	"unsafe"

	"github.com/indicator-matcher/matcher/engine/eval"
	"github.com/indicator-matcher/matcher/engine/observable"
	"github.com/indicator-matcher/matcher/engine/pattern"
	"github.com/indicator-matcher/matcher/engine/plan"
	"github.com/indicator-matcher/matcher/indexes/cidr"
	"github.com/indicator-matcher/matcher/indexes/exact"
	"github.com/indicator-matcher/matcher/indexes/substr"
)

// Indicator is what the snapshot needs of an indicator.
type Indicator struct {
	ID          string
	Pattern     string
	PatternType string
	ValidFrom   time.Time
	ValidUntil  time.Time // zero: no end
	Modified    time.Time
	Revoked     bool
	// Benign marks a known-good value (indicator_types "benign"): its hits
	// allow-list the observable instead of alerting.
	Benign bool
}

// Diagnostic says why one indicator is not matched, or matched only in
// part.
type Diagnostic struct {
	ID  string
	Err error
}

func (d Diagnostic) String() string { return d.ID + ": " + d.Err.Error() }

// maxKinds bounds observable.Kind values; the per-kind exact sets are an
// array indexed by kind.
const maxKinds = 64

// sizeofPlanRec is the size of a planRec, for memory estimates.
const sizeofPlanRec = unsafe.Sizeof(planRec{})

// Plan flags.
const (
	flagProven       uint8 = 1 << iota // an index hit proves the pattern
	flagVerifyAlways                   // no entry: verified on every event
	flagBenign                         // a known-good value
)

// planRec is one compiled indicator in a segment.
type planRec struct {
	from, until int64 // unix ns; 0: unbounded
	flags       uint8
	proofRole   observable.Role // role a hit must have to prove an AddrPort plan
}

// segment is an immutable set of compiled indicators with their indexes.
// Plan ids are offset by base, so that the ids of a base and a delta
// segment never collide.
type segment struct {
	base  uint32
	ids   idTable
	plans []planRec
	exact [maxKinds]*exact.Set
	ports *exact.Set // keys: role byte and big-endian port
	cidr  *cidr.Set
	// substr holds the substring automata, one pair per set of observable
	// kinds they apply to (kinds 0: every string of the event).
	substr []substrGroup
	// verifyText holds the canonical pattern of every plan that needs
	// verification, back to back; verifyEnd[i] is where the pattern of
	// plan base+i ends (it starts where the previous one ends; empty: no
	// verification). Pointer-free, so that the garbage collector does not
	// scan a string per indicator. Matchers are compiled on first use and
	// cached.
	verifyText []byte
	verifyEnd  []uint32
	matchers   sync.Map // uint32 -> *eval.Matcher
	always     []uint32 // verify-always plan ids
	stats      segmentStats
}

type segmentStats struct {
	Indicators   int
	Proven       int
	VerifyAlways int
	ExactKeys    int
	Prefixes     int
	Fragments    int
}

// segmentBuilder compiles indicators into a segment.
type segmentBuilder struct {
	opts   Options
	base   uint32
	seg    *segment
	exact  [maxKinds]*exact.Builder
	ports  exact.Builder
	cidr   cidr.Builder
	substr map[uint64]*substrBuilders
	diags  []Diagnostic
}

// substrGroup is the substring automata for one set of kinds.
type substrGroup struct {
	kinds       uint64
	plain, fold *substr.Matcher
}

type substrBuilders struct{ plain, fold substr.Builder }

func newSegmentBuilder(opts Options, base uint32) *segmentBuilder {
	b := &segmentBuilder{opts: opts, base: base, seg: &segment{base: base}, substr: map[uint64]*substrBuilders{}}
	b.cidr.Backend = opts.CIDRBackend
	return b
}

// Bounds of the times UnixNano can represent (years 1677 to 2262).
var (
	minUnixNano = time.Unix(0, math.MinInt64)
	maxUnixNano = time.Unix(0, math.MaxInt64)
)

// unixOrZero returns t in Unix nanoseconds, or 0 for the zero time (no
// bound). Times UnixNano cannot represent, such as a valid_until of
// 9999-12-31, are clamped to the int64 range, which keeps every
// comparison with an event time right; the epoch itself becomes -1 so
// that it is not taken for "no bound".
func unixOrZero(t time.Time) int64 {
	switch {
	case t.IsZero():
		return 0
	case t.Before(minUnixNano):
		return math.MinInt64
	case t.After(maxUnixNano):
		return math.MaxInt64
	}
	if ns := t.UnixNano(); ns != 0 {
		return ns
	}
	return -1
}

// compiled is one indicator compiled into a plan, ready to be indexed.
type compiled struct {
	ind Indicator
	pl  *plan.Plan
	err error
}

// compileAll compiles indicators in parallel, in batches so that only a
// batch of plans is alive at a time, and calls add for each in order.
func compileAll(opts plan.Options, inds []Indicator, add func(compiled)) {
	const batch = 2048
	workers := runtime.GOMAXPROCS(0)
	out := make([]compiled, batch)
	for start := 0; start < len(inds); start += batch {
		chunk := inds[start:min(start+batch, len(inds))]
		var wg sync.WaitGroup
		per := (len(chunk) + workers - 1) / workers
		for w := 0; w < workers; w++ {
			lo, hi := w*per, min((w+1)*per, len(chunk))
			if lo >= hi {
				break
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := lo; i < hi; i++ {
					pl, err := plan.Compile(chunk[i].Pattern, chunk[i].PatternType, opts)
					out[i] = compiled{ind: chunk[i], pl: pl, err: err}
				}
			}()
		}
		wg.Wait()
		for i := range chunk {
			add(out[i])
			out[i] = compiled{}
		}
	}
}

// add indexes one compiled indicator. It returns false, with a diagnostic,
// when the indicator cannot be matched at all.
func (b *segmentBuilder) add(c compiled) bool {
	ind, pl := c.ind, c.pl
	if c.err != nil {
		b.diags = append(b.diags, Diagnostic{ID: ind.ID, Err: c.err})
		return false
	}
	for _, w := range pl.Warnings {
		b.diags = append(b.diags, Diagnostic{ID: ind.ID, Err: errors.New("plan: " + w)})
	}
	seg := b.seg
	id := b.base + uint32(len(seg.plans))
	rec := planRec{from: unixOrZero(ind.ValidFrom), until: unixOrZero(ind.ValidUntil)}
	if ind.Benign {
		rec.flags |= flagBenign
	}
	if pl.Proven {
		rec.flags |= flagProven
		if len(pl.Entries) == 1 {
			rec.proofRole = pl.Entries[0].Role
		}
	}
	if !pl.Proven || rec.proofRole != observable.RoleNone || hasHashEntry(pl) {
		// Hits that do not prove the plan are verified against the
		// canonical pattern.
		src := pl.Pattern.String()
		if uint64(len(seg.verifyText))+uint64(len(src)) > math.MaxUint32 {
			b.diags = append(b.diags, Diagnostic{ID: ind.ID, Err: errors.New("snapshot: the patterns to verify exceed 4 GiB in one segment")})
			return false
		}
		seg.verifyText = append(seg.verifyText, src...)
	}
	seg.verifyEnd = append(seg.verifyEnd, uint32(len(seg.verifyText)))
	if pl.VerifyAlways {
		rec.flags |= flagVerifyAlways
		seg.always = append(seg.always, id)
		seg.stats.VerifyAlways++
	}
	for _, e := range pl.Entries {
		if err := b.addEntry(id, e); err != nil {
			b.diags = append(b.diags, Diagnostic{ID: ind.ID, Err: fmt.Errorf("index %s: %w", e, err)})
		}
	}
	seg.ids.add(ind.ID)
	seg.plans = append(seg.plans, rec)
	seg.stats.Indicators++
	if pl.Proven {
		seg.stats.Proven++
	}
	return true
}

func (b *segmentBuilder) addEntry(id uint32, e plan.Entry) error {
	switch e.Type {
	case plan.Exact:
		if int(e.Kind) >= maxKinds {
			return fmt.Errorf("observable kind %d out of range", e.Kind)
		}
		xb := b.exact[e.Kind]
		if xb == nil {
			xb = &exact.Builder{}
			b.exact[e.Kind] = xb
		}
		return xb.Add(e.Key, id)
	case plan.CIDR:
		return b.cidr.Add(e.Prefix, id)
	case plan.Port:
		key := portKey(e.Role, e.Port)
		return b.ports.Add(key[:], id)
	default:
		sb := b.substr[e.Kinds]
		if sb == nil {
			sb = &substrBuilders{}
			sb.plain.MaxBytes = b.opts.SubstringMaxBytes
			sb.fold.MaxBytes = b.opts.SubstringMaxBytes
			sb.fold.FoldCase = true
			sb.plain.Backend = b.opts.SubstringBackend
			sb.fold.Backend = b.opts.SubstringBackend
			b.substr[e.Kinds] = sb
		}
		if e.Fold {
			return sb.fold.Add(e.Fragment, id)
		}
		return sb.plain.Add(e.Fragment, id)
	}
}

// portKey is the key of the port index.
func portKey(role observable.Role, port uint16) [3]byte {
	return [3]byte{byte(role), byte(port >> 8), byte(port)}
}

// hasHashEntry reports whether a plan has an exact hash entry, whose proof
// depends on where the event carried the hash.
func hasHashEntry(pl *plan.Plan) bool {
	for _, e := range pl.Entries {
		if e.Type == plan.Exact && e.Kind.IsHash() {
			return true
		}
	}
	return false
}

// build freezes the segment.
func (b *segmentBuilder) build() (*segment, error) {
	seg := b.seg
	for k, xb := range b.exact {
		if xb != nil && xb.Len() > 0 {
			seg.exact[k] = xb.Build()
			seg.stats.ExactKeys += seg.exact[k].Len()
		}
	}
	if b.ports.Len() > 0 {
		seg.ports = b.ports.Build()
	}
	if b.cidr.Len() > 0 {
		set, err := b.cidr.Build()
		if err != nil {
			return nil, fmt.Errorf("snapshot: CIDR index: %w", err)
		}
		seg.cidr = set
		seg.stats.Prefixes = set.Len()
	}
	for kinds, sb := range b.substr {
		g := substrGroup{kinds: kinds}
		for _, one := range []*substr.Builder{&sb.plain, &sb.fold} {
			if one.Len() == 0 {
				continue
			}
			m, err := one.Build()
			if err != nil {
				return nil, fmt.Errorf("snapshot: substring index: %w", err)
			}
			if one.FoldCase {
				g.fold = m
			} else {
				g.plain = m
			}
			seg.stats.Fragments += m.Len()
		}
		seg.substr = append(seg.substr, g)
	}
	seg.ids.freeze()
	seg.verifyText = bytes.Clone(seg.verifyText) // drop the spare capacity of appending
	seg.verifyEnd = slices.Clone(seg.verifyEnd)
	return seg, nil
}

// matcher returns the verifier of plan id, compiling it on first use.
func (s *segment) matcher(id uint32) (*eval.Matcher, error) {
	if m, ok := s.matchers.Load(id); ok {
		return m.(*eval.Matcher), nil
	}
	src := s.verifyPattern(id)
	if len(src) == 0 {
		return nil, fmt.Errorf("snapshot: plan %d has no pattern to verify", id)
	}
	p, err := pattern.Parse(string(src))
	if err != nil {
		return nil, fmt.Errorf("snapshot: canonical pattern of plan %d: %w", id, err)
	}
	m, err := eval.Compile(p)
	if err != nil {
		return nil, fmt.Errorf("snapshot: canonical pattern of plan %d: %w", id, err)
	}
	actual, _ := s.matchers.LoadOrStore(id, m)
	return actual.(*eval.Matcher), nil
}

// verifyPattern is the canonical pattern that hits of plan id are
// verified against; empty when its index hits prove it.
func (s *segment) verifyPattern(id uint32) []byte {
	i := id - s.base
	var start uint32
	if i > 0 {
		start = s.verifyEnd[i-1]
	}
	return s.verifyText[start:s.verifyEnd[i]]
}

func (s *segment) rec(id uint32) *planRec { return &s.plans[id-s.base] }

func (s *segment) indicatorID(id uint32) string { return s.ids.get(id - s.base) }

func (s *segment) contains(id uint32) bool {
	return id >= s.base && id < s.base+uint32(len(s.plans))
}

type segmentSizes struct{ exact, cidr, substr, plans int }

// sizes estimates the heap the segment holds, by part.
func (s *segment) sizes() segmentSizes {
	var z segmentSizes
	z.plans = len(s.plans)*int(sizeofPlanRec) + s.ids.sizeBytes() + len(s.always)*4
	z.plans += len(s.verifyText) + 4*len(s.verifyEnd)
	for _, x := range s.exact {
		if x != nil {
			z.exact += x.SizeBytes()
		}
	}
	if s.ports != nil {
		z.exact += s.ports.SizeBytes()
	}
	if s.cidr != nil {
		z.cidr = s.cidr.SizeBytes()
	}
	for _, g := range s.substr {
		for _, m := range []*substr.Matcher{g.plain, g.fold} {
			if m != nil {
				z.substr += m.SizeBytes()
			}
		}
	}
	return z
}
