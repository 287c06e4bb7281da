package observable

import (
	"math/rand"
	"net/netip"
	"testing"
)

func TestParseIP(t *testing.T) {
	tests := []struct{ in, want string }{
		{"1.2.3.4", "1.2.3.4"},
		{" 10.0.0.1\n", "10.0.0.1"},
		{"255.255.255.255", "255.255.255.255"},
		{"0.0.0.0", "0.0.0.0"},
		{"::ffff:1.2.3.4", "1.2.3.4"},
		{"::FFFF:102:304", "1.2.3.4"},
		{"2001:DB8::1", "2001:db8::1"},
		{"2001:db8:0:0:0:0:0:1", "2001:db8::1"},
		{"fe80::1%eth0", "fe80::1"},
		{"fe80::9d42:4c7d:e0dd:79e1", "fe80::9d42:4c7d:e0dd:79e1"},
		{"::", "::"},
		{"::1", "::1"},
		{"1::", "1::"},
		{"::1.2.3.4", "::102:304"},
		{"1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"},
		{"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"},
	}
	for _, tt := range tests {
		a, err := ParseIP([]byte(tt.in))
		if err != nil {
			t.Errorf("ParseIP(%q): %v", tt.in, err)
			continue
		}
		if got := a.String(); got != tt.want {
			t.Errorf("ParseIP(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
	bad := []string{"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.04", "1..2.3", "1.2.3.4 5",
		"a.b.c.d", ":::", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", ":1", "1:", "1:2:3:4:5:6:7::8",
		"1.2.3.4%eth0", "fe80::1%", "::1.2.3", "1:2:3:4:5:6:7:1.2.3.4", "g::1", "1.2.3.4:80", "-", "NULL"}
	for _, in := range bad {
		if a, err := ParseIP([]byte(in)); err == nil {
			t.Errorf("ParseIP(%q) = %v, want error", in, a)
		}
	}
}

// slowParseIP is the obviously correct version: net/netip.
func slowParseIP(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(trimASCII(s))
	if err != nil {
		return netip.Addr{}, false
	}
	return a.WithZone("").Unmap(), true
}

func checkIPAgainstSlow(t *testing.T, s string) {
	t.Helper()
	want, wantOK := slowParseIP(s)
	got, err := ParseIP([]byte(s))
	if wantOK != (err == nil) || (wantOK && got != want) {
		t.Errorf("ParseIP(%q) = %v, %v; netip says %v, %v", s, got, err, want, wantOK)
	}
}

func TestParseIPMatchesNetip(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	const alphabet = "0123456789abcdefABCDEF:.%z "
	for i := 0; i < 200000; i++ {
		n := r.Intn(40)
		b := make([]byte, n)
		for j := range b {
			b[j] = alphabet[r.Intn(len(alphabet))]
		}
		checkIPAgainstSlow(t, string(b))
	}
	for i := 0; i < 50000; i++ { // well-formed addresses, printed both ways
		var b16 [16]byte
		r.Read(b16[:])
		if r.Intn(4) == 0 {
			for j := 0; j < 10; j++ {
				b16[j] = 0
			}
			b16[10], b16[11] = 0xff, 0xff
		}
		if r.Intn(3) == 0 {
			for j := r.Intn(8); j < 8+r.Intn(8); j++ {
				b16[j] = 0
			}
		}
		a := netip.AddrFrom16(b16)
		checkIPAgainstSlow(t, a.String())
		checkIPAgainstSlow(t, a.StringExpanded())
	}
	rv := loadReal(t)
	for _, s := range rv.ips {
		checkIPAgainstSlow(t, s)
	}
}

func TestIPKeyRoundTrip(t *testing.T) {
	for _, s := range []string{"1.2.3.4", "2001:db8::1", "::ffff:9.8.7.6"} {
		a, err := ParseIP([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		text := AppendIPText(nil, a)
		key, err := AppendKey(nil, IPKind(a), text)
		if err != nil {
			t.Fatal(err)
		}
		if want := map[bool]int{true: 4, false: 16}[a.Is4()]; len(key) != want {
			t.Errorf("%s: key length %d, want %d", s, len(key), want)
		}
		back, err := AppendText(nil, IPKind(a), key)
		if err != nil || string(back) != string(text) {
			t.Errorf("%s: AppendText = %q, %v; want %q", s, back, err, text)
		}
	}
}

func trimASCII(s string) string { return string(trimSpace([]byte(s))) }
