package nuget

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/arcahq/arca/internal/format/rendered"
)

// TestFlatListExtendedMatchesFullBuild renders a flat container's list
// after each change of its versions with one Format (which takes the
// runs of the list it made before when the versions only grew, as a
// publish makes them) and with a new one (which cuts and digests every
// run), and checks that both are the same document: the same bytes,
// plain and gzipped, and the same ETag. The versions grow in random
// places, by one and by several, past runs cut by length; one is taken
// out and one replaced by another of the same string between (a new
// lineage: those lists are made whole).
func TestFlatListExtendedMatchesFullBuild(t *testing.T) {
	newFormat := func() *Format { return &Format{runs: rendered.NewRuns(1 << 20), flats: newFlats(1 << 20)} }
	kept := newFormat()
	key := docKey{repository: 1, id: "ext.lib", kind: "flat"}
	rng := rand.New(rand.NewPCG(15, 8))
	var vs []*version
	newVersion := func(i int) *version {
		s := fmt.Sprintf("1.%d.%d", i/100, i%100)
		v, err := ParseVersion(s)
		if err != nil {
			t.Fatal(err)
		}
		return &version{key: s, v: v, id: "Ext.Lib"}
	}
	insert := func(n int) {
		for range n {
			v := newVersion(rng.IntN(100000))
			at, _ := slices.BinarySearchFunc(vs, v, compareVersions)
			if at < len(vs) && vs[at].key == v.key {
				continue
			}
			vs = slices.Insert(slices.Clone(vs), at, v)
		}
	}
	reused := 0
	check := func(what string) {
		t.Helper()
		if prev, ok := kept.flats.Peek(key, 0); ok {
			if _, ok := insertedInto(prev.vs, vs); ok {
				reused++
			}
		}
		got, want := kept.flatDoc(key, "Ext.Lib", vs), newFormat().flatDoc(key, "Ext.Lib", vs)
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("%s: list\n%s\nwant\n%s", what, got.Bytes(), want.Bytes())
		}
		if !bytes.Equal(got.Gzip(), want.Gzip()) || got.ETag != want.ETag {
			t.Fatalf("%s: gzipped list or ETag %s differs from the full build's (%s)", what, got.ETag, want.ETag)
		}
		if got.Gzip() == nil {
			return // too small to be gzipped
		}
		zr, err := gzip.NewReader(bytes.NewReader(got.Gzip()))
		if err != nil {
			t.Fatal(err)
		}
		if plain, err := io.ReadAll(zr); err != nil || !bytes.Equal(plain, got.Bytes()) {
			t.Fatalf("%s: the gzipped list is not the list: %v", what, err)
		}
	}
	insert(1)
	check("one version")
	for i := range 40 {
		insert(1 + i%3*7)
		check(fmt.Sprintf("growth %d (%d versions)", i, len(vs)))
	}
	// Versions appended in order, as the busy publisher's: past a run
	// that ended for want of entries.
	for i := range 20 {
		last := vs[len(vs)-1].v
		v := newVersion(100000 + i)
		if Compare(v.v, last) <= 0 {
			t.Fatal("the appended version is not the highest")
		}
		vs = append(slices.Clip(vs), v)
		check(fmt.Sprintf("appended %d", i))
	}
	vs = slices.Delete(slices.Clone(vs), 10, 11)
	check("a version taken out")
	vs = slices.Clone(vs)
	vs[20] = &version{key: vs[20].key, v: vs[20].v, id: vs[20].id}
	check("a version made again")
	insert(5)
	check("growth after a new lineage")
	if reused < 60 {
		t.Errorf("%d of 65 renderings took the runs of the one before, want 60 or more", reused)
	}
}

func TestInsertedInto(t *testing.T) {
	a, b, c, d := &version{key: "a"}, &version{key: "b"}, &version{key: "c"}, &version{key: "d"}
	for _, tc := range []struct {
		prev, vs []*version
		old      []int32
		ok       bool
	}{
		{nil, []*version{a}, []int32{-1}, true},
		{[]*version{a, c}, []*version{a, b, c, d}, []int32{0, -1, 1, -1}, true},
		{[]*version{a, c}, []*version{a, c}, []int32{0, 1}, true},
		{[]*version{a, c}, []*version{c, a}, nil, false},
		{[]*version{a, c}, []*version{a}, nil, false},
		{[]*version{a, c}, []*version{a, {key: "c"}}, nil, false},
	} {
		old, ok := insertedInto(tc.prev, tc.vs)
		if ok != tc.ok || (ok && !slices.Equal(old, tc.old)) {
			t.Errorf("insertedInto(%d, %d versions) = %v, %v; want %v, %v", len(tc.prev), len(tc.vs), old, ok, tc.old, tc.ok)
		}
	}
}
