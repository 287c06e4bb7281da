package plan

import (
	"regexp/syntax"
	"strings"
	"unicode"
	"unicode/utf8"
)

// likeFragments returns the literal runs of a LIKE pattern: the text
// between its wildcards % and _.
func likeFragments(p string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(p, func(r rune) bool { return r == '%' || r == '_' }) {
		if f != "" {
			out = append(out, f)
		}
	}
	return out
}

// longest returns the longest string, the first of equals.
func longest(fs []string) string {
	best := ""
	for _, f := range fs {
		if len(f) > len(best) {
			best = f
		}
	}
	return best
}

// litSet is a set of strings at least one of which every match of a
// regular expression contains. A nil set means "no such set is known".
type litSet []string

func (s litSet) minLen() int {
	if len(s) == 0 {
		return 0
	}
	m := len(s[0])
	for _, x := range s[1:] {
		m = min(m, len(x))
	}
	return m
}

// maxAlternatives bounds the size of a literal set built from an
// alternation, so that a huge alternation does not flood the substring
// index.
const maxAlternatives = 16

// regexLiterals analyses a MATCHES expression and returns literals one of
// which every match must contain, and whether they must be compared
// case-insensitively (the expression folds case). ok is false when the
// expression guarantees no literal of useful length.
func regexLiterals(expr string, minLen int) (lits []string, fold bool, ok bool) {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil, false, false
	}
	re = re.Simplify()
	set, folded := required(re)
	if set == nil || set.minLen() < minLen {
		return nil, false, false
	}
	if folded {
		for _, s := range set {
			if !asciiFoldSafe(s) {
				return nil, false, false
			}
		}
	}
	return set, folded, true
}

// required computes the literal set of re and whether any literal in it
// came from a case-folding part.
func required(re *syntax.Regexp) (litSet, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		s := string(re.Rune)
		if re.Flags&syntax.FoldCase != 0 {
			return litSet{foldLower(s)}, true
		}
		return litSet{s}, false
	case syntax.OpCapture:
		return required(re.Sub[0])
	case syntax.OpPlus:
		return required(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return required(re.Sub[0])
		}
		return nil, false
	case syntax.OpConcat:
		return requiredConcat(re.Sub)
	case syntax.OpAlternate:
		var out litSet
		fold := false
		for _, sub := range re.Sub {
			s, f := required(sub)
			if s == nil {
				return nil, false
			}
			out = append(out, s...)
			fold = fold || f
			if len(out) > maxAlternatives {
				return nil, false
			}
		}
		return out, fold
	}
	return nil, false
}

// requiredConcat joins adjacent literals of a concatenation into longer
// runs and keeps the best set among the parts: the one whose shortest
// member is longest.
func requiredConcat(subs []*syntax.Regexp) (litSet, bool) {
	var best litSet
	bestFold := false
	consider := func(s litSet, f bool) {
		if s != nil && (best == nil || s.minLen() > best.minLen() || s.minLen() == best.minLen() && len(s) < len(best)) {
			best, bestFold = s, f
		}
	}
	var run strings.Builder
	runFold := false
	flush := func() {
		if run.Len() > 0 {
			consider(litSet{run.String()}, runFold)
		}
		run.Reset()
		runFold = false
	}
	for _, sub := range subs {
		if sub.Op == syntax.OpLiteral {
			s := string(sub.Rune)
			if sub.Flags&syntax.FoldCase != 0 {
				s = foldLower(s)
				runFold = true
			}
			run.WriteString(s)
			continue
		}
		flush()
		consider(required(sub))
	}
	flush()
	if bestFold {
		// A folded literal is compared in lower case: lower the whole set.
		for i, s := range best {
			best[i] = foldLower(s)
		}
	}
	return best, bestFold
}

// foldLower lower-cases ASCII letters and leaves every other byte alone:
// the substring index folds ASCII only, so a literal with non-ASCII
// letters under (?i) is not usable as is.
func foldLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// asciiFoldSafe reports whether s has no non-ASCII letter, so that ASCII
// case folding of the haystack finds every case variant of it.
func asciiFoldSafe(s string) bool {
	for _, r := range s {
		if r >= utf8.RuneSelf && unicode.IsLetter(r) {
			return false
		}
	}
	return true
}
