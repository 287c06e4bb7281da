package extract

import (
	"errors"
	"fmt"
	"sort"
	"time"
	"unicode/utf8"

	"github.com/indicator-matcher/matcher/engine/extract/jsonscan"
	"github.com/indicator-matcher/matcher/engine/observable"
)

// Defaults of Config.
const (
	DefaultMaxEventBytes  = 1 << 20
	DefaultMaxDepth       = 64
	DefaultMaxObservables = 1024
)

// Names of the built-in fallback profiles.
const (
	GenericProfile = "generic" // JSON events no profile detects
	TextProfile    = "text"    // events that are not JSON objects
)

// Extractor holds the compiled profiles and settings. It is immutable after
// New and safe for concurrent use by any number of workers, each with its
// own Event.
type Extractor struct {
	maxBytes, maxDepth, maxObs int
	profiles                   map[string]*Profile
	detectOrder                []*detector
	detectKeys                 map[string]uint64
	subjects                   []subjectRoute
	generic, text              *Profile
	zone                       *time.Location // of times without one
}

// detector is one auto-detectable profile with its key sets as bit masks.
type detector struct {
	p     *Profile
	masks []uint64
}

// New compiles the built-in profiles and those of cfg.
func New(cfg Config) (*Extractor, error) {
	builtin, err := BuiltinProfiles()
	if err != nil {
		return nil, err
	}
	specs, err := resolveSpecs(append(builtin, cfg.Profiles...))
	if err != nil {
		return nil, err
	}
	x := &Extractor{
		maxBytes: cfg.MaxEventBytes, maxDepth: cfg.MaxDepth, maxObs: cfg.MaxObservables,
		profiles: make(map[string]*Profile, len(specs)), detectKeys: map[string]uint64{},
		zone: cfg.TimeZone,
	}
	if x.zone == nil {
		x.zone = time.UTC
	}
	if x.maxBytes <= 0 {
		x.maxBytes = DefaultMaxEventBytes
	}
	if x.maxDepth <= 0 {
		x.maxDepth = DefaultMaxDepth
	}
	if x.maxObs <= 0 {
		x.maxObs = DefaultMaxObservables
	}
	var errs []error
	for _, s := range specs {
		p, err := compileProfile(s)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		x.profiles[p.name] = p
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if x.generic = x.profiles[GenericProfile]; x.generic == nil || x.generic.text {
		return nil, fmt.Errorf("extract: profile %q must exist and be a JSON profile", GenericProfile)
	}
	if x.text = x.profiles[TextProfile]; x.text == nil || !x.text.text {
		return nil, fmt.Errorf("extract: profile %q must exist and be a text profile", TextProfile)
	}
	if err := x.compileDetection(); err != nil {
		return nil, err
	}
	for _, r := range cfg.Subjects {
		route, err := x.compileRoute(r)
		if err != nil {
			return nil, err
		}
		x.subjects = append(x.subjects, route)
	}
	return x, nil
}

func (x *Extractor) compileDetection() error {
	names := make([]string, 0, len(x.profiles))
	for n := range x.profiles {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p := x.profiles[n]
		if len(p.detect) == 0 || p.text {
			continue
		}
		d := &detector{p: p}
		for _, set := range p.detect {
			var m uint64
			for _, key := range set {
				bit, ok := x.detectKeys[key]
				if !ok {
					if len(x.detectKeys) == 64 {
						return fmt.Errorf("extract: more than 64 distinct detection keys")
					}
					bit = 1 << len(x.detectKeys)
					x.detectKeys[key] = bit
				}
				m |= bit
			}
			if m != 0 {
				d.masks = append(d.masks, m)
			}
		}
		x.detectOrder = append(x.detectOrder, d)
	}
	sort.SliceStable(x.detectOrder, func(i, j int) bool { return x.detectOrder[i].p.priority > x.detectOrder[j].p.priority })
	return nil
}

// Profile returns the profile called name, or nil.
func (x *Extractor) Profile(name string) *Profile { return x.profiles[name] }

// ProfileNames returns the names of all profiles, sorted.
func (x *Extractor) ProfileNames() []string {
	out := make([]string, 0, len(x.profiles))
	for n := range x.profiles {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Extract decodes raw, choosing the profile per event (auto-detection), and
// fills ev. arrival is the time the event arrived; it becomes ev.Time when
// the event carries no usable time. On error ev holds no observables and
// the error is an *Error whose Reason is one of the sentinel errors.
func (x *Extractor) Extract(raw []byte, arrival time.Time, ev *Event) error {
	return x.ExtractWith(nil, raw, arrival, ev)
}

// ExtractWith is Extract with a fixed profile (nil means auto-detection).
// A text profile reads raw as a text line; a JSON profile requires a JSON
// object.
func (x *Extractor) ExtractWith(p *Profile, raw []byte, arrival time.Time, ev *Event) error {
	ev.Reset()
	ev.Raw = raw
	ev.Time, ev.TimeSource = arrival.UTC(), TimeArrival
	if len(raw) > x.maxBytes {
		return x.fail(ev, ErrTooLarge, -1, p)
	}
	start := 0
	for start < len(raw) && isWS(raw[start]) {
		start++
	}
	if start == len(raw) {
		return x.fail(ev, ErrEmpty, -1, p)
	}
	if p == nil {
		if raw[start] == '{' {
			p = x.detect(raw, ev)
		} else {
			p = x.text
		}
	}
	ev.Profile = p.name
	w := &ev.walker
	*w = walker{ev: ev, p: p, maxObs: x.maxObs, zone: x.zone}
	if p.text {
		return x.extractText(ev, w, raw)
	}
	ev.scanner.MaxDepth, ev.nested.MaxDepth = x.maxDepth, x.maxDepth
	if err := ev.scanner.Scan(raw, nil, w); err != nil {
		var reason error
		switch err {
		case jsonscan.ErrTooDeep:
			reason = ErrTooDeep
		case jsonscan.ErrUTF8:
			reason = ErrInvalidUTF8
		case jsonscan.ErrNotObject:
			reason = ErrNotObject
		default:
			reason = ErrInvalidJSON
		}
		return x.fail(ev, reason, ev.scanner.ErrOffset(), p)
	}
	w.finish()
	return nil
}

// extractText handles a raw text line: the whole line (without its line
// ending) is a Text observable and the token scanner looks for the kinds of
// the profile's scan_unmapped setting.
func (x *Extractor) extractText(ev *Event, w *walker, raw []byte) error {
	if !utf8.Valid(raw) {
		return x.fail(ev, ErrInvalidUTF8, -1, w.p)
	}
	line := raw
	for len(line) > 0 && (line[len(line)-1] == '\n' || line[len(line)-1] == '\r') {
		line = line[:len(line)-1]
	}
	ev.text = true
	ev.Raw = line
	if t, ok := lineTime(line, ev.Time, x.zone); ok {
		ev.Time, ev.TimeSource = t, TimeEvent
	}
	w.add(Observable{Kind: observable.Text, Role: observable.RoleText, Value: line, Text: line})
	w.scanText("", line, w.p.scan, observable.RoleNone)
	return nil
}

func (x *Extractor) fail(ev *Event, reason error, off int, p *Profile) error {
	e := &Error{Reason: reason, Offset: off}
	if p != nil {
		e.Profile = p.name
	}
	raw, arrival := ev.Raw, ev.Time
	ev.Reset()
	ev.Raw, ev.Time = raw, arrival
	return e
}

// detect chooses a JSON profile from the top-level keys of raw: the
// highest-priority profile one of whose key sets is complete, else generic.
//
// When the first key alone settles it (Zeek's "_path"), the Event remembers
// that key, and the next event starting with the same key is settled by a
// byte comparison.
func (x *Extractor) detect(raw []byte, ev *Event) *Profile {
	if ev.lastKey != nil && ev.lastX == x && hasFirstKey(raw, ev.lastKey) {
		return ev.lastProfile
	}
	var seen uint64
	var top *detector
	if len(x.detectOrder) > 0 {
		top = x.detectOrder[0]
	}
	keys, firstDecides := 0, false
	var first []byte
	jsonscan.TopKeys(raw, func(key []byte) bool {
		keys++
		if keys == 1 {
			first = key
		}
		bit, ok := x.detectKeys[string(key)]
		if !ok {
			return true
		}
		seen |= bit
		if top == nil {
			return true
		}
		// The highest-priority profile cannot be beaten: stop early.
		for _, m := range top.masks {
			if seen&m == m {
				firstDecides = keys == 1
				return false
			}
		}
		return true
	})
	ev.lastKey = ev.lastKey[:0]
	if firstDecides {
		ev.lastKey = append(ev.lastKey, first...)
		ev.lastProfile, ev.lastX = top.p, x
		return top.p
	}
	ev.lastKey = nil
	for _, d := range x.detectOrder {
		for _, m := range d.masks {
			if seen&m == m {
				return d.p
			}
		}
	}
	return x.generic
}

// hasFirstKey reports whether the first key of the object raw is key.
func hasFirstKey(raw, key []byte) bool {
	i := 0
	for i < len(raw) && isWS(raw[i]) {
		i++
	}
	if i >= len(raw) || raw[i] != '{' {
		return false
	}
	for i++; i < len(raw) && isWS(raw[i]); i++ {
	}
	n := len(key)
	return i+n+2 <= len(raw) && raw[i] == '"' && raw[i+1+n] == '"' && string(raw[i+1:i+1+n]) == string(key)
}

func isWS(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
