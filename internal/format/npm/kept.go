package npm

import (
	"crypto/sha256"
	"encoding"
	"encoding/hex"
	"encoding/json"
	"hash"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/Masterminds/semver/v3"

	"github.com/arcahq/arca/internal/cachesize"
	"github.com/arcahq/arca/internal/format/rendered"
	"github.com/arcahq/arca/internal/resolve"
)

// A rebuild of a package's documents after a publish costs what the
// publish changed, not a pass over every version. What documents are made
// of besides the dist-tags (the listed versions in semver order and in
// byte order, their publish times, the digest behind "_rev", how the
// versions member was cut into runs) is kept per repository and package
// (sorted), with the resolver's view it was made from: its Lineage and
// the length of its List (resolve.View). A view of the same Lineage with
// a longer List holds the kept versions and the ones published since,
// after them: the kept state is extended by those alone (each placed by
// binary search). Any other view (a status changed, a version deleted,
// versions from an upstream or a public registry) is sorted from scratch,
// in the kept semver order where it still holds (sortVersions), its
// documents' runs cut again from the kept state's (sameVersions).

// PackageCacheBytes bounds the memory of packages' sorted versions kept
// between rebuilds.
const PackageCacheBytes = 8 << 20

// sortedKey names a kept state: a package in a repository.
type sortedKey struct {
	repository int64
	name       string
}

// sorted is what a package's documents are made from besides its tags.
// Nothing in it changes once made, except its layouts, which documents
// add as they are first rendered.
type sorted struct {
	listed []*Version // listed versions, in semver order
	byKey  []*Version // the same, in byte order (a document's order)
	// times holds the publish time of byKey[i] as the full document shows
	// it ("" for none), made when first needed (timesOf).
	times     []string
	timesOnce sync.Once
	timesMade atomic.Bool
	// created and modified are the "time" member's: the first publish
	// and the last change of a listed version.
	created, modified time.Time
	// semver reports whether every listed version is semver: only then
	// can versions be placed in listed by binary search.
	semver bool
	// rev is the digest state of "_rev" after the listed versions (the
	// tags are written after them).
	rev []byte

	// lineage and n are the view's Lineage and the length of its List.
	lineage uint64
	n       int

	// layouts are the runs the versions member was cut into, by scope;
	// from, the layouts of the state this one extends or replaces, and
	// old, for each of byKey's versions, its index in that state's byKey
	// (-1: new, or changed since).
	layouts *layouts
	from    *layouts
	old     []int32
}

type layouts struct {
	mu sync.Mutex
	m  map[string]*rendered.Layout
}

func (l *layouts) get(scope string) *rendered.Layout {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.m[scope]
}

func (l *layouts) put(scope string, layout *rendered.Layout) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.m[scope] = layout
}

// size is roughly the memory a kept state holds: its versions (their
// metadata's slices are the catalog's), the orders, the times and the
// layouts of a few documents.
func (s *sorted) size() int64 {
	per := int64(unsafe.Sizeof(Version{})) + 8 + 8 + 16 + int64(len(timeFormat)) + 4 + 4
	return 512 + int64(len(s.byKey))*per
}

// versionOf is a candidate of a view as documents are made from it.
func versionOf(c *resolve.Candidate) Version {
	v := Version{Version: c.Version.Version, Status: c.Status, Meta: &c.Meta, Modified: c.UpdatedAt}
	if c.Remote == nil {
		v.Revision = c.Revision
	}
	for i, a := range c.Assets {
		if a.Name == TarballAsset {
			v.Tarball = &c.Assets[i]
		}
	}
	return v
}

// sortedOf returns what the documents of the view's package are made
// from: the kept state, extended by the versions published since when
// the view extends it, or a state sorted from scratch.
func (f *Format) sortedOf(repository int64, view *resolve.View, p Package) *sorted {
	key := sortedKey{repository, p.Name.String()}
	kept, _ := f.sorted.Load(key)
	if kept != nil && view.Lineage != 0 && kept.lineage == view.Lineage && len(view.List) >= kept.n {
		if len(view.List) == kept.n {
			return kept
		}
		add := make([]Version, 0, len(view.List)-kept.n)
		for _, c := range view.List[kept.n:] {
			add = append(add, versionOf(c))
		}
		if next := kept.extend(add); next != nil {
			next.lineage, next.n = view.Lineage, len(view.List)
			f.sorted.Store(key, next, next.size())
			return next
		}
	}
	p.Versions = make([]Version, 0, len(view.Versions))
	if view.List != nil {
		for _, c := range view.List {
			p.Versions = append(p.Versions, versionOf(c))
		}
	} else {
		for _, c := range view.Versions {
			p.Versions = append(p.Versions, versionOf(c))
		}
	}
	var prev []string
	if kept != nil && kept.semver {
		prev = make([]string, len(kept.listed))
		for i, v := range kept.listed {
			prev[i] = v.Version
		}
	}
	s := p.sort(prev)
	if kept != nil {
		// The documents' runs are cut again from the kept state's, the
		// versions unchanged since taken from its runs.
		s.from, s.old = kept.layouts, sameVersions(kept.byKey, s.byKey)
	}
	if view.Lineage != 0 {
		s.lineage, s.n = view.Lineage, len(view.List)
		f.sorted.Store(key, s, s.size())
	} else {
		f.sorted.Delete(key)
	}
	return s
}

