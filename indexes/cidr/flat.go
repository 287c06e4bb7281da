package cidr

import (
	"net/netip"
	"slices"
)

// flat is the allocation-free lookup structure. Prefixes of one family are
// either nested or disjoint, so they form a forest; flat cuts the address
// space into elementary ranges and stores for each range's first address
// the deepest prefix covering it (or none). A lookup is one binary search
// over the range starts and a walk up the prefix's parents, appending ids.
// Memory: at most 2n+1 ranges of 8 (IPv4) or 20 (IPv6) bytes, plus 12
// bytes per prefix, 4 per id, and a 256 KiB bucket index per family with
// at least minBucketed ranges.
type flat struct {
	starts4 []uint32 // sorted range starts, IPv4; starts4[0] == 0
	node4   []int32  // deepest prefix of each range, -1 for none
	starts6 []u128
	node6   []int32
	// bucket4[t] is the first range whose start has top 16 bits >= t, so a
	// search only looks at the ranges starting under the address's /16
	// (1M prefixes: ~30 instead of 2M); bucket6 likewise for IPv6.
	bucket4 *[1<<16 + 1]uint32
	bucket6 *[1<<16 + 1]uint32
	parent  []int32  // enclosing prefix, -1 for a root
	idOff   []uint32 // ids of prefix i are ids[idOff[i]:idOff[i+1]]
	ids     []uint32
}

// u128 is an address as a 128-bit number (IPv4 in the low 32 bits).
type u128 struct{ hi, lo uint64 }

func (a u128) less(b u128) bool { return a.hi < b.hi || a.hi == b.hi && a.lo < b.lo }

func (a u128) lessEq(b u128) bool { return !b.less(a) }

// next returns a+1 and whether it overflowed the family's width.
func (a u128) next(bits int) (u128, bool) {
	if bits == 32 {
		return u128{0, a.lo + 1}, a.lo == 1<<32-1
	}
	lo := a.lo + 1
	hi := a.hi
	if lo == 0 {
		hi++
	}
	return u128{hi, lo}, a.hi == ^uint64(0) && a.lo == ^uint64(0)
}

func addrNum(a netip.Addr) u128 {
	if a.Is4() {
		b := a.As4()
		return u128{0, uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])}
	}
	b := a.As16()
	var x u128
	for i := range 8 {
		x.hi = x.hi<<8 | uint64(b[i])
		x.lo = x.lo<<8 | uint64(b[8+i])
	}
	return x
}

// lastOf returns the last address of the masked prefix p.
func lastOf(p netip.Prefix) u128 {
	x := addrNum(p.Addr())
	host := p.Addr().BitLen() - p.Bits()
	switch {
	case p.Addr().Is4():
		x.lo |= 1<<host - 1
	case host >= 64:
		x.lo = ^uint64(0)
		x.hi |= 1<<(host-64) - 1
	default:
		x.lo |= 1<<host - 1
	}
	return x
}

// flatPrefix is one distinct canonical prefix with its ids, as Build
// passes them to newFlat sorted by address then length.
type flatPrefix struct {
	p   netip.Prefix
	ids []uint32
}

func newFlat(ps []flatPrefix) *flat {
	f := &flat{idOff: make([]uint32, 0, len(ps)+1), parent: make([]int32, len(ps))}
	for i, p := range ps {
		f.parent[i] = -1
		f.idOff = append(f.idOff, uint32(len(f.ids)))
		f.ids = append(f.ids, p.ids...)
	}
	f.idOff = append(f.idOff, uint32(len(f.ids)))
	var starts4, starts6 []u128
	starts4, f.node4 = f.sweep(ps, 32)
	starts6, f.node6 = f.sweep(ps, 128)
	f.starts4 = make([]uint32, len(starts4))
	for i, s := range starts4 {
		f.starts4[i] = uint32(s.lo)
	}
	f.starts6 = starts6
	if len(f.starts4) >= minBucketed {
		f.bucket4 = buckets(len(f.starts4), func(i int) int { return int(f.starts4[i] >> 16) })
	}
	if len(f.starts6) >= minBucketed {
		f.bucket6 = buckets(len(f.starts6), func(i int) int { return int(f.starts6[i].hi >> 48) })
	}
	return f
}

