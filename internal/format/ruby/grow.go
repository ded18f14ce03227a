package ruby

import (
	"crypto/md5"
	"encoding/hex"
	"hash"
	"maps"
	"slices"
	"sync/atomic"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/format/rendered"
	"github.com/arcahq/arca/internal/resolve"
)

// A gem's list is rebuilt in proportion to what changed. The info file
// lists gems in push order, and the versions file's lines of a gem are
// its pushes and removals in time order, so a push appends a line to
// each: a list made from a view of the package extends to a later view
// of the same lineage (resolve.View.Lineage: the versions published
// since appended to the same candidates) by the new versions' gems
// alone, when they sort after everything listed. Anything else (a
// status change, a deletion, a gem pushed with an earlier time) builds
// the list from every version again (buildGems), which the extension
// matches byte for byte.

// growth is what a gemList keeps to be extended.
type growth struct {
	lineage uint64
	n       int       // the length of the view's List the list was made from
	last    time.Time // the latest moment of its history: a new gem must be pushed after it
	info    infoState
	// claimed is set by the one extension that appends past the list's
	// slices (gems, history, the info file's parts and tail): the kept
	// list sees only its own lengths.
	claimed atomic.Bool
}

// buildGems makes the gem list of name from every version of view; own
// returns a candidate's gems in push order.
func buildGems(name string, view *resolve.View, own func(*resolve.Candidate) []Gem) *gemList {
	gems := make([]Gem, 0, len(view.Versions))
	versions := make([]GemVersion, 0, len(view.Versions))
	cands := view.List // in publication order: the sorts below find it nearly sorted
	if cands == nil {
		cands = slices.Collect(maps.Values(view.Versions))
	}
	for _, cand := range cands {
		if cand.Status == artifact.Unfinished {
			continue
		}
		gs := own(cand)
		if cand.Status == artifact.Published {
			gems = append(gems, gs...)
		}
		if cand.Remote == nil { // a version of the public registry has no history here
			versions = append(versions, GemVersion{Gems: gs, Listed: cand.Status == artifact.Published, Changed: cand.UpdatedAt})
		}
	}
	sortByPush(gems)
	b := newInfoBuilder()
	for _, g := range gems {
		b.add(infoLine(g))
	}
	l := &gemList{gems: idsOf(nil, gems)}
	served := MD5(nil)
	if len(gems) > 0 {
		l.info, l.infoBytes, served = b.document(), b.size, b.sum()
	}
	var replayed string
	l.history, replayed = history(name, versions, served)
	// The history replays to the info file: a push after its last line
	// appends the same line to both.
	if view.Lineage != 0 && replayed == b.sum() {
		var last time.Time
		if len(l.history) > 0 {
			last = l.history[len(l.history)-1].At
		}
		l.grow = &growth{lineage: view.Lineage, n: len(view.List), last: last, info: b.keep()}
	}
	return l
}

// extend returns the list of view made from l, when view is l's view
// with versions published since (their gems pushed after everything l
// lists); false when the list must be built again.
func (l *gemList) extend(name string, view *resolve.View, own func(*resolve.Candidate) []Gem) (*gemList, bool) {
	g := l.grow
	if g == nil || view.Lineage != g.lineage || len(view.List) < g.n {
		return nil, false
	}
	if len(view.List) == g.n {
		return l, true
	}
	var added []Gem
	for _, c := range view.List[g.n:] {
		switch {
		case c.Status == artifact.Unfinished: // neither listed nor in the history
		case c.Status == artifact.Published && c.Remote == nil:
			added = append(added, own(c)...)
		default: // a removal line, or no history
			return nil, false
		}
	}
	sortByPush(added)
	if len(added) > 0 && !added[0].Pushed.After(g.last) {
		return nil, false // its line sorts among those listed already
	}
	if !g.claimed.CompareAndSwap(false, true) {
		return nil, false // another rendering extends l
	}
	b := g.info.resume()
	next := &gemList{gems: idsOf(l.gems, added), history: l.history, info: l.info, infoBytes: l.infoBytes}
	last := g.last
	for _, gem := range added {
		b.add(infoLine(gem))
		next.history = append(next.history, VersionsEvent{At: gem.Pushed, Name: name, Entries: []string{indexEntry(gem)}, InfoMD5: b.sum()})
		last = gem.Pushed
	}
	if len(added) > 0 {
		next.info, next.infoBytes = b.document(), b.size
	}
	next.grow = &growth{lineage: g.lineage, n: len(view.List), last: last, info: b.keep()}
	return next, true
}

// sealBytes is the size from which the lines at the end of an info file
// become a part of their own, compressed once: a push compresses the
// lines after the last such part (at most this many bytes) and the kept
// parts are sent as they are (rendered.Assemble). DEFLATE's window is
// 32 KB, so the file compresses nearly as well as in one piece.
const sealBytes = 32 << 10

// infoBuilder makes an info file line by line: its sealed parts, the
// lines after them, and its MD5 so far.
type infoBuilder struct {
	sealed []*rendered.Part
	tail   []byte
	md5    hash.Hash
	size   int64
}

// infoState is an infoBuilder kept: resume continues it.
type infoState infoBuilder

func newInfoBuilder() *infoBuilder {
	b := &infoBuilder{md5: md5.New()}
	b.add(infoHeader)
	return b
}

// add appends line (newline included).
func (b *infoBuilder) add(line string) {
	b.tail = append(b.tail, line...)
	b.md5.Write([]byte(line))
	b.size += int64(len(line))
	if len(b.tail) >= sealBytes {
		b.sealed = append(b.sealed, rendered.NewPart(b.tail))
		b.tail = nil
	}
}

// sum is the hex MD5 of the file so far.
func (b *infoBuilder) sum() string { return hex.EncodeToString(b.md5.Sum(nil)) }

// document is the file so far, ready to send.
func (b *infoBuilder) document() *document {
	parts := make([]*rendered.Part, 0, len(b.sealed)+1)
	parts = append(parts, b.sealed...)
	if len(b.tail) > 0 {
		parts = append(parts, rendered.NewPartOnce(b.tail))
	}
	return assembled(parts, b.sum(), "text/plain; charset=utf-8")
}

// keep returns the builder's state; b must not be used afterwards.
func (b *infoBuilder) keep() infoState { return infoState(*b) }

// resume returns a builder that continues s, appending past its slices'
// lengths (the caller has claimed them) with a copy of its MD5.
func (s infoState) resume() *infoBuilder {
	h, err := s.md5.(hash.Cloner).Clone()
	if err != nil {
		panic(err) // crypto/md5's digest clones
	}
	return &infoBuilder{sealed: s.sealed, tail: s.tail, md5: h, size: s.size}
}

// idsOf appends the IDs of gems to ids.
func idsOf(ids []gemID, gems []Gem) []gemID {
	ids = slices.Grow(ids, len(gems))
	for _, g := range gems {
		ids = append(ids, idOf(g))
	}
	return ids
}
