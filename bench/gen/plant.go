package gen

import (
	"encoding/binary"
	"net/netip"
	"strings"

	"github.com/indicator-matcher/matcher/engine/pattern"
	"github.com/indicator-matcher/matcher/engine/snapshot"
)

// PlantKind says what a planted value is, and so which event fields can
// carry it.
type PlantKind uint8

// Plant kinds.
const (
	PlantDomain      PlantKind = iota + 1 // a domain name
	PlantIP                               // an IPv4 or IPv6 address
	PlantAddrPort                         // a destination address and port
	PlantURL                              // an absolute http(s) URL
	PlantMD5                              // hex digests
	PlantSHA1                             //
	PlantSHA256                           //
	PlantEmail                            // an e-mail address
	PlantCommandLine                      // a process command line
)

var plantNames = [...]string{"", "domain", "ip", "addr-port", "url", "md5", "sha1", "sha256", "email", "command-line"}

func (k PlantKind) String() string {
	if int(k) < len(plantNames) && k != 0 {
		return plantNames[k]
	}
	return "invalid"
}

// Plant is a value that makes an event match one indicator when it is
// written into a field of the right kind.
type Plant struct {
	ID    string // the indicator id
	Kind  PlantKind
	Value string
	Port  uint16 // the destination port of a PlantAddrPort
}

// PlantFor returns a value that satisfies the indicator's pattern, for the
// simple shapes events are generated for: one comparison on a domain,
// address (= or ISSUBSET), URL (= or LIKE), file hash, e-mail address or
// command line (LIKE or a MATCHES of literals and .+), or the
// address-and-port network-traffic shape. Other patterns, negations and
// benign or revoked indicators give false. salt picks the address inside
// a range.
func PlantFor(ind snapshot.Indicator, salt uint64) (Plant, bool) {
	if ind.Benign || ind.Revoked || ind.PatternType != "" && !strings.EqualFold(ind.PatternType, "stix") {
		return Plant{}, false
	}
	p, err := pattern.Parse(ind.Pattern)
	if err != nil {
		return Plant{}, false
	}
	root, ok := p.Root.(*pattern.ObsSimple)
	if !ok {
		return Plant{}, false
	}
	var cmps []*pattern.Comparison
	if !flattenAnd(root.Expr, &cmps) {
		return Plant{}, false
	}
	for _, c := range cmps {
		if c.Negated {
			return Plant{}, false
		}
	}
	pl := Plant{ID: ind.ID}
	switch len(cmps) {
	case 1:
		ok = plantOne(cmps[0], salt, &pl)
	case 3:
		ok = plantAddrPort(cmps, &pl)
	default:
		ok = false
	}
	return pl, ok
}

// flattenAnd collects the comparisons of an AND-only expression.
func flattenAnd(e pattern.CmpExpr, out *[]*pattern.Comparison) bool {
	switch x := e.(type) {
	case *pattern.Comparison:
		*out = append(*out, x)
		return true
	case *pattern.CmpGroup:
		return flattenAnd(x.Inner, out)
	case *pattern.CmpBinary:
		return x.Op == pattern.CmpAnd && flattenAnd(x.Left, out) && flattenAnd(x.Right, out)
	}
	return false
}

func plantOne(c *pattern.Comparison, salt uint64, pl *Plant) bool {
	if c.Value.Kind != pattern.LitString {
		return false
	}
	v := c.Value.Str
	path := c.Path.String()
	switch {
	case path == "domain-name:value" && c.Op == pattern.OpEq:
		pl.Kind, pl.Value = PlantDomain, v
		return v != "" && !strings.ContainsAny(v, " /\\")
	case (path == "ipv4-addr:value" || path == "ipv6-addr:value") && (c.Op == pattern.OpEq || c.Op == pattern.OpIsSubset):
		a, ok := addrFor(v, salt)
		pl.Kind, pl.Value = PlantIP, a
		return ok
	case path == "url:value" && c.Op == pattern.OpEq:
		pl.Kind, pl.Value = PlantURL, v
		return isHTTPURL(v)
	case path == "url:value" && c.Op == pattern.OpLike:
		s := v
		if strings.HasPrefix(s, "%") {
			s = "http://files.dl-mirror.example.net" + s[1:]
		}
		s = likeExample(s, "x")
		pl.Kind, pl.Value = PlantURL, s
		return isHTTPURL(s)
	case strings.HasPrefix(path, "file:hashes.") && c.Op == pattern.OpEq:
		alg := strings.Trim(strings.TrimPrefix(path, "file:hashes."), "'")
		kinds := map[string]PlantKind{"MD5": PlantMD5, "SHA-1": PlantSHA1, "SHA-256": PlantSHA256}
		want := map[PlantKind]int{PlantMD5: 32, PlantSHA1: 40, PlantSHA256: 64}
		k, ok := kinds[alg]
		pl.Kind, pl.Value = k, v
		return ok && len(v) == want[k] && isHex(v)
	case path == "email-addr:value" && c.Op == pattern.OpEq:
		pl.Kind, pl.Value = PlantEmail, v
		return strings.Count(v, "@") == 1 && !strings.ContainsAny(v, " <>\"")
	case path == "process:command_line" && c.Op == pattern.OpLike:
		pl.Kind, pl.Value = PlantCommandLine, likeExample(v, " ")
		return strings.TrimSpace(pl.Value) != ""
	case path == "process:command_line" && c.Op == pattern.OpMatches:
		s, ok := regexExample(v)
		pl.Kind, pl.Value = PlantCommandLine, s
		return ok && strings.TrimSpace(s) != ""
	}
	return false
}

