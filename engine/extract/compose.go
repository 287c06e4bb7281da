package extract

import (
	"net/netip"
	"strconv"

	"github.com/indicator-matcher/matcher/engine/observable"
)

// finish derives the observables that need several fields: the port of
// each source/destination address and the address/port pairs, and the URLs
// of HTTP requests (host + request path).
func (w *walker) finish() {
	ev := w.ev
	w.resolveTime()
	w.resolvePending()
	for _, ps := range ev.ports {
		n := len(ev.Observables)
		for i := 0; i < n; i++ {
			o := &ev.Observables[i]
			if !o.Kind.IsIP() || o.Role != ps.role || o.group != ps.group || ps.port == 0 {
				continue
			}
			o.Port = ps.port
			w.addAddrPortOf(i, ps.port)
		}
	}
	for i := range ev.attrs {
		if ev.attrs[i].op == opURLPath {
			w.composeURL(&ev.attrs[i])
		}
	}
}

// addAddrPortOf adds the AddrPort observable of IP observable i and port,
// reusing its text and key instead of formatting the address again.
func (w *walker) addAddrPortOf(i int, port uint16) {
	ev := w.ev
	o := ev.Observables[i]
	start := len(ev.buf)
	if o.Kind == observable.IPv6 {
		ev.buf = append(ev.buf, '[')
		ev.buf = append(ev.buf, o.Text...)
		ev.buf = append(ev.buf, ']', ':')
	} else {
		ev.buf = append(ev.buf, o.Text...)
		ev.buf = append(ev.buf, ':')
	}
	ev.buf = appendUint(ev.buf, uint64(port))
	text := ev.buf[start:len(ev.buf):len(ev.buf)]
	ks := len(ev.buf)
	ev.buf = append(ev.buf, o.Value...)
	ev.buf = append(ev.buf, byte(port>>8), byte(port))
	key := ev.buf[ks:len(ev.buf):len(ev.buf)]
	a := Observable{Kind: observable.AddrPort, Role: o.Role, Field: o.Field, Value: key, Text: text, Addr: o.Addr, Port: port, group: o.group}
	if !w.add(a) {
		ev.buf = ev.buf[:start]
	}
}

// addAddrPort adds the AddrPort observable of (addr, port).
func (w *walker) addAddrPort(field string, r observable.Role, g uint8, addr netip.Addr, port uint16) {
	ev := w.ev
	start := len(ev.buf)
	ev.buf = observable.AppendAddrPortText(ev.buf, addr, port)
	text := ev.buf[start:len(ev.buf):len(ev.buf)]
	ks := len(ev.buf)
	ev.buf = observable.AppendAddrPortKey(ev.buf, addr, port)
	key := ev.buf[ks:len(ev.buf):len(ev.buf)]
	o := Observable{Kind: observable.AddrPort, Role: r, Field: field, Value: key, Text: text, Addr: addr, Port: port, group: g}
	if !w.add(o) {
		ev.buf = ev.buf[:start]
	}
}

// composeURL builds "http://" + host + path for a request path, taking the
// host from the HTTP Host header of the same group, or else from the
// destination address (with its port when it is not 80).
func (w *walker) composeURL(path *attr) {
	ev := w.ev
	p := trim(path.value)
	if len(p) == 0 || p[0] != '/' {
		return
	}
	tmp := append(ev.tmp[:0], "http://"...)
	found := false
	for _, a := range ev.attrs {
		if a.op == opHost && a.group == path.group && len(trim(a.value)) > 0 {
			h := trim(a.value)
			tmp = append(tmp, h...)
			found = true
			// A port logged apart from the host (Suricata http_port).
			if h[len(h)-1] != ']' && indexByte(h, ':') < 0 {
				for _, p := range ev.ports {
					if p.group == path.group && p.role == observable.RoleHTTPHost && p.port != 0 {
						tmp = append(tmp, ':')
						tmp = appendUint(tmp, uint64(p.port))
						break
					}
				}
			}
			break
		}
	}
	if !found {
		for i := range ev.Observables {
			o := &ev.Observables[i]
			if o.Kind.IsIP() && o.Role == observable.RoleDestination && o.group == path.group {
				if o.Kind == observable.IPv6 {
					tmp = append(tmp, '[')
					tmp = append(tmp, o.Text...)
					tmp = append(tmp, ']')
				} else {
					tmp = append(tmp, o.Text...)
				}
				if o.Port != 0 && o.Port != 80 {
					tmp = append(tmp, ':')
					tmp = appendUint(tmp, uint64(o.Port))
				}
				found = true
				break
			}
		}
	}
	ev.tmp = tmp
	if !found {
		return
	}
	tmp = append(tmp, p...)
	ev.tmp = tmp
	a := action{path: path.field, group: path.group}
	w.addKind(&a, observable.URL, observable.RoleURL, tmp)
}

func appendUint(dst []byte, n uint64) []byte { return strconv.AppendUint(dst, n, 10) }
