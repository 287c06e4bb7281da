package extract

import (
	"fmt"
	"sort"
	"strings"

	"github.com/indicator-matcher/matcher/engine/observable"
)

// op is what the extractor does with the value of a mapped field.
type op uint8

const (
	opNone        op = iota // time field only
	opKind                  // canonicalise as action.kind
	opIP                    // IPv4 or IPv6
	opHost                  // IP address or domain name, optional ":port"
	opPort                  // port number
	opHash                  // hex digest, algorithm from its length
	opHashList              // "SHA1=…,MD5=…,SHA256=…,IMPHASH=…"
	opEmailList             // "Name <a@b>, c@d"
	opURLPath               // HTTP request target, joined with the HTTP host
	opProtocol              // transport protocol, name or IANA number
	opAppProtocol           // application protocol
	opMethod                // HTTP method
	opPID                   // process id
	opVersion               // software version
	opUserID                // user id (SID, uid)
	opJSON                  // string holding a JSON object
	opDNSResults            // Sysmon QueryResults
	opText                  // free text for the token scanner
	opIgnore                // neither mapped nor scanned
	opDeferred              // mapped only by some variants
)

var opNames = map[string]op{
	"ip": opIP, "host": opHost, "port": opPort, "hash": opHash, "hash-list": opHashList,
	"email-list": opEmailList, "url-path": opURLPath, "protocol": opProtocol,
	"app-protocol": opAppProtocol, "http-method": opMethod, "pid": opPID, "version": opVersion,
	"user-id": opUserID, "json": opJSON, "dns-results": opDNSResults, "text": opText, "ignore": opIgnore,
}

// action is the compiled form of one field path.
type action struct {
	path     string // the key path, as Observable.Field
	op       op
	kind     observable.Kind
	role     observable.Role
	group    uint8
	timeRank int8 // index in the time fields, or -1
	scan     scanMask
	values   *valueTable
	prefix   []byte // path as bytes, for nested JSON
	deferred bool   // some variant maps this path: resolve after the scan
	discr    bool   // the path is a discriminator
}

// scanMask selects what the token scanner looks for.
type scanMask uint8

const (
	scanIP scanMask = 1 << iota
	scanDomain
	scanURL
	scanEmail
	scanHash
	scanAll = scanIP | scanDomain | scanURL | scanEmail | scanHash
)

func parseScan(names []string) (scanMask, error) {
	var m scanMask
	for _, n := range names {
		switch n {
		case "ip":
			m |= scanIP
		case "domain":
			m |= scanDomain
		case "url":
			m |= scanURL
		case "email":
			m |= scanEmail
		case "hash":
			m |= scanHash
		case "all":
			m |= scanAll
		default:
			return 0, fmt.Errorf("unknown scan kind %q (want ip, domain, url, email, hash or all)", n)
		}
	}
	return m, nil
}

// maxGroups bounds the groups of one profile.
const maxGroups = 64

// Profile is a compiled profile: an immutable lookup table from key paths to
// actions. It is safe for concurrent use.
type Profile struct {
	name     string
	priority int
	text     bool
	detect   [][]string
	fields   map[string]*action // used while compiling
	table    pathTable          // fields, frozen for lookups
	variants map[string]map[string]*action
	times    []string
	scan     scanMask
	groups   []string
	spec     ProfileSpec
}

// Name returns the profile name.
func (p *Profile) Name() string { return p.name }

// Spec returns the spec the profile was compiled from (after Extends was
// applied).
func (p *Profile) Spec() ProfileSpec { return p.spec }

// compileProfile builds a Profile from a resolved spec.
func compileProfile(s ProfileSpec) (*Profile, error) {
	if s.Name == "" {
		return nil, fmt.Errorf("extract: profile without a name")
	}
	if s.Name == "auto" {
		return nil, fmt.Errorf("extract: profile name %q is reserved", s.Name)
	}
	p := &Profile{
		name: s.Name, priority: s.Priority, text: s.Text, detect: s.Detect,
		fields: make(map[string]*action, len(s.Fields)*(1+len(s.Prefixes))*2),
		times:  s.Time.Fields, groups: []string{""}, spec: s,
	}
	var err error
	if p.scan, err = parseScan(s.ScanUnmapped); err != nil {
		return nil, fmt.Errorf("extract: profile %s: %w", s.Name, err)
	}
	paths := make([]string, 0, len(s.Fields))
	for path := range s.Fields {
		paths = append(paths, path)
	}
	sort.Strings(paths) // deterministic group numbering
	for _, path := range paths {
		a, err := p.compileField(s.Fields[path])
		if err != nil {
			return nil, fmt.Errorf("extract: profile %s: field %s: %w", s.Name, path, err)
		}
		p.register(path, a, s)
	}
	if err := p.compileVariants(s); err != nil {
		return nil, err
	}
	for rank, path := range s.Time.Fields {
		if rank > 100 {
			return nil, fmt.Errorf("extract: profile %s: too many time fields", s.Name)
		}
		for _, full := range expand(path, s) {
			if a, ok := p.fields[full]; ok {
				if a.timeRank < 0 {
					a.timeRank = int8(rank)
				}
				continue
			}
			p.fields[full] = &action{path: full, op: opNone, timeRank: int8(rank)}
		}
	}
	p.table = newPathTable(p.fields)
	return p, nil
}

