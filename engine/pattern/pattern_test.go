package pattern

import (
	"errors"
	"strings"
	"testing"
)

func TestCanonicalForm(t *testing.T) {
	cases := []struct{ in, want string }{
		{"[a:b=1]", "[a:b = 1]"},
		{"[ file:name = 'weird_name\\'' ]", "[file:name = 'weird_name\\'']"},
		{"[x:y == +5]", "[x:y = 5]"},
		{"[x:y <> 'a']", "[x:y != 'a']"},
		{"[x:y NOT!=1]", "[x:y NOT != 1]"},
		{"[a:'b'[1]=2]", "[a:'b'[1] = 2]"},
		{"[a:b.'c-d'[*].e[-1] > 7.5]", "[a:b.'c-d'[*].e[-1] > 7.5]"},
		{"[a:b IN ( 1 ,2,3 )]", "[a:b IN (1, 2, 3)]"},
		{"[a:b IN ()]", "[a:b IN ()]"},
		{"[NOT EXISTS a:b]", "[NOT EXISTS a:b]"},
		{"[EXISTS a:b.c]", "[EXISTS a:b.c]"},
		{"[a:b = 1 OR a:b = 2 AND a:b = 3]", "[a:b = 1 OR a:b = 2 AND a:b = 3]"},
		{"[(a:b = 1 OR a:b = 2) AND a:b = 3]", "[(a:b = 1 OR a:b = 2) AND a:b = 3]"},
		{"[a:b=1] AND [a:b=2] OR [a:b=3] FOLLOWEDBY [a:b=4]", "[a:b = 1] AND [a:b = 2] OR [a:b = 3] FOLLOWEDBY [a:b = 4]"},
		{"([a:b=1] OR [a:b=2]) WITHIN 5 SECONDS REPEATS 2 TIMES", "([a:b = 1] OR [a:b = 2]) WITHIN 5 SECONDS REPEATS 2 TIMES"},
		{"[a:b=1] START t'2016-06-01T00:00:00Z' STOP t'2016-06-01T01:00:00.5Z'", "[a:b = 1] START t'2016-06-01T00:00:00Z' STOP t'2016-06-01T01:00:00.5Z'"},
		{"/* c */ [a:b = h'0aFF'] // trailing", "[a:b = h'0aFF']"},
		{"[a:b = b'AQIDBA==']", "[a:b = b'AQIDBA==']"},
		{"[a:b = true AND a:c != false]", "[a:b = true AND a:c != false]"},
		{"[a:b\u00a0=\u30001]", "[a:b = 1]"},
		{"[a:b MATCHES '^\\\\d+$']", "[a:b MATCHES '^\\\\d+$']"},
		{"[a:'AND' = 1]", "[a:'AND' = 1]"},
		{"[x-custom:val = -0.25]", "[x-custom:val = -0.25]"},
	}
	for _, c := range cases {
		p, err := Parse(c.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.in, err)
			continue
		}
		if got := p.String(); got != c.want {
			t.Errorf("Parse(%q).String() = %q, want %q", c.in, got, c.want)
		}
		q, err := Parse(p.String())
		if err != nil || q.String() != p.String() {
			t.Errorf("round trip of %q: %v, %q", p.String(), err, q)
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		in     string
		line   int
		col    int
		reason string
	}{
		{"file:size = 1280", 1, 1, "expected '[' or '('"},
		{"[file:size = ]", 1, 14, "expected a literal"},
		{"[file:name MATCHES /x/]", 1, 20, "expected a string literal"},
		{"[a:b = 1] WITHIN 5 HOURS", 1, 20, "expected SECONDS"},
		{"[a:b = 1] WITHIN -5 SECONDS", 1, 18, "positive number"},
		{"[a:b = 'x\\d']", 1, 10, "invalid escape"},
		{"[a:b = 'open", 1, 8, "unterminated string"},
		{"[a:b = h'abc']", 1, 8, "even number"},
		{"[a:b = b'====']", 1, 8, "base64"},
		{"[a:b = t'2024-13-01T00:00:00Z']", 1, 8, "month"},
		{"[a:b = t'2010-05-21T13:21:43z']", 1, 8, "timestamp"},
		{"[a:b = null]", 1, 8, "expected a literal"},
		{"[a:b = 1] and [a:b = 2]", 1, 11, "expected AND, OR"},
		{"[a:b > true]", 1, 8, "boolean cannot be ordered"},
		{"[a:needs-quotes = 1]", 1, 4, "must be quoted"},
		{"[NOT a:b = 1]", 1, 6, "expected EXISTS"},
		{"[a:b NOT NOT = 1]", 1, 10, "comparison operator after NOT"},
		{"[a:b = 1] START t'2016-06-01T00:00:00Z'", 1, 40, "expected STOP"},
		{"[a:b = 01]", 1, 9, "expected AND, OR or ']'"},
		{"[a:b = 1]\n  FOLLOWEDBY [a:b = ]", 2, 21, "expected a literal"},
		{"[a:b = 1] /* open", 1, 11, "unterminated comment"},
		{"[a:b = 1] $", 1, 11, "unexpected character"},
		{"", 1, 1, "expected '[' or '('"},
	}
	for _, c := range cases {
		_, err := Parse(c.in)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q) = %v, want a *SyntaxError", c.in, err)
			continue
		}
		if se.Line != c.line || se.Column != c.col || !strings.Contains(se.Msg, c.reason) {
			t.Errorf("Parse(%q) error at %d:%d %q, want %d:%d containing %q", c.in, se.Line, se.Column, se.Msg, c.line, c.col, c.reason)
		}
	}
}

