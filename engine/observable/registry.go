package observable

import "strings"

// Windows registry keys. Windows compares key names without regard to
// case, and logs and feeds spell the same key several ways: Sysmon writes
// HKLM\… and HKU\…, the kernel \REGISTRY\MACHINE\…, STIX requires the
// full hive name (HKEY_LOCAL_MACHINE\…) and feeds use all of them, with
// any case (SOFTWARE, Software) and sometimes doubled separators. The
// canonical form makes them one key: the hive spelled out, ASCII letters
// in lower case, runs of backslashes collapsed to one and a trailing one
// dropped.

// registryHives maps the spellings of a hive at the start of a key, in
// upper case, to the canonical (lower-case, full) name.
var registryHives = [...]struct{ alias, full string }{
	{`HKEY_LOCAL_MACHINE`, "hkey_local_machine"},
	{`HKLM`, "hkey_local_machine"},
	{`\REGISTRY\MACHINE`, "hkey_local_machine"},
	{`HKEY_CURRENT_USER`, "hkey_current_user"},
	{`HKCU`, "hkey_current_user"},
	{`HKEY_CLASSES_ROOT`, "hkey_classes_root"},
	{`HKCR`, "hkey_classes_root"},
	{`HKEY_USERS`, "hkey_users"},
	{`HKU`, "hkey_users"},
	{`\REGISTRY\USER`, "hkey_users"},
	{`HKEY_CURRENT_CONFIG`, "hkey_current_config"},
	{`HKCC`, "hkey_current_config"},
	{`HKEY_PERFORMANCE_DATA`, "hkey_performance_data"},
	{`HKPD`, "hkey_performance_data"},
}

// AppendRegistryKey appends the canonical form of a registry key (see
// above). A key that does not start with a known hive keeps its start
// as written, lower-cased. Only an empty key (or one of backslashes) is
// an error.
func AppendRegistryKey(dst, v []byte) ([]byte, error) {
	start := len(dst)
	rest := v
	if n, full := registryHive(v); n > 0 {
		dst = append(dst, full...)
		rest = v[n:]
	}
	for _, c := range rest {
		if c == '\\' && len(dst) > start && dst[len(dst)-1] == '\\' {
			continue // a run of separators is one
		}
		dst = append(dst, lower(c))
	}
	if len(dst) > start+1 && dst[len(dst)-1] == '\\' {
		dst = dst[:len(dst)-1]
	}
	if len(dst) == start || (len(dst) == start+1 && dst[start] == '\\') {
		return dst[:start], ErrEmpty
	}
	return dst, nil
}

// registryHive reports the length of the hive spelling that starts v (it
// must end v or be followed by a backslash) and the hive's canonical
// name; 0 when v starts with none.
func registryHive(v []byte) (int, string) {
	for _, h := range registryHives {
		n := len(h.alias)
		if len(v) < n || (len(v) > n && v[n] != '\\') {
			continue
		}
		if EqualFoldASCII(v[:n], h.alias) {
			return n, h.full
		}
	}
	return 0, ""
}

// AppendCurrentUserKey appends, for a canonical key under one user's hive
// (hkey_users\<SID>\… or hkey_users\.default\…), the same key as that
// user's programs name it, hkey_current_user\…, and reports true. A SID's
// Classes hive (hkey_users\<SID>_classes\…) is the user's
// hkey_current_user\software\classes\…. Sysmon and the kernel log user
// keys under HKU with the SID; feeds name them under HKCU. Other keys
// append nothing and report false.
func AppendCurrentUserKey(dst, canonical []byte) ([]byte, bool) {
	const users = `hkey_users\`
	if len(canonical) <= len(users) || string(canonical[:len(users)]) != users {
		return dst, false
	}
	rest := canonical[len(users):]
	seg := rest
	for i, c := range rest {
		if c == '\\' {
			seg = rest[:i]
			break
		}
	}
	tail := rest[len(seg):] // "" or `\…`
	classes := false
	if n := len(seg) - len("_classes"); n > 0 && string(seg[n:]) == "_classes" {
		seg, classes = seg[:n], true
	}
	if !(len(seg) > 4 && string(seg[:4]) == "s-1-") && string(seg) != ".default" {
		return dst, false
	}
	dst = append(dst, "hkey_current_user"...)
	if classes {
		dst = append(dst, `\software\classes`...)
	}
	return append(dst, tail...), true
}

// RegistryRegexp rewrites a regular expression over registry keys so that
// it matches canonical keys: case is ignored ((?i) is added), and a hive
// alias anchored at the start ("^HKLM\\…", "^\\REGISTRY\\MACHINE\\…")
// becomes the full hive name. Other expressions only gain (?i).
func RegistryRegexp(re string) string {
	body := strings.TrimPrefix(re, "(?i)")
	if strings.HasPrefix(body, "^") {
		rest := body[1:]
		for _, h := range registryHives {
			alias := strings.ReplaceAll(h.alias, `\`, `\\`) // as written in a regexp
			n := len(alias)
			if len(rest) >= n && strings.EqualFold(rest[:n], alias) && (len(rest) == n || strings.HasPrefix(rest[n:], `\\`) || rest[n] == '$') {
				body = "^" + h.full + rest[n:]
				break
			}
		}
	}
	return "(?i)" + body
}