// sort makes the state of p's versions from scratch, placing the
// versions of prev (an earlier semver order of them) without sorting
// them again.
func (p Package) sort(prev []string) *sorted {
	listed, semver := p.listedAfter(prev)
	s := &sorted{listed: listed, semver: semver, layouts: &layouts{m: map[string]*rendered.Layout{}}}
	s.byKey = slices.Clone(listed)
	slices.SortFunc(s.byKey, func(a, b *Version) int { return strings.Compare(a.Version, b.Version) })
	for _, v := range listed {
		s.times1(v)
	}
	s.rev = revState(nil, listed)
	return s
}

// sameVersions returns, for each of the versions byKey, its index in
// the versions was (both in byte order) when it is the same version
// there (the same revision), -1 when it is not there or changed.
func sameVersions(was, byKey []*Version) []int32 {
	old := make([]int32, len(byKey))
	j := 0
	for i, v := range byKey {
		for j < len(was) && was[j].Version < v.Version {
			j++
		}
		old[i] = -1
		if j < len(was) && was[j].Version == v.Version && v.Revision != "" && was[j].Revision == v.Revision {
			old[i] = int32(j)
		}
	}
	return old
}

// timesOf returns the publish times of byKey's versions.
func (s *sorted) timesOf() []string {
	s.timesOnce.Do(func() {
		if !s.timesMade.Load() {
			s.times = make([]string, len(s.byKey))
			for i, v := range s.byKey {
				s.times[i] = publishTime(v)
			}
		}
		s.timesMade.Store(true)
	})
	return s.times
}

// maxExtend is the most versions an extension places one by one; more
// are sorted with the others.
const maxExtend = 64

// extend returns the state with the versions add (published after the
// state's) added, or nil when they must be sorted with the others (a
// version that is not semver, or one already listed).
func (s *sorted) extend(add []Version) *sorted {
	if !s.semver || len(add) > maxExtend {
		return nil
	}
	type placed struct {
		v  *Version
		sv *semver.Version
	}
	var news []placed
	for i := range add {
		if !add[i].Status.Listed() {
			continue
		}
		sv, err := semver.StrictNewVersion(add[i].Version)
		if err != nil {
			return nil
		}
		news = append(news, placed{&add[i], sv})
	}
	next := &sorted{
		listed: s.listed, byKey: s.byKey, semver: true, rev: s.rev,
		created: s.created, modified: s.modified,
		layouts: &layouts{m: map[string]*rendered.Layout{}}, from: s.layouts,
	}
	// The times, if made for s (a full document was rendered), are
	// extended too; otherwise made when first needed.
	var times []string
	if s.timesMade.Load() {
		times = s.timesOf()
	}
	if len(news) == 0 {
		next.layouts = s.layouts // the same documents
		next.times = times
		next.timesMade.Store(times != nil)
		return next
	}
	// Semver order: each new version by binary search (the listed ones
	// parse again, a dozen per version placed).
	listed := make([]*Version, len(s.listed), len(s.listed)+len(news)) // one allocation, not Clone's and Grow's
	copy(listed, s.listed)
	appended := true
	for _, n := range news {
		at, found := slices.BinarySearchFunc(listed, n, func(v *Version, n placed) int {
			sv, _ := semver.StrictNewVersion(v.Version) // semver: s.semver
			if c := sv.Compare(n.sv); c != 0 {
				return c
			}
			return strings.Compare(v.Version, n.v.Version)
		})
		if found {
			return nil // twice
		}
		appended = appended && at == len(listed)
		listed = slices.Insert(listed, at, n.v)
	}
	next.listed = listed
	if appended {
		added := make([]*Version, len(news))
		for i, n := range news {
			added[i] = n.v
		}
		next.rev = revState(s.rev, added)
	} else {
		next.rev = revState(nil, listed)
	}
	// Byte order: merge the new versions, sorted, into the kept ones.
	slices.SortFunc(news, func(a, b placed) int { return strings.Compare(a.v.Version, b.v.Version) })
	total := len(s.byKey) + len(news)
	next.byKey = make([]*Version, 0, total)
	next.old = make([]int32, 0, total)
	if times != nil {
		next.times = make([]string, 0, total)
	}
	i := 0
	keep := func(to int) { // the kept versions before index to
		next.byKey = append(next.byKey, s.byKey[i:to]...)
		if times != nil {
			next.times = append(next.times, times[i:to]...)
		}
		for ; i < to; i++ {
			next.old = append(next.old, int32(i))
		}
	}
	for _, n := range news {
		at, _ := slices.BinarySearchFunc(s.byKey[i:], n.v.Version, func(v *Version, x string) int { return strings.Compare(v.Version, x) })
		keep(i + at)
		next.byKey, next.old = append(next.byKey, n.v), append(next.old, -1)
		if times != nil {
			next.times = append(next.times, publishTime(n.v))
		}
		next.times1(n.v)
	}
	keep(len(s.byKey))
	next.timesMade.Store(times != nil)
	return next
}

