package metrics

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// parsedText is what checkText reads from an exposition: the samples by
// "name{labels}" as written, and the type of each family.
type parsedText struct {
	samples map[string]float64
	types   map[string]string
	order   []string // family names in order
}

// checkText is an independent reader of the text format 0.0.4 that
// enforces what Prometheus' parser does and what this package promises
// on top: HELP then TYPE before each family's samples, one block per
// family, families sorted, valid names and escapes, no series twice,
// well-formed histograms.
func checkText(text string) (parsedText, error) {
	p := parsedText{samples: map[string]float64{}, types: map[string]string{}}
	if text != "" && !strings.HasSuffix(text, "\n") {
		return p, fmt.Errorf("text does not end with a newline")
	}
	var fam, typ string
	var helpSeen bool
	var buckets []struct{ le, v float64 }
	flushHist := func() error {
		if typ != "histogram" {
			return nil
		}
		if len(buckets) == 0 || !math.IsInf(buckets[len(buckets)-1].le, 1) {
			return fmt.Errorf("%s: histogram without a +Inf bucket", fam)
		}
		for i := 1; i < len(buckets); i++ {
			if buckets[i].le <= buckets[i-1].le || buckets[i].v < buckets[i-1].v {
				return fmt.Errorf("%s: buckets not increasing or not cumulative", fam)
			}
		}
		if c, ok := p.samples[fam+"_count"]; !ok || c != buckets[len(buckets)-1].v {
			return fmt.Errorf("%s: _count %v differs from the +Inf bucket %v", fam, c, buckets[len(buckets)-1].v)
		}
		if _, ok := p.samples[fam+"_sum"]; !ok {
			return fmt.Errorf("%s: no _sum", fam)
		}
		buckets = nil
		return nil
	}
	for n, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if text == "" {
			break
		}
		where := fmt.Sprintf("line %d %q", n+1, line)
		switch {
		case strings.HasPrefix(line, "# HELP "):
			if err := flushHist(); err != nil {
				return p, err
			}
			name, help, ok := strings.Cut(line[len("# HELP "):], " ")
			if !ok || !validMetricName(name) {
				return p, fmt.Errorf("%s: bad HELP", where)
			}
			if err := checkEscapes(help, false); err != nil {
				return p, fmt.Errorf("%s: %v", where, err)
			}
			if _, dup := p.types[name]; dup {
				return p, fmt.Errorf("%s: family %s twice", where, name)
			}
			if len(p.order) > 0 && p.order[len(p.order)-1] >= name {
				return p, fmt.Errorf("%s: families not sorted", where)
			}
			fam, typ, helpSeen = name, "", true
		case strings.HasPrefix(line, "# TYPE "):
			name, t, ok := strings.Cut(line[len("# TYPE "):], " ")
			if !ok || name != fam || !helpSeen || typ != "" {
				return p, fmt.Errorf("%s: TYPE out of place", where)
			}
			switch t {
			case "counter", "gauge", "histogram", "summary", "untyped":
			default:
				return p, fmt.Errorf("%s: unknown type", where)
			}
			typ = t
			p.types[name] = t
			p.order = append(p.order, name)
		case strings.HasPrefix(line, "#"):
			return p, fmt.Errorf("%s: unexpected comment", where)
		default:
			if typ == "" {
				return p, fmt.Errorf("%s: sample before TYPE", where)
			}
			// No timestamps are written, so the value is the last field;
			// label values may hold spaces.
			sp := strings.LastIndexByte(line, ' ')
			if sp < 0 {
				return p, fmt.Errorf("%s: no value", where)
			}
			series, value := line[:sp], line[sp+1:]
			name, _, _ := strings.Cut(series, "{")
			switch {
			case name == fam:
			case typ == "histogram" && (name == fam+"_bucket" || name == fam+"_sum" || name == fam+"_count"):
			default:
				return p, fmt.Errorf("%s: sample %s outside family %s", where, name, fam)
			}
			lm, err := parseLabels(series[len(name):])
			if err != nil {
				return p, fmt.Errorf("%s: %v", where, err)
			}
			v, err := parseValue(value)
			if err != nil {
				return p, fmt.Errorf("%s: %v", where, err)
			}
			if typ == "counter" && !(v >= 0) {
				return p, fmt.Errorf("%s: counter value %v", where, v)
			}
			if _, dup := p.samples[series]; dup {
				return p, fmt.Errorf("%s: series twice", where)
			}
			p.samples[series] = v
			if name == fam+"_bucket" {
				le, ok := lm["le"]
				if !ok {
					return p, fmt.Errorf("%s: bucket without le", where)
				}
				bound, err := parseValue(le)
				if err != nil {
					return p, fmt.Errorf("%s: le: %v", where, err)
				}
				buckets = append(buckets, struct{ le, v float64 }{bound, v})
			}
		}
	}
	return p, flushHist()
}

func parseValue(s string) (float64, error) {
	switch s {
	case "+Inf":
		return math.Inf(1), nil
	case "-Inf":
		return math.Inf(-1), nil
	case "NaN":
		return math.NaN(), nil
	}
	return strconv.ParseFloat(s, 64)
}

// parseLabels reads `{a="x",b="y"}` (or "") strictly, as this package
// writes it: no spaces, no trailing comma.
func parseLabels(s string) (map[string]string, error) {
	m := map[string]string{}
	if s == "" {
		return m, nil
	}
	if s[0] != '{' || s[len(s)-1] != '}' {
		return nil, fmt.Errorf("bad label set %q", s)
	}
	s = s[1 : len(s)-1]
	for s != "" {
		name, rest, ok := strings.Cut(s, "=")
		if !ok || !validLabelName(name) && name != "le" {
			return nil, fmt.Errorf("bad label name %q", name)
		}
		if _, dup := m[name]; dup {
			return nil, fmt.Errorf("label %s twice", name)
		}
		if rest == "" || rest[0] != '"' {
			return nil, fmt.Errorf("unquoted value")
		}
		i := 1
		for ; i < len(rest) && rest[i] != '"'; i++ {
			if rest[i] == '\\' {
				i++
			}
		}
		if i >= len(rest) {
			return nil, fmt.Errorf("unterminated value")
		}
		raw := rest[1:i]
		if err := checkEscapes(raw, true); err != nil {
			return nil, err
		}
		m[name] = raw
		s = rest[i+1:]
		if s != "" {
			if s[0] != ',' {
				return nil, fmt.Errorf("expected , got %q", s)
			}
			s = s[1:]
		}
	}
	return m, nil
}

// checkEscapes accepts only \\ and \n (and \" in label values), no raw
// newline, and valid UTF-8.
func checkEscapes(s string, quote bool) error {
	if strings.ToValidUTF8(s, "\x00") != s {
		return fmt.Errorf("invalid UTF-8 in %q", s)
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\n':
			return fmt.Errorf("raw newline")
		case '"':
			if quote {
				return fmt.Errorf("raw quote")
			}
		case '\\':
			if i+1 >= len(s) {
				return fmt.Errorf("dangling backslash")
			}
			i++
			if s[i] != '\\' && s[i] != 'n' && !(quote && s[i] == '"') {
				return fmt.Errorf("bad escape \\%c", s[i])
			}
		}
	}
	return nil
}
