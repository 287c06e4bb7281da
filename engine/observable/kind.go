package observable

import "strconv"

// Kind is the kind of an observable value. The zero Kind is Invalid.
type Kind uint8

// The observable kinds. The comment gives the STIX 2.1 home of each kind; see
// Kind.STIXPaths for the full list of object paths a kind can appear under.
const (
	Invalid      Kind = iota
	IPv4              // ipv4-addr:value
	IPv6              // ipv6-addr:value
	Domain            // domain-name:value
	URL               // url:value
	Email             // email-addr:value
	MD5               // file:hashes.MD5
	SHA1              // file:hashes.'SHA-1'
	SHA256            // file:hashes.'SHA-256'
	SHA512            // file:hashes.'SHA-512'
	SHA3_256          // file:hashes.'SHA3-256'
	SHA3_512          // file:hashes.'SHA3-512'
	SSDEEP            // file:hashes.SSDEEP
	MAC               // mac-addr:value
	AddrPort          // network-traffic:dst_ref.value + dst_port (or src_ref + src_port)
	FileName          // file:name
	FilePath          // file:parent_directory_ref.path + file:name (a full path)
	Directory         // directory:path
	UserAgent         // network-traffic:extensions.'http-request-ext'.request_header.'User-Agent'
	RegistryKey       // windows-registry-key:key
	CommandLine       // process:command_line
	ProcessName       // process:name
	UserAccount       // user-account:account_login
	Mutex             // mutex:name
	X509Serial        // x509-certificate:serial_number
	X509Subject       // x509-certificate:subject (role RoleCertIssuer: issuer)
	Software          // software:name
	EmailSubject      // email-message:subject
	JA3               // TLS client fingerprint (MD5 hex); no standard STIX home
	JA3S              // TLS server fingerprint (MD5 hex); no standard STIX home
	Text              // a raw text line or free-text value, for substring atoms only

	numKinds
)

var kindNames = [numKinds]string{
	Invalid:      "invalid",
	IPv4:         "ipv4",
	IPv6:         "ipv6",
	Domain:       "domain",
	URL:          "url",
	Email:        "email",
	MD5:          "md5",
	SHA1:         "sha1",
	SHA256:       "sha256",
	SHA512:       "sha512",
	SHA3_256:     "sha3-256",
	SHA3_512:     "sha3-512",
	SSDEEP:       "ssdeep",
	MAC:          "mac",
	AddrPort:     "addr-port",
	FileName:     "file-name",
	FilePath:     "file-path",
	Directory:    "directory",
	UserAgent:    "user-agent",
	RegistryKey:  "registry-key",
	CommandLine:  "command-line",
	ProcessName:  "process-name",
	UserAccount:  "user-account",
	Mutex:        "mutex",
	X509Serial:   "x509-serial",
	X509Subject:  "x509-subject",
	Software:     "software",
	EmailSubject: "email-subject",
	JA3:          "ja3",
	JA3S:         "ja3s",
	Text:         "text",
}

// String returns the kind's name as used in profiles and documentation.
func (k Kind) String() string {
	if k < numKinds {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Kinds returns every valid kind, in declaration order.
func Kinds() []Kind {
	out := make([]Kind, 0, numKinds-1)
	for k := Kind(1); k < numKinds; k++ {
		out = append(out, k)
	}
	return out
}

// ParseKind returns the kind whose String is name.
func ParseKind(name string) (Kind, bool) {
	for k := Kind(1); k < numKinds; k++ {
		if kindNames[k] == name {
			return k, true
		}
	}
	return Invalid, false
}

// IsIP reports whether k is IPv4 or IPv6.
func (k Kind) IsIP() bool { return k == IPv4 || k == IPv6 }

// IsHash reports whether k is a hex digest kind (including JA3/JA3S) or
// SSDEEP.
func (k Kind) IsHash() bool {
	switch k {
	case MD5, SHA1, SHA256, SHA512, SHA3_256, SHA3_512, SSDEEP, JA3, JA3S:
		return true
	}
	return false
}

// HashAlgorithm returns the STIX hash-algorithm vocabulary name of a file hash
// kind ("MD5", "SHA-1", "SHA-256", "SHA-512", "SHA3-256", "SHA3-512",
// "SSDEEP"), or "" for other kinds.
func (k Kind) HashAlgorithm() string {
	switch k {
	case MD5:
		return "MD5"
	case SHA1:
		return "SHA-1"
	case SHA256:
		return "SHA-256"
	case SHA512:
		return "SHA-512"
	case SHA3_256:
		return "SHA3-256"
	case SHA3_512:
		return "SHA3-512"
	case SSDEEP:
		return "SSDEEP"
	}
	return ""
}

// hexLen returns the number of hex digits of a digest kind, or 0.
func (k Kind) hexLen() int {
	switch k {
	case MD5, JA3, JA3S:
		return 32
	case SHA1:
		return 40
	case SHA256, SHA3_256:
		return 64
	case SHA512, SHA3_512:
		return 128
	}
	return 0
}

// HashKindForHexLen returns the file hash kind a hex digest of n digits most
// likely is (32 → MD5, 40 → SHA1, 64 → SHA256, 128 → SHA512), for sources
// that do not name the algorithm.
func HashKindForHexLen(n int) (Kind, bool) {
	switch n {
	case 32:
		return MD5, true
	case 40:
		return SHA1, true
	case 64:
		return SHA256, true
	case 128:
		return SHA512, true
	}
	return Invalid, false
}
