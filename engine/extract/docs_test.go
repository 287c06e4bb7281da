package extract

import (
	"bytes"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
)

const profilesDoc = "../../docs/profiles.md"

// stixTarget says where a field's values land in the STIX observation.
func stixTarget(f FieldSpec) string {
	role := f.Role
	end := func(src, dst string) string {
		switch role {
		case "source":
			return src
		case "destination":
			return dst
		}
		return ""
	}
	switch f.Kind {
	case "ip", "ipv4", "ipv6":
		if s := end("network-traffic:src_ref.value", "network-traffic:dst_ref.value"); s != "" {
			return "ipv4-addr/ipv6-addr:value, " + s
		}
		if role == "dns-answer" {
			return "ipv4-addr:value, domain-name:resolves_to_refs[*].value"
		}
		return "ipv4-addr/ipv6-addr:value"
	case "host":
		if role == "http-host" {
			return "domain-name:value or ipv4-addr:value, http-request-ext request_header.Host"
		}
		if role == "dns-answer" {
			return "domain-name/ipv4-addr:value, domain-name:resolves_to_refs[*].value"
		}
		return "domain-name:value or ipv4-addr/ipv6-addr:value"
	case "port":
		if s := end("network-traffic:src_port", "network-traffic:dst_port"); s != "" {
			return s
		}
		return "port of the HTTP Host (URL)"
	case "domain":
		if role == "dns-query" {
			return "domain-name:value (with resolves_to_refs)"
		}
		return "domain-name:value"
	case "url":
		if role == "http-referrer" {
			return "url:value, http-request-ext request_header.Referer"
		}
		return "url:value"
	case "url-path":
		return "http-request-ext request_value; url:value built with the Host"
	case "email", "email-list":
		switch role {
		case "email-from":
			return "email-addr:value, email-message:from_ref"
		case "email-to":
			return "email-addr:value, email-message:to_refs"
		case "email-cc":
			return "email-addr:value, email-message:cc_refs"
		}
		return "email-addr:value"
	case "md5", "sha1", "sha256", "sha512", "hash", "hash-list", "ssdeep":
		switch role {
		case "certificate":
			return "x509-certificate:hashes"
		case "process":
			return "process:image_ref.hashes"
		case "parent-process":
			return "process:parent_ref.image_ref.hashes"
		}
		return "file:hashes"
	case "file-name":
		return "file:name"
	case "file-path":
		if role == "process" {
			return "process:image_ref (file name + directory), process:name"
		}
		if role == "parent-process" {
			return "process:parent_ref.image_ref, process:parent_ref.name"
		}
		return "file:name + file:parent_directory_ref.path"
	case "directory":
		if role == "file" {
			return "file:parent_directory_ref.path"
		}
		return "directory:path"
	case "user-agent":
		return "http-request-ext request_header.User-Agent"
	case "registry-key":
		return "windows-registry-key:key"
	case "command-line":
		if role == "parent-process" {
			return "process:parent_ref.command_line"
		}
		return "process:command_line"
	case "process-name":
		if role == "parent-process" {
			return "process:parent_ref.name"
		}
		return "process:name"
	case "pid":
		if role == "parent-process" {
			return "process:parent_ref.pid"
		}
		return "process:pid"
	case "user-account":
		return "user-account:account_login"
	case "user-id":
		return "user-account:user_id"
	case "x509-serial":
		return "x509-certificate:serial_number"
	case "x509-subject":
		if role == "cert-issuer" {
			return "x509-certificate:issuer"
		}
		return "x509-certificate:subject (+ CN as domain-name, emailAddress as email-addr)"
	case "software":
		return "software:name"
	case "email-subject":
		return "email-message:subject"
	case "protocol", "app-protocol":
		return "network-traffic:protocols"
	case "http-method":
		return "http-request-ext request_method"
	case "mac":
		return "mac-addr:value"
	case "ja3", "ja3s":
		return "(index only)"
	case "dns-results":
		return "domain-name/ipv4-addr, domain-name:resolves_to_refs"
	case "json":
		return "(JSON inside a string, read with this prefix)"
	case "text":
		return "(token scanner: " + strings.Join(orAll(f.Scan), ", ") + ")"
	case "ignore":
		return "(not scanned)"
	}
	return ""
}

