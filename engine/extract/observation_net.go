package extract

import (
	"strings"

	"github.com/indicator-matcher/matcher/engine/observable"
	"github.com/indicator-matcher/matcher/engine/observation"
)

// ianaProtocols names the IP protocol numbers Windows and OCSF log.
var ianaProtocols = map[string]string{
	"1": "icmp", "2": "igmp", "6": "tcp", "17": "udp", "47": "gre", "50": "esp", "51": "ah",
	"58": "ipv6-icmp", "132": "sctp",
}

// networkTraffic makes one network-traffic object per group that has a
// source or destination address or port, a protocol, or HTTP request data.
func (b *obsBuilder) networkTraffic() {
	ev := b.ev
	var groups [maxGroups]bool
	var used bool
	for i := range ev.Observables {
		o := &ev.Observables[i]
		if (o.Kind.IsIP() || o.Kind == observable.Domain) && (o.Role == observable.RoleSource || o.Role == observable.RoleDestination) ||
			o.Kind == observable.UserAgent || o.Kind == observable.URL && o.Role == observable.RoleHTTPReferrer {
			groups[o.group], used = true, true
		}
	}
	// Ports alone (a notice without addresses) make no object.
	for _, a := range ev.attrs {
		switch a.op {
		case opProtocol, opAppProtocol, opMethod, opURLPath, opHost:
			groups[a.group], used = true, true
		}
	}
	if !used {
		return
	}
	for g := range groups {
		if groups[g] {
			b.traffic(uint8(g))
		}
	}
}

func (b *obsBuilder) traffic(g uint8) {
	ev := b.ev
	obj, _ := b.object("network-traffic", 6)
	for _, role := range []observable.Role{observable.RoleSource, observable.RoleDestination} {
		ref, port := "src_ref", "src_port"
		if role == observable.RoleDestination {
			ref, port = "dst_ref", "dst_port"
		}
		for i := range ev.Observables {
			o := &ev.Observables[i]
			if o.Kind.IsIP() && o.Role == role && o.group == g {
				obj.SetString(ref, b.addr(o))
				break
			}
		}
		if _, ok := obj.Get(ref); !ok {
			// No address logged: the host name is the endpoint.
			for i := range ev.Observables {
				o := &ev.Observables[i]
				if o.Kind == observable.Domain && o.Role == role && o.group == g {
					obj.SetString(ref, b.domain(o.Text))
					break
				}
			}
		}
		for _, p := range ev.ports {
			if p.group == g && p.role == role && p.port != 0 {
				obj.Set(port, observation.IntValue(int64(p.port)))
				break
			}
		}
	}
	var protos []observation.Value
	addProto := func(s string) {
		s = strings.ToLower(strings.TrimSpace(s))
		if n, ok := ianaProtocols[s]; ok {
			s = n
		}
		if s == "" || s == "-" || s == "failed" || s == "unknown" {
			return
		}
		for _, p := range protos {
			if p.Str() == s {
				return
			}
		}
		protos = append(protos, observation.StringValue(s))
	}
	for _, op := range []op{opProtocol, opAppProtocol} { // transport first
		for _, a := range ev.attrs {
			if a.op == op && a.group == g {
				for _, p := range strings.Split(string(a.value), ",") {
					addProto(p)
				}
			}
		}
	}
	if len(protos) > 0 {
		obj.Set("protocols", observation.ListValue(protos))
	}
	if req := b.httpRequest(g); req != nil {
		ext := observation.NewObject(1)
		ext.Set("http-request-ext", observation.ObjectValue(req))
		obj.Set("extensions", observation.ObjectValue(ext))
	}
}

// httpRequest returns the http-request-ext of group g, or nil.
func (b *obsBuilder) httpRequest(g uint8) *observation.Object {
	ev := b.ev
	any := false
	for _, a := range ev.attrs {
		if a.group == g && (a.op == opMethod || a.op == opURLPath || a.op == opHost) {
			any = true
		}
	}
	for i := range ev.Observables {
		o := &ev.Observables[i]
		if o.group == g && (o.Kind == observable.UserAgent || o.Kind == observable.URL && o.Role == observable.RoleHTTPReferrer) {
			any = true
		}
	}
	if !any {
		return nil
	}
	req := observation.NewObject(4)
	headers := observation.NewObject(3)
	for _, a := range ev.attrs {
		if a.group != g {
			continue
		}
		switch a.op {
		case opMethod:
			if _, ok := req.Get("request_method"); !ok {
				req.SetString("request_method", strings.ToLower(strings.TrimSpace(string(a.value))))
			}
		case opURLPath:
			if _, ok := req.Get("request_value"); !ok {
				req.SetString("request_value", string(a.value))
			}
		case opHost:
			if _, ok := headers.Get("Host"); !ok {
				headers.SetString("Host", strings.TrimSpace(string(a.value)))
			}
		}
	}
	for i := range ev.Observables {
		o := &ev.Observables[i]
		if o.group != g {
			continue
		}
		switch {
		case o.Kind == observable.UserAgent:
			if _, ok := headers.Get("User-Agent"); !ok {
				headers.SetString("User-Agent", string(o.Text))
			}
		case o.Kind == observable.URL && o.Role == observable.RoleHTTPReferrer:
			if _, ok := headers.Get("Referer"); !ok {
				headers.SetString("Referer", string(o.Text))
			}
		}
	}
	if headers.Len() > 0 {
		req.Set("request_header", observation.ObjectValue(headers))
	}
	if req.Len() == 0 {
		return nil
	}
	return req
}
