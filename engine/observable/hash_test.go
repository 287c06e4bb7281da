package observable

import (
	"encoding/hex"
	"strings"
	"testing"
)

func TestAppendHash(t *testing.T) {
	md5 := "d41d8cd98f00b204e9800998ecf8427e"
	sha1 := "da39a3ee5e6b4b0d3255bfef95601890afd80709"
	sha256 := "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	tests := []struct {
		k       Kind
		in, out string
	}{
		{MD5, strings.ToUpper(md5), md5},
		{MD5, " " + md5 + "\n", md5},
		{SHA1, sha1, sha1},
		{SHA1, "DA:39:A3:EE:5E:6B:4B:0D:32:55:BF:EF:95:60:18:90:AF:D8:07:09", sha1},
		{SHA256, strings.ToUpper(sha256), sha256},
		{SHA512, strings.Repeat("Ab", 64), strings.Repeat("ab", 64)},
		{SHA3_256, sha256, sha256},
		{JA3, "72A589DA586844D7F0818CE684948EEA", "72a589da586844d7f0818ce684948eea"},
		{SSDEEP, "96:s4Ud1Lj96tHHlZDrwciQmA+4uy1I0G4HYuL8N3TzS8QsO/wqWXLcMSx:sF1LjEtHHlZDrJzrhuyZvHYm8tKp/RWO", "96:s4Ud1Lj96tHHlZDrwciQmA+4uy1I0G4HYuL8N3TzS8QsO/wqWXLcMSx:sF1LjEtHHlZDrJzrhuyZvHYm8tKp/RWO"},
	}
	for _, tt := range tests {
		got, err := AppendHash(nil, tt.k, []byte(tt.in))
		if err != nil || string(got) != tt.out {
			t.Errorf("AppendHash(%v, %q) = %q, %v; want %q", tt.k, tt.in, got, err, tt.out)
		}
		if tt.k == SSDEEP {
			continue
		}
		key, err := AppendKey(nil, tt.k, got)
		if err != nil || hex.EncodeToString(key) != tt.out {
			t.Errorf("AppendKey(%v, %q) = %x, %v", tt.k, got, key, err)
		}
		back, err := AppendText(nil, tt.k, key)
		if err != nil || string(back) != tt.out {
			t.Errorf("AppendText(%v, %x) = %q, %v", tt.k, key, back, err)
		}
	}
	bad := []struct {
		k  Kind
		in string
	}{
		{MD5, md5[:31]}, {MD5, md5 + "0"}, {MD5, "g" + md5[1:]}, {SHA1, md5}, {SHA256, sha1},
		{SHA1, "DA:39:A3:EE:5E:6B:4B:0D:32:55:BF:EF:95:60:18:90:AF:D8:07-09"}, {MD5, ""}, {MD5, "-"},
		{SSDEEP, "abc"}, {SSDEEP, "96:abc"}, {SSDEEP, ":a:b"}, {SSDEEP, "96:a b:c"}, {Domain, md5},
	}
	for _, tt := range bad {
		if got, err := AppendHash([]byte("keep"), tt.k, []byte(tt.in)); err == nil || string(got) != "keep" {
			t.Errorf("AppendHash(%v, %q) = %q, %v; want error, dst unchanged", tt.k, tt.in, got, err)
		}
	}
}

func TestAppendHashRealData(t *testing.T) {
	rv := loadReal(t)
	for k, list := range rv.hashes {
		for _, h := range list {
			got, err := AppendHash(nil, k, []byte(h))
			if err != nil || string(got) != strings.ToLower(h) {
				t.Errorf("AppendHash(%v, %q) = %q, %v", k, h, got, err)
			}
		}
	}
}

