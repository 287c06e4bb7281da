// Package gen scales the bundled real indicator set to benchmark sizes
// (100k, 1M) while keeping its mix of pattern shapes and observable kinds,
// and makes events with a chosen hit rate: generated events in several
// schemas (Zeek with dotted or underscored keys, Suricata EVE, ECS,
// Windows/Sysmon, text lines) that carry values of the set's indicators
// (PlantFor), and the real Zeek logs replayed. Every event carries a
// placeholder for the publication time (StampField), for end-to-end
// latency.
//
// Generation is deterministic for a given seed. The functions hold no
// state and are safe for concurrent use.
package gen

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"net/netip"
	"strings"
	"time"

	"github.com/indicator-matcher/matcher/engine/indicator"
	"github.com/indicator-matcher/matcher/engine/pattern"
	"github.com/indicator-matcher/matcher/engine/snapshot"
	"github.com/indicator-matcher/matcher/ingest/stixfile"
)

// LoadReal reads the real indicators of the given files (indicators.jsonl.gz
// and benign_indicators.jsonl.gz of testdata/real).
func LoadReal(paths ...string) ([]snapshot.Indicator, error) {
	var out []snapshot.Indicator
	for _, p := range paths {
		err := stixfile.ReadFile(p, func(obj []byte) error {
			ind, err := indicator.Decode(obj)
			if err != nil {
				return err
			}
			out = append(out, snapshot.FromIndicator(&ind))
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("gen: %w", err)
		}
	}
	return out, nil
}

// Options shape a generated set.
type Options struct {
	// N is the number of indicators.
	N int
	// Seed varies the generated values.
	Seed uint64
	// MinSubstring is the least number of substring (LIKE/MATCHES)
	// indicators in the set; synthetic ones are added to reach it.
	MinSubstring int
	// MinCIDR is the least number of CIDR indicators.
	MinCIDR int
}

// Scale returns opts.N indicators: the real ones first, then copies of
// them with every literal value rewritten to a distinct value of the same
// kind and shape, so the type mix of the real set is kept. Substring and
// CIDR indicators are topped up to the minimums.
func Scale(real []snapshot.Indicator, opts Options) []snapshot.Indicator {
	out := make([]snapshot.Indicator, 0, opts.N)
	substr, cidrs := 0, 0
	count := func(p string) {
		if strings.Contains(p, " LIKE ") || strings.Contains(p, " MATCHES ") {
			substr++
		}
		if strings.Contains(p, " ISSUBSET ") {
			cidrs++
		}
	}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; len(out) < opts.N; i++ {
		src := real[i%len(real)]
		ind := src
		if i >= len(real) {
			variant := uint64(i/len(real)) + opts.Seed*1_000_003
			p, err := pattern.Parse(src.Pattern)
			if err != nil {
				continue
			}
			mutate(p, variant)
			ind.Pattern = p.String()
			ind.ID = syntheticID(opts.Seed, uint64(i))
			ind.Modified = base
		}
		count(ind.Pattern)
		out = append(out, ind)
	}
	// Top up: replace the tail with substring and CIDR indicators.
	tail := len(out) - 1
	for k := 0; substr < opts.MinSubstring && tail >= 0; k++ {
		out[tail] = synthetic(opts.Seed, uint64(tail), substringPattern(opts.Seed, uint64(k)))
		substr++
		tail--
	}
	for k := 0; cidrs < opts.MinCIDR && tail >= 0; k++ {
		out[tail] = synthetic(opts.Seed, uint64(tail), cidrPattern(opts.Seed, uint64(k)))
		cidrs++
		tail--
	}
	return out
}

func synthetic(seed, i uint64, p string) snapshot.Indicator {
	return snapshot.Indicator{ID: syntheticID(seed, i), Pattern: p, PatternType: "stix", Modified: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func syntheticID(seed, i uint64) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], seed^0x5eed)
	binary.BigEndian.PutUint64(b[8:], i)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return "indicator--" + indicator.FormatUUID(b)
}

func mix(parts ...uint64) uint64 {
	h := fnv.New64a()
	var b [8]byte
	for _, p := range parts {
		binary.LittleEndian.PutUint64(b[:], p)
		h.Write(b[:])
	}
	return h.Sum64()
}

