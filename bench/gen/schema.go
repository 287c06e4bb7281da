package gen

import (
	"fmt"
	"strings"
	"time"
)

// Schema is a log format events are generated in.
type Schema uint8

// Schemas.
const (
	ZeekDotted      Schema = iota // Zeek JSON with _path and dotted keys (id.orig_h)
	ZeekUnderscored               // Zeek JSON with @stream and underscored keys (id_orig_h), epoch ts
	Suricata                      // Suricata EVE JSON
	ECS                           // Elastic Common Schema documents, nested objects
	Windows                       // Sysmon and Security events, NXLog flat and Winlogbeat nested
	Text                          // syslog-style text lines (sshd, dnsmasq, squid, postfix, clamd)
	numSchemas
)

var schemaNames = [...]string{"zeek-dotted", "zeek-underscored", "suricata", "ecs", "windows", "text"}

func (s Schema) String() string {
	if s < numSchemas {
		return schemaNames[s]
	}
	return "invalid"
}

// AllSchemas returns every schema, in order.
func AllSchemas() []Schema {
	out := make([]Schema, numSchemas)
	for i := range out {
		out[i] = Schema(i)
	}
	return out
}

// ParseSchemas reads a comma-separated list of schema names; "all" or ""
// is every schema.
func ParseSchemas(s string) ([]Schema, error) {
	if s == "" || s == "all" {
		return AllSchemas(), nil
	}
	var out []Schema
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(name)
		found := false
		for i, n := range schemaNames {
			if n == name {
				out = append(out, Schema(i))
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("gen: unknown schema %q (have %s)", name, strings.Join(schemaNames[:], ", "))
		}
	}
	return out, nil
}

// Supports reports whether events of the schema have a field that
// carries values of kind k.
func (s Schema) Supports(k PlantKind) bool {
	switch s {
	case ZeekDotted, ZeekUnderscored, Suricata:
		return k != PlantCommandLine && k != 0
	case ECS:
		return k != 0
	case Windows:
		return k == PlantDomain || k == PlantIP || k == PlantAddrPort || k == PlantMD5 || k == PlantSHA1 || k == PlantSHA256 || k == PlantCommandLine
	case Text:
		// The text scanner assigns no role, so address-and-port patterns,
		// which need the destination role, cannot be proven from a line.
		return k == PlantDomain || k == PlantIP || k == PlantURL || k == PlantMD5 || k == PlantSHA1 || k == PlantSHA256 || k == PlantEmail
	}
	return false
}

// event writes one event of the schema, with pl's value in a field of
// its kind when pl is not nil.
func (s Schema) event(g *background, t time.Time, pl *Plant) (subject string, ev []byte) {
	switch s {
	case ZeekDotted:
		return zeekEvent(g, t, pl, false)
	case ZeekUnderscored:
		return zeekEvent(g, t, pl, true)
	case Suricata:
		return suricataEvent(g, t, pl)
	case ECS:
		return ecsEvent(g, t, pl)
	case Windows:
		return windowsEvent(g, t, pl)
	}
	return textEvent(g, t, pl)
}

// splitURL cuts an http(s) URL into scheme, host (with any port) and
// path (with query); path is "/" when the URL has none.
func splitURL(u string) (scheme, host, path string) {
	scheme, rest, _ := strings.Cut(u, "://")
	host, path, found := strings.Cut(rest, "/")
	path = "/" + path
	if !found {
		path = "/"
	}
	return scheme, host, path
}

// plainHTTP reports whether the URL can be logged as a request line
// (host header and path), the way network sensors see plain HTTP.
func plainHTTP(u string) bool {
	scheme, _, path := splitURL(u)
	_, _, hasPath := strings.Cut(strings.TrimPrefix(u, scheme+"://"), "/")
	return scheme == "http" && hasPath && path != "/"
}

