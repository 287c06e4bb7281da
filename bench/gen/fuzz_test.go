package gen

import (
	"strings"
	"testing"

	"github.com/indicator-matcher/matcher/engine/snapshot"
)

// FuzzPlantFor feeds arbitrary patterns to the planting classifier: it
// must not panic, and what it plants must be usable.
func FuzzPlantFor(f *testing.F) {
	for i, ind := range loadReal(f) {
		if i%97 == 0 {
			f.Add(ind.Pattern, uint64(i))
		}
	}
	f.Add(`[process:command_line MATCHES '(?i)a\.b.+c']`, uint64(1))
	f.Add(`[ipv6-addr:value ISSUBSET '2001:db8::/127']`, uint64(7))
	f.Fuzz(func(t *testing.T, p string, salt uint64) {
		pl, ok := PlantFor(snapshot.Indicator{ID: "indicator--f", Pattern: p}, salt)
		if !ok {
			return
		}
		if pl.Kind == 0 || pl.Value == "" && pl.Kind != PlantCommandLine || pl.ID != "indicator--f" {
			t.Fatalf("%q: planted %+v", p, pl)
		}
		if pl.Kind == PlantAddrPort && pl.Port == 0 {
			t.Fatalf("%q: address and port without a port", p)
		}
	})
}

// FuzzReadStamp reads stamps out of arbitrary bytes (alerts received from
// NATS): no panic, and a stamp written is read back.
func FuzzReadStamp(f *testing.F) {
	f.Add([]byte(`{"a":1,"` + StampField + `":"1733300000000000000"}`))
	f.Add([]byte(`{"event":{"original":"{\"` + StampField + `\":\"1733300000000000000\"}"}}`))
	f.Add([]byte("line " + StampField + "=00000000000000000001"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ns, ok := ReadStamp(b)
		if ok && ns <= 0 {
			t.Fatalf("stamp %d read from %q", ns, b)
		}
		if off := StampOffset(b); off >= 0 {
			c := append([]byte(nil), b...)
			PutStamp(c, off, 1234567890123456789)
			if !strings.Contains(string(c), "1234567890123456789") {
				t.Fatalf("stamp not written into %q", b)
			}
		}
	})
}
