package ruby

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/resolve"
	"github.com/arcahq/arca/internal/store"
)

// growing is a package's versions as the resolver's views show them:
// each publish appends a candidate to the same lineage, any other change
// starts a new one.
type growing struct {
	list    []*resolve.Candidate
	lineage uint64
	clock   time.Time
}

func (p *growing) view() *resolve.View {
	v := &resolve.View{Versions: make(map[string]*resolve.Candidate, len(p.list)), List: slices.Clip(p.list), Lineage: p.lineage}
	for _, c := range p.list {
		v.Versions[c.Version.Version] = c
	}
	return v
}

// listed is view without its map, which extending does not read (made
// for each of hundreds of pushes, the map would cost the test most of
// its time).
func (p *growing) listed() *resolve.View {
	return &resolve.View{List: slices.Clip(p.list), Lineage: p.lineage}
}

// publish appends a version with gems of the platforms, pushed at the
// given moments (or one after the other from the package's clock).
func (p *growing) publish(version string, status artifact.Status, platforms ...string) {
	var extra []byte
	for _, pl := range platforms {
		p.clock = p.clock.Add(time.Second)
		g := Gem{Spec: Spec{Name: "grow", Version: version, Platform: pl}, SHA256: fmt.Sprintf("%064x", len(p.list)), Pushed: p.clock}
		if len(p.list)%3 != 0 { // lines of 200 bytes: the file is sent in parts
			g.Dependencies = []Dependency{
				{Name: "dependency-one", Type: "runtime", Requirements: []Constraint{{Op: "~>", Version: "1.0"}, {Op: ">=", Version: "1.0.2"}}},
				{Name: "dependency-two", Type: "runtime", Requirements: []Constraint{{Op: ">=", Version: "2.0"}, {Op: "<", Version: "4.0.0.beta1"}}},
				{Name: "dependency-three", Type: "runtime", Requirements: []Constraint{{Op: ">=", Version: "3.1.4"}}},
				{Name: "test-only", Type: "development", Requirements: []Constraint{{Op: ">=", Version: "0"}}},
			}
			g.RequiredRuby = []Constraint{{Op: ">=", Version: "2.7"}}
		}
		extra = withGem(extra, g.FullName()+".gem", g)
	}
	c := &resolve.Candidate{Version: &store.Version{ID: int64(len(p.list) + 1), Version: version, Status: status,
		Revision: fmt.Sprint(len(p.list)), Meta: artifact.Meta{Extra: extra}, UpdatedAt: p.clock}}
	p.list = append(p.list, c)
}

// change replaces version's candidate with one of another status (the
// next view is of a new lineage).
func (p *growing) change(version string, status artifact.Status) {
	p.clock = p.clock.Add(time.Second)
	for i, c := range p.list {
		if c.Version.Version == version {
			v := *c.Version
			v.Status, v.UpdatedAt, v.Revision = status, p.clock, c.Revision+"'"
			next := resolve.Candidate{Version: &v}
			p.list = append(slices.Clip(p.list[:i:i]), append([]*resolve.Candidate{&next}, p.list[i+1:]...)...)
		}
	}
	p.lineage++
}

func ownGems(c *resolve.Candidate) []Gem {
	var gems []Gem
	for _, g := range ParseExtra(c.Meta.Extra).Gems {
		gems = append(gems, g)
	}
	sortByPush(gems)
	return gems
}

