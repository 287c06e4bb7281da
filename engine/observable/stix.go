package observable

// stixPaths lists, per kind, the STIX 2.1 object paths whose comparison
// values have that kind. The first path is the kind's home; the others are
// where the same value appears inside other objects of an observation.
var stixPaths = [numKinds][]string{
	IPv4: {
		"ipv4-addr:value",
		"network-traffic:src_ref.value",
		"network-traffic:dst_ref.value",
		"domain-name:resolves_to_refs[*].value",
	},
	IPv6: {
		"ipv6-addr:value",
		"network-traffic:src_ref.value",
		"network-traffic:dst_ref.value",
		"domain-name:resolves_to_refs[*].value",
	},
	Domain: {
		"domain-name:value",
		"domain-name:resolves_to_refs[*].value",
		"network-traffic:dst_ref.value",
	},
	URL:   {"url:value"},
	Email: {"email-addr:value", "email-message:from_ref.value", "email-message:to_refs[*].value", "email-message:cc_refs[*].value"},
	MD5:   {"file:hashes.MD5", "x509-certificate:hashes.MD5", "process:image_ref.hashes.MD5"},
	SHA1:  {"file:hashes.'SHA-1'", "x509-certificate:hashes.'SHA-1'", "process:image_ref.hashes.'SHA-1'"},
	SHA256: {
		"file:hashes.'SHA-256'", "x509-certificate:hashes.'SHA-256'", "process:image_ref.hashes.'SHA-256'",
	},
	SHA512:      {"file:hashes.'SHA-512'", "x509-certificate:hashes.'SHA-512'"},
	SHA3_256:    {"file:hashes.'SHA3-256'"},
	SHA3_512:    {"file:hashes.'SHA3-512'"},
	SSDEEP:      {"file:hashes.SSDEEP"},
	MAC:         {"mac-addr:value"},
	AddrPort:    {"network-traffic:dst_ref.value+dst_port", "network-traffic:src_ref.value+src_port"},
	FileName:    {"file:name", "process:image_ref.name"},
	FilePath:    {"file:parent_directory_ref.path+name", "process:image_ref.parent_directory_ref.path+name"},
	Directory:   {"directory:path", "file:parent_directory_ref.path"},
	UserAgent:   {"network-traffic:extensions.'http-request-ext'.request_header.'User-Agent'"},
	RegistryKey: {"windows-registry-key:key"},
	CommandLine: {"process:command_line", "process:parent_ref.command_line"},
	ProcessName: {"process:name", "process:parent_ref.name"},
	UserAccount: {"user-account:account_login", "user-account:user_id"},
	Mutex:       {"mutex:name"},
	X509Serial:  {"x509-certificate:serial_number"},
	X509Subject: {"x509-certificate:subject", "x509-certificate:issuer"},
	Software:    {"software:name"},
	EmailSubject: {
		"email-message:subject",
	},
}

// STIXPaths returns the STIX object paths under which values of kind k
// appear in the observations the extractor builds; the first is the kind's
// home. A "+" joins two properties that together hold the value (an
// address/port pair, a directory and a file name). JA3, JA3S and Text have no
// standard STIX home and return nil. The caller owns the returned slice.
func (k Kind) STIXPaths() []string {
	if k >= numKinds || stixPaths[k] == nil {
		return nil
	}
	return append([]string(nil), stixPaths[k]...)
}
