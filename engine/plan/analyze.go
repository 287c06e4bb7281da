package plan

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/indicator-matcher/matcher/engine/observable"
	"github.com/indicator-matcher/matcher/engine/pattern"
)

// analyzer finds the index entries of a pattern.
type analyzer struct {
	opts Options
	plan *Plan
}

// choice is a set of entries any candidate event hits at least one of,
// with a score: higher is more selective.
type choice struct {
	entries []Entry
	score   int
}

// obs returns the entries of an observation expression that one event can
// satisfy: the union over the simple expressions an event can satisfy on
// its own. ok is false when one of them has no entry.
func (a *analyzer) obs(e pattern.ObsExpr) ([]Entry, bool) {
	switch n := e.(type) {
	case *pattern.ObsSimple:
		c, ok := a.cmp(n.Expr)
		return c.entries, ok
	case *pattern.ObsGroup:
		return a.obs(n.Inner)
	case *pattern.ObsQualified:
		return a.obs(n.Inner)
	case *pattern.ObsBinary:
		if n.Op != pattern.ObsOr {
			// AND and FOLLOWEDBY need two observations; Compile rejects
			// patterns whose only ways to match are such.
			return nil, true
		}
		var out []Entry
		for _, side := range []pattern.ObsExpr{n.Left, n.Right} {
			if !singleEventPossible(side) {
				continue
			}
			es, ok := a.obs(side)
			if !ok {
				return nil, false
			}
			out = append(out, es...)
		}
		return out, true
	}
	return nil, false
}

// singleEventPossible reports whether one observation can satisfy e.
func singleEventPossible(e pattern.ObsExpr) bool {
	switch n := e.(type) {
	case *pattern.ObsSimple:
		return true
	case *pattern.ObsGroup:
		return singleEventPossible(n.Inner)
	case *pattern.ObsQualified:
		if n.Qual.Kind == pattern.QualRepeats && n.Qual.Times > 1 {
			return false
		}
		return singleEventPossible(n.Inner)
	case *pattern.ObsBinary:
		return n.Op == pattern.ObsOr && (singleEventPossible(n.Left) || singleEventPossible(n.Right))
	}
	return false
}

// cmp returns the best entry set of a comparison expression.
func (a *analyzer) cmp(e pattern.CmpExpr) (choice, bool) {
	switch n := e.(type) {
	case *pattern.CmpGroup:
		return a.cmp(n.Inner)
	case *pattern.Comparison:
		return a.comparison(n)
	case *pattern.CmpBinary:
		if n.Op == pattern.CmpOr {
			l, lok := a.cmp(n.Left)
			r, rok := a.cmp(n.Right)
			if !lok || !rok {
				return choice{}, false
			}
			return choice{entries: append(l.entries, r.entries...), score: min(l.score, r.score) - 1}, true
		}
		return a.and(flattenAnd(n, nil))
	}
	return choice{}, false
}

func flattenAnd(e pattern.CmpExpr, out []pattern.CmpExpr) []pattern.CmpExpr {
	if g, ok := e.(*pattern.CmpGroup); ok {
		if b, ok := g.Inner.(*pattern.CmpBinary); ok && b.Op == pattern.CmpAnd {
			return flattenAnd(b, out)
		}
	}
	if b, ok := e.(*pattern.CmpBinary); ok && b.Op == pattern.CmpAnd {
		return flattenAnd(b.Right, flattenAnd(b.Left, out))
	}
	return append(out, e)
}

// and picks the most selective operand of an AND chain, trying first an
// address-plus-port key built from two of its comparisons.
func (a *analyzer) and(ops []pattern.CmpExpr) (choice, bool) {
	best, found := a.addrPort(ops)
	for _, op := range ops {
		c, ok := a.cmp(op)
		if ok && (!found || c.score > best.score) {
			best, found = c, true
		}
	}
	return best, found
}

// addrPort finds `T:X_ref.value = addr` and `T:X_port = n` for the same
// side (src or dst) among AND operands and makes one AddrPort key.
func (a *analyzer) addrPort(ops []pattern.CmpExpr) (choice, bool) {
	type half struct {
		addr netip.Addr
		port int64
		from *pattern.Comparison
		has  [2]bool
	}
	sides := map[string]*half{}
	for _, op := range ops {
		c, ok := op.(*pattern.Comparison)
		if !ok || c.Negated || c.Op != pattern.OpEq || c.Path.ObjectType != "network-traffic" {
			continue
		}
		key := pathKey(c.Path)
		for _, side := range []string{"src", "dst"} {
			h := sides[side]
			if h == nil {
				h = &half{}
				sides[side] = h
			}
			switch {
			case key == "network-traffic:"+side+"_ref.value" && c.Value.Kind == pattern.LitString:
				if addr, err := observable.ParseIP([]byte(c.Value.Str)); err == nil {
					h.addr, h.has[0] = addr, true
					h.from = c
				}
			case key == "network-traffic:"+side+"_port" && c.Value.Kind == pattern.LitInt && !c.Value.BigInt:
				if c.Value.Int >= 0 && c.Value.Int <= 65535 {
					h.port, h.has[1] = c.Value.Int, true
				}
			}
		}
	}
	for _, side := range []string{"dst", "src"} {
		h := sides[side]
		if h == nil || !h.has[0] || !h.has[1] {
			continue
		}
		key := observable.AppendAddrPortKey(nil, h.addr, uint16(h.port))
		role := observable.RoleDestination
		if side == "src" {
			role = observable.RoleSource
		}
		e := Entry{Type: Exact, Kind: observable.AddrPort, Key: key, Role: role, From: h.from}
		return choice{entries: []Entry{e}, score: 110}, true
	}
	return choice{}, false
}