// sameList fails unless got is what a build from every version makes:
// the same gems, info file (plain and gzipped), ETag and versions lines.
func sameList(t *testing.T, what string, got, want *gemList) {
	t.Helper()
	if len(got.gems) != len(want.gems) {
		t.Fatalf("%s: %d gems, a build from scratch has %d", what, len(got.gems), len(want.gems))
	}
	for i := range got.gems {
		if got.gems[i].FullName() != want.gems[i].FullName() {
			t.Fatalf("%s: gem %d is %s, a build from scratch has %s", what, i, got.gems[i].FullName(), want.gems[i].FullName())
		}
	}
	if g, w := string(VersionsFile(slices.Clone(got.history))), string(VersionsFile(slices.Clone(want.history))); g != w {
		t.Fatalf("%s: versions lines\n%s\nwant\n%s", what, g, w)
	}
	if (got.info == nil) != (want.info == nil) {
		t.Fatalf("%s: info file present %v, from scratch %v", what, got.info != nil, want.info != nil)
	}
	if got.info == nil {
		return
	}
	plain := got.info.Bytes()
	if !bytes.Equal(plain, want.info.Bytes()) {
		t.Fatalf("%s: info file\n%s\nwant\n%s", what, plain, want.info.Bytes())
	}
	if got.info.ETag != want.info.ETag || got.info.ETag != `"`+MD5(plain)+`"` {
		t.Fatalf("%s: ETag %s, from scratch %s, MD5 %s", what, got.info.ETag, want.info.ETag, MD5(plain))
	}
	if int64(len(plain)) != got.infoBytes {
		t.Fatalf("%s: info file counted as %d bytes, is %d", what, got.infoBytes, len(plain))
	}
	if gz := got.info.Gzip(); gz != nil {
		zr, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			t.Fatalf("%s: gzip: %v", what, err)
		}
		un, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(un, plain) {
			t.Fatalf("%s: the gzipped info file reads back as %d bytes (%v), not the plain %d", what, len(un), err, len(plain))
		}
	}
}

// next makes the list of p's view from prev, as packageGems does, and
// reports whether it was extended.
func (p *growing) next(prev *gemList) (*gemList, bool) {
	if prev != nil {
		if l, ok := prev.extend("grow", p.listed(), ownGems); ok {
			return l, true
		}
	}
	return buildGems("grow", p.view(), ownGems), false
}

func TestGemListExtends(t *testing.T) {
	p := &growing{lineage: 1, clock: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	var l *gemList
	steps := 0
	step := func(what string, extended bool) {
		t.Helper()
		var ok bool
		l, ok = p.next(l)
		if ok != extended {
			t.Fatalf("%s: extended %v, want %v", what, ok, extended)
		}
		// Every list after a change and one of a few pushes is compared
		// (comparing each would take a build of every version each).
		if steps++; !extended || steps%50 == 0 || steps < 20 {
			sameList(t, what, l, buildGems("grow", p.view(), ownGems))
		}
	}
	step("empty", false)
	// Past sealBytes: the info file is sent in sealed parts and a tail.
	for i := range 800 {
		switch {
		case i%50 == 7:
			p.publish(fmt.Sprintf("1.%d", i), artifact.Published, "ruby", "java")
		case i%50 == 9:
			p.publish(fmt.Sprintf("1.%d", i), artifact.Unfinished, "ruby")
		default:
			p.publish(fmt.Sprintf("1.%d", i), artifact.Published, "ruby")
		}
		step(fmt.Sprintf("push %d", i), true)
	}
	if l.infoBytes < 3*sealBytes {
		t.Fatalf("the info file has %d bytes, too few to be sealed in parts", l.infoBytes)
	}
	step("nothing published", true)

	// A yank, then pushes: built again, then extended again (the
	// history ends in the removal's line).
	p.change("1.100", artifact.Unlisted)
	step("yank", false)
	p.publish("2.0", artifact.Published, "ruby")
	step("push after the yank", true)
	p.change("1.9", artifact.Published)
	step("an unfinished version published", false)
	p.publish("2.1", artifact.Published, "ruby")
	step("push after the publish", true)

	// A gem pushed earlier than the last line sorts among the listed
	// ones: the list is built again.
	p.clock = p.clock.Add(-time.Hour)
	p.publish("0.1", artifact.Published, "ruby")
	step("push from the past", false)
	p.clock = p.clock.Add(2 * time.Hour)
	p.publish("2.2", artifact.Published, "ruby")
	step("push after it", true)

	// A version published Unlisted adds a removal line: built again.
	p.publish("2.3", artifact.Unlisted, "ruby")
	step("published unlisted", false)

	// Extended once only: a second extension of the same list (another
	// rendering that read it) builds its own.
	prev := l
	p.publish("2.4", artifact.Published, "ruby")
	step("push", true)
	if _, ok := prev.extend("grow", p.listed(), ownGems); ok {
		t.Fatal("a list was extended twice")
	}
	// A view of another lineage is built again.
	p.lineage++
	p.publish("2.5", artifact.Published, "ruby")
	step("new lineage", false)
	p.lineage = 0
	p.publish("2.6", artifact.Published, "ruby")
	step("no lineage", false)
	if l.grow != nil {
		t.Error("a list of a view without lineage is kept to be extended")
	}
}
