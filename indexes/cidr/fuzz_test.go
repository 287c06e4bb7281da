package cidr

import (
	"net/netip"
	"testing"
)

// FuzzLookup builds both backends from prefixes decoded from the fuzzed
// bytes (17 bytes each: 16 address bytes, then the length; a length byte
// with the high bit set makes it IPv4 from the last 4 address bytes) and
// checks a probe address against the linear reference.
func FuzzLookup(f *testing.F) {
	f.Add([]byte("\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x0a\x00\x00\x00\x88"), []byte{10, 1, 2, 3})
	f.Add([]byte("\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x0a\x00\x00\x00\x5a"), []byte("\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x0a\x00\x00\x01"))
	f.Add([]byte("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x80"), []byte{255, 255, 255, 255})
	f.Fuzz(func(t *testing.T, spec, probe []byte) {
		var ref reference
		bs := []*Builder{{Backend: BackendFlat}, {Backend: BackendRanger}}
		for i := 0; i+17 <= len(spec) && i < 17*64; i += 17 {
			var p netip.Prefix
			if spec[i+16]&0x80 != 0 {
				p = netip.PrefixFrom(netip.AddrFrom4([4]byte(spec[i+12:i+16])), int(spec[i+16]&0x7f)%33)
			} else {
				p = netip.PrefixFrom(netip.AddrFrom16([16]byte(spec[i:i+16])), int(spec[i+16])%129)
			}
			for _, b := range bs {
				if err := b.Add(p, uint32(i%5)); err != nil {
					t.Fatal(err)
				}
			}
			ref = append(ref, pair{Canonical(p), uint32(i % 5)})
		}
		a, ok := netip.AddrFromSlice(probe)
		if !ok {
			return
		}
		probes := []netip.Addr{a, a.Next(), a.Prev()}
		for _, p := range ref {
			probes = append(probes, p.p.Addr(), p.p.Addr().Prev())
		}
		for _, b := range bs {
			s, err := b.Build()
			if err != nil {
				t.Fatal(err)
			}
			ref.check(t, s, probes)
		}
	})
}
