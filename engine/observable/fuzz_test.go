package observable

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzCanonical checks, for every kind: no panic, errors match ErrInvalid,
// dst is untouched on error, the canonical form is a fixed point, and the
// key form renders back to the canonical text.
func FuzzCanonical(f *testing.F) {
	seeds := []struct {
		k Kind
		v string
	}{
		{IPv4, "1.2.3.4"}, {IPv6, "::ffff:1.2.3.4"}, {IPv6, "fe80::1%eth0"}, {Domain, "Bücher.DE."},
		{Domain, "_ldap._tcp.dc._msdcs.dmevals.local"}, {URL, "HTTP://Evil.com:80/%7e?a=%2f#x"},
		{URL, "evil.com/x y"}, {URL, "http://[::1]:8080"}, {Email, "<A@B.example>"},
		{MD5, "CC85D7649546D3C0B1607F761B73FEC2"}, {SHA1, "1a1a10b819f321b91b47d7dd73668406a15992db"},
		{AddrPort, "10.0.0.4:53"}, {MAC, "00:0d:3a:4d:42:f2"}, {X509Serial, "00:CC:57"},
		{SSDEEP, "3:a:b"}, {CommandLine, "cmd.exe /c whoami"},
		{RegistryKey, `HKLM\\Software\Run\`}, {RegistryKey, `\REGISTRY\USER\S-1-5-18`},
	}
	for _, s := range seeds {
		f.Add(byte(s.k), []byte(s.v))
	}
	f.Fuzz(func(t *testing.T, kb byte, v []byte) {
		k := Kind(kb % byte(numKinds+1))
		dst := []byte("prefix")
		out, err := AppendCanonical(dst, k, v)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not match ErrInvalid", err)
			}
			if string(out) != "prefix" {
				t.Fatalf("dst changed on error: %q", out)
			}
			return
		}
		canon := out[len("prefix"):]
		again, err := AppendCanonical(nil, k, canon)
		if err != nil || !bytes.Equal(again, canon) {
			t.Fatalf("%v: not idempotent: %q -> %q -> %q, %v", k, v, canon, again, err)
		}
		key, err := AppendKey(nil, k, canon)
		if err != nil {
			t.Fatalf("%v: AppendKey(%q): %v", k, canon, err)
		}
		text, err := AppendText(nil, k, key)
		if err != nil || !bytes.Equal(text, canon) {
			t.Fatalf("%v: key round trip %q -> %x -> %q, %v", k, canon, key, text, err)
		}
		if k == Domain {
			for p, ok := Parent(canon); ok; p, ok = Parent(p) {
				if c, err := AppendDomain(nil, p); err != nil || !bytes.Equal(c, p) {
					t.Fatalf("parent %q of %q is not canonical", p, canon)
				}
			}
		}
	})
}
