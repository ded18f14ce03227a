package storetest

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/store"
)

func changeTests() []namedTest {
	return []namedTest{
		{"VersionChanges", testVersionChanges},
		{"VersionChangesTwoWriters", testVersionChangesTwoWriters},
		{"VersionWritesAreNumbered", testVersionWritesAreNumbered},
	}
}

// follower keeps a package's versions as a reader of VersionChanges
// does: what it kept, as of a change number.
type follower struct {
	packageID int64
	seq       int64
	kept      map[int64]store.Version
}

// catchUp applies what changed since the last call.
func (f *follower) catchUp(t *testing.T, q store.Queries) store.VersionChanges {
	t.Helper()
	c, err := q.VersionChanges(ctx, f.packageID, f.seq)
	must(t, err)
	if c.All || f.kept == nil {
		f.kept = map[int64]store.Version{}
	}
	for _, v := range c.Changed {
		f.kept[v.ID] = v
	}
	for _, id := range c.Deleted {
		delete(f.kept, id)
	}
	f.seq = c.Seq
	return c
}

// check fails unless what f kept is what the store lists now.
func (f *follower) check(t *testing.T, q store.Queries, after string) {
	t.Helper()
	want, err := q.ListVersions(ctx, f.packageID, true)
	must(t, err)
	got := make([]store.Version, 0, len(f.kept))
	for _, v := range f.kept {
		got = append(got, v)
	}
	sort.Slice(got, func(i, j int) bool { return got[i].ID < got[j].ID })
	sort.Slice(want, func(i, j int) bool { return want[i].ID < want[j].ID })
	if len(got) != len(want) || (len(got) > 0 && !reflect.DeepEqual(got, want)) {
		t.Errorf("after %s, the versions kept from VersionChanges differ from ListVersions:\n%+v\nwant\n%+v", after, got, want)
	}
}

// testVersionChanges: each write of a version (created, updated in status,
// revision or metadata, an asset added, its assets removed, deleted,
// copied into another repository's package) moves the package's change
// number, and VersionChanges returns that write and no other package's.
func testVersionChanges(t *testing.T, s store.Store) {
	d := mkDomain(t, s, "111122223333", "d")
	r := mkRepo(t, s, d, "r", d.Owner)
	r2 := mkRepo(t, s, d, "r2", d.Owner)
	ref := artifact.PackageRef{Format: artifact.NPM, Name: "tool"}
	p := mkPackage(t, s, r, ref)
	p2 := mkPackage(t, s, r2, ref)

	f := &follower{packageID: p.ID}
	if c := f.catchUp(t, s); !c.All || len(c.Changed) != 0 {
		t.Fatalf("VersionChanges(0) of an empty package = %+v, want All and nothing", c)
	}
	// step runs a write and checks that it moved the number and came back
	// as the change it is.
	step := func(what string, write func(), changed []string, deleted int) {
		t.Helper()
		before := f.seq
		write()
		c := f.catchUp(t, s)
		if c.Seq <= before || c.All {
			t.Errorf("%s: change number %d -> %d (all %v), want it to move forward", what, before, c.Seq, c.All)
		}
		var names []string
		for _, v := range c.Changed {
			names = append(names, v.Version)
		}
		if !slices.Equal(names, changed) || len(c.Deleted) != deleted {
			t.Errorf("%s: changed %v and %d deleted, want %v and %d", what, names, len(c.Deleted), changed, deleted)
		}
		if again := f.catchUp(t, s); again.Seq != c.Seq || len(again.Changed)+len(again.Deleted) != 0 || again.All {
			t.Errorf("%s: asked again, VersionChanges = %+v, want nothing new", what, again)
		}
		f.check(t, s, what)
	}

	var v1, v2 store.Version
	step("a version created", func() { v1 = mkVersion(t, s, d, p, "1.0.0", asset("a.tgz", "one")) }, []string{"1.0.0"}, 0)
	step("another version created", func() { v2 = mkVersion(t, s, d, p, "2.0.0", asset("b.tgz", "two")) }, []string{"2.0.0"}, 0)
	step("a status update", func() {
		v1.Status = artifact.Unlisted
		must(t, s.UpdateVersion(ctx, v1))
	}, []string{"1.0.0"}, 0)
	step("a revision update", func() {
		v1.Revision, v1.Meta.Summary = "rev-x", "changed"
		must(t, s.UpdateVersion(ctx, v1))
	}, []string{"1.0.0"}, 0)
	step("an asset added", func() { must(t, s.AddAsset(ctx, d.ID, v2.ID, asset("c.txt", "three"))) }, []string{"2.0.0"}, 0)
	step("a disposal", func() {
		must(t, s.Update(ctx, func(q store.Queries) error {
			v1.Status = artifact.Disposed
			if err := q.UpdateVersion(ctx, v1); err != nil {
				return err
			}
			return q.RemoveAssets(ctx, v1.ID)
		}))
	}, []string{"1.0.0"}, 0)
	seq := f.seq
	step("a copy into another repository's package", func() {
		c := v2
		c.ID, c.PackageID, c.Assets = 0, p2.ID, nil
		must(t, s.CreateVersion(ctx, d.ID, &c))
		must(t, s.AddAsset(ctx, d.ID, c.ID, asset("b.tgz", "two")))
		// The copy is the other package's change: this one's number did
		// not move; write something here so that the step sees a change.
		if c, err := s.VersionChanges(ctx, p.ID, seq); err != nil || c.Seq != seq {
			t.Errorf("a write of another package moved this one's number: %+v, %v", c, err)
		}
		must(t, s.UpdateVersion(ctx, v2))
	}, []string{"2.0.0"}, 0)
	step("a deletion", func() { must(t, s.DeleteVersion(ctx, v1.ID)) }, nil, 1)
	step("a version created again under a deleted one's string", func() { v1 = mkVersion(t, s, d, p, "1.0.0") }, []string{"1.0.0"}, 0)

	// A reader ahead of the package (a database restored from a backup)
	// and a new reader get everything.
	for _, since := range []int64{0, f.seq + 100} {
		c, err := s.VersionChanges(ctx, p.ID, since)
		must(t, err)
		if !c.All || c.Seq != f.seq || len(c.Changed) != 2 {
			t.Errorf("VersionChanges(%d) = %+v, want All, number %d and 2 versions", since, c, f.seq)
		}
	}
	// A reader behind several writes, deletions among them, gets them all
	// at once.
	old := &follower{packageID: p.ID}
	old.catchUp(t, s)
	must(t, s.DeleteVersion(ctx, v2.ID))
	mkVersion(t, s, d, p, "3.0.0")
	v1.Status = artifact.Archived
	must(t, s.UpdateVersion(ctx, v1))
	old.catchUp(t, s)
	old.check(t, s, "three writes read at once")

	must(t, s.DeletePackage(ctx, p.ID))
	if _, err := s.VersionChanges(ctx, p.ID, 0); err == nil {
		t.Error("VersionChanges of a deleted package succeeded")
	}
}

