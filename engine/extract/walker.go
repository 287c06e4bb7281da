package extract

import (
	"net/netip"
	"time"

	"github.com/indicator-matcher/matcher/engine/extract/jsonscan"
	"github.com/indicator-matcher/matcher/engine/observable"
)

// walker receives the scalars of one JSON event and applies the profile.
// It lives inside the Event so that passing it to the scanner as a Handler
// does not allocate.
type walker struct {
	ev      *Event
	p       *Profile
	maxObs  int
	nesting int
	zone    *time.Location // of times written without one
}

// Value implements jsonscan.Handler.
func (w *walker) Value(path []byte, t jsonscan.Type, v []byte) {
	ev := w.ev
	a, h := w.p.table.lookupHash(path)
	if a == nil {
		if t == jsonscan.String {
			field := ev.intern(path, h)
			ev.strs = append(ev.strs, stringValue{field, v})
			if w.p.scan != 0 {
				w.scanText(field, v, w.p.scan, observable.RoleNone)
			}
		}
		return
	}
	if t == jsonscan.String {
		ev.strs = append(ev.strs, stringValue{a.path, v})
	}
	if a.timeRank >= 0 && int(a.timeRank) < ev.timeRank {
		ev.times = append(ev.times, timeCandidate{a.timeRank, t, v})
	}
	if t != jsonscan.String && t != jsonscan.Number {
		return
	}
	if a.discr && !ev.hasDiscr {
		ev.discr, ev.hasDiscr = v, true
	}
	if a.deferred {
		ev.pend = append(ev.pend, pending{a, t, v})
		return
	}
	w.apply(a, t, v)
}

// resolvePending applies the variant chosen by the discriminator to the
// values held back during the scan.
func (w *walker) resolvePending() {
	ev := w.ev
	var table map[string]*action
	if ev.hasDiscr {
		table = w.p.variants[string(ev.discr)]
	}
	for i := range ev.pend {
		pd := ev.pend[i]
		a := table[pd.a.path]
		if a == nil {
			a = pd.a // the common mapping, if any
		}
		w.apply(a, pd.t, pd.v)
	}
}

// apply runs the action of a mapped scalar.
func (w *walker) apply(a *action, t jsonscan.Type, v []byte) {
	ev := w.ev
	if len(v) == 1 && v[0] == '-' {
		return // the "no value" placeholder of Windows and Zeek
	}
	if a.values != nil {
		r, ok := a.values.get(v)
		if !ok {
			return
		}
		v = r
	}
	switch a.op {
	case opKind:
		if t == jsonscan.String {
			if a.kind == observable.Domain && a.role == observable.RoleCertSubject && len(v) > 2 && v[0] == '*' && v[1] == '.' {
				v = v[2:] // a wildcard certificate name
			}
			w.addKind(a, a.kind, a.role, v)
			if a.kind == observable.FilePath {
				w.addPathParts(a, v)
			}
			if a.kind == observable.X509Subject && a.role == observable.RoleCertSubject {
				if cn := dnAttr(v, "CN"); len(cn) > 0 && !w.addIP(a.path, observable.RoleCertSubject, a.group, cn) {
					w.addKind(a, observable.Domain, observable.RoleCertSubject, cn)
				}
				if e := dnAttr(v, "emailAddress"); len(e) > 0 {
					w.addKind(a, observable.Email, observable.RoleCertSubject, e)
				}
			}
		}
	case opIP:
		if t == jsonscan.String {
			w.addIP(a.path, a.role, a.group, v)
		}
	case opHost:
		if t == jsonscan.String {
			w.addHost(a, v)
		}
	case opPort:
		if p, ok := observable.ParsePort(v); ok {
			ev.ports = append(ev.ports, portSlot{a.group, a.role, p})
		}
	case opHash:
		if t == jsonscan.String {
			w.addHash(a, v)
		}
	case opHashList:
		w.addHashList(a, v)
	case opEmailList:
		w.addEmailList(a, v)
	case opURLPath:
		w.addURLPath(a, v)
	case opUserID:
		if string(v) != "S-1-0-0" { // the NULL SID: no user
			ev.attrs = append(ev.attrs, attr{a.op, a.role, a.group, a.path, v})
			// Also an observable, for user-account:user_id indicators.
			w.addKind(a, observable.UserAccount, a.role, v)
		}
	case opProtocol, opAppProtocol, opMethod, opPID, opVersion:
		ev.attrs = append(ev.attrs, attr{a.op, a.role, a.group, a.path, v})
	case opJSON:
		w.nestedJSON(a, v)
	case opDNSResults:
		w.addDNSResults(a, v)
	case opText:
		if t == jsonscan.String {
			w.scanText(a.path, v, a.scan, a.role)
		}
	}
}