func mixString(s string, v uint64) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return mix(h.Sum64(), v)
}

var words = []string{"alpha", "bravo", "cobalt", "delta", "ember", "falcon", "garnet", "harbor", "indigo", "juniper", "kestrel", "lumen", "magnet", "nectar", "onyx", "pylon", "quartz", "raven", "sable", "tundra", "umber", "vortex", "willow", "xenon", "yonder", "zephyr"}

// substringPattern makes a LIKE or MATCHES indicator with a distinct
// literal.
func substringPattern(seed, k uint64) string {
	h := mix(seed, k, 77)
	w1, w2 := words[h%uint64(len(words))], words[(h>>8)%uint64(len(words))]
	tag := fmt.Sprintf("%s%d%s", w1, (h>>16)%100000, w2)
	if k%2 == 0 {
		return fmt.Sprintf("[url:value LIKE '%%/%s/%%.php']", tag)
	}
	return fmt.Sprintf("[process:command_line MATCHES '(?i)%s.+-enc']", tag)
}

// cidrPattern makes an ISSUBSET indicator over a public IPv4 range.
func cidrPattern(seed, k uint64) string {
	h := mix(seed, k, 99)
	a := netip.AddrFrom4([4]byte{byte(11 + h%180), byte(h >> 8), byte(h >> 16), 0})
	bits := 16 + int(h>>24)%9
	return fmt.Sprintf("[ipv4-addr:value ISSUBSET '%s']", netip.PrefixFrom(a, bits).Masked())
}

// mutate rewrites the literals of p for variant v.
func mutate(p *pattern.Pattern, v uint64) {
	p.Comparisons(func(c *pattern.Comparison) {
		switch c.Op {
		case pattern.OpIn:
			for i := range c.Set {
				c.Set[i] = mutateLiteral(c.Set[i], v)
			}
		case pattern.OpEq, pattern.OpNeq, pattern.OpIsSubset, pattern.OpIsSuperset:
			c.Value = mutateLiteral(c.Value, v)
		}
	})
}

func mutateLiteral(l pattern.Literal, v uint64) pattern.Literal {
	if l.Kind != pattern.LitString {
		return l
	}
	return pattern.StringLiteral(mutateString(l.Str, v))
}

// mutateString returns a distinct value of the same shape as s.
func mutateString(s string, v uint64) string {
	h := mixString(s, v)
	if pf, err := netip.ParsePrefix(s); err == nil {
		return mutateAddr(pf.Addr(), h).String() + "/" + fmt.Sprint(pf.Bits())
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return mutateAddr(a, h).String()
	}
	if isHex(s) && len(s) >= 32 {
		var b []byte
		for len(b)*2 < len(s) {
			b = binary.BigEndian.AppendUint64(b, mix(h, uint64(len(b))))
		}
		return hex.EncodeToString(b)[:len(s)]
	}
	if i := strings.Index(s, "://"); i > 0 {
		rest := s[i+3:]
		host, path, _ := strings.Cut(rest, "/")
		return s[:i+3] + fmt.Sprintf("v%x.", h%0xfffff) + host + "/" + path
	}
	if at := strings.IndexByte(s, '@'); at > 0 {
		return fmt.Sprintf("%s%x", s[:at], h%0xffff) + s[at:]
	}
	if strings.Contains(s, ".") && !strings.ContainsAny(s, " \\/") {
		return fmt.Sprintf("v%x-", h%0xfffff) + s
	}
	return fmt.Sprintf("%s-%x", s, h%0xfffff)
}

func mutateAddr(a netip.Addr, h uint64) netip.Addr {
	if a.Is4() {
		b := a.As4()
		binary.BigEndian.PutUint32(b[:], uint32(h)|0x0b000000)
		if b[0] >= 224 || b[0] == 127 || b[0] == 10 {
			b[0] = 45
		}
		return netip.AddrFrom4(b)
	}
	b := a.As16()
	binary.BigEndian.PutUint64(b[8:], h)
	b[0], b[1] = 0x2a, 0x0b
	return netip.AddrFrom16(b)
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return s != ""
}
