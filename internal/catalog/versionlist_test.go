package catalog_test

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/store/sqlite"
)

// twoProcesses returns a store and two catalogs over it, as two server
// processes have, and a repository the second one created.
func twoProcesses(t *testing.T) (store.Store, *catalog.Catalog, *catalog.Catalog, store.Repository) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	reader := catalog.New(st, "us-east-1", time.Now, nil)
	writer := catalog.New(st, "us-east-1", time.Now, nil)
	d := catalog.DomainRef{Owner: owner, Name: "d"}
	if _, err := writer.CreateDomain(ctx, d, "", nil); err != nil {
		t.Fatal(err)
	}
	r, err := writer.CreateRepository(ctx, catalog.RepositoryRef{DomainRef: d, Name: "r"}, owner, "", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return st, reader, writer, r
}

// ListVersions keeps version lists decoded between calls; every change
// shows in the next call, including changes another server process made
// to the same store (which no generation of this process tracks).
func TestListVersionsFollowsTheStore(t *testing.T) {
	ctx := context.Background()
	_, reader, writer, r := twoProcesses(t)
	for _, v := range []string{"1.0.0", "1.0.1", "1.0.2"} {
		publish(t, writer, r, v)
	}
	p, err := reader.Package(ctx, r, pkg)
	if err != nil {
		t.Fatal(err)
	}
	check := func(when string, want map[string]artifact.Status) {
		t.Helper()
		vs, err := reader.ListVersions(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]artifact.Status{}
		for _, v := range vs {
			got[v.Version] = v.Status
			if len(v.Assets) != 1 || v.Meta.Summary != "v"+v.Version {
				t.Errorf("%s: version %s listed with assets %v and summary %q", when, v.Version, v.Assets, v.Meta.Summary)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s: versions %v, want %v", when, got, want)
		}
		for v, s := range want {
			if got[v] != s {
				t.Errorf("%s: version %s is %q, want %q", when, v, got[v], s)
			}
		}
	}
	pub := artifact.Published
	check("first read", map[string]artifact.Status{"1.0.0": pub, "1.0.1": pub, "1.0.2": pub})
	check("kept", map[string]artifact.Status{"1.0.0": pub, "1.0.1": pub, "1.0.2": pub})
	publish(t, writer, r, "1.0.3")
	check("after a publish", map[string]artifact.Status{"1.0.0": pub, "1.0.1": pub, "1.0.2": pub, "1.0.3": pub})
	if _, err := writer.UpdateStatus(ctx, r, catalog.Batch{Ref: pkg, Versions: []string{"1.0.1"}}, artifact.Unlisted); err != nil {
		t.Fatal(err)
	}
	check("after a status change", map[string]artifact.Status{"1.0.0": pub, "1.0.1": artifact.Unlisted, "1.0.2": pub, "1.0.3": pub})
	if _, err := writer.DeleteVersions(ctx, r, catalog.Batch{Ref: pkg, Versions: []string{"1.0.0"}}); err != nil {
		t.Fatal(err)
	}
	check("after a deletion", map[string]artifact.Status{"1.0.1": artifact.Unlisted, "1.0.2": pub, "1.0.3": pub})
	if _, err := writer.UpdateMeta(ctx, r, pkg, "1.0.2", func(m *artifact.Meta) error { m.Summary = "changed"; return nil }); err != nil {
		t.Fatal(err)
	}
	vs, err := reader.ListVersions(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.IndexFunc(vs, func(v store.Version) bool { return v.Version == "1.0.2" }); i < 0 || vs[i].Meta.Summary != "changed" {
		t.Errorf("after a metadata change: %+v", vs)
	}
}

// What ListVersions returns, after each of a sequence of writes by this
// process and by another, is what the store lists, by ID; and a list
// returned earlier stays as it was (callers share it).
func TestListVersionsMatchesTheStore(t *testing.T) {
	ctx := context.Background()
	st, reader, other, r := twoProcesses(t)
	publish(t, other, r, "0.0.1")
	p, err := reader.Package(ctx, r, pkg)
	if err != nil {
		t.Fatal(err)
	}
	type returned struct {
		vs, copy []store.Version
	}
	var earlier []returned
	check := func(when string) {
		t.Helper()
		got, err := reader.ListVersions(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		want, err := st.ListVersions(ctx, p.ID, true)
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(want, func(a, b store.Version) int { return int(a.ID - b.ID) })
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: ListVersions =\n%+v\nthe store has\n%+v", when, got, want)
		}
		for _, e := range earlier {
			if !reflect.DeepEqual(e.vs, e.copy) {
				t.Errorf("%s: a list returned earlier changed", when)
			}
		}
		earlier = append(earlier, returned{got, slices.Clone(got)})
	}
	check("first read")
	for i, w := range []*catalog.Catalog{reader, other, reader} {
		publish(t, w, r, fmt.Sprintf("1.0.%d", i))
		check(fmt.Sprintf("publish %d", i))
	}
	batch := func(vs ...string) catalog.Batch { return catalog.Batch{Ref: pkg, Versions: vs} }
	steps := []struct {
		what string
		do   func() error
	}{
		{"an unlist by the other process", func() error {
			_, err := other.UpdateStatus(ctx, r, batch("1.0.1"), artifact.Unlisted)
			return err
		}},
		{"a deletion of the first version", func() error { _, err := reader.DeleteVersions(ctx, r, batch("0.0.1")); return err }},
		{"a disposal", func() error { _, err := other.DisposeVersions(ctx, r, batch("1.0.0")); return err }},
		{"a metadata change", func() error {
			_, err := other.UpdateMeta(ctx, r, pkg, "1.0.2", func(m *artifact.Meta) error { m.Summary = "changed"; return nil })
			return err
		}},
		{"a publish and a deletion read at once", func() error {
			publish(t, other, r, "2.0.0")
			_, err := other.DeleteVersions(ctx, r, batch("1.0.2"))
			return err
		}},
		{"the version deleted published again", func() error {
			publish(t, other, r, "1.0.2")
			return nil
		}},
		{"nothing", func() error { return nil }},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.what, err)
		}
		check(s.what)
	}
}

// A package deleted after the caller found it lists no versions, as a
// read of its versions would have said.
func TestListVersionsOfADeletedPackage(t *testing.T) {
	ctx := context.Background()
	cat, r := setup(t)
	publish(t, cat, r, "1.0.0")
	p, err := cat.Package(ctx, r, pkg)
	if err != nil {
		t.Fatal(err)
	}
	if vs, err := cat.ListVersions(ctx, p.ID); err != nil || len(vs) != 1 {
		t.Fatalf("ListVersions = %d versions, %v", len(vs), err)
	}
	if _, err := cat.DeletePackage(ctx, r, pkg); err != nil {
		t.Fatal(err)
	}
	if vs, err := cat.ListVersions(ctx, p.ID); err != nil || len(vs) != 0 {
		t.Errorf("ListVersions of a deleted package = %d versions, %v; want none and no error", len(vs), err)
	}
}