// add appends an observable unless the same (kind, role, text) is already
// there or the cap is reached. It reports whether it was added.
func (w *walker) add(o Observable) bool {
	ev := w.ev
	for i := range ev.Observables {
		e := &ev.Observables[i]
		if e.Kind == o.Kind && e.Role == o.Role && string(e.Text) == string(o.Text) {
			return false
		}
	}
	if len(ev.Observables) >= w.maxObs {
		ev.Dropped++
		return false
	}
	ev.Observables = append(ev.Observables, o)
	return true
}

// addKind canonicalises v as kind k.
func (w *walker) addKind(a *action, k observable.Kind, r observable.Role, v []byte) {
	ev := w.ev
	start := len(ev.buf)
	out, err := observable.AppendCanonical(ev.buf, k, v)
	if err != nil {
		return
	}
	ev.buf = out
	text := out[start:len(out):len(out)]
	key := text
	if !k.KeyIsText() {
		ks := len(ev.buf)
		if ev.buf, err = observable.AppendKey(ev.buf, k, text); err != nil {
			ev.buf = ev.buf[:start]
			return
		}
		key = ev.buf[ks:len(ev.buf):len(ev.buf)]
	}
	if !w.add(Observable{Kind: k, Role: r, Field: a.path, Value: key, Text: text, group: a.group}) {
		ev.buf = ev.buf[:start]
		return
	}
	if k == observable.RegistryKey {
		// A key under a user's hive (HKU\<SID>\…) is also that user's
		// HKCU\… key, the name feeds give it.
		us := len(ev.buf)
		if out, ok := observable.AppendCurrentUserKey(ev.buf, text); ok {
			ev.buf = out
			hkcu := out[us:len(out):len(out)]
			if !w.add(Observable{Kind: k, Role: r, Field: a.path, Value: hkcu, Text: hkcu, group: a.group}) {
				ev.buf = ev.buf[:us]
			}
		}
	}
}

// addIP adds an IPv4 or IPv6 observable.
func (w *walker) addIP(field string, r observable.Role, g uint8, v []byte) bool {
	addr, err := observable.ParseIP(v)
	if err != nil {
		return false
	}
	if n := len(v); addr.Is4() && v[0] >= '0' && v[0] <= '9' && v[n-1] >= '0' && v[n-1] <= '9' && indexByte(v, ':') < 0 {
		// A bare dotted quad that parsed is already canonical (ParseIP
		// rejects leading zeros): copy it instead of formatting it.
		w.addAddrText(field, r, g, addr, v)
	} else {
		w.addAddrText(field, r, g, addr, nil)
	}
	return true
}

func (w *walker) addAddr(field string, r observable.Role, g uint8, addr netip.Addr) {
	w.addAddrText(field, r, g, addr, nil)
}

// addAddrText adds an address observable; text, when not nil, is the
// address's canonical text.
func (w *walker) addAddrText(field string, r observable.Role, g uint8, addr netip.Addr, text []byte) {
	ev := w.ev
	start := len(ev.buf)
	if text != nil {
		ev.buf = append(ev.buf, text...)
	} else {
		ev.buf = addr.AppendTo(ev.buf)
	}
	text = ev.buf[start:len(ev.buf):len(ev.buf)]
	ks := len(ev.buf)
	ev.buf = observable.AppendIPKey(ev.buf, addr)
	key := ev.buf[ks:len(ev.buf):len(ev.buf)]
	o := Observable{Kind: observable.IPKind(addr), Role: r, Field: field, Value: key, Text: text, Addr: addr, group: g}
	if !w.add(o) {
		ev.buf = ev.buf[:start]
	}
}

// timeCandidate is a value of a time field, parsed after the scan so that
// only the best-ranked usable one is parsed.
type timeCandidate struct {
	rank int8
	t    jsonscan.Type
	v    []byte
}

// resolveTime sets the event time from the best-ranked time field that
// parses.
func (w *walker) resolveTime() {
	ev := w.ev
	for len(ev.times) > 0 {
		best := 0
		for i, c := range ev.times {
			if c.rank < ev.times[best].rank {
				best = i
			}
		}
		c := ev.times[best]
		if tm, ok := parseTime(c.t, c.v, w.zone); ok {
			ev.Time, ev.TimeSource, ev.timeRank = tm, TimeEvent, int(c.rank)
			return
		}
		ev.times[best] = ev.times[len(ev.times)-1]
		ev.times = ev.times[:len(ev.times)-1]
	}
}
