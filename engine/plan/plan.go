package plan

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/indicator-matcher/matcher/engine/eval"
	"github.com/indicator-matcher/matcher/engine/observable"
	"github.com/indicator-matcher/matcher/engine/pattern"
)

// ErrUnusable is wrapped by Compile errors for patterns the engine cannot
// match events against.
var ErrUnusable = errors.New("plan: pattern cannot be used")

// EntryType says which index an Entry belongs to.
type EntryType uint8

// Entry types.
const (
	Exact EntryType = iota
	CIDR
	Substring
	Port // a network-traffic source or destination port
)

func (t EntryType) String() string {
	switch t {
	case Exact:
		return "exact"
	case CIDR:
		return "cidr"
	case Port:
		return "port"
	}
	return "substring"
}

// Entry is one index entry of a plan.
type Entry struct {
	Type EntryType
	// Kind is the observable kind of an exact or CIDR entry.
	Kind observable.Kind
	// Key is the index key of an exact entry (observable.AppendKey form).
	Key []byte
	// Prefix is the network of a CIDR entry.
	Prefix netip.Prefix
	// Port is the port of a Port entry, whose Role says which side.
	Port uint16
	// Fragment is the literal of a substring entry; Fold means it is
	// compared with ASCII case folded.
	Fragment []byte
	Fold     bool
	// Kinds is, for a substring entry, the set of observable kinds (bit
	// 1<<kind) whose values the compared path holds; 0 means the path is
	// not a known observable path and every string of the event is a
	// haystack.
	Kinds uint64
	// Role, when not RoleNone, is the role an event observable must play
	// for a hit on this entry to prove the pattern (the destination of an
	// address-plus-port key built from dst_ref and dst_port). Hits with
	// another role are still candidates, verified against the pattern.
	Role observable.Role
	// From is the comparison the entry comes from, for explanations.
	From *pattern.Comparison
}

func (e Entry) String() string {
	switch e.Type {
	case Exact:
		text, err := observable.AppendText(nil, e.Kind, e.Key)
		if err != nil {
			text = []byte(fmt.Sprintf("%x", e.Key))
		}
		return fmt.Sprintf("exact[%s] %q", e.Kind, text)
	case CIDR:
		return fmt.Sprintf("cidr[%s] %s", e.Kind, e.Prefix)
	case Port:
		return fmt.Sprintf("port[%s] %d", e.Role, e.Port)
	}
	if e.Fold {
		return fmt.Sprintf("substring(fold) %q", e.Fragment)
	}
	return fmt.Sprintf("substring %q", e.Fragment)
}

// Plan is how one pattern is matched.
type Plan struct {
	// Pattern is the parsed pattern with canonical literals; Original is
	// the text the indicator carried.
	Pattern  *pattern.Pattern
	Original string
	// Matcher verifies candidates against the whole pattern.
	Matcher *eval.Matcher
	// Entries produce candidates. Empty when VerifyAlways.
	Entries []Entry
	// VerifyAlways is set when no entry can produce the candidates: the
	// pattern is verified on every event.
	VerifyAlways bool
	// Proven is set when an exact or CIDR hit on one of the entries proves
	// the whole pattern, so the hit needs no verification.
	Proven bool
	// Warnings explain parts of the pattern that cannot match the way the
	// author may expect (an invalid literal, a comparison no index can
	// serve).
	Warnings []string
}

// Options tune Compile. The zero value uses the defaults.
type Options struct {
	// MaxFragment bounds the length of substring fragments (the substring
	// index costs memory per fragment byte); 8 by default.
	MaxFragment int
	// MinFragment is the shortest fragment worth indexing; 3 by default.
	MinFragment int
}

func (o Options) withDefaults() Options {
	if o.MaxFragment <= 0 {
		o.MaxFragment = 8
	}
	if o.MinFragment <= 0 {
		o.MinFragment = 3
	}
	return o
}

// Compile builds the plan of a STIX pattern. patternType is the
// indicator's pattern_type ("" counts as "stix").
func Compile(src, patternType string, opts Options) (*Plan, error) {
	opts = opts.withDefaults()
	if patternType != "" && !strings.EqualFold(patternType, "stix") {
		return nil, fmt.Errorf("%w: pattern_type %q is not supported; only STIX patterns are matched", ErrUnusable, patternType)
	}
	p, err := pattern.Parse(src)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnusable, err)
	}
	pl := &Plan{Pattern: p, Original: src}
	canonicalize(p, pl)
	m, err := eval.Compile(p)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnusable, err)
	}
	pl.Matcher = m
	if n := m.MinObservations(); n > 1 {
		return nil, fmt.Errorf("%w: it needs %d observations, and each log event is one observation", ErrUnusable, n)
	}
	a := analyzer{opts: opts, plan: pl}
	entries, ok := a.obs(p.Root)
	if ok {
		pl.Entries = entries
	} else {
		pl.VerifyAlways = true
	}
	pl.Proven = ok && (proven(p) || provenAddrPort(p, pl.Entries))
	return pl, nil
}

// provenAddrPort reports whether the pattern is exactly an address-plus-
// port test (dst_ref.value, dst_port and optionally dst_ref.type naming the
// address family), so that a hit on its AddrPort entry by an observable
// of the entry's role proves it.
func provenAddrPort(p *pattern.Pattern, entries []Entry) bool {
	if len(entries) != 1 || entries[0].Kind != observable.AddrPort || entries[0].Role == observable.RoleNone {
		return false
	}
	s, ok := p.Root.(*pattern.ObsSimple)
	if !ok {
		return false
	}
	side := "dst"
	if entries[0].Role == observable.RoleSource {
		side = "src"
	}
	addr, _, _ := observable.AddrPortFromKey(entries[0].Key)
	family := "ipv4-addr"
	if addr.Is6() {
		family = "ipv6-addr"
	}
	for _, op := range flattenAnd(s.Expr, nil) {
		c, ok := op.(*pattern.Comparison)
		if !ok || c.Negated || c.Op != pattern.OpEq {
			return false
		}
		switch pathKey(c.Path) {
		case "network-traffic:" + side + "_ref.value", "network-traffic:" + side + "_port":
			// These two made the key.
		case "network-traffic:" + side + "_ref.type":
			if c.Value.Kind != pattern.LitString || c.Value.Str != family {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// proven reports whether a hit on the plan's entries proves the pattern:
// one comparison, `=`, IN or ISSUBSET, not negated, on the home path of an
// observable kind whose observations always carry that object.
func proven(p *pattern.Pattern) bool {
	s, ok := p.Root.(*pattern.ObsSimple)
	if !ok {
		return false
	}
	expr := s.Expr
	for {
		g, ok := expr.(*pattern.CmpGroup)
		if !ok {
			break
		}
		expr = g.Inner
	}
	c, ok := expr.(*pattern.Comparison)
	if !ok || c.Negated {
		return false
	}
	kind, home := pathKind(c.Path)
	if !home {
		return false
	}
	switch c.Op {
	case pattern.OpEq, pattern.OpIn:
		return kind.IsIP() || kind == observable.Domain || kind == observable.URL || kind == observable.Email || kind.IsHash()
	case pattern.OpIsSubset:
		return kind.IsIP()
	}
	return false
}
