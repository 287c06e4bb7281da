package indicator

import (
	"math/rand/v2"
	"testing"
)

func TestUUIDRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 1000 {
		var u [16]byte
		for i := range u {
			u[i] = byte(r.Uint32())
		}
		s := FormatUUID(u)
		got, ok := ParseUUID(s)
		if !ok || got != u {
			t.Fatalf("ParseUUID(FormatUUID(%x)) = %x, %v", u, got, ok)
		}
	}
	for _, bad := range []string{"", "3B9D34D6-B4D9-5E34-ACA2-F51B64A78455", "3b9d34d6b4d95e34aca2f51b64a78455xxxx", "3b9d34d6-b4d9-5e34-aca2-f51b64a7845g", "3b9d34d6-b4d9-5e34-aca2_f51b64a78455"} {
		if _, ok := ParseUUID(bad); ok {
			t.Errorf("ParseUUID(%q) accepted", bad)
		}
	}
}