// times1 counts a listed version in created and modified (as times and
// modified do).
func (s *sorted) times1(v *Version) {
	at := v.meta().PublishedAt
	if at.IsZero() {
		return
	}
	if s.created.IsZero() || at.Before(s.created) {
		s.created = at
	}
	if m := v.Modified; m.After(at) {
		at = m
	}
	if at.After(s.modified) {
		s.modified = at
	}
}

func publishTime(v *Version) string {
	if v.meta().PublishedAt.IsZero() {
		return ""
	}
	return formatTime(v.meta().PublishedAt)
}

// revState returns the digest state of "_rev" after the versions vs,
// going on from the state from (nil: the start).
func revState(from []byte, vs []*Version) []byte {
	h := sha256.New()
	if from != nil {
		h.(encoding.BinaryUnmarshaler).UnmarshalBinary(from)
	}
	for _, v := range vs {
		writeRev(h, v)
	}
	state, _ := h.(encoding.BinaryMarshaler).MarshalBinary()
	return state
}

// writeRev writes what "_rev" digests of a listed version (see revOf).
func writeRev(h hash.Hash, v *Version) {
	h.Write([]byte(v.Version + "\x00"))
	if v.Revision != "" {
		h.Write([]byte("r" + v.Revision))
	} else {
		h.Write(v.meta().Extra)
		if v.Tarball != nil {
			h.Write([]byte("\x00" + v.Tarball.SHA256))
		}
	}
	h.Write([]byte{0})
}

// revOf returns the document's "_rev" with the dist-tags tags: npm sends
// it back when it changes a package (unpublish), and only needs it to be
// stable while the document is. It is a digest of what the document is
// made from: each listed version's revision (itself a digest of its
// metadata and assets), or its manifest and tarball digest when it has
// none, in semver order, then the tags.
func (s *sorted) revOf(tags map[string]string) string {
	h := sha256.New()
	h.(encoding.BinaryUnmarshaler).UnmarshalBinary(s.rev)
	h.Write(marshal(tags))
	return "1-" + hex.EncodeToString(h.Sum(nil)[:16])
}

// find returns the listed version v, nil if there is none.
func (s *sorted) find(v string) *Version {
	i, ok := slices.BinarySearchFunc(s.byKey, v, func(x *Version, v string) int { return strings.Compare(x.Version, v) })
	if !ok {
		return nil
	}
	return s.byKey[i]
}

// distTags is distTags with the state's listed versions.
func (s *sorted) distTags(tags map[string]string) map[string]string {
	out := map[string]string{}
	for tag, v := range tags {
		if s.find(v) != nil {
			out[tag] = v
		}
	}
	return withLatest(out, s.listed)
}

// timeJSON is the "time" member of the full document, as marshalling
// times(listed) gives it: its keys in byte order.
func (s *sorted) timeJSON() json.RawMessage {
	if s.find("created") != nil || s.find("modified") != nil {
		return marshal(times(s.listed)) // a version named as a member
	}
	b := make([]byte, 0, 2+len(s.byKey)*(len(timeFormat)+16))
	b = append(b, '{')
	member := func(k, v string) {
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = appendString(b, v)
	}
	extra := [][2]string{{"created", formatTime(s.created)}, {"modified", formatTime(s.modified)}}
	if s.created.IsZero() {
		extra = nil
	}
	times := s.timesOf()
	for i, v := range s.byKey {
		if times[i] == "" {
			continue
		}
		for len(extra) > 0 && extra[0][0] < v.Version {
			member(extra[0][0], extra[0][1])
			extra = extra[1:]
		}
		member(v.Version, times[i])
	}
	for _, e := range extra {
		member(e[0], e[1])
	}
	return append(b, '}')
}

// appendString appends s as a JSON string, as marshal writes it.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return append(b, marshal(s)...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// sortedCache keeps packages' states (see PackageCacheBytes).
type sortedCache = cachesize.Map[sortedKey, *sorted]
