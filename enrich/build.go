package enrich

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/indicator-matcher/matcher/ingest/intel"
)

// Resolver fetches an object that a bundle references but does not
// include: objects/{id}, or relationships/{id} for relationship ids. The
// Enricher's resolver goes through its object cache, singleflight and
// circuit breaker.
type Resolver interface {
	Resolve(ctx context.Context, id string) (json.RawMessage, error)
}

// ResolverFunc makes a Resolver of a function.
type ResolverFunc func(ctx context.Context, id string) (json.RawMessage, error)

// Resolve calls f.
func (f ResolverFunc) Resolve(ctx context.Context, id string) (json.RawMessage, error) {
	return f(ctx, id)
}

// Bounds of one digest.
const (
	// DefaultMaxFetches bounds the objects one digest fetches.
	DefaultMaxFetches = 16
	// MaxListLen bounds every list of a digest.
	MaxListLen = 100
)

// BuildOptions tunes Build. The zero value fetches up to
// DefaultMaxFetches missing objects and leaves the bundle out.
type BuildOptions struct {
	// MaxFetches bounds the objects fetched through the Resolver; 0
	// means DefaultMaxFetches, a negative value none.
	MaxFetches int
	// FullBundle puts the whole bundle into Digest.Bundle.
	FullBundle bool
	// FetchedAt is copied into the digest.
	FetchedAt time.Time
}

// Build makes the digest of the object rootID from its context bundle.
// With rootID empty the bundle's first indicator is the root (the bundles
// of indicators/context). Objects the bundle references but lacks are
// fetched with r (nil fetches nothing); those that cannot be had are
// listed in Digest.Unresolved. The only error is a root that is neither in
// the bundle nor fetchable (ErrNoIndicator). Build is a pure function of
// its inputs and r's answers; it never panics on malformed objects.
func Build(ctx context.Context, b *intel.Bundle, rootID string, r Resolver, opts BuildOptions) (Digest, error) {
	if b == nil {
		return Digest{}, fmt.Errorf("%w: no bundle", ErrNoIndicator)
	}
	if opts.MaxFetches == 0 {
		opts.MaxFetches = DefaultMaxFetches
	}
	bd := &builder{ctx: ctx, r: r, budget: max(opts.MaxFetches, 0), objs: map[string]*object{}, seen: map[string]bool{}}
	for _, raw := range b.Objects {
		o, ok := decodeObject(raw)
		if !ok || o.malformed {
			bd.d.Malformed++
		}
		if ok && bd.objs[o.ID] == nil {
			bd.objs[o.ID] = o
			bd.order = append(bd.order, o)
		}
	}
	if rootID == "" {
		for _, o := range bd.order {
			if o.Type == "indicator" {
				rootID = o.ID
				break
			}
		}
	}
	root := bd.get(rootID)
	if root == nil {
		return Digest{}, fmt.Errorf("%w: %.80q", ErrNoIndicator, rootID)
	}
	bd.indicator(root)
	rels := bd.firstLevel(root)
	bd.bundleEntities(root)
	bd.mitigations()
	bd.sources(root, rels)
	bd.marking(root)
	bd.tactics(root)
	d := bd.d
	if len(d.Sources) > 0 {
		d.Indicator.Provider = d.Sources[0].Name
	}
	d.FetchedAt, d.BundleID = opts.FetchedAt, b.ID
	if opts.FullBundle {
		if raw, err := json.Marshal(b); err == nil {
			d.Bundle = raw
		}
	}
	return d, nil
}

type builder struct {
	ctx     context.Context
	r       Resolver
	budget  int
	stopped bool
	objs    map[string]*object
	order   []*object
	seen    map[string]bool // ids already in the digest, and unresolved ones
	d       Digest
}

// get returns object id from the bundle, fetching it when missing.
func (bd *builder) get(id string) *object {
	if id == "" {
		return nil
	}
	if o := bd.objs[id]; o != nil {
		return o
	}
	if bd.r == nil || bd.stopped || bd.budget <= 0 || !validID(id) {
		bd.unresolved(id)
		return nil
	}
	bd.budget--
	raw, err := bd.r.Resolve(bd.ctx, id)
	if err != nil {
		switch Reason(err) {
		case ReasonBreakerOpen, ReasonCanceled, ReasonClosed:
			bd.stopped = true // the next ones would fail the same way
		}
		bd.unresolved(id)
		return nil
	}
	bd.d.Fetched++
	o, ok := decodeObject(raw)
	if !ok || o.ID != id {
		bd.d.Malformed++
		bd.unresolved(id)
		return nil
	}
	bd.objs[id] = o
	return o
}

func (bd *builder) unresolved(id string) {
	if id != "" && !bd.seen["?"+id] {
		bd.seen["?"+id] = true
		bd.d.Unresolved = appendCapped(&bd.d, bd.d.Unresolved, id)
	}
}

