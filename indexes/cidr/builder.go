package cidr

import (
	"cmp"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"

	"github.com/yl2chen/cidranger"
)

// ErrInvalidPrefix is returned by Builder.Add for the zero or an otherwise
// invalid netip.Prefix.
var ErrInvalidPrefix = errors.New("cidr: invalid prefix")

// Backend selects the structure a Set answers lookups from.
type Backend uint8

const (
	// BackendFlat (the default) answers from sorted address ranges: one
	// binary search, no allocation, about 40-45 bytes per prefix.
	BackendFlat Backend = iota
	// BackendRanger answers from a github.com/yl2chen/cidranger
	// path-compressed trie: it allocates on every lookup that passes the
	// gate and holds about 540 bytes per prefix. Measured side by side in
	// bench/results-indexes.md.
	BackendRanger
)

// Builder collects (prefix, id) pairs and builds an immutable Set. Duplicate
// pairs collapse. The zero value is ready to use; a Builder is not safe for
// concurrent use. Build may be called more than once.
type Builder struct {
	// Backend chooses the lookup structure; the zero value is BackendFlat.
	Backend Backend

	pairs []pair
}

type pair struct {
	p  netip.Prefix
	id uint32
}

// Canonical returns the form a Set stores p in: masked to its prefix length,
// and an IPv4-mapped IPv6 prefix of length 96 or more (::ffff:a.b.c.d/n)
// turned into the IPv4 prefix a.b.c.d/(n-96), so that it matches IPv4
// addresses. Other IPv6 prefixes never match IPv4 addresses (::/0 does not
// hold 1.2.3.4). The result is invalid if p is.
func Canonical(p netip.Prefix) netip.Prefix {
	if !p.IsValid() {
		return netip.Prefix{}
	}
	if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p.Masked()
}

// Add records that every address in p maps to id. Any prefix length is
// accepted, /32 and /128 included (the engine sends single addresses to its
// exact sets, but this index does not depend on that).
func (b *Builder) Add(p netip.Prefix, id uint32) error {
	c := Canonical(p)
	if !c.IsValid() {
		return fmt.Errorf("%w: %v", ErrInvalidPrefix, p)
	}
	b.pairs = append(b.pairs, pair{c, id})
	return nil
}

// Len returns the number of pairs added so far, duplicates included.
func (b *Builder) Len() int { return len(b.pairs) }

// entry is what the trie holds: one distinct prefix and its ids.
type entry struct {
	ipnet net.IPNet
	ids   []uint32
}

// Network implements cidranger.RangerEntry.
func (e *entry) Network() net.IPNet { return e.ipnet }

// Build returns a Set holding every pair added so far.
func (b *Builder) Build() (*Set, error) {
	pairs := slices.Clone(b.pairs)
	slices.SortFunc(pairs, func(x, y pair) int {
		if c := x.p.Addr().Compare(y.p.Addr()); c != 0 {
			return c
		}
		if c := cmp.Compare(x.p.Bits(), y.p.Bits()); c != 0 {
			return c
		}
		return cmp.Compare(x.id, y.id)
	})
	s := &Set{}
	if b.Backend == BackendRanger {
		s.ranger = cidranger.NewPCTrieRanger()
	}
	var distinct []flatPrefix
	for i := 0; i < len(pairs); {
		j := i
		var ids []uint32
		for ; j < len(pairs) && pairs[j].p == pairs[i].p; j++ {
			if len(ids) == 0 || ids[len(ids)-1] != pairs[j].id {
				ids = append(ids, pairs[j].id)
			}
		}
		p := pairs[i].p
		i = j
		s.prefixes++
		s.ids += len(ids)
		s.gate.add(p)
		if s.ranger == nil {
			distinct = append(distinct, flatPrefix{p, ids})
			continue
		}
		if a := p.Addr(); a.Is6() && inMappedRange(a) {
			// cidranger reads an IPv4-mapped network address as IPv4 and
			// then mismatches the 16-byte mask; such rare IPv6 prefixes
			// (shorter than /96 yet starting in ::ffff:0:0/96) are scanned.
			s.odd = append(s.odd, oddPrefix{p, ids})
			continue
		}
		e := &entry{ipnet: ipNet(p), ids: ids}
		if err := s.ranger.Insert(e); err != nil {
			return nil, fmt.Errorf("cidr: insert %v: %w", p, err)
		}
	}
	if s.ranger == nil {
		s.flat = newFlat(distinct)
	}
	return s, nil
}

// inMappedRange reports whether a lies in ::ffff:0:0/96.
func inMappedRange(a netip.Addr) bool {
	b := a.As16()
	return [12]byte(b[:12]) == [12]byte{10: 0xff, 11: 0xff}
}

func ipNet(p netip.Prefix) net.IPNet {
	a := p.Addr()
	return net.IPNet{IP: net.IP(a.AsSlice()), Mask: net.CIDRMask(p.Bits(), a.BitLen())}
}