func TestAppendEmail(t *testing.T) {
	tests := []struct{ in, want string }{
		{"John.Doe@Example.COM", "John.Doe@example.com"},
		{"<a@b.example>", "a@b.example"},
		{" a@b.example. ", "a@b.example"},
		{"user@bücher.de", "user@xn--bcher-kva.de"},
		{"x@[192.0.2.1]", "x@[192.0.2.1]"},
		{"\"odd@local\"@example.com", "\"odd@local\"@example.com"},
		{"nessus@nessus.org", "nessus@nessus.org"},
	}
	for _, tt := range tests {
		got, err := AppendEmail(nil, []byte(tt.in))
		if err != nil || string(got) != tt.want {
			t.Errorf("AppendEmail(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"", "a", "@b.com", "a@", "a b@c.com", "a@b c.com", "a@1.2.3.4", "a@[1.2.3.4", "Name <a@b.com>, c@d.com",
		strings.Repeat("a", 65) + "@b.com"} {
		if got, err := AppendEmail([]byte("keep"), []byte(in)); err == nil || string(got) != "keep" {
			t.Errorf("AppendEmail(%q) = %q, %v; want error", in, got, err)
		}
	}
	rv := loadReal(t)
	for _, e := range rv.emails {
		if _, err := AppendEmail(nil, []byte(e)); err != nil {
			t.Errorf("real indicator e-mail %q: %v", e, err)
		}
	}
}

func TestMACSerialAddrPort(t *testing.T) {
	for in, want := range map[string]string{
		"00:0D:3A:4D:42:F2": "00:0d:3a:4d:42:f2", "00-0d-3a-4d-42-f2": "00:0d:3a:4d:42:f2",
		"000d.3a4d.42f2": "00:0d:3a:4d:42:f2", "000D3A4D42F2": "00:0d:3a:4d:42:f2",
	} {
		if got, err := AppendMAC(nil, []byte(in)); err != nil || string(got) != want {
			t.Errorf("AppendMAC(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"00:0d:3a:4d:42", "00:0d:3a-4d:42:f2", "zz:0d:3a:4d:42:f2", ""} {
		if _, err := AppendMAC(nil, []byte(in)); err == nil {
			t.Errorf("AppendMAC(%q) succeeded", in)
		}
	}
	for in, want := range map[string]string{
		"CC57FE54011E": "cc57fe54011e", "00:cc:57": "cc57", "017E45A3": "17e45a3", "0": "0", "00": "0",
	} {
		if got, err := AppendX509Serial(nil, []byte(in)); err != nil || string(got) != want {
			t.Errorf("AppendX509Serial(%q) = %q, %v", in, got, err)
		}
	}
	for in, want := range map[string]string{
		"1.2.3.4:80": "1.2.3.4:80", "[2001:DB8::1]:443": "[2001:db8::1]:443", "[::ffff:1.2.3.4]:8080": "1.2.3.4:8080",
	} {
		got, err := AppendCanonical(nil, AddrPort, []byte(in))
		if err != nil || string(got) != want {
			t.Errorf("AddrPort %q = %q, %v", in, got, err)
			continue
		}
		key, _ := AppendKey(nil, AddrPort, got)
		if n := len(key); (strings.HasPrefix(want, "[") && n != 18) || (!strings.HasPrefix(want, "[") && n != 6) {
			t.Errorf("AddrPort key of %q has %d bytes", want, n)
		}
		if back, err := AppendText(nil, AddrPort, key); err != nil || string(back) != want {
			t.Errorf("AddrPort key round trip %q -> %q, %v", want, back, err)
		}
	}
	for _, in := range []string{"1.2.3.4", "1.2.3.4:", "1.2.3.4:65536", "[::1:80", "::1:80x", "host:80"} {
		if _, err := AppendCanonical(nil, AddrPort, []byte(in)); err == nil {
			t.Errorf("AddrPort %q accepted", in)
		}
	}
}

func TestKindsAndRoles(t *testing.T) {
	for _, k := range Kinds() {
		if got, ok := ParseKind(k.String()); !ok || got != k {
			t.Errorf("ParseKind(%q) = %v, %v", k, got, ok)
		}
		if k != JA3 && k != JA3S && k != Text && len(k.STIXPaths()) == 0 {
			t.Errorf("kind %v has no STIX home", k)
		}
	}
	for _, r := range Roles() {
		if got, ok := ParseRole(r.String()); !ok || got != r {
			t.Errorf("ParseRole(%q) = %v, %v", r, got, ok)
		}
	}
	if _, err := AppendCanonical(nil, Invalid, []byte("x")); err == nil {
		t.Error("Invalid kind accepted")
	}
	if _, err := AppendCanonical(nil, CommandLine, nil); err == nil {
		t.Error("empty command line accepted")
	}
}
