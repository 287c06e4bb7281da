package metrics

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// validMetricName reports whether s matches [a-zA-Z_:][a-zA-Z0-9_:]*.
func validMetricName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' || c == ':' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9' {
			continue
		}
		return false
	}
	return true
}

// validLabelName reports whether s matches [a-zA-Z_][a-zA-Z0-9_]* and is
// not reserved (a leading "__", or "le", which histograms use).
func validLabelName(s string) bool {
	if s == "" || strings.HasPrefix(s, "__") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9' {
			continue
		}
		return false
	}
	return true
}

func checkName(name string) error {
	if !validMetricName(name) {
		return fmt.Errorf("metrics: invalid metric name %q", name)
	}
	return nil
}

func checkLabels(name string, labels []string) error {
	seen := map[string]bool{}
	for _, l := range labels {
		if !validLabelName(l) || l == "le" || l == "quantile" {
			return fmt.Errorf("metrics: %s: invalid label name %q", name, l)
		}
		if seen[l] {
			return fmt.Errorf("metrics: %s: label %q twice", name, l)
		}
		seen[l] = true
	}
	return nil
}

// appendLabelValue appends v quoted, escaping backslash, double quote and
// newline as the text format requires. Invalid UTF-8 becomes U+FFFD.
func appendLabelValue(b []byte, v string) []byte {
	b = append(b, '"')
	for i := 0; i < len(v); {
		c := v[i]
		switch {
		case c == '\\':
			b = append(b, `\\`...)
		case c == '"':
			b = append(b, `\"`...)
		case c == '\n':
			b = append(b, `\n`...)
		case c < utf8.RuneSelf:
			b = append(b, c)
		default:
			r, size := utf8.DecodeRuneInString(v[i:])
			if r == utf8.RuneError && size == 1 {
				b = utf8.AppendRune(b, utf8.RuneError)
			} else {
				b = append(b, v[i:i+size]...)
			}
			i += size
			continue
		}
		i++
	}
	return append(b, '"')
}

// labelString renders {n1="v1",n2="v2"}; "" when there are no labels.
func labelString(names, values []string) string {
	if len(names) == 0 {
		return ""
	}
	b := []byte{'{'}
	for i, n := range names {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, n...)
		b = append(b, '=')
		b = appendLabelValue(b, values[i])
	}
	return string(append(b, '}'))
}

// appendHelp appends help text, escaping backslash and newline.
func appendHelp(b []byte, help string) []byte {
	help = strings.ToValidUTF8(help, "\uFFFD")
	for i := 0; i < len(help); i++ {
		switch c := help[i]; c {
		case '\\':
			b = append(b, `\\`...)
		case '\n':
			b = append(b, `\n`...)
		default:
			b = append(b, c)
		}
	}
	return b
}
