package observable

import (
	"math/rand"
	"regexp"
	"strings"
	"testing"
)

func TestAppendDomain(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Evil.COM", "evil.com"},
		{"evil.com.", "evil.com"},
		{" evil.com ", "evil.com"},
		{"_ldap._tcp.dc._msdcs.dmevals.local", "_ldap._tcp.dc._msdcs.dmevals.local"},
		{"wpad", "wpad"},
		{"xn--bcher-kva.de", "xn--bcher-kva.de"},
		{"XN--BCHER-KVA.DE", "xn--bcher-kva.de"},
		{"bücher.de", "xn--bcher-kva.de"},
		{"BÜCHER.de", "xn--bcher-kva.de"},
		{"ｅｘａｍｐｌｅ。com", "example.com"}, // full-width letters and ideographic full stop
		{"пример.рф", "xn--e1afmkfd.xn--p1ai"},
		{"1.2.3.com", "1.2.3.com"},
		{"3com.com", "3com.com"},
		{"a-.b-c", "a-.b-c"},
		{strings.Repeat("a", 63) + ".com", strings.Repeat("a", 63) + ".com"},
	}
	for _, tt := range tests {
		got, err := AppendDomain(nil, []byte(tt.in))
		if err != nil || string(got) != tt.want {
			t.Errorf("AppendDomain(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	bad := []string{"", ".", "..", ".evil.com", "evil..com", "evil.com..", "1.2.3.4", "10.0.0.4.", "a.123",
		"evil com", "evil.com/x", "evil.com:80", "*.evil.com", "user@evil.com",
		strings.Repeat("a", 64) + ".com", strings.Repeat("a.", 127) + "com", "-", "_", "a.-", "(empty)", "\x00.com"}
	for _, in := range bad {
		if got, err := AppendDomain([]byte("keep"), []byte(in)); err == nil || string(got) != "keep" {
			t.Errorf("AppendDomain(%q) = %q, %v; want error and dst unchanged", in, got, err)
		}
	}
}

var (
	slowLabel = regexp.MustCompile(`^[a-z0-9_-]{1,63}$`)
	slowAlnum = regexp.MustCompile(`[a-z0-9]`)
)

// slowDomain is the obviously correct ASCII version.
func slowDomain(s string) (string, bool) {
	s = strings.ToLower(trimASCII(s))
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return "", false
	}
	labels := strings.Split(s, ".")
	for _, l := range labels {
		if !slowLabel.MatchString(l) || !slowAlnum.MatchString(l) {
			return "", false
		}
	}
	if strings.Trim(labels[len(labels)-1], "0123456789") == "" {
		return "", false
	}
	return s, true
}

func checkDomain(t *testing.T, s string) {
	t.Helper()
	got, err := AppendDomain(nil, []byte(s))
	want, ok := slowDomain(s)
	if ok != (err == nil) || string(got) != want {
		t.Errorf("AppendDomain(%q) = %q, %v; slow says %q, %v", s, got, err, want, ok)
	}
}

func TestAppendDomainMatchesSlow(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	const alphabet = "abcXYZ019-_. .:/@"
	for i := 0; i < 100000; i++ {
		b := make([]byte, r.Intn(30))
		for j := range b {
			b[j] = alphabet[r.Intn(len(alphabet))]
		}
		checkDomain(t, string(b))
	}
	rv := loadReal(t)
	n := 0
	for _, d := range rv.domains {
		checkDomain(t, d)
		if _, err := AppendDomain(nil, []byte(d)); err == nil {
			n++
		}
	}
	if n < len(rv.domains)*99/100 {
		t.Errorf("only %d of %d real indicator domains are valid", n, len(rv.domains))
	}
}

func TestParent(t *testing.T) {
	var got []string
	d := []byte("a.b.evil.com")
	for p, ok := Parent(d); ok; p, ok = Parent(p) {
		got = append(got, string(p))
	}
	if strings.Join(got, ",") != "b.evil.com,evil.com" {
		t.Errorf("parents of a.b.evil.com = %v", got)
	}
	for _, s := range []string{"evil.com", "com", ""} {
		if p, ok := Parent([]byte(s)); ok {
			t.Errorf("Parent(%q) = %q, want none", s, p)
		}
	}
	if allocs := testing.AllocsPerRun(100, func() {
		for p, ok := Parent(d); ok; p, ok = Parent(p) {
			_ = p
		}
	}); allocs != 0 {
		t.Errorf("Parent allocates %v times", allocs)
	}
}
