package plan

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/indicator-matcher/matcher/engine/observable"
	"github.com/indicator-matcher/matcher/engine/pattern"
)

// canonicalize rewrites, in place, the comparisons of p that name a known
// observable path so that they compare canonical forms, as event values
// are canonical:
//   - hash algorithm names become the STIX vocabulary (hashes.sha256 →
//     hashes.'SHA-256');
//   - string literals of =, != and IN become canonical (lower-case domains
//     and hashes, canonical IPs and URLs, lower-case e-mail domains);
//   - an address compared with = or != to a CIDR becomes ISSUBSET (NOT
//     ISSUBSET), and a host-length CIDR (/32, /128) becomes the address;
//   - LIKE patterns on case-insensitive kinds (domains, hashes) are
//     lower-cased, and those on registry keys take the registry form
//     (full hive name, lower case, single separators); MATCHES on a
//     registry key ignores case, and an anchored hive alias becomes
//     the full name.
//
// Literals that are not valid values of their kind are left alone and
// reported as warnings: such a comparison cannot match a canonical event
// value.
func canonicalize(p *pattern.Pattern, pl *Plan) {
	p.Comparisons(func(c *pattern.Comparison) {
		normalizeHashStep(c)
		info, ok := lookupPath(c.Path)
		if !ok {
			return
		}
		switch c.Op {
		case pattern.OpEq, pattern.OpNeq:
			if c.Value.Kind != pattern.LitString {
				return
			}
			if rewriteCIDREquality(c, info) {
				return
			}
			c.Value = canonicalLiteral(c, info, c.Value, pl)
		case pattern.OpIn:
			for i, l := range c.Set {
				if l.Kind == pattern.LitString {
					c.Set[i] = canonicalLiteral(c, info, l, pl)
				}
			}
		case pattern.OpLike:
			k, _ := kindFor(info, c.Value.Str)
			switch {
			case k == observable.Domain || k.IsHash():
				c.Value = pattern.StringLiteral(strings.ToLower(c.Value.Str))
			case k == observable.RegistryKey:
				// % and _ are not touched by the registry form, and a
				// hive alias is only rewritten when a backslash or the
				// end follows it.
				if out, err := observable.AppendRegistryKey(nil, []byte(c.Value.Str)); err == nil {
					c.Value = pattern.StringLiteral(string(out))
				}
			}
		case pattern.OpMatches:
			// Registry keys are compared without regard to case and
			// with the full hive name, as canonical event values are.
			if k, _ := kindFor(info, c.Value.Str); k == observable.RegistryKey && c.Value.Kind == pattern.LitString {
				c.Value = pattern.StringLiteral(observable.RegistryRegexp(c.Value.Str))
			}
		}
	})
}

// normalizeHashStep rewrites hashes.<alg> to the vocabulary spelling.
func normalizeHashStep(c *pattern.Comparison) {
	steps := c.Path.Steps
	for i := 0; i+1 < len(steps); i++ {
		if steps[i].Kind != pattern.StepKey || steps[i].Key != "hashes" || steps[i+1].Kind != pattern.StepKey {
			continue
		}
		if name, _, ok := hashAlgorithm(steps[i+1].Key); ok && name != steps[i+1].Key {
			steps[i+1].Key = name
			steps[i+1].Quoted = strings.Contains(name, "-")
		}
	}
}

func canonicalLiteral(c *pattern.Comparison, info pathInfo, l pattern.Literal, pl *Plan) pattern.Literal {
	k, _ := kindFor(info, l.Str)
	out, err := observable.AppendCanonical(nil, k, []byte(l.Str))
	if err != nil {
		pl.Warnings = append(pl.Warnings, fmt.Sprintf("%s: %q is not a valid %s (%v); this comparison cannot match a canonical event value", c.Path, l.Str, k, err))
		return l
	}
	if string(out) == l.Str {
		return l
	}
	return pattern.StringLiteral(string(out))
}

// rewriteCIDREquality turns `addr = 'a.b.c.d/n'` into ISSUBSET, and a
// host-length prefix into the plain address. It reports whether it
// handled the comparison.
func rewriteCIDREquality(c *pattern.Comparison, info pathInfo) bool {
	s := c.Value.Str
	if !strings.Contains(s, "/") {
		return false
	}
	k, ok := kindFor(info, s)
	if !ok || !k.IsIP() {
		return false
	}
	pf, err := netip.ParsePrefix(strings.TrimSpace(s))
	if err != nil {
		return false
	}
	pf = pf.Masked()
	if a := pf.Addr(); a.Is4In6() && pf.Bits() >= 96 {
		pf = netip.PrefixFrom(a.Unmap(), pf.Bits()-96).Masked()
	}
	if pf.IsSingleIP() {
		c.Value = pattern.StringLiteral(pf.Addr().String())
		return true
	}
	if c.Op == pattern.OpNeq {
		c.Negated = !c.Negated
	}
	c.Op = pattern.OpIsSubset
	c.OpText = "ISSUBSET"
	c.Value = pattern.StringLiteral(pf.String())
	return true
}
