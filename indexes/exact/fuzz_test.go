package exact

import (
	"slices"
	"testing"
)

// FuzzLookup builds a set from the fuzzed keys (split on a separator) plus a
// fixed base and checks it against the reference map; lookups of arbitrary
// bytes must never panic and must agree with the reference.
func FuzzLookup(f *testing.F) {
	if set, err := realKeys(); err == nil {
		for _, k := range set.Keys[:200] {
			f.Add(k.Bytes, k.Bytes[:len(k.Bytes)/2], uint8(0))
		}
	}
	f.Add([]byte{}, []byte{0}, uint8(1))
	f.Add([]byte("a\x00a\x00a"), []byte("a"), uint8(2))
	f.Fuzz(func(t *testing.T, keys, probe []byte, mode uint8) {
		b := Builder{Gate: Gate(mode % 3)}
		ref := reference{}
		for i, k := range append(slices.Collect(splitSeq(keys)), []byte("base.example"), probe[:len(probe)/2]) {
			id := uint32(i % 3)
			if err := b.Add(k, id); err != nil {
				t.Fatal(err)
			}
			ref.add(k, id)
		}
		s := b.Build()
		probes := [][]byte{probe, keys, []byte("base.example"), nil}
		for k := range ref {
			probes = append(probes, []byte(k))
		}
		ref.check(t, s, probes)
	})
}

// splitSeq yields the NUL-separated parts of b.
func splitSeq(b []byte) func(func([]byte) bool) {
	return func(yield func([]byte) bool) {
		for {
			i := slices.Index(b, 0)
			if i < 0 {
				yield(b)
				return
			}
			if !yield(b[:i]) {
				return
			}
			b = b[i+1:]
		}
	}
}