// plantAddrPort reads [network-traffic:dst_ref.type = 'ipv4-addr' AND
// network-traffic:dst_ref.value = 'A' AND network-traffic:dst_port = N].
func plantAddrPort(cmps []*pattern.Comparison, pl *Plant) bool {
	var addr string
	port := -1
	for _, c := range cmps {
		if c.Op != pattern.OpEq {
			return false
		}
		switch c.Path.String() {
		case "network-traffic:dst_ref.type":
			if c.Value.Kind != pattern.LitString || c.Value.Str != "ipv4-addr" && c.Value.Str != "ipv6-addr" {
				return false
			}
		case "network-traffic:dst_ref.value":
			if c.Value.Kind != pattern.LitString {
				return false
			}
			a, err := netip.ParseAddr(c.Value.Str)
			if err != nil {
				return false
			}
			addr = a.String()
		case "network-traffic:dst_port":
			if c.Value.Kind != pattern.LitInt || c.Value.Int < 1 || c.Value.Int > 65535 {
				return false
			}
			port = int(c.Value.Int)
		default:
			return false
		}
	}
	if addr == "" || port < 0 {
		return false
	}
	pl.Kind, pl.Value, pl.Port = PlantAddrPort, addr, uint16(port)
	return true
}

// addrFor returns an address equal to v, or inside v when v is a
// prefix: the network address plus a host part taken from salt.
func addrFor(v string, salt uint64) (string, bool) {
	if a, err := netip.ParseAddr(v); err == nil {
		return a.String(), true
	}
	pf, err := netip.ParsePrefix(v)
	if err != nil {
		return "", false
	}
	pf = pf.Masked()
	host := pf.Addr().BitLen() - pf.Bits()
	if host == 0 {
		return pf.Addr().String(), true
	}
	if host > 16 {
		host = 16 // vary the low 16 bits only; stays inside the prefix
	}
	off := salt%(1<<host-1) + 1
	if pf.Addr().Is4() {
		b := pf.Addr().As4()
		binary.BigEndian.PutUint32(b[:], binary.BigEndian.Uint32(b[:])|uint32(off))
		return netip.AddrFrom4(b).String(), true
	}
	b := pf.Addr().As16()
	binary.BigEndian.PutUint64(b[8:], binary.BigEndian.Uint64(b[8:])|off)
	return netip.AddrFrom16(b).String(), true
}

func isHTTPURL(s string) bool {
	rest, ok := strings.CutPrefix(s, "http://")
	if !ok {
		rest, ok = strings.CutPrefix(s, "https://")
	}
	return ok && rest != "" && rest[0] != '/' && !strings.ContainsAny(s, " \"<>\\")
}

// likeExample turns a LIKE pattern into a string it matches: % becomes
// pct, _ becomes "a".
func likeExample(s, pct string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '%':
			b.WriteString(pct)
		case '_':
			b.WriteByte('a')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// regexExample returns a string matched by a regular expression made of
// an optional (?i) flag, optional anchors, literal characters (escaped
// punctuation included) and .+ / .* gaps; anything else gives false.
func regexExample(re string) (string, bool) {
	re = strings.TrimPrefix(re, "(?i)")
	re = strings.TrimPrefix(re, "^")
	re = strings.TrimSuffix(re, "$")
	var b strings.Builder
	for i := 0; i < len(re); i++ {
		c := re[i]
		switch {
		case c == '\\':
			if i+1 >= len(re) || isAlnum(re[i+1]) {
				return "", false // \d, \w, \b... are not literals
			}
			i++
			b.WriteByte(re[i])
		case c == '.' && i+1 < len(re) && (re[i+1] == '+' || re[i+1] == '*'):
			b.WriteString(" -w hidden ")
			i++
		case strings.IndexByte(".+*?()[]{}|^$", c) >= 0:
			return "", false
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), true
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// fileHashes returns random MD5, SHA-1 and SHA-256 digests, with the
// planted one in its place when pl plants a hash.
func (g *background) fileHashes(pl *Plant) (md5, sha1, sha256 string) {
	md5, sha1, sha256 = g.hex(32), g.hex(40), g.hex(64)
	if pl == nil {
		return md5, sha1, sha256
	}
	switch pl.Kind {
	case PlantMD5:
		md5 = pl.Value
	case PlantSHA1:
		sha1 = pl.Value
	case PlantSHA256:
		sha256 = pl.Value
	}
	return md5, sha1, sha256
}