// comparison returns the entries of one comparison, if an index can serve
// it.
func (a *analyzer) comparison(c *pattern.Comparison) (choice, bool) {
	if c.Negated {
		return choice{}, false
	}
	if why := neverTrue(c); why != "" {
		a.plan.Warnings = append(a.plan.Warnings, c.String()+": "+why+"; the comparison is never true")
		return choice{score: 200}, true
	}
	if e, ok := portEntry(c); ok {
		return choice{entries: []Entry{e}, score: 20}, true
	}
	info, known := lookupPath(c.Path)
	switch c.Op {
	case pattern.OpEq:
		if !known || c.Value.Kind != pattern.LitString {
			return choice{}, false
		}
		return a.exact(c, info, []pattern.Literal{c.Value})
	case pattern.OpIn:
		if !known {
			return choice{}, false
		}
		return a.exact(c, info, c.Set)
	case pattern.OpIsSubset:
		if !known {
			return choice{}, false
		}
		k, ok := kindFor(info, c.Value.Str)
		if !ok || !k.IsIP() {
			return choice{}, false
		}
		pf, err := netip.ParsePrefix(c.Value.Str)
		if err != nil {
			if addr, aerr := netip.ParseAddr(c.Value.Str); aerr == nil {
				pf = netip.PrefixFrom(addr, addr.BitLen())
			} else {
				return choice{}, false
			}
		}
		pf = pf.Masked()
		if pf.IsSingleIP() {
			return a.exact(c, info, []pattern.Literal{pattern.StringLiteral(pf.Addr().String())})
		}
		e := Entry{Type: CIDR, Kind: observable.IPKind(pf.Addr()), Prefix: pf, From: c}
		return choice{entries: []Entry{e}, score: 40 + pf.Bits()/4}, true
	case pattern.OpLike:
		frag := longest(likeFragments(c.Value.Str))
		return a.fragments(c, []string{frag}, false, kindMask(info, known))
	case pattern.OpMatches:
		lits, fold, ok := regexLiterals(c.Value.Str, a.opts.MinFragment)
		if !ok {
			return choice{}, false
		}
		return a.fragments(c, lits, fold, kindMask(info, known))
	}
	return choice{}, false
}

// scoTypes are the STIX 2.1 cyber-observable object types; events become
// observations made of these (and custom x- types of user profiles).
var scoTypes = map[string]bool{
	"artifact": true, "autonomous-system": true, "directory": true, "domain-name": true,
	"email-addr": true, "email-message": true, "file": true, "ipv4-addr": true, "ipv6-addr": true,
	"mac-addr": true, "mutex": true, "network-traffic": true, "process": true, "software": true,
	"url": true, "user-account": true, "windows-registry-key": true, "x509-certificate": true,
}

// neverTrue explains why a comparison cannot hold on any event
// observation, or returns "". It catches authoring mistakes seen in real
// feeds: an object type STIX does not define, a port compared with a
// string, a list property compared without [*].
func neverTrue(c *pattern.Comparison) string {
	t := c.Path.ObjectType
	if !scoTypes[t] && !strings.HasPrefix(t, "x-") {
		return fmt.Sprintf("%q is not a STIX 2.1 cyber-observable type, so no event has such an object", t)
	}
	if c.Negated || t != "network-traffic" {
		return ""
	}
	if why := undefinedHTTPProperty(c.Path.Steps); why != "" {
		return why
	}
	if len(c.Path.Steps) != 1 {
		return ""
	}
	switch key := c.Path.Steps[0].Key; {
	case (key == "dst_port" || key == "src_port") && (c.Op == pattern.OpEq || c.Op == pattern.OpIn):
		lits := c.Set
		if c.Op == pattern.OpEq {
			lits = []pattern.Literal{c.Value}
		}
		for _, l := range lits {
			if l.Kind == pattern.LitInt || l.Kind == pattern.LitFloat {
				return ""
			}
		}
		return key + " is an integer and is compared only with non-numbers"
	case key == "protocols" && (c.Op == pattern.OpEq || c.Op == pattern.OpIn || c.Op == pattern.OpLike || c.Op == pattern.OpMatches):
		return "protocols is a list; compare its items with protocols[*]"
	}
	return ""
}

// httpRequestProps are the properties STIX 2.1 defines for the HTTP
// request extension of network-traffic.
var httpRequestProps = map[string]bool{
	"request_method": true, "request_value": true, "request_version": true,
	"request_header": true, "message_body_length": true, "message_body_data_ref": true,
}