func (bd *builder) indicator(o *object) {
	in := Indicator{
		STIXID: o.ID, Name: o.Name, Description: clip(o.Description, 1000), Pattern: o.Pattern, PatternType: o.PatternType,
		Type: o.ObservableTypes, IndicatorTypes: o.IndicatorTypes, Revoked: o.Revoked,
		ValidFrom: parseTime(o.ValidFrom), ValidUntil: parseTime(o.ValidUntil), ModifiedAt: parseTime(o.Modified),
	}
	if o.Confidence != nil {
		c := int(min(max(*o.Confidence, 0), 100))
		in.ConfidenceScore, in.Confidence = &c, confidenceScale(c)
	}
	bd.d.Indicator = in
	bd.seen[o.ID] = true
}

// firstLevel adds the relationships that have the root at one end, and
// the objects at their other ends.
func (bd *builder) firstLevel(root *object) []*object {
	var rels []*object
	for _, o := range bd.order {
		if o.Type != "relationship" || o.Revoked || (o.SourceRef != root.ID && o.TargetRef != root.ID) {
			continue
		}
		other := o.TargetRef
		if other == root.ID {
			other = o.SourceRef
		}
		if oo := bd.get(other); oo != nil && !oo.Revoked {
			bd.entity(oo)
		}
		bd.relationship(o)
		rels = append(rels, o)
	}
	return rels
}

// bundleEntities adds the threat objects the bundle holds that no
// relationship led to: the bundle holds related objects only.
func (bd *builder) bundleEntities(root *object) {
	for _, o := range bd.order {
		if o != root && !o.Revoked {
			bd.entity(o)
		}
	}
}

// mitigations adds the courses of action that mitigate an attack pattern
// of the digest, following the bundle's "mitigates" relationships.
func (bd *builder) mitigations() {
	for _, o := range bd.order {
		if o.Type != "relationship" || o.Revoked || o.RelationshipType != "mitigates" {
			continue
		}
		if t := bd.objs[o.TargetRef]; t == nil || t.Type != "attack-pattern" || !bd.seen[t.ID] {
			continue
		}
		if c := bd.get(o.SourceRef); c != nil && !c.Revoked {
			bd.entity(c)
			bd.relationship(o)
		}
	}
}

func (bd *builder) relationship(o *object) {
	if bd.seen[o.ID] {
		return
	}
	bd.seen[o.ID] = true
	bd.d.Relationships = appendCapped(&bd.d, bd.d.Relationships, Relationship{
		STIXID: o.ID, Type: o.RelationshipType, SourceRef: o.SourceRef, TargetRef: o.TargetRef,
		SourceName: bd.nameOf(o.SourceRef), TargetName: bd.nameOf(o.TargetRef),
	})
}

// nameOf names a known object; a relationship is named by its type.
func (bd *builder) nameOf(id string) string {
	o := bd.objs[id]
	switch {
	case o == nil:
		return ""
	case o.Type == "relationship":
		return o.RelationshipType
	}
	return o.Name
}

// entity adds o to its category; other types are ignored.
func (bd *builder) entity(o *object) {
	var list *[]Entity
	switch o.Type {
	case "threat-actor":
		list = &bd.d.ThreatActors
	case "intrusion-set":
		list = &bd.d.IntrusionSets
	case "malware":
		list = &bd.d.Malware
	case "tool":
		list = &bd.d.Tools
	case "campaign":
		list = &bd.d.Campaigns
	case "attack-pattern":
		list = &bd.d.AttackPatterns
	case "course-of-action":
		list = &bd.d.CoursesOfAction
	default:
		return
	}
	if bd.seen[o.ID] {
		return
	}
	bd.seen[o.ID] = true
	e := Entity{STIXID: o.ID, Type: o.Type, Name: o.Name, Platforms: capList(o.Platforms)}
	e.ID, e.Reference = mitreID(o.ExternalReferences)
	e.Alias = aliases(o.Name, o.Aliases, o.MitreAliases)
	switch o.Type {
	case "malware":
		e.Kinds = capList(o.MalwareTypes)
	case "tool":
		e.Kinds = capList(o.ToolTypes)
	case "threat-actor":
		e.Kinds = capList(o.ThreatActorTypes)
	case "attack-pattern":
		for _, p := range o.KillChainPhases {
			if mitreSources[p.KillChainName] && p.PhaseName != "" && !contains(e.Tactics, p.PhaseName) {
				e.Tactics = append(e.Tactics, p.PhaseName)
			}
		}
	}
	*list = appendCapped(&bd.d, *list, e)
}

func appendCapped[T any](d *Digest, list []T, v T) []T {
	if len(list) >= MaxListLen {
		d.Truncated = true
		return list
	}
	return append(list, v)
}

// aliases returns the aliases other than the name, deduplicated.
func aliases(name string, lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		for _, a := range l {
			if a = strings.TrimSpace(a); a != "" && a != name && !contains(out, a) && len(out) < MaxListLen {
				out = append(out, a)
			}
		}
	}
	return out
}

func capList(l []string) []string {
	if len(l) > MaxListLen {
		return l[:MaxListLen]
	}
	return l
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n-- // do not cut a UTF-8 sequence
	}
	return s[:n] + "…"
}
