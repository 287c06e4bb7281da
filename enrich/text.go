package enrich

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"
)

// WriteText prints the digest for a person: one labelled line per fact,
// one line per related object. Text from the API is stripped of control
// characters so that it cannot drive the terminal.
func (d *Digest) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	tw := tabwriter.NewWriter(bw, 0, 4, 2, ' ', 0)
	line := func(label, format string, args ...any) {
		fmt.Fprintf(tw, "%s\t%s\n", label, safe(fmt.Sprintf(format, args...)))
	}
	in := d.Indicator
	line("indicator", "%s", in.STIXID)
	if in.Name != "" {
		line("  name", "%s", in.Name)
	}
	if in.Pattern != "" {
		line("  pattern", "%s (%s)", in.Pattern, orDash(in.PatternType))
	}
	if len(in.Type) > 0 || len(in.IndicatorTypes) > 0 {
		line("  types", "%s", strings.Join(append(append([]string(nil), in.Type...), in.IndicatorTypes...), ", "))
	}
	if !in.ValidFrom.IsZero() || !in.ValidUntil.IsZero() {
		line("  valid", "%s → %s", stamp(in.ValidFrom), stamp(in.ValidUntil))
	}
	if in.ConfidenceScore != nil {
		line("  confidence", "%d (%s)", *in.ConfidenceScore, in.Confidence)
	}
	if in.Revoked {
		line("  revoked", "yes")
	}
	if d.Marking != nil {
		line("tlp", "%s (TLP %s)", d.Marking.TLP, d.Marking.TLPVersion)
	} else {
		line("tlp", "none")
	}
	for _, s := range d.Sources {
		extra := ""
		if s.Confidence != nil {
			extra = fmt.Sprintf(", reliability %d", *s.Confidence)
		}
		line("source", "%s (%s%s)", s.Name, s.STIXID, extra)
	}
	for _, g := range []struct {
		label string
		list  []Entity
	}{
		{"threat actor", d.ThreatActors}, {"intrusion set", d.IntrusionSets}, {"malware", d.Malware},
		{"tool", d.Tools}, {"campaign", d.Campaigns}, {"attack pattern", d.AttackPatterns},
		{"course of action", d.CoursesOfAction},
	} {
		for _, e := range g.list {
			line(g.label, "%s", entityText(e))
		}
	}
	for _, t := range d.Tactics {
		line("tactic", "%s %s", orDash(t.ID), t.Name)
	}
	for _, r := range d.Relationships {
		line("relationship", "%s %s %s", orID(r.SourceName, r.SourceRef), r.Type, orID(r.TargetName, r.TargetRef))
	}
	if len(d.Unresolved) > 0 {
		line("unresolved", "%s", strings.Join(d.Unresolved, ", "))
	}
	if d.Malformed > 0 {
		line("malformed", "%d objects", d.Malformed)
	}
	if d.Truncated {
		line("truncated", "lists cut at %d entries", MaxListLen)
	}
	if !d.FetchedAt.IsZero() {
		line("fetched", "%s (%s, %d referenced objects fetched)", stamp(d.FetchedAt), orDash(d.BundleID), d.Fetched)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return bw.Flush()
}

func entityText(e Entity) string {
	var b strings.Builder
	if e.ID != "" {
		b.WriteString(e.ID + " ")
	}
	b.WriteString(orDash(e.Name))
	if len(e.Alias) > 0 {
		b.WriteString(" (aka " + strings.Join(e.Alias, ", ") + ")")
	}
	if len(e.Kinds) > 0 {
		b.WriteString(" [" + strings.Join(e.Kinds, ", ") + "]")
	}
	b.WriteString(" " + e.STIXID)
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func orID(name, id string) string {
	if name == "" {
		return id
	}
	return name + " (" + idType(id) + ")"
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// safe replaces control and format characters (escape sequences, tabs
// that tabwriter would take as columns, bidirectional overrides) with
// spaces.
func safe(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return ' '
		}
		return r
	}, s)
}