// undefinedHTTPProperty catches network-traffic:extensions.'http-request-ext'.X
// where X is not a property of the extension, as in a real feed's
// extensions.'http-request-ext'.'User-Agent': observations never carry
// it, so the comparison would be verified against every event in vain.
func undefinedHTTPProperty(steps []pattern.PathStep) string {
	if len(steps) < 3 || steps[0].Key != "extensions" || steps[1].Key != "http-request-ext" || steps[2].Kind != pattern.StepKey {
		return ""
	}
	key := steps[2].Key
	if httpRequestProps[key] {
		return ""
	}
	why := fmt.Sprintf("%q is not a property of http-request-ext", key)
	if strings.Contains(key, "-") {
		why += fmt.Sprintf(" (HTTP headers are under request_header: extensions.'http-request-ext'.request_header.'%s')", key)
	}
	return why
}

// portEntry serves `network-traffic:dst_port = N` (or src_port) with the
// port index: few events share a port with an indicator that names only a
// port. A port written as a string never equals the integer an event
// carries, so it is not indexed (the comparison is always false).
func portEntry(c *pattern.Comparison) (Entry, bool) {
	if c.Op != pattern.OpEq || c.Path.ObjectType != "network-traffic" || len(c.Path.Steps) != 1 ||
		c.Value.Kind != pattern.LitInt || c.Value.BigInt || c.Value.Int < 0 || c.Value.Int > 65535 {
		return Entry{}, false
	}
	switch c.Path.Steps[0].Key {
	case "dst_port":
		return Entry{Type: Port, Role: observable.RoleDestination, Port: uint16(c.Value.Int), From: c}, true
	case "src_port":
		return Entry{Type: Port, Role: observable.RoleSource, Port: uint16(c.Value.Int), From: c}, true
	}
	return Entry{}, false
}

// exact makes exact entries for the literals of = or IN.
func (a *analyzer) exact(c *pattern.Comparison, info pathInfo, lits []pattern.Literal) (choice, bool) {
	if len(lits) == 0 {
		return choice{}, false
	}
	var out []Entry
	for _, l := range lits {
		if l.Kind != pattern.LitString {
			return choice{}, false
		}
		k, ok := kindFor(info, l.Str)
		if !ok {
			return choice{}, false
		}
		// Literals were canonicalised; one that is not a valid value of
		// its kind was reported and can never equal an event value.
		canon, err := observable.AppendCanonical(nil, k, []byte(l.Str))
		if err != nil || string(canon) != l.Str {
			continue
		}
		key, err := observable.AppendKey(nil, k, canon)
		if err != nil {
			continue
		}
		out = append(out, Entry{Type: Exact, Kind: k, Key: key, From: c})
	}
	if len(out) == 0 {
		// Nothing can hit: the comparison is always false on canonical
		// events. An empty entry set keeps the plan from being verified
		// on every event.
		return choice{score: 200}, true
	}
	score := 100
	if len(out) > 1 {
		score -= min(len(out), 50)
	}
	return choice{entries: out, score: score}, true
}

// kindMask is the set of kinds a known path holds, or 0 for any string.
func kindMask(info pathInfo, known bool) uint64 {
	if !known {
		return 0
	}
	var m uint64
	for _, k := range info.kinds {
		if k < 64 {
			m |= 1 << k
		}
	}
	return m
}

// fragments makes substring entries, cut to MaxFragment bytes.
func (a *analyzer) fragments(c *pattern.Comparison, lits []string, fold bool, kinds uint64) (choice, bool) {
	var out []Entry
	minLen := -1
	for _, l := range lits {
		if len(l) < a.opts.MinFragment {
			return choice{}, false
		}
		f := window(l, a.opts.MaxFragment)
		out = append(out, Entry{Type: Substring, Fragment: []byte(f), Fold: fold, Kinds: kinds, From: c})
		if minLen < 0 || len(f) < minLen {
			minLen = len(f)
		}
	}
	if len(out) == 0 {
		return choice{}, false
	}
	return choice{entries: out, score: 10 + minLen - len(out)}, true
}

// window picks at most n bytes of a literal: the window with the most
// distinct bytes, as a rough stand-in for the rarest one, kept on UTF-8
// boundaries.
func window(s string, n int) string {
	if len(s) <= n {
		return s
	}
	best, bestScore := 0, -1
	for i := 0; i+n <= len(s); i++ {
		if !boundary(s, i) || !boundary(s, i+n) {
			continue
		}
		var seen [256]bool
		score := 0
		for j := i; j < i+n; j++ {
			if !seen[s[j]] {
				seen[s[j]] = true
				score++
			}
		}
		if score > bestScore {
			best, bestScore = i, score
		}
	}
	if bestScore < 0 {
		return s // no boundary-aligned window: keep the whole literal
	}
	return s[best : best+n]
}

func boundary(s string, i int) bool {
	return i == 0 || i == len(s) || s[i]&0xC0 != 0x80
}
