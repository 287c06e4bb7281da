package plan

import (
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestLikeFragments(t *testing.T) {
	if got := likeFragments("%abc_de%%f"); !slices.Equal(got, []string{"abc", "de", "f"}) {
		t.Fatalf("got %q", got)
	}
	if got := longest(likeFragments("C:\\Windows\\%\\evil_.dll")); got != "C:\\Windows\\" {
		t.Fatalf("longest = %q", got)
	}
}

func TestRegexLiterals(t *testing.T) {
	cases := []struct {
		expr string
		want []string
		fold bool
		ok   bool
	}{
		{`^.+>-add GlobalSign\.cer -c`, []string{">-add GlobalSign.cer -c"}, false, true},
		{`evil(\.com|\.net)/x`, []string{"evil"}, false, true},
		{`(?i)PowerShell.*-enc`, []string{"powershell"}, true, true},
		{`(foo|barbaz)qux`, []string{"qux"}, false, true},
		{`(foobar|barbaz)q`, []string{"foobar", "barbaz"}, false, true},
		{`a+bcd`, []string{"bcd"}, false, true},
		{`(abc)*`, nil, false, false},
		{`x?y?`, nil, false, false},
		{`[a-z]+\d{3}`, nil, false, false},
		{`(?i)straße`, nil, false, false},
	}
	for _, c := range cases {
		got, fold, ok := regexLiterals(c.expr, 3)
		if ok != c.ok || fold != c.fold || !slices.Equal(got, c.want) {
			t.Errorf("regexLiterals(%q) = %q fold=%v ok=%v, want %q fold=%v ok=%v", c.expr, got, fold, ok, c.want, c.fold, c.ok)
		}
	}
}

// TestRegexLiteralsAreNecessary checks the prefilter against Go's regexp on
// random strings: whenever the expression matches, one of the literals is
// in the (case-folded) text.
func TestRegexLiteralsAreNecessary(t *testing.T) {
	exprs := []string{`ab(c|d)ef`, `(?i)xY+z`, `q(rs|tu)+v`, `(hello|world) there`, `k{2,3}lm`, `(?i)(ab|cd)ef`}
	r := rand.New(rand.NewPCG(3, 4))
	alphabet := "abcdefklmqrstuvwxyzXYZ hellowordthe"
	for _, e := range exprs {
		lits, fold, ok := regexLiterals(e, 1)
		if !ok {
			t.Fatalf("%q: no literals", e)
		}
		re := regexp.MustCompile(e)
		for i := 0; i < 20000; i++ {
			b := make([]byte, r.IntN(14))
			for j := range b {
				b[j] = alphabet[r.IntN(len(alphabet))]
			}
			s := string(b)
			if !re.MatchString(s) {
				continue
			}
			h := s
			if fold {
				h = strings.ToLower(s)
			}
			if !slices.ContainsFunc(lits, func(l string) bool { return strings.Contains(h, l) }) {
				t.Fatalf("%q matches %q but none of %q is in it", e, s, lits)
			}
		}
	}
}
