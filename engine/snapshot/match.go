package snapshot

import (
	"slices"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/indicator-matcher/matcher/engine/extract"
	"github.com/indicator-matcher/matcher/engine/observable"
)

// Via says how a hit was found.
type Via uint8

// The ways a plan becomes a candidate.
const (
	ViaExact        Via = iota // an exact-set hit
	ViaCIDR                    // a CIDR-set hit
	ViaParentDomain            // an exact hit on a parent of an event domain (subdomain matching)
	ViaPort                    // a port-index hit
	ViaSubstring               // a substring-index hit
	ViaVerifyAlways            // the plan is checked on every event
)

var viaNames = [...]string{"exact", "cidr", "parent-domain", "port", "substring", "verify-always"}

func (v Via) String() string {
	if int(v) < len(viaNames) {
		return viaNames[v]
	}
	return "unknown"
}

// Hit is one indicator an event matched.
type Hit struct {
	// Plan is the plan id; Snapshot.IndicatorID resolves it.
	Plan uint32
	// Observable is the index in Event.Observables of the value that
	// produced the candidate, or -1 (substring hits on raw strings,
	// verify-always plans).
	Observable int
	// Field is the event field a substring hit came from.
	Field string
	// Via says which index produced the candidate.
	Via Via
	// Verified is set when the hit was checked against the whole pattern;
	// otherwise the index hit proved it.
	Verified bool
	// Benign is set for hits of known-good indicators. A benign indicator
	// gives one Hit per event value it matched, so that each can be
	// allow-listed.
	Benign bool
}

// MatchOptions say which indicators are in force for an event.
type MatchOptions struct {
	// CheckValidity restricts hits to indicators with valid_from <= At <
	// valid_until.
	CheckValidity bool
	At            time.Time
}

// Counters are per-Scratch counts, for metrics; the owner reads and resets
// them.
type Counters struct {
	Candidates    uint64
	Verifications uint64
	VerifyErrors  uint64
	Invalid       uint64 // candidates outside their validity window
}

// Scratch is the per-goroutine working memory of Match. The zero value is
// ready to use; it must not be shared between goroutines.
type Scratch struct {
	ids      []uint32
	cands    []cand
	hits     []Hit
	buf      []byte
	Counters Counters
	// LastVerifyError keeps the last verification error, for diagnostics.
	LastVerifyError error
}

type cand struct {
	plan  uint32
	obs   int32
	via   Via
	field string
}

// Match returns every indicator the event satisfies. The returned slice is
// owned by sc and valid until its next use.
func (s *Snapshot) Match(ev *extract.Event, mo MatchOptions, sc *Scratch) []Hit {
	sc.cands = sc.cands[:0]
	sc.hits = sc.hits[:0]
	s.candidates(s.base, ev, sc)
	if s.delta != nil {
		s.candidates(s.delta, ev, sc)
	}
	if len(sc.cands) == 0 {
		return sc.hits
	}
	sc.Counters.Candidates += uint64(len(sc.cands))
	// Several values may hit one plan: keep the candidate most likely to
	// prove it without verification (lowest Via).
	slices.SortFunc(sc.cands, func(a, b cand) int {
		if a.plan != b.plan {
			return int(int64(a.plan) - int64(b.plan))
		}
		if a.via != b.via {
			return int(a.via) - int(b.via)
		}
		return int(a.obs) - int(b.obs) // a total order: results never depend on input order
	})
	at := unixOrZero(mo.At)
	prev := ^uint32(0)
	for i := 0; i < len(sc.cands); i++ {
		c := sc.cands[i]
		if c.plan == prev {
			continue
		}
		prev = c.plan
		seg := s.base
		if s.delta != nil && s.delta.contains(c.plan) {
			seg = s.delta
		} else if s.isDead(c.plan) {
			continue
		}
		rec := seg.rec(c.plan)
		if mo.CheckValidity && (rec.from != 0 && at < rec.from || rec.until != 0 && at >= rec.until) {
			sc.Counters.Invalid++
			continue
		}
		// Try the candidates of this plan in order until one proves it or
		// the pattern is verified.
		hit, ok := s.decide(seg, rec, ev, sc, i)
		if !ok {
			continue
		}
		if rec.flags&flagBenign == 0 {
			sc.hits = append(sc.hits, hit)
			continue
		}
		// A known-good indicator allow-lists every value of the event that
		// proves it, not only the one its hit names: one hit per value.
		hit.Benign = true
		sc.hits = append(sc.hits, hit)
		for j := i + 1; j < len(sc.cands) && sc.cands[j].plan == c.plan; j++ {
			if cj := sc.cands[j]; cj.obs != int32(hit.Observable) && proves(rec, cj, ev) {
				sc.hits = append(sc.hits, Hit{Plan: c.plan, Observable: int(cj.obs), Field: cj.field, Via: cj.via, Benign: true})
			}
		}
	}
	return sc.hits
}

