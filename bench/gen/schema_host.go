package gen

import (
	"fmt"
	"strings"
	"time"
)

func ecsEvent(g *background, t time.Time, pl *Plant) (string, []byte) {
	ds := [...]string{"network", "network", "network", "network", "dns", "dns", "web", "web", "file", "process", "process", "email"}[g.r.IntN(12)]
	if pl != nil {
		ds = map[PlantKind]string{PlantDomain: "dns", PlantIP: "network", PlantAddrPort: "network", PlantURL: "web", PlantMD5: "file", PlantSHA1: "file", PlantSHA256: "file", PlantEmail: "email", PlantCommandLine: "process"}[pl.Kind]
	}
	o := obj{{"@timestamp", t.UTC().Format("2006-01-02T15:04:05.000Z")}, {"ecs", obj{{"version", "8.11.0"}}}}
	host := obj{{"name", "ws-" + g.word()}, {"ip", []string{g.internalIP()}}}
	src, dst, dport := g.internalIP(), g.externalIP(), g.servicePort()
	if pl != nil && (pl.Kind == PlantIP || pl.Kind == PlantAddrPort) {
		dst = pl.Value
		if pl.Kind == PlantAddrPort {
			dport = int(pl.Port)
		}
	}
	switch ds {
	case "network":
		o = append(o, kv{"event", obj{{"kind", "event"}, {"category", []string{"network"}}, {"type", []string{"connection"}}, {"dataset", "network_traffic.flow"}}},
			kv{"source", obj{{"ip", src}, {"port", g.port()}, {"bytes", 1500}}}, kv{"destination", obj{{"ip", dst}, {"port", dport}, {"bytes", 22000}}},
			kv{"network", obj{{"transport", "tcp"}, {"type", "ipv4"}, {"direction", "egress"}}}, kv{"host", host})
	case "dns":
		q := g.domain()
		if pl != nil {
			q = pl.Value
		}
		o = append(o, kv{"event", obj{{"kind", "event"}, {"category", []string{"network"}}, {"dataset", "network_traffic.dns"}}},
			kv{"source", obj{{"ip", src}, {"port", g.port()}}}, kv{"destination", obj{{"ip", "10.0.0.53"}, {"port", 53}}},
			kv{"dns", obj{{"type", "answer"}, {"id", g.r.IntN(65536)}, {"question", obj{{"name", q}, {"type", "A"}, {"class", "IN"}}},
				{"answers", []any{obj{{"name", q}, {"type", "A"}, {"ttl", 300}, {"data", g.externalIP()}}}}, {"response_code", "NOERROR"}}},
			kv{"network", obj{{"transport", "udp"}, {"protocol", "dns"}}}, kv{"host", host})
	case "web":
		u := g.url()
		if pl != nil {
			u = pl.Value
		}
		o = append(o, kv{"event", obj{{"kind", "event"}, {"category", []string{"network", "web"}}, {"dataset", "squid.access"}}},
			kv{"source", obj{{"ip", src}, {"port", g.port()}}}, kv{"url", obj{{"full", u}}},
			kv{"http", obj{{"request", obj{{"method", "GET"}}}, {"response", obj{{"status_code", 200}}}}},
			kv{"user_agent", obj{{"original", g.userAgent()}}}, kv{"host", host})
	case "file":
		md5, sha1, sha256 := g.fileHashes(pl)
		name := g.word() + ".exe"
		o = append(o, kv{"event", obj{{"kind", "event"}, {"category", []string{"file"}}, {"type", []string{"creation"}}, {"dataset", "endpoint.events.file"}}},
			kv{"file", obj{{"path", `C:\Users\` + g.word() + `\Downloads\` + name}, {"name", name}, {"size", 73802},
				{"hash", obj{{"md5", md5}, {"sha1", sha1}, {"sha256", sha256}}}}}, kv{"host", host})
	case "process":
		cmd := g.commandLine()
		if pl != nil {
			cmd = pl.Value
		}
		o = append(o, kv{"event", obj{{"kind", "event"}, {"category", []string{"process"}}, {"type", []string{"start"}}, {"dataset", "endpoint.events.process"}}},
			kv{"process", obj{{"pid", 1000 + g.r.IntN(60000)}, {"name", "powershell.exe"}, {"command_line", cmd},
				{"parent", obj{{"pid", 4120}, {"name", "explorer.exe"}}}}},
			kv{"user", obj{{"name", g.word()}, {"domain", "CORP"}}}, kv{"host", host})
	case "email":
		from := g.email()
		if pl != nil {
			from = pl.Value
		}
		o = append(o, kv{"event", obj{{"kind", "event"}, {"category", []string{"email"}}, {"dataset", "o365.audit"}}},
			kv{"email", obj{{"from", obj{{"address", []string{from}}}}, {"to", obj{{"address", []string{g.email()}}}}, {"subject", "Invoice " + g.word()}}},
			kv{"source", obj{{"ip", g.externalIP()}}})
	}
	return "logs.ecs." + ds, appendStamped(o)
}

func windowsEvent(g *background, t time.Time, pl *Plant) (string, []byte) {
	id := [...]int{1, 1, 3, 3, 3, 22, 22, 4624}[g.r.IntN(8)]
	if pl != nil {
		id = map[PlantKind]int{PlantDomain: 22, PlantIP: 3, PlantAddrPort: 3, PlantMD5: 1, PlantSHA1: 1, PlantSHA256: 1, PlantCommandLine: 1}[pl.Kind]
	}
	user := "CORP\\" + g.word()
	image := `C:\Users\` + g.word() + `\AppData\Local\Temp\` + g.word() + ".exe"
	var data obj
	switch id {
	case 1:
		md5, sha1, sha256 := g.fileHashes(pl)
		cmd := g.commandLine()
		if pl != nil && pl.Kind == PlantCommandLine {
			cmd = pl.Value
		}
		data = obj{{"RuleName", "-"}, {"UtcTime", t.UTC().Format("2006-01-02 15:04:05.000")}, {"ProcessGuid", "{" + g.hex(8) + "-c22a-43e0-bf4c-06f5698ffbd9}"},
			{"ProcessId", fmt.Sprint(1000 + g.r.IntN(60000))}, {"Image", image}, {"CommandLine", cmd}, {"CurrentDirectory", `C:\Windows\system32\`},
			{"User", user}, {"IntegrityLevel", "Medium"},
			{"Hashes", "SHA1=" + strings.ToUpper(sha1) + ",MD5=" + strings.ToUpper(md5) + ",SHA256=" + strings.ToUpper(sha256) + ",IMPHASH=" + strings.ToUpper(g.hex(32))},
			{"ParentProcessId", "4120"}, {"ParentImage", `C:\Windows\explorer.exe`}}
	case 3:
		dst, dport := g.externalIP(), g.servicePort()
		if pl != nil {
			dst = pl.Value
			if pl.Kind == PlantAddrPort {
				dport = int(pl.Port)
			}
		}
		data = obj{{"RuleName", "-"}, {"UtcTime", t.UTC().Format("2006-01-02 15:04:05.000")}, {"ProcessId", fmt.Sprint(1000 + g.r.IntN(60000))}, {"Image", image},
			{"User", user}, {"Protocol", "tcp"}, {"Initiated", "true"}, {"SourceIsIpv6", "false"}, {"SourceIp", g.internalIP()},
			{"SourcePort", fmt.Sprint(g.port())}, {"DestinationIsIpv6", fmt.Sprint(strings.Contains(dst, ":"))}, {"DestinationIp", dst},
			{"DestinationPort", fmt.Sprint(dport)}}
	case 22:
		q := g.domain()
		if pl != nil {
			q = pl.Value
		}
		data = obj{{"RuleName", "-"}, {"UtcTime", t.UTC().Format("2006-01-02 15:04:05.000")}, {"ProcessId", fmt.Sprint(1000 + g.r.IntN(60000))},
			{"QueryName", q}, {"QueryStatus", "0"}, {"QueryResults", "::ffff:" + g.externalIP() + ";"}, {"Image", image}, {"User", user}}
	default:
		data = obj{{"SubjectUserSid", "S-1-0-0"}, {"TargetUserName", g.word()}, {"TargetDomainName", "CORP"}, {"LogonType", "3"},
			{"IpAddress", g.internalIP()}, {"IpPort", fmt.Sprint(g.port())}, {"WorkstationName", "-"}}
	}
	channel, source := "Microsoft-Windows-Sysmon/Operational", "Microsoft-Windows-Sysmon"
	if id == 4624 {
		channel, source = "Security", "Microsoft-Windows-Security-Auditing"
	}
	computer := "ws-" + g.word() + ".corp.example.com"
	var o obj
	if g.r.IntN(2) == 0 {
		// NXLog: flat keys.
		o = obj{{"EventTime", t.UTC().Format("2006-01-02 15:04:05")}, {"Hostname", computer}, {"EventID", id}, {"SourceName", source}, {"Channel", channel}}
		o = append(o, data...)
	} else {
		// Winlogbeat: winlog.event_data.
		o = obj{{"@timestamp", t.UTC().Format("2006-01-02T15:04:05.000Z")}, {"agent", obj{{"type", "winlogbeat"}, {"version", "8.12.0"}}},
			{"event", obj{{"code", fmt.Sprint(id)}, {"kind", "event"}}},
			{"winlog", obj{{"channel", channel}, {"computer_name", computer}, {"event_id", fmt.Sprint(id)}, {"provider_name", source}, {"event_data", data}}}}
	}
	return fmt.Sprintf("logs.windows.%d", id), appendStamped(o)
}

func textEvent(g *background, t time.Time, pl *Plant) (string, []byte) {
	kind := PlantKind(0)
	if pl != nil {
		kind = pl.Kind
	}
	val := func(k PlantKind, bg string) string {
		if kind == k {
			return pl.Value
		}
		return bg
	}
	ts := t.UTC().Format(time.Stamp)
	host := "srv-" + g.word()
	prog, line := "", ""
	pick := g.r.IntN(6)
	switch kind {
	case PlantIP:
		pick = 0
	case PlantDomain:
		pick = 1
	case PlantURL:
		pick = 2
	case PlantEmail:
		pick = 3
	case PlantMD5, PlantSHA1, PlantSHA256:
		pick = 4
	}
	switch pick {
	case 0, 5:
		prog = "sshd"
		line = fmt.Sprintf("%s %s sshd[%d]: Failed password for invalid user %s from %s port %d ssh2", ts, host, 1000+g.r.IntN(30000), g.word(), val(PlantIP, g.externalIP()), g.port())
	case 1:
		prog = "dnsmasq"
		line = fmt.Sprintf("%s %s dnsmasq[%d]: query[A] %s from %s", ts, host, 500+g.r.IntN(500), val(PlantDomain, g.domain()), g.internalIP())
	case 2:
		prog = "squid"
		line = fmt.Sprintf("%d.%03d %6d %s TCP_MISS/200 %d GET %s - HIER_DIRECT/%s text/html", t.Unix(), t.Nanosecond()/1e6, g.r.IntN(2000), g.internalIP(), g.r.IntN(90000), val(PlantURL, g.url()), g.externalIP())
	case 3:
		prog = "postfix"
		line = fmt.Sprintf("%s %s postfix/smtpd[%d]: NOQUEUE: reject: RCPT from unknown[%s]: 554 5.7.1 Service unavailable; from=<%s> to=<%s> proto=ESMTP helo=<mail.%s.example.org>", ts, host, 800+g.r.IntN(900), g.externalIP(), val(PlantEmail, g.email()), g.email(), g.word())
	case 4:
		prog = "clamd"
		h := g.hex(64)
		if kind == PlantMD5 || kind == PlantSHA1 || kind == PlantSHA256 {
			h = pl.Value
		}
		line = fmt.Sprintf("%s %s clamd[%d]: /var/spool/uploads/%s.bin: hash %s Win.Trojan.Agent FOUND", ts, host, 700+g.r.IntN(100), g.word(), h)
	}
	return "logs.syslog." + prog, append([]byte(line), " "+StampField+"="+stampZeros...)
}