// compileVariants builds one table per discriminator value and marks the
// paths they map as deferred in the common table.
func (p *Profile) compileVariants(s ProfileSpec) error {
	if len(s.Variants) > 0 && len(s.Discriminator) == 0 {
		return fmt.Errorf("extract: profile %s: variants without a discriminator", s.Name)
	}
	values := make([]string, 0, len(s.Variants))
	for v := range s.Variants {
		values = append(values, v)
	}
	sort.Strings(values)
	p.variants = make(map[string]map[string]*action, len(values))
	for _, v := range values {
		table := map[string]*action{}
		paths := make([]string, 0, len(s.Variants[v]))
		for path := range s.Variants[v] {
			paths = append(paths, path)
		}
		sort.Strings(paths)
		for _, path := range paths {
			a, err := p.compileField(s.Variants[v][path])
			if err != nil {
				return fmt.Errorf("extract: profile %s: variant %s: field %s: %w", s.Name, v, path, err)
			}
			for _, full := range expand(path, s) {
				b := a
				b.path = full
				if b.op == opJSON {
					b.prefix = []byte(full)
				}
				table[full] = &b
				if c, ok := p.fields[full]; ok {
					c.deferred = true
				} else {
					p.fields[full] = &action{path: full, op: opDeferred, timeRank: -1, deferred: true}
				}
			}
		}
		p.variants[v] = table
	}
	for _, path := range s.Discriminator {
		if a, ok := p.fields[path]; ok {
			a.discr = true
		} else {
			p.fields[path] = &action{path: path, op: opNone, timeRank: -1, discr: true}
		}
	}
	return nil
}

// expand returns path under every prefix, with underscore aliases.
func expand(path string, s ProfileSpec) []string {
	out := []string{path}
	for _, pre := range s.Prefixes {
		out = append(out, pre+path)
	}
	if s.UnderscoreAliases {
		for _, p := range out {
			if u := strings.ReplaceAll(p, ".", "_"); u != p {
				out = append(out, u)
			}
		}
	}
	return out
}

func (p *Profile) register(path string, a action, s ProfileSpec) {
	for _, full := range expand(path, s) {
		if _, dup := p.fields[full]; dup && full != path {
			continue // an explicit mapping wins over an alias
		}
		b := a
		b.path = full
		if b.op == opJSON {
			b.prefix = []byte(full)
		}
		p.fields[full] = &b
	}
}

func (p *Profile) compileField(f FieldSpec) (action, error) {
	a := action{timeRank: -1}
	if f.Values != nil {
		a.values = newValueTable(f.Values)
	}
	if o, ok := opNames[f.Kind]; ok {
		a.op = o
	} else if k, ok := observable.ParseKind(f.Kind); ok {
		a.op, a.kind = opKind, k
		if k.IsIP() {
			a.op = opIP
		}
	} else {
		return a, fmt.Errorf("unknown kind %q", f.Kind)
	}
	if f.Role != "" {
		r, ok := observable.ParseRole(f.Role)
		if !ok {
			return a, fmt.Errorf("unknown role %q", f.Role)
		}
		a.role = r
	} else {
		a.role = defaultRole(a.op, a.kind)
	}
	if a.op == opText {
		a.scan = scanAll
		if len(f.Scan) > 0 {
			var err error
			if a.scan, err = parseScan(f.Scan); err != nil {
				return a, err
			}
		}
	}
	g := -1
	for i, name := range p.groups {
		if name == f.Group {
			g = i
		}
	}
	if g < 0 {
		if len(p.groups) == maxGroups {
			return a, fmt.Errorf("more than %d groups", maxGroups)
		}
		g = len(p.groups)
		p.groups = append(p.groups, f.Group)
	}
	a.group = uint8(g)
	return a, nil
}

// defaultRole is the role of a field whose spec names none.
func defaultRole(o op, k observable.Kind) observable.Role {
	switch o {
	case opURLPath:
		return observable.RoleURL
	case opHashList, opHash:
		return observable.RoleFile
	case opPID:
		return observable.RoleProcess
	case opUserID:
		return observable.RoleUser
	case opKind:
	default:
		return observable.RoleNone
	}
	switch k {
	case observable.URL:
		return observable.RoleURL
	case observable.UserAgent:
		return observable.RoleUserAgent
	case observable.RegistryKey:
		return observable.RoleRegistry
	case observable.CommandLine, observable.ProcessName:
		return observable.RoleProcess
	case observable.UserAccount:
		return observable.RoleUser
	case observable.MD5, observable.SHA1, observable.SHA256, observable.SHA512, observable.SHA3_256,
		observable.SHA3_512, observable.SSDEEP, observable.FileName, observable.FilePath:
		return observable.RoleFile
	case observable.X509Serial:
		return observable.RoleCertificate
	case observable.X509Subject:
		return observable.RoleCertSubject
	case observable.JA3:
		return observable.RoleClient
	case observable.JA3S:
		return observable.RoleServer
	}
	return observable.RoleNone
}