// testVersionChangesTwoWriters: writers publish versions of one package
// at once while a reader follows the changes; once they are done, what
// the reader kept is every version. A reader that saw a change number saw
// every write numbered below it (writers of one package take numbers one
// after the other), which is what lets another replica read "since".
func testVersionChangesTwoWriters(t *testing.T, s store.Store) {
	d := mkDomain(t, s, "111122223333", "d")
	r := mkRepo(t, s, d, "r", d.Owner)
	ref := artifact.PackageRef{Format: artifact.NPM, Name: "busy"}
	p := mkPackage(t, s, r, ref)
	f := &follower{packageID: p.ID}
	f.catchUp(t, s)
	const each = 5
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			c, err := s.VersionChanges(ctx, p.ID, f.seq)
			if err != nil {
				t.Error(err)
				return
			}
			if c.Seq < f.seq {
				t.Errorf("the change number went back from %d to %d", f.seq, c.Seq)
			}
			for _, v := range c.Changed {
				f.kept[v.ID] = v
			}
			for _, id := range c.Deleted {
				delete(f.kept, id)
			}
			f.seq = c.Seq
		}
	}()
	errs := race(2, func(i int) error {
		for j := range each {
			v := fmt.Sprintf("%d.%d.0", i, j)
			if err := publish(s, d, r, ref, v, asset("busy-"+v+".tgz", v)); err != nil {
				return err
			}
		}
		return nil
	})
	close(done)
	wg.Wait()
	for _, err := range errs {
		must(t, err)
	}
	f.catchUp(t, s)
	if len(f.kept) != 2*each {
		t.Errorf("the reader kept %d versions, want %d", len(f.kept), 2*each)
	}
	f.check(t, s, "two writers")
}

// testVersionWritesAreNumbered fails when store.Versions gains a method
// this suite does not know: a new way to write a version must be added
// to testVersionChanges (which checks that it moves the change number),
// or listed here as a read.
func testVersionWritesAreNumbered(t *testing.T, _ store.Store) {
	known := map[string]string{
		"CreateVersion": "write", "UpdateVersion": "write", "AddAsset": "write", "RemoveAssets": "write", "DeleteVersion": "write",
		"GetVersion": "read", "VersionWithPrefix": "read", "GetVersionByID": "read", "ListVersions": "read",
		"VersionStampsWithStatus": "read", "VersionChanges": "read",
		"DomainAsset": "read", "BlobInUse": "read",
		// The derived file belongs to a digest, not to a version.
		"SetDerived": "not a version's", "Derived": "read",
	}
	var unknown []string
	for _, iface := range []reflect.Type{reflect.TypeFor[store.Versions](), reflect.TypeFor[store.Packages]()} {
		for i := range iface.NumMethod() {
			name := iface.Method(i).Name
			if _, ok := known[name]; !ok && !packageMethod(name) {
				unknown = append(unknown, name)
			}
		}
	}
	if len(unknown) > 0 {
		t.Errorf("methods this suite does not know: %s; a write of versions must move the change number (testVersionChanges)", strings.Join(unknown, ", "))
	}
}

// packageMethod reports whether a store.Packages method is known: none of
// them writes a version but DeletePackage, which deletes them through
// DeleteVersion's statements (testVersionChanges deletes a package).
func packageMethod(name string) bool {
	switch name {
	case "EnsurePackage", "GetPackage", "ListPackages", "SetOriginConfig", "DeletePackage",
		"PackageTags", "SetPackageTag", "DeletePackageTag":
		return true
	}
	return false
}