// decide settles one plan, given its candidates starting at sc.cands[i].
func (s *Snapshot) decide(seg *segment, rec *planRec, ev *extract.Event, sc *Scratch, i int) (Hit, bool) {
	first := sc.cands[i]
	for j := i; j < len(sc.cands) && sc.cands[j].plan == first.plan; j++ {
		if c := sc.cands[j]; proves(rec, c, ev) {
			return Hit{Plan: c.plan, Observable: int(c.obs), Field: c.field, Via: c.via}, true
		}
	}
	if first.via == ViaParentDomain {
		// Subdomain matching applies to domain indicators proven by their
		// index hit; anything else compares the event's own domain.
		return Hit{}, false
	}
	if len(seg.verifyPattern(first.plan)) == 0 {
		// Only substring or verify-always candidates of a plan that index
		// hits alone prove: none of its entries was hit.
		return Hit{}, false
	}
	m, err := seg.matcher(first.plan)
	if err == nil {
		sc.Counters.Verifications++
		var ok bool
		ok, err = m.MatchOne(ev.Observation())
		if err == nil && ok {
			return Hit{Plan: first.plan, Observable: int(first.obs), Field: first.field, Via: first.via, Verified: true}, true
		}
	}
	if err != nil {
		sc.Counters.VerifyErrors++
		sc.LastVerifyError = err
	}
	return Hit{}, false
}

// proves reports whether candidate c alone proves its plan: the plan is
// proven by index hits, c is an exact or parent-domain hit on an event
// value, in the role the plan requires, at its kind's home path.
func proves(rec *planRec, c cand, ev *extract.Event) bool {
	if rec.flags&flagProven == 0 || c.via > ViaParentDomain || c.obs < 0 {
		return false
	}
	o := &ev.Observables[c.obs]
	return (rec.proofRole == observable.RoleNone || o.Role == rec.proofRole) && placedAtHome(o)
}

// placedAtHome reports whether the event's observation holds the
// observable at its kind's home path, so that an index hit on a plan that
// tests only that path proves it. Certificate fingerprints are hashes of an
// x509-certificate, not of a file.
func placedAtHome(o *extract.Observable) bool {
	return !(o.Kind.IsHash() && o.Role == observable.RoleCertificate)
}

// candidates adds the candidate plans of one segment.
func (s *Snapshot) candidates(seg *segment, ev *extract.Event, sc *Scratch) {
	for i := range ev.Observables {
		o := &ev.Observables[i]
		if int(o.Kind) < maxKinds {
			if set := seg.exact[o.Kind]; set != nil {
				sc.ids = set.LookupAppend(sc.ids[:0], o.Value)
				sc.add(sc.ids, int32(i), ViaExact, "")
				if s.opts.MatchSubdomains && o.Kind == observable.Domain {
					for p, ok := observable.Parent(o.Value); ok; p, ok = observable.Parent(p) {
						sc.ids = set.LookupAppend(sc.ids[:0], p)
						sc.add(sc.ids, int32(i), ViaParentDomain, "")
					}
				}
			}
		}
		if seg.ports != nil && o.Kind == observable.AddrPort {
			key := portKey(o.Role, o.Port)
			sc.ids = seg.ports.LookupAppend(sc.ids[:0], key[:])
			sc.add(sc.ids, int32(i), ViaPort, "")
		}
		if seg.cidr != nil && o.Kind.IsIP() {
			sc.ids = seg.cidr.LookupAppend(sc.ids[:0], o.Addr)
			sc.add(sc.ids, int32(i), ViaCIDR, "")
		}
	}
	for gi := range seg.substr {
		g := &seg.substr[gi]
		for i := range ev.Observables {
			o := &ev.Observables[i]
			if g.kinds == 0 || g.kinds&(1<<o.Kind) != 0 {
				g.scan(o.Text, int32(i), "", sc)
			}
		}
		if g.kinds == 0 {
			// Paths that are not observable paths may hold any string
			// of the event.
			ev.Strings(func(field string, v []byte) { g.scan(v, -1, field, sc) })
		}
	}
	sc.add(seg.always, -1, ViaVerifyAlways, "")
}

// scan runs the group's automata over one haystack, in NFC form as LIKE
// and MATCHES compare NFC forms.
func (g *substrGroup) scan(h []byte, obs int32, field string, sc *Scratch) {
	if !isASCII(h) {
		sc.buf = norm.NFC.Append(sc.buf[:0], h...)
		h = sc.buf
	}
	if g.plain != nil {
		sc.ids = g.plain.MatchAppend(sc.ids[:0], h)
		sc.add(sc.ids, obs, ViaSubstring, field)
	}
	if g.fold != nil {
		sc.ids = g.fold.MatchAppend(sc.ids[:0], h)
		sc.add(sc.ids, obs, ViaSubstring, field)
	}
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func (sc *Scratch) add(ids []uint32, obs int32, via Via, field string) {
	for _, id := range ids {
		sc.cands = append(sc.cands, cand{plan: id, obs: obs, via: via, field: field})
	}
}
