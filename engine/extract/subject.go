package extract

import (
	"fmt"
	"strings"
)

// subjectRoute is a compiled SubjectRule.
type subjectRoute struct {
	tokens []string
	p      *Profile // nil: auto-detection
}

func (x *Extractor) compileRoute(r SubjectRule) (subjectRoute, error) {
	if r.Subject == "" {
		return subjectRoute{}, fmt.Errorf("extract: subject rule without subject")
	}
	tokens := strings.Split(r.Subject, ".")
	for i, t := range tokens {
		if t == "" || (t == ">" && i != len(tokens)-1) || (strings.ContainsAny(t, "*>") && len(t) > 1) {
			return subjectRoute{}, fmt.Errorf("extract: invalid subject pattern %q", r.Subject)
		}
	}
	route := subjectRoute{tokens: tokens}
	if r.Profile != "auto" && r.Profile != "" {
		if route.p = x.profiles[r.Profile]; route.p == nil {
			return subjectRoute{}, fmt.Errorf("extract: subject %q: unknown profile %q", r.Subject, r.Profile)
		}
	}
	return route, nil
}

// ProfileFor returns the profile configured for a NATS subject, or nil when
// the events of that subject are auto-detected (no rule matches, or the
// rule says "auto"). Rules are tried in configuration order; "*" matches one
// token and ">" one or more trailing tokens. The engine should call it once
// per subscription or cache the answer per subject.
func (x *Extractor) ProfileFor(subject string) *Profile {
	for _, r := range x.subjects {
		if matchSubject(r.tokens, subject) {
			return r.p
		}
	}
	return nil
}

func matchSubject(pattern []string, subject string) bool {
	for _, pt := range pattern {
		if subject == "" {
			return false
		}
		if pt == ">" {
			return true
		}
		tok, rest, more := strings.Cut(subject, ".")
		if tok == "" || (more && rest == "") {
			return false
		}
		if pt != "*" && pt != tok {
			return false
		}
		subject = rest
	}
	return subject == ""
}
