package metrics

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// CollectorFunc writes samples that a callback returns at every scrape,
// keyed "name" or "name{label="value",…}" in the text format's syntax,
// such as the map of enrich.Stats().Counters(). It owns a name prefix:
// every sample name must start with it, and the Registry refuses other
// collectors under it, so the callback's names can never collide with
// registered ones.
//
// A family whose name ends in "_total" is written as a counter, any other
// as a gauge. Labels are written sorted by name. A key that does not
// parse, a name outside the prefix, or a label set given twice is left
// out and reported by WriteText's error.
//
// The callback runs on the scraping goroutine, without the registry's
// lock held, and must be safe to call concurrently with the rest of the
// program.
type CollectorFunc struct {
	prefix, help string
	fn           func() map[string]float64
}

// NewCollectorFunc returns a collector of fn's samples; help is the HELP
// text of each of its families.
func NewCollectorFunc(prefix, help string, fn func() map[string]float64) *CollectorFunc {
	return &CollectorFunc{prefix: prefix, help: help, fn: fn}
}

func (c *CollectorFunc) describe() ([]string, string, error) {
	if c.prefix == "" || !validMetricName(c.prefix) {
		return nil, "", fmt.Errorf("metrics: invalid CollectorFunc prefix %q", c.prefix)
	}
	if c.fn == nil {
		return nil, "", fmt.Errorf("metrics: CollectorFunc %q: nil function", c.prefix)
	}
	return nil, c.prefix, nil
}

type funcSample struct {
	labels, key string
	value       float64
}

func (c *CollectorFunc) collect(s *scrape) {
	byName := map[string][]funcSample{}
	var bad []string
	for key, v := range c.fn() {
		name, labels, err := parseSampleKey(key)
		if err == nil && !strings.HasPrefix(name, c.prefix) {
			err = fmt.Errorf("not under the prefix %q", c.prefix)
		}
		if err != nil {
			bad = append(bad, fmt.Sprintf("%q: %v", key, err))
			continue
		}
		byName[name] = append(byName[name], funcSample{labels: labels, key: key, value: v})
	}
	for name, samples := range byName {
		slices.SortFunc(samples, func(a, b funcSample) int {
			if c := strings.Compare(a.labels, b.labels); c != 0 {
				return c
			}
			return strings.Compare(a.key, b.key)
		})
		typ := typeGauge
		if strings.HasSuffix(name, "_total") {
			typ = typeCounter
		}
		s.add(name, c.help, typ, func(b []byte) []byte {
			for i, smp := range samples {
				if i > 0 && smp.labels == samples[i-1].labels {
					bad = append(bad, fmt.Sprintf("%q: the same series as %q", smp.key, samples[i-1].key))
					continue
				}
				b = appendSampleFloat(b, name, smp.labels, smp.value)
			}
			return b
		})
	}
	if len(bad) > 0 {
		slices.Sort(bad)
		s.errs = append(s.errs, fmt.Errorf("metrics: CollectorFunc %q skipped %d samples: %s", c.prefix, len(bad), strings.Join(bad, "; ")))
	}
}

// parseSampleKey splits `name{a="x",b="y"}` into the name and the label
// set rendered canonically (sorted by name, values re-escaped).
func parseSampleKey(key string) (name, labels string, err error) {
	name, rest, hasLabels := strings.Cut(key, "{")
	if !validMetricName(name) {
		return "", "", errors.New("invalid metric name")
	}
	if !hasLabels {
		return name, "", nil
	}
	if !strings.HasSuffix(rest, "}") {
		return "", "", errors.New("missing }")
	}
	rest = rest[:len(rest)-1]
	var names, values []string
	for rest != "" {
		eq := strings.IndexByte(rest, '=')
		if eq < 0 {
			return "", "", errors.New("label without =")
		}
		ln := strings.TrimSpace(rest[:eq])
		if !validLabelName(ln) {
			return "", "", fmt.Errorf("invalid label name %q", ln)
		}
		if slices.Contains(names, ln) {
			return "", "", fmt.Errorf("label %q twice", ln)
		}
		val, after, err := unquoteLabelValue(strings.TrimLeft(rest[eq+1:], " "))
		if err != nil {
			return "", "", err
		}
		names, values = append(names, ln), append(values, val)
		after = strings.TrimLeft(after, " ")
		if after == "" {
			break
		}
		if after[0] != ',' {
			return "", "", errors.New("expected , between labels")
		}
		rest = strings.TrimLeft(after[1:], " ")
	}
	if len(names) == 0 {
		return name, "", nil
	}
	idx := make([]int, len(names))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return strings.Compare(names[a], names[b]) })
	sn, sv := make([]string, len(idx)), make([]string, len(idx))
	for i, j := range idx {
		sn[i], sv[i] = names[j], values[j]
	}
	return name, labelString(sn, sv), nil
}

// unquoteLabelValue reads a double-quoted value with the \\, \" and \n
// escapes from the start of s and returns it and what follows.
func unquoteLabelValue(s string) (value, rest string, err error) {
	if s == "" || s[0] != '"' {
		return "", "", errors.New("label value must be quoted")
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			return b.String(), s[i+1:], nil
		case '\\':
			if i+1 == len(s) {
				return "", "", errors.New("unterminated escape")
			}
			i++
			switch s[i] {
			case '\\', '"':
				b.WriteByte(s[i])
			case 'n':
				b.WriteByte('\n')
			default:
				return "", "", fmt.Errorf("unknown escape \\%c", s[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", "", errors.New("unterminated label value")
}
