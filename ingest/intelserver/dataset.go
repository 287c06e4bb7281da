package intelserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/indicator-matcher/matcher/ingest/stixfile"
)

// DatasetOptions shapes a Dataset. The zero value serves every indicator
// of the input with Sekoia's extension fields and generated related
// objects.
type DatasetOptions struct {
	// MaxIndicators keeps N indicators spread evenly over the input (every
	// k-th), so that a small dataset still mixes every source (0: all).
	MaxIndicators int
	// Scale adds synthetic copies of the indicators (new ids, same
	// patterns) until there are this many, for load tests.
	Scale int
	// Plain serves indicators byte for byte as in the input, without the
	// Sekoia fields (created_by_ref, markings, sources, observable types…).
	Plain bool
	// NoRelated generates no threat objects, relationships, sources,
	// markings, attack patterns or courses of action.
	NoRelated bool
}

// Dataset is the initial content of a stand-in server. It is immutable and
// may back any number of Servers.
type Dataset struct {
	items      []item
	indicators int
}

// item is one object of a dataset.
type item struct {
	id, typ    string
	updated    time.Time
	raw        []byte   // nil when rel is set
	rel        *relSpec // generated relationship, rendered on demand
	revoked    bool
	validUntil time.Time
	pattern    string
}

func (it *item) body() []byte {
	if it.raw != nil {
		return it.raw
	}
	return it.rel.render()
}

// Len returns the number of objects; Indicators the number of indicators.
func (d *Dataset) Len() int        { return len(d.items) }
func (d *Dataset) Indicators() int { return d.indicators }

