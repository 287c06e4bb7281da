package observable

import "strconv"

// Role says what part an observable plays in an event. The zero Role,
// RoleNone, means the role is unknown (a value found by scanning free text).
type Role uint8

// The roles.
const (
	RoleNone          Role = iota
	RoleSource             // network source (client) address, port or address/port
	RoleDestination        // network destination (server) address, port or address/port
	RoleHost               // a host named without direction (known_hosts, an ECS host.ip)
	RoleDNSQuery           // the name asked in a DNS query
	RoleDNSAnswer          // an address or name returned in a DNS answer
	RoleHTTPHost           // the HTTP Host header
	RoleHTTPReferrer       // the HTTP Referer header
	RoleURL                // a requested URL (built from host and path, or logged whole)
	RoleUserAgent          // an HTTP client user agent
	RoleTLSSNI             // the TLS server name indication
	RoleCertificate        // a certificate fingerprint or serial number
	RoleCertSubject        // a certificate subject or subject alternative name
	RoleCertIssuer         // a certificate issuer
	RoleFile               // a file's hash, name or path
	RoleEmailFrom          // an e-mail sender
	RoleEmailTo            // an e-mail recipient (To)
	RoleEmailCc            // an e-mail recipient (Cc, Bcc)
	RoleSMTPHelo           // the name a client gave in SMTP HELO/EHLO
	RoleProcess            // the process that acted: image, command line, name
	RoleParentProcess      // the parent of that process
	RoleRegistry           // a registry key that was touched
	RoleUser               // a user account that acted or was the target
	RoleClient             // a client software or fingerprint (JA3, SSH client)
	RoleServer             // a server software or fingerprint (JA3S, SSH server)
	RoleText               // a whole raw text line

	numRoles
)

var roleNames = [numRoles]string{
	RoleNone:          "none",
	RoleSource:        "source",
	RoleDestination:   "destination",
	RoleHost:          "host",
	RoleDNSQuery:      "dns-query",
	RoleDNSAnswer:     "dns-answer",
	RoleHTTPHost:      "http-host",
	RoleHTTPReferrer:  "http-referrer",
	RoleURL:           "url",
	RoleUserAgent:     "user-agent",
	RoleTLSSNI:        "tls-sni",
	RoleCertificate:   "certificate",
	RoleCertSubject:   "cert-subject",
	RoleCertIssuer:    "cert-issuer",
	RoleFile:          "file",
	RoleEmailFrom:     "email-from",
	RoleEmailTo:       "email-to",
	RoleEmailCc:       "email-cc",
	RoleSMTPHelo:      "smtp-helo",
	RoleProcess:       "process",
	RoleParentProcess: "parent-process",
	RoleRegistry:      "registry",
	RoleUser:          "user",
	RoleClient:        "client",
	RoleServer:        "server",
	RoleText:          "text",
}

// String returns the role's name as used in profiles and documentation.
func (r Role) String() string {
	if r < numRoles {
		return roleNames[r]
	}
	return "role(" + strconv.Itoa(int(r)) + ")"
}

// Roles returns every role, RoleNone first.
func Roles() []Role {
	out := make([]Role, 0, numRoles)
	for r := Role(0); r < numRoles; r++ {
		out = append(out, r)
	}
	return out
}

// ParseRole returns the role whose String is name.
func ParseRole(name string) (Role, bool) {
	for r := Role(0); r < numRoles; r++ {
		if roleNames[r] == name {
			return r, true
		}
	}
	return RoleNone, false
}
