package extract

import (
	"strconv"
	"strings"

	"github.com/indicator-matcher/matcher/engine/observable"
	"github.com/indicator-matcher/matcher/engine/observation"
)

// ObservationID is the id of the observed-data object of every event
// observation.
const ObservationID = "observed-data--0"

// Observation returns the event as one STIX observation: NumberObserved 1,
// First = Last = the event time, and the cyber-observable objects of the
// extracted values (see docs/profiles.md, "STIX observation"). It is built
// on the first call and cached until the next Extract or Reset; the result
// shares nothing with the Event's buffers, so it may be kept.
func (ev *Event) Observation() *observation.Observation {
	if !ev.obsBuilt {
		ev.obs = buildObservation(ev)
		ev.obsBuilt = true
	}
	return ev.obs
}

// obsBuilder assembles the objects of one observation. Object ids are
// "<type>--<index>", deterministic per event.
type obsBuilder struct {
	ev    *Event
	objs  []*observation.Object
	byKey map[string]string // kind-specific key → object id, for de-duplication
}

func (b *obsBuilder) object(typ string, n int) (*observation.Object, string) {
	id := typ + "--" + strconv.Itoa(len(b.objs))
	o := observation.NewObject(n + 2)
	o.SetString("type", typ)
	o.SetString("id", id)
	b.objs = append(b.objs, o)
	return o, id
}

// unique returns the id of the object made for key, creating it with
// make when it does not exist yet.
func (b *obsBuilder) unique(key string, mk func() string) string {
	if id, ok := b.byKey[key]; ok {
		return id
	}
	id := mk()
	b.byKey[key] = id
	return id
}

func buildObservation(ev *Event) *observation.Observation {
	b := &obsBuilder{ev: ev, byKey: map[string]string{}}
	b.addresses()
	b.domains()
	b.networkTraffic()
	b.simple()
	b.files()
	b.certificates()
	b.email()
	b.users()
	b.processes()
	refs := make([]observation.Value, len(b.objs))
	for i, o := range b.objs {
		refs[i] = observation.StringValue(o.ID())
	}
	c := observation.NewObject(7)
	c.SetString("type", "observed-data")
	c.SetString("id", ObservationID)
	ts := ev.Time.UTC().Format("2006-01-02T15:04:05.000000Z")
	c.SetString("first_observed", ts)
	c.SetString("last_observed", ts)
	c.Set("number_observed", observation.IntValue(1))
	c.Set("object_refs", observation.ListValue(refs))
	return &observation.Observation{
		ID: ObservationID, First: ev.Time, Last: ev.Time, NumberObserved: 1,
		Container: c, Objects: b.objs,
	}
}

// addr returns the id of the address object of an IP observable.
func (b *obsBuilder) addr(o *Observable) string {
	typ := "ipv4-addr"
	if o.Kind == observable.IPv6 {
		typ = "ipv6-addr"
	}
	return b.unique(typ+" "+string(o.Text), func() string {
		obj, id := b.object(typ, 1)
		obj.SetString("value", string(o.Text))
		return id
	})
}

func (b *obsBuilder) addresses() {
	for i := range b.ev.Observables {
		o := &b.ev.Observables[i]
		switch o.Kind {
		case observable.IPv4, observable.IPv6:
			b.addr(o)
		case observable.MAC:
			b.unique("mac "+string(o.Text), func() string {
				obj, id := b.object("mac-addr", 1)
				obj.SetString("value", string(o.Text))
				return id
			})
		}
	}
}

func (b *obsBuilder) domain(text []byte) string {
	return b.unique("domain "+string(text), func() string {
		obj, id := b.object("domain-name", 2)
		obj.SetString("value", string(text))
		return id
	})
}

// domains makes one domain-name per name; a DNS query name resolves to the
// answers (addresses and names) of the event.
func (b *obsBuilder) domains() {
	var answers []observation.Value
	for i := range b.ev.Observables {
		o := &b.ev.Observables[i]
		if o.Kind == observable.Domain {
			b.domain(o.Text)
		}
	}
	for i := range b.ev.Observables {
		o := &b.ev.Observables[i]
		if o.Role != observable.RoleDNSAnswer {
			continue
		}
		switch {
		case o.Kind.IsIP():
			answers = append(answers, observation.StringValue(b.addr(o)))
		case o.Kind == observable.Domain:
			answers = append(answers, observation.StringValue(b.domain(o.Text)))
		}
	}
	if len(answers) == 0 {
		return
	}
	for i := range b.ev.Observables {
		o := &b.ev.Observables[i]
		if o.Kind == observable.Domain && o.Role == observable.RoleDNSQuery {
			id := b.domain(o.Text)
			own := answers[:0:0]
			for _, a := range answers {
				if a.Str() != id {
					own = append(own, a)
				}
			}
			b.find(id).Set("resolves_to_refs", observation.ListValue(own))
		}
	}
}

func (b *obsBuilder) find(id string) *observation.Object {
	for _, o := range b.objs {
		if o.ID() == id {
			return o
		}
	}
	return nil
}

// simple makes the objects with a single property.
func (b *obsBuilder) simple() {
	for i := range b.ev.Observables {
		o := &b.ev.Observables[i]
		var typ, prop string
		switch o.Kind {
		case observable.URL:
			typ, prop = "url", "value"
		case observable.RegistryKey:
			typ, prop = "windows-registry-key", "key"
		case observable.Mutex:
			typ, prop = "mutex", "name"
		case observable.Directory:
			if o.Role == observable.RoleFile {
				continue // a file's directory, see files
			}
			typ, prop = "directory", "path"
		case observable.Software:
			typ, prop = "software", "name"
		default:
			continue
		}
		b.unique(typ+" "+string(o.Text), func() string {
			obj, id := b.object(typ, 2)
			obj.SetString(prop, string(o.Text))
			if o.Kind == observable.Software {
				if v := b.attrValue(opVersion, o.group, o.Role); v != "" {
					obj.SetString("version", v)
				}
			}
			return id
		})
	}
}

// attrValue returns the first attribute of kind op in group g (and role r
// when r is not RoleNone).
func (b *obsBuilder) attrValue(op op, g uint8, r observable.Role) string {
	for _, a := range b.ev.attrs {
		if a.op == op && a.group == g && (r == observable.RoleNone || a.role == r || a.role == observable.RoleNone) {
			return strings.TrimSpace(string(a.value))
		}
	}
	return ""
}

// splitPath splits a Windows or POSIX path into directory and file name.
func splitPath(p string) (dir, name string) {
	i := strings.LastIndexAny(p, `/\`)
	if i < 0 {
		return "", p
	}
	return p[:i], p[i+1:]
}
