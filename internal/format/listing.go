package format

import (
	"math"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/arcahq/arca/internal/resolve"
)

// Listing is what a package's document lists: the versions clients may
// see (Status.Listed), in a format's order, and when the latest of them
// changed, with what they were derived from, so that the next listing of
// the package is derived from this one at the cost of what changed
// (Relist). A format keeps it with the document made from it.
type Listing struct {
	// Versions are the listed versions in the format's order. They must
	// not be modified.
	Versions []string
	// Updated is the latest UpdatedAt of the listed versions (zero when
	// none is known).
	Updated time.Time
	// Stamp names Versions and Updated: a listing derived from one with
	// nothing listed changed (a Maven deploy's jar and POM, before its
	// maven-metadata.xml lists the version) keeps its Stamp, and a
	// document made from the one serves for the other.
	Stamp uint64

	// lineage and seen are the view's Lineage and List the listing was
	// made from (seen nil: a view without a List).
	lineage uint64
	seen    []seen
	// extended is set by the one listing that appends to seen in place.
	extended atomic.Bool
}

// seen is a candidate of a view's List as a listing depends on it.
type seen struct {
	version string
	updated int64 // of a listed version (UnixNano, zeroTime); notListed
}

const (
	notListed = math.MinInt64
	zeroTime  = math.MinInt64 + 1 // a listed version updated at no known time
)

func seenOf(c *resolve.Candidate) seen {
	switch {
	case !c.Status.Listed():
		return seen{c.Version.Version, notListed}
	case c.UpdatedAt.IsZero():
		return seen{c.Version.Version, zeroTime}
	}
	return seen{c.Version.Version, c.UpdatedAt.UnixNano()}
}

// maxChanges is the number of versions listed or unlisted at once beyond
// which a listing is made again from all versions rather than by moving
// each.
const maxChanges = 64

// stamps numbers listings' contents.
var stamps atomic.Uint64

// Relist returns the listing of view, derived from prev (the listing of
// an earlier view of the package; nil: none), the versions in cmp's order
// (equal ones by their strings). When view's List extends the one prev
// was made from (the same Lineage) only the versions added are placed,
// by binary search; when it is a new Lineage of the same versions (an
// asset added, a status changed), the two lists are compared index by
// index and the versions whose status changed moved; anything else (a
// deletion, a view without a List) lists every version again, those of
// prev keeping their places. The result is what Relist(nil, view, cmp)
// gives.
func Relist(prev *Listing, view *resolve.View, cmp func(a, b string) int) *Listing {
	cmp = total(cmp)
	list := view.List
	if list == nil || prev == nil || prev.seen == nil || len(list) < len(prev.seen) {
		return relistAll(prev, view, cmp)
	}
	n := len(prev.seen)
	next := &Listing{lineage: view.Lineage, Updated: prev.Updated}
	var removed []string
	var added []seen
	if view.Lineage == prev.lineage && prev.extended.CompareAndSwap(false, true) {
		next.seen = prev.seen // appended to in place: prev sees its own length
	} else {
		next.seen = make([]seen, n, len(list))
		var updated time.Time
		for i, was := range prev.seen {
			c := list[i]
			now := seenOf(c)
			if now.version != was.version {
				return relistAll(prev, view, cmp)
			}
			next.seen[i] = now
			if now.updated != notListed && c.UpdatedAt.After(updated) {
				updated = c.UpdatedAt
			}
			if now.updated == was.updated {
				continue
			}
			if was.updated != notListed {
				removed = append(removed, was.version)
			}
			if now.updated != notListed {
				added = append(added, now)
			}
			if len(removed)+len(added) > maxChanges {
				return relistAll(prev, view, cmp)
			}
		}
		next.Updated = updated
	}
	for _, c := range list[n:] {
		s := seenOf(c)
		next.seen = append(next.seen, s)
		if s.updated != notListed {
			added = append(added, s)
			if c.UpdatedAt.After(next.Updated) {
				next.Updated = c.UpdatedAt
			}
		}
	}
	if len(removed)+len(added) > maxChanges {
		return relistAll(prev, view, cmp)
	}
	if len(removed) == 0 && len(added) == 0 {
		next.Versions = prev.Versions
		if next.Updated.Equal(prev.Updated) {
			next.Stamp = prev.Stamp
		} else {
			next.Stamp = stamps.Add(1)
		}
		return next
	}
	vs := prev.Versions
	if len(removed) > 0 {
		vs = slices.Clone(vs)
		for _, v := range removed {
			i, ok := slices.BinarySearchFunc(vs, v, cmp)
			if !ok {
				return relistAll(prev, view, cmp)
			}
			vs = slices.Delete(vs, i, i+1)
		}
	}
	versions := make([]string, len(added))
	for i, s := range added {
		versions[i] = s.version
	}
	slices.SortFunc(versions, cmp)
	vs, distinct := Merge(vs, versions, cmp)
	if !distinct || hasEqualNeighbours(versions, cmp) {
		return relistAll(prev, view, cmp) // listed twice
	}
	next.Versions, next.Stamp = vs, stamps.Add(1)
	return next
}

// relistAll makes the listing of view from all its versions, those
// listed by prev (when given) keeping their places and the others placed
// by binary search.
func relistAll(prev *Listing, view *resolve.View, cmp func(a, b string) int) *Listing {
	next := &Listing{lineage: view.Lineage}
	var listed []string
	add := func(c *resolve.Candidate) {
		if !c.Status.Listed() {
			return
		}
		listed = append(listed, c.Version.Version)
		if c.UpdatedAt.After(next.Updated) {
			next.Updated = c.UpdatedAt
		}
	}
	if view.List != nil {
		next.seen = make([]seen, len(view.List))
		for i, c := range view.List {
			next.seen[i] = seenOf(c)
			add(c)
		}
	} else {
		for _, c := range view.Versions {
			add(c)
		}
	}
	if prev == nil || len(prev.Versions) == 0 {
		slices.SortFunc(listed, cmp)
		next.Versions, next.Stamp = slices.Compact(listed), stamps.Add(1)
		return next
	}
	// Versions of prev still listed keep their order; the others are
	// sorted and placed among them.
	isKept := make(map[string]bool, len(listed))
	for _, v := range listed {
		isKept[v] = false
	}
	vs := make([]string, 0, len(listed))
	for _, v := range prev.Versions {
		if was, ok := isKept[v]; ok && !was {
			isKept[v] = true
			vs = append(vs, v)
		}
	}
	var added []string
	for v, kept := range isKept {
		if !kept {
			added = append(added, v)
		}
	}
	slices.SortFunc(added, cmp)
	next.Versions, _ = Merge(vs, added, cmp) // distinct: a set's
	next.Stamp = stamps.Add(1)
	if slices.Equal(next.Versions, prev.Versions) && next.Updated.Equal(prev.Updated) {
		next.Versions, next.Stamp = prev.Versions, prev.Stamp
	}
	return next
}

// total makes cmp a total order: versions it finds equal are ordered by
// their strings.
func total(cmp func(a, b string) int) func(a, b string) int {
	return func(a, b string) int {
		if c := cmp(a, b); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	}
}

// Size is the memory the listing holds of its own.
func (l *Listing) Size() int64 {
	n := int64(128 + 24*len(l.seen) + 16*len(l.Versions))
	for _, v := range l.Versions {
		n += int64(len(v))
	}
	return n
}
