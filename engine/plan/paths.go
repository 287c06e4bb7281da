package plan

import (
	"strings"
	"sync"

	"github.com/indicator-matcher/matcher/engine/observable"
	"github.com/indicator-matcher/matcher/engine/pattern"
)

// pathInfo says which observable kinds a STIX object path can hold.
type pathInfo struct {
	kinds []observable.Kind // in preference order
	home  bool              // the path is the home of its kind
}

// pathTable maps a normalised object path to its kinds. It is built once
// from observable.Kind.STIXPaths, so that the compile path and the event
// side agree on where each kind lives.
var pathTable = sync.OnceValue(func() map[string]pathInfo {
	t := map[string]pathInfo{}
	for _, k := range observable.Kinds() {
		for i, p := range k.STIXPaths() {
			if strings.Contains(p, "+") {
				continue // composite paths are recognised by analysis
			}
			key := strings.ReplaceAll(p, "'", "")
			info := t[key]
			info.kinds = append(info.kinds, k)
			info.home = info.home || i == 0
			t[key] = info
		}
	}
	return t
})

// hashAlgorithm maps spellings of a hash algorithm to the STIX
// vocabulary name ("sha256", "SHA256", "sha-256" → "SHA-256").
func hashAlgorithm(name string) (string, observable.Kind, bool) {
	switch strings.ReplaceAll(strings.ToUpper(name), "-", "") {
	case "MD5":
		return "MD5", observable.MD5, true
	case "SHA1":
		return "SHA-1", observable.SHA1, true
	case "SHA256":
		return "SHA-256", observable.SHA256, true
	case "SHA512":
		return "SHA-512", observable.SHA512, true
	case "SHA3256":
		return "SHA3-256", observable.SHA3_256, true
	case "SHA3512":
		return "SHA3-512", observable.SHA3_512, true
	case "SSDEEP":
		return "SSDEEP", observable.SSDEEP, true
	}
	return "", 0, false
}

// appendPathKey writes a path the way pathTable keys are written: type,
// colon, keys joined by dots without quotes, [*] and [n] steps inline.
func appendPathKey(b []byte, p pattern.ObjectPath) []byte {
	b = append(b, p.ObjectType...)
	b = append(b, ':')
	for i, s := range p.Steps {
		switch s.Kind {
		case pattern.StepKey:
			if i > 0 {
				b = append(b, '.')
			}
			b = append(b, s.Key...)
		case pattern.StepAny:
			b = append(b, "[*]"...)
		case pattern.StepIndex:
			b = append(b, '[')
			b = append(b, s.Text...)
			b = append(b, ']')
		}
	}
	return b
}

// pathKey returns appendPathKey as a string.
func pathKey(p pattern.ObjectPath) string {
	var buf [96]byte
	return string(appendPathKey(buf[:0], p))
}

// lookupPath returns what the table knows of a path.
func lookupPath(p pattern.ObjectPath) (pathInfo, bool) {
	var buf [96]byte
	info, ok := pathTable()[string(appendPathKey(buf[:0], p))]
	return info, ok
}

// pathKind returns the first kind of a path and whether it is that kind's
// home; Invalid when the path is unknown.
func pathKind(p pattern.ObjectPath) (observable.Kind, bool) {
	info, ok := lookupPath(p)
	if !ok || len(info.kinds) == 0 {
		return observable.Invalid, false
	}
	return info.kinds[0], info.home
}

// kindFor picks the kind a literal compared on a path has: an address when
// it parses as one, a domain otherwise, the path's only kind when it has
// one.
func kindFor(info pathInfo, literal string) (observable.Kind, bool) {
	hasIP, hasDomain := false, false
	for _, k := range info.kinds {
		hasIP = hasIP || k.IsIP()
		hasDomain = hasDomain || k == observable.Domain
	}
	if hasIP {
		lit := literal
		if i := strings.IndexByte(lit, '/'); i >= 0 {
			lit = lit[:i]
		}
		if a, err := observable.ParseIP([]byte(lit)); err == nil {
			return observable.IPKind(a), true
		}
		if hasDomain {
			return observable.Domain, true
		}
		return info.kinds[0], false
	}
	return info.kinds[0], true
}
