package extract

import (
	"github.com/indicator-matcher/matcher/engine/observable"
)

// Readers for the value formats of particular fields: host[:port], hashes
// named by length or listed as "ALG=hex", address lists, request targets,
// Sysmon DNS results, JSON held in a string and distinguished names.

// addHost adds an IP address or a domain name; a ":port" suffix is split
// off. The raw value of an HTTP Host header is also kept to build the URL.
func (w *walker) addHost(a *action, v []byte) {
	if a.role == observable.RoleHTTPHost {
		w.ev.attrs = append(w.ev.attrs, attr{opHost, a.role, a.group, a.path, v})
	}
	if w.addIP(a.path, a.role, a.group, v) {
		return
	}
	host := v
	if len(host) > 0 && host[0] == '[' { // [v6]:port
		for i, c := range host {
			if c == ']' {
				w.addIP(a.path, a.role, a.group, host[1:i])
				return
			}
		}
		return
	}
	for i := len(host) - 1; i >= 0; i-- {
		if host[i] == ':' {
			if _, ok := observable.ParsePort(host[i+1:]); ok {
				host = host[:i]
			}
			break
		}
	}
	if w.addIP(a.path, a.role, a.group, host) {
		return
	}
	w.addKind(a, observable.Domain, a.role, host)
}

// addHash adds a hex digest whose algorithm follows from its length.
func (w *walker) addHash(a *action, v []byte) {
	n := 0
	for _, c := range v {
		if c != ':' && c != ' ' {
			n++
		}
	}
	if k, ok := observable.HashKindForHexLen(n); ok {
		w.addKind(a, k, a.role, v)
	}
}

// addHashList reads Sysmon's "SHA1=…,MD5=…,SHA256=…,IMPHASH=…".
func (w *walker) addHashList(a *action, v []byte) {
	for len(v) > 0 {
		item := v
		v = nil
		if i := indexByte(item, ','); i >= 0 {
			item, v = item[:i], item[i+1:]
		}
		if i := indexByte(item, '='); i >= 0 {
			if k, ok := hashAlgorithm(trim(item[:i])); ok {
				w.addKind(a, k, a.role, item[i+1:])
			}
		}
	}
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// hashAlgorithm maps a hash name as logs spell it to a kind.
func hashAlgorithm(name []byte) (observable.Kind, bool) {
	var b [8]byte
	n := 0
	for _, c := range name {
		if c == '-' || c == '_' || c == ' ' {
			continue
		}
		if n == len(b) {
			return observable.Invalid, false
		}
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		b[n] = c
		n++
	}
	switch string(b[:n]) {
	case "MD5":
		return observable.MD5, true
	case "SHA1":
		return observable.SHA1, true
	case "SHA256":
		return observable.SHA256, true
	case "SHA512":
		return observable.SHA512, true
	}
	return observable.Invalid, false
}

// addEmailList reads an address list such as a From or To header:
// `"Doe, John" <j@d.example>, other@x.example`.
func (w *walker) addEmailList(a *action, v []byte) {
	inQuote, start := false, 0
	for i := 0; i <= len(v); i++ {
		if i < len(v) {
			switch v[i] {
			case '"':
				inQuote = !inQuote
				continue
			case ',', ';':
				if inQuote {
					continue
				}
			default:
				continue
			}
		}
		part := v[start:i]
		start = i + 1
		if l, r := lastIndex(part, '<'), lastIndex(part, '>'); l >= 0 && r > l {
			part = part[l+1 : r]
		}
		w.addKind(a, observable.Email, a.role, part)
	}
}

func lastIndex(b []byte, c byte) int {
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == c {
			return i
		}
	}
	return -1
}

// addURLPath keeps an HTTP request target for URL building; an absolute
// target (proxy requests) is a URL by itself.
func (w *walker) addURLPath(a *action, v []byte) {
	if len(v) > 0 && v[0] != '/' && v[0] != '*' {
		for i := 0; i+2 < len(v) && i < 16; i++ {
			if v[i] == ':' && v[i+1] == '/' && v[i+2] == '/' {
				w.addKind(a, observable.URL, observable.RoleURL, v)
				return
			}
		}
	}
	w.ev.attrs = append(w.ev.attrs, attr{opURLPath, a.role, a.group, a.path, v})
}

// addDNSResults reads Sysmon's QueryResults: "type:  5 cdn.example;::ffff:1.2.3.4;".
func (w *walker) addDNSResults(a *action, v []byte) {
	for len(v) > 0 {
		item := v
		v = nil
		if i := indexByte(item, ';'); i >= 0 {
			item, v = item[:i], item[i+1:]
		}
		item = trim(item)
		if len(item) > 5 && string(item[:5]) == "type:" {
			item = trim(item[5:])
			for len(item) > 0 && item[0] >= '0' && item[0] <= '9' {
				item = item[1:]
			}
			w.addKind(a, observable.Domain, a.role, trim(item))
			continue
		}
		w.addIP(a.path, a.role, a.group, item)
	}
}

// nestedJSON scans a string that holds a JSON object (EventData shipped as
// a string) with the field's path as prefix. Only one level of nesting is
// followed; a string that is not a valid object is left as a string.
func (w *walker) nestedJSON(a *action, v []byte) {
	t := trim(v)
	if w.nesting > 0 || len(t) < 2 || t[0] != '{' {
		return
	}
	w.nesting++
	_ = w.ev.nested.Scan(t, a.prefix, w)
	w.nesting--
}

func trim(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\r' || b[0] == '\n') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\r' || b[len(b)-1] == '\n') {
		b = b[:len(b)-1]
	}
	return b
}

// dnAttr returns the value of attribute name (ASCII case-insensitive) in a
// distinguished name, either "CN=a.example,O=x" or "/O=x/CN=a.example". A
// leading wildcard label of a CN is dropped.
func dnAttr(dn []byte, name string) []byte {
	n := len(name)
	for i := 0; i+n < len(dn); i++ {
		if i > 0 && dn[i-1] != ',' && dn[i-1] != '/' && dn[i-1] != ' ' {
			continue
		}
		if dn[i+n] != '=' || !observable.EqualFoldASCII(dn[i:i+n], name) {
			continue
		}
		v := dn[i+n+1:]
		for j, c := range v {
			if c == ',' || c == '/' || c == '+' {
				v = v[:j]
				break
			}
		}
		if len(v) > 2 && v[0] == '*' && v[1] == '.' {
			v = v[2:]
		}
		return trim(v)
	}
	return nil
}

// addPathParts adds what a full path also names, so that indicators on
// those paths find it in the indexes: the file name (file:name,
// process:image_ref.name), the directory (directory:path,
// file:parent_directory_ref.path) and, for a process image, the process
// name (process:name).
func (w *walker) addPathParts(a *action, v []byte) {
	i := len(v) - 1
	for i >= 0 && v[i] != '/' && v[i] != '\\' {
		i--
	}
	if i < 0 {
		w.addKind(a, observable.FileName, a.role, v)
	} else {
		if i+1 < len(v) {
			w.addKind(a, observable.FileName, a.role, v[i+1:])
		}
		if i > 0 {
			w.addKind(a, observable.Directory, a.role, v[:i])
		}
	}
	if (a.role == observable.RoleProcess || a.role == observable.RoleParentProcess) && i+1 < len(v) {
		w.addKind(a, observable.ProcessName, a.role, v[i+1:])
	}
}
