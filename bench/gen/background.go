package gen

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"time"
)

// bgWords name background hosts, users and files. They share nothing with
// the words of the synthetic substring indicators, so background events
// do not become substring candidates by construction of the generator.
var bgWords = [...]string{"apple", "birch", "cedar", "dune", "elm", "fjord", "grove", "heath", "islet", "jade", "kelp", "lagoon", "maple", "north", "oak", "pine", "quay", "ridge", "slate", "tide", "upland", "vale", "wharf", "yarrow"}

var userAgents = [...]string{
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
	"Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
	"Microsoft-CryptoAPI/10.0",
	"curl/8.5.0",
}

// background makes the values of events that match no malicious
// indicator: internal addresses in 10.0.0.0/8 and 192.168.0.0/16,
// external ones in 198.18.0.0/15 (the benchmarking range) and
// 2001:db8::/32, names under example domains, random digests. Addresses
// in these ranges do hit the benign (allow-list) indicators, as real
// traffic does. Not safe for concurrent use.
type background struct {
	r *rand.Rand
}

func newBackground(seed uint64) *background {
	return &background{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

func (g *background) word() string { return bgWords[g.r.IntN(len(bgWords))] }

func (g *background) internalIP() string {
	if g.r.IntN(4) == 0 {
		return fmt.Sprintf("192.168.%d.%d", g.r.IntN(256), 1+g.r.IntN(254))
	}
	return fmt.Sprintf("10.%d.%d.%d", g.r.IntN(256), g.r.IntN(256), 1+g.r.IntN(254))
}

func (g *background) externalIP() string {
	if g.r.IntN(20) == 0 {
		var b [16]byte
		b[0], b[1], b[2], b[3] = 0x20, 0x01, 0x0d, 0xb8
		for i := 8; i < 16; i++ {
			b[i] = byte(g.r.Uint32())
		}
		return netip.AddrFrom16(b).String()
	}
	return fmt.Sprintf("198.%d.%d.%d", 18+g.r.IntN(2), g.r.IntN(256), 1+g.r.IntN(254))
}

func (g *background) port() int { return 1024 + g.r.IntN(64000) }

// servicePort is a destination port. Ports that indicators of the real set
// name on their own ([network-traffic:dst_port = 80], 81, 888, 1024, 5000,
// 8080, 8081, 59148: feed noise that alerts on any such connection) are
// left out of background traffic.
func (g *background) servicePort() int {
	return [...]int{443, 443, 443, 443, 22, 25, 53, 993, 3389, 445, 8443}[g.r.IntN(11)]
}

func (g *background) domain() string {
	return fmt.Sprintf("%s%d.%s-%s.example.com", g.word(), g.r.IntN(1000), g.word(), g.word())
}

func (g *background) url() string {
	return fmt.Sprintf("https://%s/%s/%s-%d.html", g.domain(), g.word(), g.word(), g.r.IntN(10000))
}

func (g *background) email() string {
	return fmt.Sprintf("%s.%s@%s-%s.example.org", g.word(), g.word(), g.word(), g.word())
}

func (g *background) hex(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[g.r.IntN(16)]
	}
	return string(b)
}

func (g *background) uid(prefix byte) string {
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 18)
	b[0] = prefix
	for i := 1; i < len(b); i++ {
		b[i] = alnum[g.r.IntN(len(alnum))]
	}
	return string(b)
}

func (g *background) commandLine() string {
	switch g.r.IntN(4) {
	case 0:
		return `C:\Windows\System32\svchost.exe -k netsvcs -p -s ` + g.word()
	case 1:
		return fmt.Sprintf(`"C:\Program Files\%s\%s.exe" --update --channel=%s`, g.word(), g.word(), g.word())
	case 2:
		return `C:\Windows\system32\cmd.exe /c dir C:\Users\` + g.word()
	}
	return fmt.Sprintf(`powershell.exe -NoProfile -File C:\Scripts\%s-%d.ps1`, g.word(), g.r.IntN(100))
}

func (g *background) userAgent() string { return userAgents[g.r.IntN(len(userAgents))] }

// isoTime formats t as Zeek and ECS do (microseconds, Z).
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

// epochTime formats t as Zeek's default JSON writer does.
func epochTime(t time.Time) float64 { return float64(t.UnixMicro()) / 1e6 }
