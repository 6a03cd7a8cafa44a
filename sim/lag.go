package sim

import (
	"strings"
	"time"
)

// versioned holds one object as the master copy (what writes see) and, while
// a change has not yet "replicated", the copy that reads still see.
//
// Exchange Online writes go to the master directory and reads may be served
// by a replica for seconds to minutes (wire-formats A9). The sim models that
// with one pending version per object: Previous is visible to reads until
// VisibleAt, then Current is. Everything is persisted, so the lag spans
// processes sharing a state file.
type versioned[T any] struct {
	// Current is the master copy; nil once the object is removed (a tombstone
	// kept until the removal has replicated).
	Current *T `json:"current"`
	// Previous is what reads see until VisibleAt; nil for an object created
	// within the lag window.
	Previous *T `json:"previous,omitempty"`
	// VisibleAt is when Current becomes visible to reads; nil when it already is.
	VisibleAt *time.Time `json:"visible_at,omitempty"`
}

// visible returns the copy a read at now sees, or nil when the object does
// not exist for readers.
func (v *versioned[T]) visible(now time.Time) *T {
	if v.VisibleAt == nil || !now.Before(*v.VisibleAt) {
		return v.Current
	}
	return v.Previous
}

// put records a new master copy (nil to remove). Readers keep seeing what
// they saw at now until now+lag, so a read never goes back in time even when
// a second write lands before the first one replicated.
func (v *versioned[T]) put(obj *T, now time.Time, lag time.Duration) {
	if lag <= 0 {
		v.Current, v.Previous, v.VisibleAt = obj, nil, nil
		return
	}
	seen := v.visible(now)
	at := now.Add(lag)
	v.Current, v.Previous, v.VisibleAt = obj, seen, &at
}

// settle forgets replication state that has expired and reports whether the
// whole record can be dropped (a fully replicated removal).
func (v *versioned[T]) settle(now time.Time) (drop bool) {
	if v.VisibleAt != nil && !now.Before(*v.VisibleAt) {
		v.Previous, v.VisibleAt = nil, nil
	}
	return v.Current == nil && v.VisibleAt == nil
}

// find returns the first record, in key order, whose copy satisfies match: the master copy for
// writes (Exchange writes go to the master), or what reads see now.
func find[T any](x *cmdContext, m map[string]*versioned[T], master bool, match func(*T) bool) (*versioned[T], *T) {
	for _, k := range sortedKeys(m) {
		rec := m[k]
		v := rec.Current
		if !master {
			v = rec.visible(x.now)
		}
		if v != nil && match(v) {
			return rec, v
		}
	}
	return nil, nil
}

// nameOrGUID returns a matcher for an identity given as an object's name or its GUID.
func nameOrGUID(identity string) func(name, guid string) bool {
	g, isGUID := parseGUID(identity)
	id := strings.TrimSpace(identity)
	return func(name, guid string) bool { return (isGUID && guid == g) || strings.EqualFold(name, id) }
}