func zeekEvent(g *background, t time.Time, pl *Plant, under bool) (string, []byte) {
	path := [...]string{"conn", "conn", "conn", "conn", "conn", "conn", "conn", "conn", "dns", "dns", "dns", "dns", "dns", "http", "http", "http", "ssl", "ssl", "files", "smtp"}[g.r.IntN(20)]
	if pl != nil {
		path = map[PlantKind]string{PlantDomain: "dns", PlantIP: "conn", PlantAddrPort: "conn", PlantURL: "http", PlantMD5: "files", PlantSHA1: "files", PlantSHA256: "files", PlantEmail: "smtp"}[pl.Kind]
	}
	key := func(k string) string {
		if under {
			return strings.ReplaceAll(k, ".", "_")
		}
		return k
	}
	var o obj
	if under {
		o = obj{{"@stream", path}, {"@system", "sensor-01.example.lan"}, {"@proc", "zeek"}, {"ts", epochTime(t)}}
	} else {
		o = obj{{"_path", path}, {"_write_ts", isoTime(t)}, {"ts", isoTime(t)}}
	}
	src, dst, sport, dport := g.internalIP(), g.externalIP(), g.port(), g.servicePort()
	if pl != nil && (pl.Kind == PlantIP || pl.Kind == PlantAddrPort) {
		dst = pl.Value
		if pl.Kind == PlantAddrPort {
			dport = int(pl.Port)
		}
	}
	if path == "dns" {
		dst, dport = "10.0.0.53", 53
	}
	o = append(o, kv{"uid", g.uid('C')}, kv{key("id.orig_h"), src}, kv{key("id.orig_p"), sport}, kv{key("id.resp_h"), dst}, kv{key("id.resp_p"), dport})
	switch path {
	case "conn":
		o = append(o, kv{"proto", "tcp"}, kv{"service", "ssl"}, kv{"duration", float64(g.r.IntN(100000)) / 1000}, kv{"orig_bytes", g.r.IntN(5000)},
			kv{"resp_bytes", g.r.IntN(50000)}, kv{"conn_state", "SF"}, kv{"missed_bytes", 0}, kv{"history", "ShADadFf"}, kv{"orig_pkts", 12},
			kv{"orig_ip_bytes", 1400}, kv{"resp_pkts", 14}, kv{"resp_ip_bytes", 24000})
	case "dns":
		q := g.domain()
		if pl != nil {
			q = pl.Value
		}
		o = append(o, kv{"proto", "udp"}, kv{"trans_id", g.r.IntN(65536)}, kv{"rtt", 0.0042}, kv{"query", q}, kv{"qclass", 1}, kv{"qclass_name", "C_INTERNET"},
			kv{"qtype", 1}, kv{"qtype_name", "A"}, kv{"rcode", 0}, kv{"rcode_name", "NOERROR"}, kv{"AA", false}, kv{"TC", false}, kv{"RD", true},
			kv{"RA", true}, kv{"Z", 0}, kv{"answers", []string{g.externalIP()}}, kv{"TTLs", []any{300.0}}, kv{"rejected", false})
	case "http":
		host, uri, ref := g.domain(), fmt.Sprintf("/%s/%s.js", g.word(), g.word()), "https://"+g.domain()+"/"
		if pl != nil {
			if plainHTTP(pl.Value) {
				_, host, uri = splitURL(pl.Value)
			} else {
				ref = pl.Value
			}
		}
		o = append(o, kv{"trans_depth", 1}, kv{"method", "GET"}, kv{"host", host}, kv{"uri", uri}, kv{"referrer", ref}, kv{"version", "1.1"},
			kv{"user_agent", g.userAgent()}, kv{"request_body_len", 0}, kv{"response_body_len", g.r.IntN(90000)}, kv{"status_code", 200},
			kv{"status_msg", "OK"}, kv{"tags", []string{}}, kv{"resp_fuids", []string{g.uid('F')}}, kv{"resp_mime_types", []string{"text/javascript"}})
	case "ssl":
		o = append(o, kv{"version", "TLSv13"}, kv{"cipher", "TLS_AES_128_GCM_SHA256"}, kv{"curve", "x25519"}, kv{"server_name", g.domain()},
			kv{"resumed", false}, kv{"established", true}, kv{"ja3", g.hex(32)}, kv{"ja3s", g.hex(32)})
	case "files":
		md5, sha1, sha256 := g.fileHashes(pl)
		o = append(o, kv{"fuid", g.uid('F')}, kv{"tx_hosts", []string{dst}}, kv{"rx_hosts", []string{src}}, kv{"source", "HTTP"}, kv{"depth", 0},
			kv{"analyzers", []string{"MD5", "SHA1", "SHA256", "PE"}}, kv{"mime_type", "application/x-dosexec"}, kv{"duration", 0.012},
			kv{"is_orig", false}, kv{"seen_bytes", 73802}, kv{"total_bytes", 73802}, kv{"missing_bytes", 0}, kv{"overflow_bytes", 0},
			kv{"timedout", false}, kv{"md5", md5}, kv{"sha1", sha1}, kv{"sha256", sha256})
	case "smtp":
		from := g.email()
		if pl != nil {
			from = pl.Value
		}
		o = append(o, kv{"trans_depth", 1}, kv{"helo", "mail." + g.word() + ".example.org"}, kv{"mailfrom", from}, kv{"rcptto", []string{g.email()}},
			kv{"date", t.UTC().Format(time.RFC1123Z)}, kv{"subject", "Invoice " + g.word()}, kv{"tls", false}, kv{"is_webmail", false})
	}
	return "logs.zeek." + path, appendStamped(o)
}

