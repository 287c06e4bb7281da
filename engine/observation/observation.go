package observation

import (
	"errors"
	"fmt"
	"time"
)

// Observation is one observed-data object together with the cyber-observable
// objects its object_refs name. NumberObserved counts how many observation
// instances it stands for; First and Last bound the time they were seen.
//
// An Observation is plain data; once built it may be read concurrently.
type Observation struct {
	// ID is the observed-data id, or a synthetic id for an event.
	ID string
	// First and Last are first_observed and last_observed.
	First, Last time.Time
	// NumberObserved is number_observed; at least 1.
	NumberObserved int
	// Container is the observed-data object itself. It can be the target of a
	// reference but is never a root object of a comparison. May be nil.
	Container *Object
	// Objects are the objects named by object_refs, in that order.
	Objects []*Object
}

// Lookup returns the object of the observation whose id is id: one of
// Objects, or the container. It returns nil when there is none.
func (o *Observation) Lookup(id string) *Object {
	for _, obj := range o.Objects {
		if obj.ID() == id {
			return obj
		}
	}
	if o.Container != nil && o.Container.ID() == id {
		return o.Container
	}
	return nil
}

// ErrBadObservedData is wrapped by the errors of FromBundles for
// observed-data objects that lack a required property.
var ErrBadObservedData = errors.New("observation: invalid observed-data")

// FromObjects builds observations the way the STIX 2.1 reference matcher
// does: every observed-data object among objects becomes one Observation made
// of itself plus the objects its object_refs name. References to objects
// that are absent are ignored. Objects no observed-data names are invisible.
func FromObjects(objects []*Object) ([]Observation, error) {
	byID := make(map[string]*Object, len(objects))
	for _, o := range objects {
		if id := o.ID(); id != "" {
			if _, dup := byID[id]; !dup {
				byID[id] = o
			}
		}
	}
	var out []Observation
	for _, o := range objects {
		if o.Type() != "observed-data" {
			continue
		}
		obs, err := observedData(o, byID)
		if err != nil {
			return nil, err
		}
		out = append(out, obs)
	}
	return out, nil
}

func observedData(o *Object, byID map[string]*Object) (Observation, error) {
	id := o.ID()
	obs := Observation{ID: id, Container: o}
	var err error
	if obs.First, err = timeProp(o, "first_observed"); err != nil {
		return obs, err
	}
	if obs.Last, err = timeProp(o, "last_observed"); err != nil {
		return obs, err
	}
	n, ok := o.Get("number_observed")
	if !ok || n.Kind() != Int || n.Int() < 1 || n.Int() > 1<<31-1 {
		return obs, fmt.Errorf("%w: %s: number_observed must be an integer of at least 1", ErrBadObservedData, id)
	}
	obs.NumberObserved = int(n.Int())
	refs, _ := o.Get("object_refs")
	for _, r := range refs.List() {
		if target, ok := byID[r.Str()]; ok {
			obs.Objects = append(obs.Objects, target)
		}
	}
	return obs, nil
}

func timeProp(o *Object, name string) (time.Time, error) {
	s, ok := o.GetString(name)
	if !ok {
		return time.Time{}, fmt.Errorf("%w: %s: missing %s", ErrBadObservedData, o.ID(), name)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %s: %s: %v", ErrBadObservedData, o.ID(), name, err)
	}
	return t.UTC(), nil
}

// FromBundles merges STIX bundles (each a JSON object with an "objects"
// list) and builds their observations with FromObjects.
func FromBundles(bundles []Value) ([]Observation, error) {
	var objects []*Object
	for _, b := range bundles {
		bo := b.Object()
		if bo == nil {
			return nil, errors.New("observation: bundle is not a JSON object")
		}
		list, _ := bo.Get("objects")
		for _, item := range list.List() {
			if obj := item.Object(); obj != nil {
				objects = append(objects, obj)
			}
		}
	}
	return FromObjects(objects)
}
