package cidr

import "net/netip"

// gate is a negative pre-filter: one bit per value of an address's first
// 16 bits, per family, set when some prefix can contain such an address.
// It costs 16 KiB and answers without touching the trie; an address whose
// bit is clear cannot be in any prefix. Prefixes shorter than /16 set a run
// of bits (0.0.0.0/0 sets them all and makes the gate useless, harmlessly).
type gate struct {
	v4, v6 [1 << 16 / 64]uint64
}

func (g *gate) add(p netip.Prefix) {
	bits := g.family(p.Addr())
	first := top16(p.Addr())
	n := 1
	if p.Bits() < 16 {
		n = 1 << (16 - p.Bits())
	}
	for i := first; i < first+n; i++ {
		bits[i/64] |= 1 << (i % 64)
	}
}

func (g *gate) mayContain(a netip.Addr) bool {
	i := top16(a)
	return g.family(a)[i/64]&(1<<(i%64)) != 0
}

func (g *gate) family(a netip.Addr) *[1 << 16 / 64]uint64 {
	if a.Is4() {
		return &g.v4
	}
	return &g.v6
}

// top16 returns the first 16 bits of a (IPv4 or IPv6).
func top16(a netip.Addr) int {
	if a.Is4() {
		b := a.As4()
		return int(b[0])<<8 | int(b[1])
	}
	b := a.As16()
	return int(b[0])<<8 | int(b[1])
}