func suricataEvent(g *background, t time.Time, pl *Plant) (string, []byte) {
	typ := [...]string{"flow", "flow", "flow", "flow", "flow", "dns", "dns", "dns", "http", "http", "tls", "tls", "fileinfo", "smtp", "alert"}[g.r.IntN(15)]
	if pl != nil {
		typ = map[PlantKind]string{PlantDomain: "dns", PlantIP: "flow", PlantAddrPort: "flow", PlantURL: "http", PlantMD5: "fileinfo", PlantSHA1: "fileinfo", PlantSHA256: "fileinfo", PlantEmail: "smtp"}[pl.Kind]
	}
	src, dst, sport, dport := g.internalIP(), g.externalIP(), g.port(), g.servicePort()
	if pl != nil && (pl.Kind == PlantIP || pl.Kind == PlantAddrPort) {
		dst = pl.Value
		if pl.Kind == PlantAddrPort {
			dport = int(pl.Port)
		}
	}
	if typ == "dns" {
		dst, dport = "10.0.0.53", 53
	}
	o := obj{{"timestamp", t.UTC().Format("2006-01-02T15:04:05.000000-0700")}, {"flow_id", g.r.Int64N(1 << 50)}, {"in_iface", "eth0"}, {"event_type", typ},
		{"src_ip", src}, {"src_port", sport}, {"dest_ip", dst}, {"dest_port", dport}, {"proto", "TCP"}}
	httpObj := func() obj {
		host, url, ref := g.domain(), "/"+g.word()+"/index.php", "https://"+g.domain()+"/"
		if pl != nil && pl.Kind == PlantURL {
			if plainHTTP(pl.Value) {
				_, host, url = splitURL(pl.Value)
			} else {
				ref = pl.Value
			}
		}
		return obj{{"hostname", host}, {"url", url}, {"http_user_agent", g.userAgent()}, {"http_refer", ref}, {"http_method", "GET"},
			{"protocol", "HTTP/1.1"}, {"status", 200}, {"length", g.r.IntN(90000)}}
	}
	switch typ {
	case "flow":
		o = append(o, kv{"app_proto", "tls"}, kv{"flow", obj{{"pkts_toserver", 9}, {"pkts_toclient", 11}, {"bytes_toserver", 1520}, {"bytes_toclient", 9800},
			{"start", t.Add(-30 * time.Second).UTC().Format("2006-01-02T15:04:05.000000-0700")}, {"age", 30}, {"state", "closed"}, {"reason", "timeout"}, {"alerted", false}}})
	case "dns":
		q := g.domain()
		if pl != nil {
			q = pl.Value
		}
		o = append(o, kv{"dns", obj{{"type", "query"}, {"id", g.r.IntN(65536)}, {"rrname", q}, {"rrtype", "A"}, {"tx_id", 0}, {"opcode", 0}}})
	case "http":
		o = append(o, kv{"tx_id", 0}, kv{"http", httpObj()}, kv{"app_proto", "http"})
	case "tls":
		o = append(o, kv{"tls", obj{{"subject", "CN=" + g.domain()}, {"issuerdn", "C=US, O=Let's Encrypt, CN=R3"}, {"sni", g.domain()}, {"version", "TLS 1.3"},
			{"ja3", obj{{"hash", g.hex(32)}}}, {"ja3s", obj{{"hash", g.hex(32)}}}}})
	case "fileinfo":
		md5, sha1, sha256 := g.fileHashes(pl)
		o = append(o, kv{"http", httpObj()}, kv{"app_proto", "http"}, kv{"fileinfo", obj{{"filename", "/" + g.word() + ".exe"}, {"gaps", false}, {"state", "CLOSED"},
			{"md5", md5}, {"sha1", sha1}, {"sha256", sha256}, {"stored", false}, {"size", 73802}, {"tx_id", 0}}})
	case "smtp":
		from := g.email()
		if pl != nil {
			from = pl.Value
		}
		o = append(o, kv{"smtp", obj{{"helo", "mail." + g.word() + ".example.org"}, {"mail_from", "<" + from + ">"}, {"rcpt_to", []string{"<" + g.email() + ">"}}}})
	case "alert":
		o = append(o, kv{"alert", obj{{"action", "allowed"}, {"gid", 1}, {"signature_id", 2000000 + g.r.IntN(100000)}, {"rev", 3},
			{"signature", "ET POLICY " + g.word() + " observed"}, {"category", "Potential Corporate Privacy Violation"}, {"severity", 3}}})
	}
	return "logs.suricata." + typ, appendStamped(o)
}
