package extract

import (
	"net/netip"
	"time"

	"github.com/indicator-matcher/matcher/engine/extract/jsonscan"
	"github.com/indicator-matcher/matcher/engine/observable"
	"github.com/indicator-matcher/matcher/engine/observation"
)

// Observable is one value extracted from an event.
//
// Value and Text are borrowed from the Event: they stay valid until the
// next Extract or Reset on that Event. Clone them to keep them.
type Observable struct {
	// Kind and Role say what the value is and what part it plays.
	Kind observable.Kind
	Role observable.Role
	// Field is the key path the value came from ("id.resp_h"); it is a
	// string owned by the profile (or interned by the Event), never
	// allocated per event. Values built from several fields name the main
	// one (a URL built from host and path names the path field); values
	// found by the raw text scanner have Field "".
	Field string
	// Value is the index key form (observable.AppendKey): 4 or 16 address
	// bytes for IPv4/IPv6, 6 or 18 bytes for AddrPort, the raw digest for
	// hex hashes, and the canonical text for every other kind.
	Value []byte
	// Text is the canonical text form (observable.AppendCanonical), for
	// display and for the STIX observation.
	Text []byte
	// Addr is the address of IPv4, IPv6 and AddrPort observables.
	Addr netip.Addr
	// Port is the port of AddrPort observables, and of IP observables
	// whose connection port is known (source or destination).
	Port uint16

	group uint8
}

// TimeSource says where Event.Time came from.
type TimeSource uint8

// Time sources.
const (
	TimeArrival TimeSource = iota // the arrival time passed to Extract
	TimeEvent                     // a time field of the event
)

func (s TimeSource) String() string {
	if s == TimeEvent {
		return "event"
	}
	return "arrival"
}

// stringValue is one string value of the event, for substring matching.
type stringValue struct {
	field string
	value []byte
}

// attr is a value that is not an observable but completes the observation
// (protocols, HTTP method and path, process ids, versions, user ids).
type attr struct {
	op    op
	role  observable.Role
	group uint8
	field string
	value []byte
}

// pending is a value whose mapping depends on the variant.
type pending struct {
	a *action
	t jsonscan.Type
	v []byte
}

// portSlot is a port seen for a role within a group.
type portSlot struct {
	group uint8
	role  observable.Role
	port  uint16
}

// Event is the reusable result of Extract. One worker goroutine owns an
// Event and passes it to Extract again and again; the Event keeps its
// buffers, so that steady-state extraction does not allocate. An Event is not
// safe for concurrent use. The zero Event is ready to use.
type Event struct {
	// Observables are the values found, in field order, then derived values
	// (address/port pairs, URLs built from host and path).
	Observables []Observable
	// Time is the event time in UTC.
	Time time.Time
	// TimeSource says whether Time came from the event or from arrival.
	TimeSource TimeSource
	// Profile is the name of the profile used.
	Profile string
	// Raw is the input of the last Extract, borrowed from the caller; the
	// caller must not modify it while it uses the Event.
	Raw []byte
	// Dropped counts observables not kept because of the per-event cap.
	Dropped int

	buf      []byte
	tmp      []byte
	strs     []stringValue
	attrs    []attr
	ports    []portSlot
	pend     []pending
	times    []timeCandidate
	discr    []byte
	hasDiscr bool
	text     bool
	timeRank int

	scanner jsonscan.Scanner
	nested  jsonscan.Scanner
	walker  walker
	paths   []string // interned unmapped key paths (open addressing)
	npaths  int
	tlds    map[string]bool

	// detection cache, see Extractor.detect
	lastKey     []byte
	lastProfile *Profile
	lastX       *Extractor

	obs      *observation.Observation
	obsBuilt bool
}

// Reset clears the event for reuse, keeping its buffers.
func (ev *Event) Reset() {
	// Slices are truncated, not cleared: what they still reference is the
	// Event's own buffers and the previous input, which the next event
	// overwrites or the caller recycles.
	ev.Observables = ev.Observables[:0]
	ev.Time, ev.TimeSource, ev.Profile, ev.Raw, ev.Dropped = time.Time{}, TimeArrival, "", nil, 0
	ev.buf = ev.buf[:0]
	ev.strs = ev.strs[:0]
	ev.attrs = ev.attrs[:0]
	ev.ports = ev.ports[:0]
	ev.pend = ev.pend[:0]
	ev.times = ev.times[:0]
	ev.discr, ev.hasDiscr = nil, false
	ev.text = false
	ev.timeRank = 1 << 30
	ev.scanner.Arena = ev.scanner.Arena[:0]
	ev.nested.Arena = ev.nested.Arena[:0]
	ev.obs, ev.obsBuilt = nil, false
}

// IsText reports whether the event was read as a raw text line.
func (ev *Event) IsText() bool { return ev.text }

// Strings calls fn with every string value of the event and its key path,
// for the engine's substring (LIKE/MATCHES) atoms: for a JSON event each
// string value, unescaped (values inside a JSON string field such as
// EventData are included with their nested path); for a text event the
// whole line with field "". Observables built from several fields (URLs) are
// not strings of the event; iterate Observables for those. The slices are
// borrowed like Observable values.
func (ev *Event) Strings(fn func(field string, value []byte)) {
	if ev.text {
		fn("", ev.Raw)
		return
	}
	for _, s := range ev.strs {
		fn(s.field, s.value)
	}
}

// maxInternedPaths bounds the per-Event table of unmapped key paths.
const maxInternedPaths = 4096

// intern returns a string for an unmapped key path, allocating only the
// first time the Event sees the path. The table is an open-addressing set
// with the cheap path hash of pathTable; it is per Event, so it needs no
// locking.
func (ev *Event) intern(path []byte, h uint64) string {
	if len(ev.paths) == 0 {
		ev.paths = make([]string, 64)
	}
	mask := uint64(len(ev.paths) - 1)
	i := h & mask
	for {
		s := ev.paths[i]
		if s == "" {
			break
		}
		if s == string(path) {
			return s
		}
		i = (i + 1) & mask
	}
	if ev.npaths >= maxInternedPaths || len(path) == 0 {
		return "*"
	}
	s := string(path)
	ev.paths[i] = s
	ev.npaths++
	if ev.npaths*2 > len(ev.paths) {
		old := ev.paths
		ev.paths = make([]string, 2*len(old))
		mask = uint64(len(ev.paths) - 1)
		for _, p := range old {
			if p == "" {
				continue
			}
			j := hashPath([]byte(p)) & mask
			for ev.paths[j] != "" {
				j = (j + 1) & mask
			}
			ev.paths[j] = p
		}
	}
	return s
}
