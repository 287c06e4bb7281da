package intelserver

import (
	"net/netip"
	"regexp"
	"strings"
)

// comparisonRE finds "object-type:path OP 'literal'" in a STIX pattern.
var comparisonRE = regexp.MustCompile(`([a-z0-9-]+):([A-Za-z0-9_.'\-\[\]\*]+)\s*(=|ISSUBSET|LIKE|MATCHES|!=)\s*'((?:[^'\\]|\\.)*)'`)

// observable is a value an indicator can be looked up by with
// indicators/context?type=&value=.
type observable struct {
	typ, value string
}

// observables returns the lookup keys of a pattern's equality comparisons.
// Types follow the API: file hashes are "file", file names "filename",
// network-traffic destinations are "ipv4-addr"/"ipv6-addr"/"domain-name".
func observables(pattern string) []observable {
	var out []observable
	for _, m := range comparisonRE.FindAllStringSubmatch(pattern, -1) {
		if m[3] != "=" {
			continue
		}
		obj, path := m[1], m[2]
		v := strings.ReplaceAll(strings.ReplaceAll(m[4], `\'`, `'`), `\\`, `\`)
		var typ string
		switch {
		case path == "value" && (obj == "ipv4-addr" || obj == "ipv6-addr" || obj == "domain-name" || obj == "url" || obj == "email-addr"):
			typ = obj
		case obj == "file" && strings.HasPrefix(path, "hashes."):
			typ = "file"
		case obj == "file" && path == "name":
			typ = "filename"
		case obj == "network-traffic" && path == "dst_ref.value":
			typ = "domain-name"
			if a, err := netip.ParseAddr(v); err == nil {
				typ = "ipv4-addr"
				if a.Is6() {
					typ = "ipv6-addr"
				}
			}
		default:
			continue
		}
		out = append(out, observable{typ, normalizeValue(typ, v)})
	}
	return out
}

// normalizeValue folds case where the API's lookups are case-insensitive.
func normalizeValue(typ, v string) string {
	switch typ {
	case "domain-name", "email-addr", "file", "ipv6-addr":
		return strings.ToLower(v)
	}
	return v
}

// observableTypes lists the object types a pattern compares, in order of
// appearance, as x_ic_observable_types does.
func observableTypes(pattern string) []string {
	var out []string
	for _, m := range comparisonRE.FindAllStringSubmatch(pattern, -1) {
		t := m[1]
		dup := false
		for _, o := range out {
			dup = dup || o == t
		}
		if !dup {
			out = append(out, t)
		}
	}
	return out
}