func orAll(s []string) []string {
	if len(s) == 0 {
		return []string{"ip", "domain", "url", "email", "hash"}
	}
	return s
}

func fieldRows(b *bytes.Buffer, fields map[string]FieldSpec) {
	paths := make([]string, 0, len(fields))
	for p := range fields {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	b.WriteString("| field | kind / action | role | group | STIX |\n|---|---|---|---|---|\n")
	for _, p := range paths {
		f := fields[p]
		kind := f.Kind
		if len(f.Values) > 0 {
			keys := make([]string, 0, len(f.Values))
			for k := range f.Values {
				keys = append(keys, k+"→"+f.Values[k])
			}
			sort.Strings(keys)
			kind += " (only " + strings.Join(keys, ", ") + ")"
		}
		role := f.Role
		if role == "" {
			role = "(default)"
		}
		fmt.Fprintf(b, "| `%s` | %s | %s | %s | %s |\n", p, kind, role, f.Group, stixTarget(f))
	}
}

// renderProfile writes the generated reference of one profile.
func renderProfile(s ProfileSpec) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "*%s.* Priority %d.", s.Description, s.Priority)
	if len(s.Detect) > 0 {
		var sets []string
		for _, set := range s.Detect {
			sets = append(sets, "{`"+strings.Join(set, "`, `")+"`}")
		}
		fmt.Fprintf(&b, " Detected when the top-level keys include all of one of: %s.", strings.Join(sets, ", "))
	} else if s.Text {
		b.WriteString(" Used for every event that is not a JSON object.")
	} else {
		b.WriteString(" Used for JSON objects no other profile detects.")
	}
	if len(s.Time.Fields) > 0 {
		fmt.Fprintf(&b, " Time fields, best first: `%s`.", strings.Join(s.Time.Fields, "`, `"))
	} else {
		b.WriteString(" Time: arrival.")
	}
	if len(s.Prefixes) > 0 {
		fmt.Fprintf(&b, " Every field is also read under the prefixes `%s`.", strings.Join(s.Prefixes, "`, `"))
	}
	if s.UnderscoreAliases {
		b.WriteString(" Every dotted field is also read with underscores (`id.orig_h` and `id_orig_h`).")
	}
	if len(s.ScanUnmapped) > 0 {
		fmt.Fprintf(&b, " Unmapped string values are token-scanned for: %s.", strings.Join(s.ScanUnmapped, ", "))
	}
	if len(s.Discriminator) > 0 {
		fmt.Fprintf(&b, " Variants are chosen by the value of `%s`.", strings.Join(s.Discriminator, "`, `"))
	}
	b.WriteString("\n\n")
	if len(s.Fields) > 0 {
		fieldRows(&b, s.Fields)
	}
	vals := make([]string, 0, len(s.Variants))
	for v := range s.Variants {
		vals = append(vals, v)
	}
	sort.Strings(vals)
	for _, v := range vals {
		fmt.Fprintf(&b, "\nVariant `%s`:\n\n", v)
		fieldRows(&b, s.Variants[v])
	}
	return b.String()
}

// TestProfilesDoc keeps the generated parts of docs/profiles.md in step with
// the embedded profiles; run with -update to rewrite them.
func TestProfilesDoc(t *testing.T) {
	doc, err := os.ReadFile(profilesDoc)
	if err != nil {
		t.Fatal(err)
	}
	specs, err := BuiltinProfiles()
	if err != nil {
		t.Fatal(err)
	}
	out := string(doc)
	for _, s := range specs {
		begin := "<!-- BEGIN GENERATED " + s.Name + " -->\n"
		end := "<!-- END GENERATED " + s.Name + " -->"
		i, j := strings.Index(out, begin), strings.Index(out, end)
		if i < 0 || j < i {
			t.Errorf("docs/profiles.md has no generated block for profile %s", s.Name)
			continue
		}
		out = out[:i+len(begin)] + renderProfile(s) + out[j:]
	}
	if out == string(doc) {
		return
	}
	if *update {
		if err := os.WriteFile(profilesDoc, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("docs/profiles.md is out of date with the embedded profiles; run go test ./engine/extract -run TestProfilesDoc -update")
}
