package plan

import (
	"fmt"
	"io"
	"strings"

	"github.com/indicator-matcher/matcher/engine/observable"
)

// Explain writes a human-readable account of the plan: the canonical
// pattern it verifies, the index entries that produce candidates, and
// whether a hit needs verification.
func (pl *Plan) Explain(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "pattern:    %s\n", pl.Original)
	if canon := pl.Pattern.String(); canon != pl.Original {
		fmt.Fprintf(&b, "canonical:  %s\n", canon)
	}
	switch {
	case pl.VerifyAlways:
		b.WriteString("candidates: every event (no comparison an index can serve); verified against the whole pattern\n")
	case len(pl.Entries) == 0:
		b.WriteString("candidates: none; the pattern can never be true of an event (see the warnings)\n")
	default:
		fmt.Fprintf(&b, "candidates: an event hitting any of %d index entr%s:\n", len(pl.Entries), plural(len(pl.Entries), "y", "ies"))
		for _, e := range pl.Entries {
			from := ""
			if e.From != nil {
				from = e.From.String()
			}
			if e.Kind == observable.AddrPort {
				from += " and its port"
			}
			if e.Role != 0 && e.Type != Port {
				fmt.Fprintf(&b, "  - %s (a hit proves the pattern only for role %s)    from %s\n", e, e.Role, from)
			} else {
				fmt.Fprintf(&b, "  - %s    from %s\n", e, from)
			}
		}
		if pl.Proven {
			b.WriteString("verify:     not needed; an exact or CIDR hit proves the pattern\n")
		} else {
			b.WriteString("verify:     each candidate against the whole pattern\n")
		}
	}
	for _, w := range pl.Warnings {
		fmt.Fprintf(&b, "warning:    %s\n", w)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