func TestNestingLimit(t *testing.T) {
	deep := strings.Repeat("(", MaxNesting+1) + "[a:b = 1]" + strings.Repeat(")", MaxNesting+1)
	if _, err := Parse(deep); err == nil || !strings.Contains(err.Error(), "nest deeper") {
		t.Fatalf("got %v, want a nesting error", err)
	}
	ok := strings.Repeat("(", MaxNesting-1) + "[a:b = 1]" + strings.Repeat(")", MaxNesting-1)
	if _, err := Parse(ok); err != nil {
		t.Fatalf("nesting of %d: %v", MaxNesting-1, err)
	}
}

func TestLiteralValues(t *testing.T) {
	p := MustParse(`[a:b IN (-7, 2.5, 'it\'s \\ ok', h'00ff', b'AQID', t'2020-02-03T04:05:06.1234567Z', true, 99999999999999999999)]`)
	c := p.Root.(*ObsSimple).Expr.(*Comparison)
	s := c.Set
	if s[0].Int != -7 || s[1].Float != 2.5 || s[2].Str != `it's \ ok` {
		t.Errorf("numbers and strings: %+v", s[:3])
	}
	if string(s[3].Bytes) != "\x00\xff" || string(s[4].Bytes) != "\x01\x02\x03" {
		t.Errorf("bytes: %q %q", s[3].Bytes, s[4].Bytes)
	}
	if got := s[5].Time.Format("2006-01-02T15:04:05.000000000Z"); got != "2020-02-03T04:05:06.123456000Z" {
		t.Errorf("timestamp truncated to microseconds: %s", got)
	}
	if !s[6].Bool || !s[7].BigInt || s[7].Float != 1e20 {
		t.Errorf("bool and big int: %+v %+v", s[6], s[7])
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		in string
		ok bool
	}{
		{"[file:hashes.MD5 = '79054025255fb1a26e4bc422aef54eb4']", true},
		{"[file:hashes.'SHA-256' = 'f00']", false},
		{"[file:hashes.'sha-1' = '4c4d1ad2a7e4f5d8e0b7e6a6e3e2e1f0c9d8b7a6']", true},
		{"[file:hashes.MD5 IN ('79054025255fb1a26e4bc422aef54eb4', 'zz')]", false},
		{"[file:hashes.SSDEEP = '3:AXGBicFlgVNhBGcL6wCrFQEv:AXGHsNhxLsr2C']", true},
		{"[file:hashes.'x-custom' = 'anything']", true},
		{"[a:b = 1] WITHIN 5 SECONDS WITHIN 6 SECONDS", false},
		{"([a:b = 1]) WITHIN 5 SECONDS WITHIN 6 SECONDS", true},
		{"([a:b = 1] REPEATS 2 TIMES) REPEATS 2 TIMES", true},
		{"[a:b = 1] REPEATS 2 TIMES WITHIN 1 SECONDS", true},
		{"  ( [a:b = 1])", true},
	}
	for _, c := range cases {
		p, err := Parse(c.in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", c.in, err)
		}
		if err := p.Validate(); (err == nil) != c.ok {
			t.Errorf("Validate(%q) = %v, want ok=%v", c.in, err, c.ok)
		}
	}
}

func TestRootTypes(t *testing.T) {
	p := MustParse("[(a:a=1 OR b:a=1) AND (b:a=1 OR c:c=1)]")
	if got := RootTypes(p.Root.(*ObsSimple).Expr); strings.Join(got, ",") != "b" {
		t.Errorf("RootTypes = %v", got)
	}
	if err := MustParse("[a:b=1 AND (b:c=1 OR c:d=1)]").CheckRootTypes(); !errors.Is(err, ErrMixedRootTypes) {
		t.Errorf("CheckRootTypes = %v, want ErrMixedRootTypes", err)
	}
	if err := MustParse("[a:b=1 AND a:c=1] AND [b:c=1]").CheckRootTypes(); err != nil {
		t.Errorf("CheckRootTypes = %v", err)
	}
}