// LoadDataset reads STIX objects from a bundle, JSON array or JSON Lines
// file (gzipped or not) and builds a dataset from them.
func LoadDataset(path string, opts DatasetOptions) (*Dataset, error) {
	var objs []json.RawMessage
	err := stixfile.ReadFile(path, func(o []byte) error {
		objs = append(objs, bytes.Clone(o))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("intelserver: %w", err)
	}
	return NewDataset(objs, opts)
}

// meta is what the dataset builder reads of an object.
type meta struct {
	Type       string    `json:"type"`
	ID         string    `json:"id"`
	Created    time.Time `json:"created"`
	Modified   time.Time `json:"modified"`
	Pattern    string    `json:"pattern"`
	Labels     []string  `json:"labels"`
	ValidFrom  time.Time `json:"valid_from"`
	ValidUntil time.Time `json:"valid_until"`
	Revoked    bool      `json:"revoked"`
}

func (m *meta) position() time.Time {
	if !m.Modified.IsZero() {
		return m.Modified.UTC()
	}
	if !m.Created.IsZero() {
		return m.Created.UTC()
	}
	return poolEpoch
}

// NewDataset builds a dataset from STIX objects. Objects without a type or
// id are an error; a repeated id keeps the first object.
func NewDataset(objs []json.RawMessage, opts DatasetOptions) (*Dataset, error) {
	b := &builder{opts: opts, seen: map[string]bool{}, threats: map[string]bool{}}
	var inds []meta
	var raws [][]byte
	for i, o := range objs {
		var m meta
		if err := json.Unmarshal(o, &m); err != nil {
			return nil, fmt.Errorf("intelserver: object %d: %w", i, err)
		}
		if m.Type == "" || !strings.Contains(m.ID, "--") {
			return nil, fmt.Errorf("intelserver: object %d has no type or id", i)
		}
		if b.seen[m.ID] {
			continue
		}
		b.seen[m.ID] = true
		if m.Type != "indicator" {
			b.items = append(b.items, item{id: m.ID, typ: m.Type, updated: m.position(), raw: bytes.TrimSpace(o), revoked: m.Revoked})
			continue
		}
		inds = append(inds, m)
		raws = append(raws, bytes.TrimSpace(o))
	}
	if n := opts.MaxIndicators; n > 0 && n < len(inds) {
		for i := 0; i < n; i++ {
			j := i * len(inds) / n
			inds[i], raws[i] = inds[j], raws[j]
		}
		inds, raws = inds[:n], raws[:n]
	}
	for i := range inds {
		if err := b.addIndicator(&inds[i], raws[i], ""); err != nil {
			return nil, err
		}
	}
	for k := 1; opts.Scale > 0 && len(inds) > 0 && b.indicators < opts.Scale; k++ {
		for i := 0; i < len(inds) && b.indicators < opts.Scale; i++ {
			if err := b.addIndicator(&inds[i], raws[i], fmt.Sprintf("#%d", k)); err != nil {
				return nil, err
			}
		}
	}
	if !opts.NoRelated {
		b.addPools()
	}
	sort.Slice(b.items, func(i, j int) bool {
		return pos{b.items[i].updated, b.items[i].id}.before(pos{b.items[j].updated, b.items[j].id})
	})
	return &Dataset{items: b.items, indicators: b.indicators}, nil
}

type builder struct {
	opts       DatasetOptions
	items      []item
	seen       map[string]bool
	threats    map[string]bool // threat object ids already added
	indicators int
}

// addIndicator adds an indicator (or, with a clone suffix, a synthetic copy
// of it with a derived id) and its generated relationships.
func (b *builder) addIndicator(m *meta, raw []byte, clone string) error {
	id := m.ID
	if clone != "" {
		id = "indicator--" + stableUUID(m.ID+clone)
		if b.seen[id] {
			return nil
		}
		b.seen[id] = true
		raw = bytes.Replace(raw, []byte(`"`+m.ID+`"`), []byte(`"`+id+`"`), 1)
	}
	obsType := ""
	if ts := observableTypes(m.Pattern); len(ts) > 0 {
		obsType = ts[0]
	}
	tech := techniqueFor(id, obsType, m.Labels)
	if !b.opts.Plain {
		var err error
		if raw, err = decorate(raw, id, m, tech); err != nil {
			return err
		}
	}
	b.items = append(b.items, item{
		id: id, typ: "indicator", updated: m.position(), raw: raw,
		revoked: m.Revoked, validUntil: m.ValidUntil, pattern: m.Pattern,
	})
	b.indicators++
	if b.opts.NoRelated {
		return nil
	}
	src := sourceFor(m.Labels)
	marking := tlpFor(id)
	target := b.threat(id, m.Labels)
	created := m.Created.UTC()
	if created.IsZero() {
		created = m.position()
	}
	for i, tgt := range []string{target, stableID("attack-pattern", tech.id)} {
		r := &relSpec{
			id:      stableID("relationship", id+"\x00"+tgt),
			relType: "indicates", source: id, target: tgt,
			created: created.Add(time.Duration(2+i)*time.Second + time.Duration(pick(id, "rel", 1e6))*time.Microsecond),
			start:   m.ValidFrom, stop: m.ValidUntil, marking: marking, sources: []string{src.id},
		}
		b.items = append(b.items, item{id: r.id, typ: "relationship", updated: r.created, rel: r})
	}
	return nil
}

// decorate adds the Sekoia extension fields an indicator lacks, by
// appending them to its JSON text (the input's bytes are kept as they are).
func decorate(raw []byte, id string, m *meta, tech technique) ([]byte, error) {
	end := bytes.LastIndexByte(raw, '}')
	if end < 0 || raw[0] != '{' {
		return nil, fmt.Errorf("intelserver: indicator %s is not a JSON object", id)
	}
	var add bytes.Buffer
	put := func(key string, v any) {
		if bytes.Contains(raw, []byte(`"`+key+`"`)) {
			return
		}
		b, _ := json.Marshal(v)
		add.WriteString(`,"` + key + `":`)
		add.Write(b)
	}
	put("created_by_ref", sekoiaIdentity)
	put("object_marking_refs", []string{tlpFor(id)})
	put("x_inthreat_sources_refs", []string{sourceFor(m.Labels).id})
	if ts := observableTypes(m.Pattern); len(ts) > 0 {
		put("x_ic_observable_types", ts)
	}
	put("kill_chain_phases", killChain(tech.phase))
	put("revoked", false)
	put("lang", "en")
	put("x_ic_is_in_flint", false)
	put("x_ic_deprecated", false)
	out := make([]byte, 0, len(raw)+add.Len())
	out = append(out, raw[:end]...)
	if bytes.Equal(bytes.TrimSpace(raw[1:end]), nil) && add.Len() > 0 {
		out = append(out, add.Bytes()[1:]...) // empty object: drop the comma
	} else {
		out = append(out, add.Bytes()...)
	}
	out = append(out, raw[end:]...)
	if !json.Valid(out) {
		return nil, errors.New("intelserver: decorating " + id + " made invalid JSON")
	}
	return out, nil
}

func tlpFor(id string) string {
	switch n := pick(id, "tlp", 100); {
	case n < 35:
		return tlpWhite
	case n < 80:
		return tlpGreen
	default:
		return tlpAmber
	}
}

func sourceFor(labels []string) sourceIdentity {
	switch {
	case len(labels) > 1 && labels[1] == "unit42-playbook":
		return sources["unit42"]
	case len(labels) > 0:
		if s, ok := sources[labels[0]]; ok {
			return s
		}
	}
	return sources["sekoia"]
}

func techniqueFor(id, obsType string, labels []string) technique {
	if len(labels) > 0 && labels[0] == "ipsum" || len(labels) > 1 && labels[1] == "mass_scanner" {
		return techniqueByID("T1595")
	}
	cands, ok := techniquesFor[obsType]
	if !ok {
		cands = techniquesFor[""]
	}
	return techniqueByID(cands[pick(id, "technique", len(cands))])
}

// threat returns the id of the object an indicator indicates, adding the
// object the first time: a malware, tool or intrusion set named after the
// family label, a campaign for a Unit 42 playbook, else a threat actor.
func (b *builder) threat(id string, labels []string) string {
	var family, typ string
	switch {
	case len(labels) > 2 && labels[1] == "unit42-playbook":
		family, typ = labels[2], "campaign"
	case len(labels) > 2 && labels[0] == "maltrail" && labels[1] == "malware":
		family = labels[2]
	case len(labels) > 1 && labels[0] == "eset" && !strings.Contains(labels[1], ":"):
		family = labels[1]
	}
	if family == "" {
		a := actors[pick(id, "actor", len(actors))]
		if len(labels) > 0 && labels[0] == "ipsum" {
			a = actors[pick(id, "actor", 2)]
		}
		tid := stableID("threat-actor", a.name)
		if !b.threats[tid] {
			b.threats[tid] = true
			b.items = append(b.items, b.poolItem("threat-actor", tid, sdo("threat-actor", tid, a.name, map[string]any{
				"description": a.desc, "threat_actor_types": []string{a.kind}, "sophistication": "intermediate",
			})))
		}
		return tid
	}
	name := prettyName(family)
	if typ == "" {
		switch {
		case strings.HasPrefix(family, "apt_"):
			typ = "intrusion-set"
		case strings.Contains(family, "rmm") || family == "connectwise":
			typ = "tool"
		default:
			typ = "malware"
		}
	}
	tid := stableID(typ, family)
	if b.threats[tid] {
		return tid
	}
	b.threats[tid] = true
	desc := fmt.Sprintf("Stand-in %s generated from the label %q of the bundled test indicators.", typ, family)
	extra := map[string]any{"description": desc, "aliases": []string{name, family}}
	switch typ {
	case "malware":
		extra["is_family"] = true
		extra["malware_types"] = []string{"remote-access-trojan", "downloader", "ransomware", "spyware"}[pick(family, "mt", 4):][:1]
	case "tool":
		extra["tool_types"] = []string{"remote-access"}
	case "intrusion-set":
		extra["resource_level"] = "government"
		extra["primary_motivation"] = "organizational-gain"
	case "campaign":
		extra["objective"] = "Unknown"
		extra["aliases"] = []string{family}
	}
	b.items = append(b.items, b.poolItem(typ, tid, sdo(typ, tid, name, extra)))
	// The threat uses two techniques.
	for i := 0; i < 2; i++ {
		t := techniques[pick(family, fmt.Sprint("uses", i), len(techniques))]
		created, _ := poolTimes(tid)
		r := &relSpec{
			id: stableID("relationship", tid+"\x00uses\x00"+t.id), relType: "uses",
			source: tid, target: stableID("attack-pattern", t.id),
			created: created.Add(time.Hour), marking: tlpGreen, sources: []string{sekoiaIdentity},
		}
		if !b.seen[r.id] {
			b.seen[r.id] = true
			b.items = append(b.items, item{id: r.id, typ: "relationship", updated: r.created, rel: r})
		}
	}
	return tid
}

func (b *builder) poolItem(typ, id string, raw []byte) item {
	_, modified := poolTimes(id)
	return item{id: id, typ: typ, updated: modified, raw: raw}
}

// addPools adds markings, sources, attack patterns, courses of action and
// their "mitigates" relationships.
func (b *builder) addPools() {
	for _, raw := range markingObjects() {
		var m meta
		_ = json.Unmarshal(raw, &m)
		b.items = append(b.items, item{id: m.ID, typ: m.Type, updated: m.Created, raw: raw})
	}
	for _, s := range sources {
		b.items = append(b.items, b.poolItem("identity", s.id, identityObject(s)))
	}
	for _, t := range techniques {
		id := stableID("attack-pattern", t.id)
		b.items = append(b.items, b.poolItem("attack-pattern", id, attackPatternObject(t)))
	}
	for _, m := range mitigations {
		id := stableID("course-of-action", m.id)
		b.items = append(b.items, b.poolItem("course-of-action", id, courseOfActionObject(m)))
		created, _ := poolTimes(id)
		for _, t := range m.techniques {
			r := &relSpec{
				id: stableID("relationship", id+"\x00mitigates\x00"+t), relType: "mitigates",
				source: id, target: stableID("attack-pattern", t),
				created: created.Add(time.Minute), marking: tlpWhite, sources: []string{sekoiaIdentity},
			}
			b.items = append(b.items, item{id: r.id, typ: "relationship", updated: r.created, rel: r})
		}
	}
	// Drop duplicates a data file may already hold (it wins).
	out := b.items[:0]
	kept := map[string]bool{}
	for _, it := range b.items {
		if kept[it.id] {
			continue
		}
		kept[it.id] = true
		out = append(out, it)
	}
	b.items = out
}

func prettyName(family string) string {
	f := strings.TrimPrefix(family, "apt_")
	words := strings.FieldsFunc(f, func(r rune) bool { return r == '_' || r == '-' || r == ' ' })
	for i, w := range words {
		r := []rune(w)
		r[0] = unicode.ToUpper(r[0])
		words[i] = string(r)
	}
	if len(words) == 0 {
		return family
	}
	return strings.Join(words, " ")
}

// relSpec is a generated relationship, rendered when served.
type relSpec struct {
	id, relType, source, target string
	created, start, stop        time.Time
	marking                     string
	sources                     []string
}

func (r *relSpec) render() []byte {
	type rel struct {
		Type        string   `json:"type"`
		SpecVersion string   `json:"spec_version"`
		ID          string   `json:"id"`
		Created     string   `json:"created"`
		Modified    string   `json:"modified"`
		CreatedBy   string   `json:"created_by_ref"`
		RelType     string   `json:"relationship_type"`
		SourceRef   string   `json:"source_ref"`
		TargetRef   string   `json:"target_ref"`
		StartTime   string   `json:"start_time,omitempty"`
		StopTime    string   `json:"stop_time,omitempty"`
		Markings    []string `json:"object_marking_refs"`
		Sources     []string `json:"x_inthreat_sources_refs"`
		Revoked     bool     `json:"revoked"`
		Lang        string   `json:"lang"`
		InFlint     bool     `json:"x_ic_is_in_flint"`
		Deprecated  bool     `json:"x_ic_deprecated"`
		Confidence  int      `json:"confidence"`
	}
	o := rel{
		Type: "relationship", SpecVersion: "2.1", ID: r.id,
		Created: stixTime(r.created), Modified: stixTime(r.created), CreatedBy: sekoiaIdentity,
		RelType: r.relType, SourceRef: r.source, TargetRef: r.target,
		Markings: []string{r.marking}, Sources: r.sources, Lang: "en", Confidence: 70 + pick(r.id, "c", 31),
	}
	if !r.start.IsZero() {
		o.StartTime = stixTime(r.start)
	}
	if !r.stop.IsZero() {
		o.StopTime = stixTime(r.stop)
	}
	b, _ := json.Marshal(o)
	return b
}

// NewFromFile loads a dataset from path (for instance the bundled
// testdata/real/indicators.jsonl.gz: 83k real indicators) and serves it.
func NewFromFile(path string, dsOpts DatasetOptions, opts Options) (*Server, error) {
	ds, err := LoadDataset(path, dsOpts)
	if err != nil {
		return nil, err
	}
	return New(ds, opts), nil
}
