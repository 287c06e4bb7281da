package bench

import (
	"encoding/json"
	"net/netip"
	"strings"

	"github.com/indicator-matcher/matcher/engine/snapshot"
)

// Naive is the matcher a user might write in an afternoon, the baseline
// the product is compared with: each event is decoded with encoding/json
// into a map[string]any, every string value is lower-cased and looked up
// in a Go map of the indicators' exact values, and every value that
// parses as an IP address is checked against each CIDR of the set in
// turn. Patterns are read by a simple scanner (readLiterals) that keeps
// the quoted values compared with = or IN and the ranges of ISSUBSET;
// nothing is verified against the whole pattern, so a compound pattern
// hits on any of its values. Lines that are not JSON objects are split
// on spaces and punctuation and each token is looked up.
//
// A Naive is immutable after NewNaive and safe for concurrent use.
type Naive struct {
	exact map[string][]string
	cidrs []naiveCIDR
}

type naiveCIDR struct {
	prefix netip.Prefix
	id     string
}

// NewNaive indexes the indicators' exact values and CIDRs.
func NewNaive(inds []snapshot.Indicator) *Naive {
	n := &Naive{exact: make(map[string][]string, len(inds))}
	for _, ind := range inds {
		if ind.Revoked {
			continue
		}
		for _, l := range readLiterals(ind.Pattern) {
			if l.cidr {
				if p, err := netip.ParsePrefix(l.value); err == nil {
					n.cidrs = append(n.cidrs, naiveCIDR{p.Masked(), ind.ID})
					continue
				}
			}
			v := strings.ToLower(l.value)
			n.exact[v] = append(n.exact[v], ind.ID)
		}
	}
	return n
}

// Sizes returns the number of exact values and CIDRs.
func (n *Naive) Sizes() (exact, cidrs int) { return len(n.exact), len(n.cidrs) }

// Match appends the ids of the indicators whose values occur in the event
// to hits. An event that is neither a JSON object nor text gives an error.
func (n *Naive) Match(raw []byte, hits []string) ([]string, error) {
	if len(raw) > 0 && raw[0] == '{' {
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			return hits, err
		}
		return n.walk(m, hits), nil
	}
	for _, tok := range strings.FieldsFunc(string(raw), isSeparator) {
		hits = n.lookup(tok, hits)
	}
	return hits, nil
}

func isSeparator(r rune) bool {
	return r == ' ' || r == '\t' || r == '<' || r == '>' || r == '=' || r == ',' || r == ';' || r == '"' || r == '[' || r == ']' || r == '(' || r == ')'
}

func (n *Naive) walk(v any, hits []string) []string {
	switch x := v.(type) {
	case map[string]any:
		for _, e := range x {
			hits = n.walk(e, hits)
		}
	case []any:
		for _, e := range x {
			hits = n.walk(e, hits)
		}
	case string:
		hits = n.lookup(x, hits)
	}
	return hits
}

func (n *Naive) lookup(s string, hits []string) []string {
	hits = append(hits, n.exact[strings.ToLower(s)]...)
	if a, err := netip.ParseAddr(s); err == nil {
		a = a.Unmap()
		for _, c := range n.cidrs {
			if c.prefix.Contains(a) {
				hits = append(hits, c.id)
			}
		}
	}
	return hits
}

// literal is one value a pattern compares a property with.
type literal struct {
	path  string
	value string
	cidr  bool // compared with ISSUBSET, or an address property with = and a CIDR
}

// readLiterals is the baseline's pattern reader: for each quoted string it
// takes the operator and the property path written before it. Values of
// = and IN are kept, and the ranges of ISSUBSET; LIKE, MATCHES, negated
// comparisons and the type of a reference (dst_ref.type = 'ipv4-addr') are
// skipped.
func readLiterals(p string) []literal {
	var out []literal
	inSet := false
	var setPath string
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '(':
			// IN ( 'a', 'b' ): the path is before IN.
			before := strings.TrimSpace(p[:i])
			if strings.HasSuffix(before, " IN") && !strings.HasSuffix(before, "NOT IN") {
				inSet = true
				setPath = lastField(strings.TrimSuffix(before, " IN"))
			}
		case ')':
			inSet = false
		case '\'':
			j := i + 1
			var b strings.Builder
			for ; j < len(p) && p[j] != '\''; j++ {
				if p[j] == '\\' && j+1 < len(p) {
					j++
				}
				b.WriteByte(p[j])
			}
			val := b.String()
			before := strings.TrimSpace(p[:i])
			i = j
			if inSet {
				out = append(out, literal{path: setPath, value: val})
				continue
			}
			var op string
			switch {
			case strings.HasSuffix(before, "ISSUBSET"):
				op = "ISSUBSET"
			case strings.HasSuffix(before, "="):
				op = "="
				if len(before) > 1 && strings.IndexByte("!<>", before[len(before)-2]) >= 0 {
					continue
				}
			default:
				continue
			}
			rest := strings.TrimSpace(strings.TrimSuffix(before, op))
			if strings.HasSuffix(rest, " NOT") {
				continue
			}
			path := lastField(rest)
			if strings.HasSuffix(path, "_ref.type") || strings.HasSuffix(path, ":type") {
				continue
			}
			isAddr := strings.HasPrefix(path, "ipv4-addr:") || strings.HasPrefix(path, "ipv6-addr:") || strings.HasSuffix(path, "_ref.value")
			out = append(out, literal{path: path, value: val, cidr: op == "ISSUBSET" || isAddr && strings.Contains(val, "/")})
		}
	}
	return out
}

func lastField(s string) string {
	if i := strings.LastIndexAny(s, " [("); i >= 0 {
		return s[i+1:]
	}
	return s
}
