package substr

import (
	"bytes"
	"testing"
)

// FuzzMatch checks untrusted haystacks against the reference, with
// fragments taken from the fuzzed bytes too (split on '|').
func FuzzMatch(f *testing.F) {
	if ev, err := realEvents(); err == nil {
		for _, h := range ev.Haystacks[:100] {
			f.Add([]byte("10.47.|.com|ssl|Mozilla"), h, false, false)
		}
	}
	f.Add([]byte("aa|a|aaa"), []byte("aaaa"), true, false)
	f.Add([]byte("Evil|VIL"), []byte("eViL"), true, true)
	f.Fuzz(func(t *testing.T, frags, haystack []byte, fold, cloudflare bool) {
		b := Builder{FoldCase: fold}
		if cloudflare {
			b.Backend = BackendCloudflare
		}
		ref := &reference{fold: fold}
		for i, fr := range bytes.Split(frags, []byte("|")) {
			if i == 64 {
				break
			}
			fr = fr[:min(len(fr), 16)]
			if err := b.Add(fr, uint32(i%7)); err != nil {
				if len(fr) != 0 {
					t.Fatal(err)
				}
				continue
			}
			ref.add(bytes.Clone(fr), uint32(i%7))
		}
		m, err := b.Build()
		if err != nil {
			t.Fatal(err)
		}
		ref.check(t, m, [][]byte{haystack, frags})
	})
}
