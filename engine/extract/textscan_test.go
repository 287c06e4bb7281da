package extract

import (
	"math/rand"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"
)

// slowIPv4 finds dotted quads bounded by characters that cannot extend a
// token, the obviously correct way.
var slowIPv4 = regexp.MustCompile(`(?:^|[^0-9A-Za-z._:@-])((?:[0-9]{1,3}\.){3}[0-9]{1,3})(?:$|[^0-9A-Za-z._:@-]|:[0-9]{1,5}(?:$|[^0-9A-Za-z._:@-]))`)

func TestTextScannerFindsEveryIPv4(t *testing.T) {
	x := newTestExtractor(t)
	p := x.Profile(TextProfile)
	r := rand.New(rand.NewSource(4))
	pieces := []string{" ", "1", "12", "255", "256", "0", ".", ":", "80", "a", "-", "/", "[", "]", "=", "x.com", "\t", ",", "@"}
	var ev Event
	for i := 0; i < 20000; i++ {
		var b strings.Builder
		for n := r.Intn(20); n > 0; n-- {
			b.WriteString(pieces[r.Intn(len(pieces))])
		}
		line := b.String()
		if strings.TrimSpace(line) == "" {
			continue
		}
		if err := x.ExtractWith(p, []byte(line), time.Now(), &ev); err != nil {
			t.Fatal(err)
		}
		found := map[string]bool{}
		for _, o := range ev.Observables {
			found[string(o.Text)] = true
		}
		for _, m := range slowIPv4.FindAllStringSubmatch(line, -1) {
			if a, err := netip.ParseAddr(m[1]); err == nil && !found[a.String()] {
				t.Errorf("%q: IPv4 %s not found (found %v)", line, a, found)
			}
		}
	}
}

func TestTextScannerKinds(t *testing.T) {
	x := newTestExtractor(t)
	var ev Event
	line := `GET http://Evil.example.com:80/a.php?x=1, from 2001:db8::1 and 10.0.0.1:8080 by admin@Corp.COM ` +
		`hash=D41D8CD98F00B204E9800998ECF8427E file=report.pdf host=intranet.local see evil.example.com. 12345678901234567890123456789012`
	if err := x.Extract([]byte(line), time.Now(), &ev); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, o := range ev.Observables {
		got[o.Kind.String()+" "+string(o.Text)] = true
	}
	for _, want := range []string{"url http://evil.example.com/a.php?x=1", "ipv6 2001:db8::1", "ipv4 10.0.0.1",
		"addr-port 10.0.0.1:8080", "email admin@corp.com", "md5 d41d8cd98f00b204e9800998ecf8427e", "domain evil.example.com"} {
		if !got[want] {
			t.Errorf("missing %s in %v", want, got)
		}
	}
	for _, bad := range []string{"domain report.pdf", "domain intranet.local", "md5 12345678901234567890123456789012"} {
		if got[bad] {
			t.Errorf("unexpected %s", bad)
		}
	}
}
