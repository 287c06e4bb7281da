package observable

import "testing"

var benchInputs = []struct {
	name string
	k    Kind
	v    string
}{
	{"ipv4", IPv4, "192.168.100.200"},
	{"ipv6", IPv6, "2001:db8:85a3::8a2e:370:7334"},
	{"domain", Domain, "Update.Windows-Cloud.Example.COM."},
	{"url", URL, "HTTP://Evil.Example.com:80/gate.php?id=%7e42&x=1#frag"},
	{"email", Email, "John.Doe@Example.COM"},
	{"md5", MD5, "CC85D7649546D3C0B1607F761B73FEC2"},
	{"sha256", SHA256, "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"},
	{"addrport", AddrPort, "10.0.0.4:8080"},
	{"idn", Domain, "Bücher.example"},
}

func TestCanonicalZeroAllocs(t *testing.T) {
	buf := make([]byte, 0, 256)
	for _, in := range benchInputs {
		if in.name == "idn" {
			continue // IDNA allocates by design
		}
		v := []byte(in.v)
		allocs := testing.AllocsPerRun(200, func() {
			out, err := AppendCanonical(buf[:0], in.k, v)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := AppendKey(out, in.k, out); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations, want 0", in.name, allocs)
		}
	}
	bad := []byte("-")
	if allocs := testing.AllocsPerRun(200, func() {
		for _, k := range []Kind{IPv4, Domain, URL, Email, MD5} {
			_, _ = AppendCanonical(buf[:0], k, bad)
		}
	}); allocs != 0 {
		t.Errorf("rejecting invalid values allocates %v times", allocs)
	}
}

func BenchmarkAppendCanonical(b *testing.B) {
	buf := make([]byte, 0, 256)
	for _, in := range benchInputs {
		v := []byte(in.v)
		b.Run(in.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(v)))
			for b.Loop() {
				if _, err := AppendCanonical(buf[:0], in.k, v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkParseIP(b *testing.B) {
	b.ReportAllocs()
	v := []byte("192.168.100.200")
	for b.Loop() {
		if _, err := ParseIP(v); err != nil {
			b.Fatal(err)
		}
	}
}