// minBucketed is the range count from which a family gets its 256 KiB
// bucket index; below it a plain binary search of at most 12 steps over a
// cache-resident array is as fast.
const minBucketed = 4096

// buckets returns, for every 16-bit value t, the index of the first of n
// sorted starts whose top 16 bits (top16(i)) are >= t.
func buckets(n int, top16 func(i int) int) *[1<<16 + 1]uint32 {
	b := new([1<<16 + 1]uint32)
	i := 0
	for t := range len(b) {
		for i < n && top16(i) < t {
			i++
		}
		b[t] = uint32(i)
	}
	return b
}

// sweep builds the ranges of one family (bits 32 or 128) and fills the
// parents of its prefixes. ps is sorted by address, then by length, so a
// prefix comes after every prefix that contains it.
func (f *flat) sweep(ps []flatPrefix, bits int) (starts []u128, nodes []int32) {
	type open struct {
		idx  int32
		last u128
	}
	var stack []open
	emit := func(at u128, node int32) {
		if n := len(starts); n > 0 && starts[n-1] == at {
			nodes[n-1] = node // a later boundary at the same address wins
		} else {
			starts, nodes = append(starts, at), append(nodes, node)
		}
	}
	top := func() int32 {
		if len(stack) == 0 {
			return -1
		}
		return stack[len(stack)-1].idx
	}
	// close pops prefixes ending before addr: after each, its parent
	// covers again.
	closeBefore := func(addr u128, all bool) {
		for len(stack) > 0 && (all || stack[len(stack)-1].last.less(addr)) {
			o := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if after, overflow := o.last.next(bits); !overflow {
				emit(after, top())
			}
		}
	}
	emit(u128{}, -1)
	for i, p := range ps {
		if p.p.Addr().BitLen() != bits {
			continue
		}
		first := addrNum(p.p.Addr())
		closeBefore(first, false)
		f.parent[i] = top()
		emit(first, int32(i))
		stack = append(stack, open{int32(i), lastOf(p.p)})
	}
	closeBefore(u128{}, true)
	// Merge neighbouring ranges with the same deepest prefix.
	w := 0
	for r := range starts {
		if w > 0 && nodes[w-1] == nodes[r] {
			continue
		}
		starts[w], nodes[w] = starts[r], nodes[r]
		w++
	}
	return slices.Clip(starts[:w]), slices.Clip(nodes[:w])
}

// lookup appends the ids of every prefix containing a (unmapped, valid).
func (f *flat) lookup(dst []uint32, a netip.Addr) []uint32 {
	var node int32
	if a.Is4() {
		b := a.As4()
		x := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
		// The answer is the last start <= x: inside x's bucket, or the
		// last start before it (starts4[0] == 0 makes that exist).
		lo, hi := 0, len(f.starts4)
		if f.bucket4 != nil {
			lo, hi = int(f.bucket4[x>>16]), int(f.bucket4[x>>16+1])
		}
		for lo < hi {
			m := int(uint(lo+hi) >> 1)
			if f.starts4[m] <= x {
				lo = m + 1
			} else {
				hi = m
			}
		}
		node = f.node4[lo-1]
	} else {
		x := addrNum(a)
		lo, hi := 0, len(f.starts6)
		if f.bucket6 != nil {
			lo, hi = int(f.bucket6[x.hi>>48]), int(f.bucket6[x.hi>>48+1])
		}
		for lo < hi {
			m := int(uint(lo+hi) >> 1)
			if f.starts6[m].lessEq(x) {
				lo = m + 1
			} else {
				hi = m
			}
		}
		node = f.node6[lo-1]
	}
	for node >= 0 {
		dst = append(dst, f.ids[f.idOff[node]:f.idOff[node+1]]...)
		node = f.parent[node]
	}
	return dst
}

func (f *flat) sizeBytes() int {
	n := 0
	if f.bucket4 != nil {
		n += 4 * len(f.bucket4)
	}
	if f.bucket6 != nil {
		n += 4 * len(f.bucket6)
	}
	return n + 4*cap(f.starts4) + 4*cap(f.node4) + 16*cap(f.starts6) + 4*cap(f.node6) +
		4*cap(f.parent) + 4*cap(f.idOff) + 4*cap(f.ids)
}
