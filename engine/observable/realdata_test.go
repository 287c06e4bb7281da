package observable

import (
	"bufio"
	"compress/gzip"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// realValues holds comparison literals of the real indicator file, by kind.
type realValues struct {
	ips, domains, urls, emails []string
	hashes                     map[Kind][]string
}

var (
	realOnce sync.Once
	real     realValues
	realErr  error
)

var (
	reValue = regexp.MustCompile(`(url|domain-name|ipv4-addr|ipv6-addr|email-addr):value = '((?:[^'\\]|\\.)*)'`)
	reHash  = regexp.MustCompile(`hashes\.'?(MD5|SHA-1|SHA-256)'? = '([^']*)'`)
	reDst   = regexp.MustCompile(`dst_ref\.value = '([^']*)'`)
)

// loadReal reads the indicator literals once; tests skip when the file is
// missing.
func loadReal(t testing.TB) *realValues {
	t.Helper()
	realOnce.Do(func() {
		f, err := os.Open("../../testdata/real/indicators.jsonl.gz")
		if err != nil {
			realErr = err
			return
		}
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			realErr = err
			return
		}
		real.hashes = map[Kind][]string{}
		sc := bufio.NewScanner(zr)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			line := sc.Text()
			for _, m := range reValue.FindAllStringSubmatch(line, -1) {
				v := strings.NewReplacer(`\\`, `\`, `\'`, `'`).Replace(m[2])
				switch m[1] {
				case "url":
					real.urls = append(real.urls, v)
				case "domain-name":
					real.domains = append(real.domains, v)
				case "ipv4-addr", "ipv6-addr":
					real.ips = append(real.ips, v)
				case "email-addr":
					real.emails = append(real.emails, v)
				}
			}
			for _, m := range reDst.FindAllStringSubmatch(line, -1) {
				real.ips = append(real.ips, m[1])
			}
			for _, m := range reHash.FindAllStringSubmatch(line, -1) {
				k := map[string]Kind{"MD5": MD5, "SHA-1": SHA1, "SHA-256": SHA256}[m[1]]
				real.hashes[k] = append(real.hashes[k], m[2])
			}
		}
		realErr = sc.Err()
	})
	if realErr != nil {
		t.Skipf("real indicators unavailable: %v", realErr)
	}
	return &real
}
