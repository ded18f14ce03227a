package format

import (
	"slices"
	"time"

	"github.com/arcahq/arca/internal/format/rendered"
	"github.com/arcahq/arca/internal/resolve"
)

// Sorted keeps, per package, what a format derived from each version of
// a view that its documents show, in the format's version order, with
// the view's Lineage and the length of its List: the next view of the
// same lineage (a publish since) is served by deriving the versions
// added and placing each by binary search, not by deriving and sorting
// every version again. Keys name a package in a repository and whatever
// else decides which versions are shown. Items should hold what the
// format needs to find a version again in a view (its string), not the
// view's candidates: those would keep old views alive, uncounted. A nil
// *Sorted keeps nothing.
type Sorted[K comparable, T any] struct {
	c    *rendered.Cache[K, *sorted[T]]
	size func(T) int64
}

// sorted is what a view of one lineage derived, the first n candidates
// of its List.
type sorted[T any] struct {
	lineage uint64
	n       int
	items   []T
	size    int64
}

// sortedOverhead is the memory of a kept order beside its items.
const sortedOverhead = 128

// NewSorted returns orders holding at most max bytes, size counting an
// item's.
func NewSorted[K comparable, T any](max int64, size func(T) int64) *Sorted[K, T] {
	return &Sorted[K, T]{
		c:    rendered.NewCache[K](max, func(s *sorted[T]) int64 { return s.size }, time.Now),
		size: size,
	}
}

// Items returns the items of view's candidates in cmp's order, which
// must be total (only the same version compares equal): item derives a
// candidate's (ok false: the candidate is not shown), sort sorts the
// items of a view derived whole. The result is kept under key and must
// not be modified. An error of item is returned as it is.
func (s *Sorted[K, T]) Items(key K, view *resolve.View, item func(*resolve.Candidate) (T, bool, error), sortAll func([]T), cmp func(a, b T) int) ([]T, error) {
	if s != nil && view.Lineage != 0 {
		if prev, ok := s.c.Peek(key, 0); ok && prev.lineage == view.Lineage && prev.n <= len(view.List) {
			if prev.n == len(view.List) {
				return prev.items, nil
			}
			if next, ok, err := s.extend(prev, view.List, item, cmp); err != nil {
				return nil, err
			} else if ok {
				s.c.Put(key, 0, next)
				return next.items, nil
			}
		}
	}
	items := make([]T, 0, len(view.Versions))
	add := func(c *resolve.Candidate) error {
		it, ok, err := item(c)
		if ok {
			items = append(items, it)
		}
		return err
	}
	if view.List != nil {
		// In publication order: the first error is the same every time.
		for _, c := range view.List {
			if err := add(c); err != nil {
				return nil, err
			}
		}
	} else {
		for _, c := range view.Versions {
			if err := add(c); err != nil {
				return nil, err
			}
		}
	}
	sortAll(items)
	if s != nil && view.Lineage != 0 {
		kept := &sorted[T]{lineage: view.Lineage, n: len(view.List), items: items, size: sortedOverhead}
		for _, it := range items {
			kept.size += s.size(it)
		}
		s.c.Put(key, 0, kept)
	}
	return items, nil
}

// extend returns prev with the candidates of list past prev.n placed;
// ok false when one compares equal to a kept item (not a total order:
// the caller derives the view whole).
func (s *Sorted[K, T]) extend(prev *sorted[T], list []*resolve.Candidate, item func(*resolve.Candidate) (T, bool, error), cmp func(a, b T) int) (*sorted[T], bool, error) {
	var added []T
	for _, c := range list[prev.n:] {
		it, ok, err := item(c)
		if err != nil {
			return nil, false, err
		}
		if ok {
			added = append(added, it)
		}
	}
	slices.SortFunc(added, cmp)
	items, distinct := Merge(prev.items, added, cmp)
	if !distinct || hasEqualNeighbours(added, cmp) {
		return nil, false, nil
	}
	next := &sorted[T]{lineage: prev.lineage, n: len(list), items: items, size: prev.size}
	for _, it := range added {
		next.size += s.size(it)
	}
	return next, true, nil
}
