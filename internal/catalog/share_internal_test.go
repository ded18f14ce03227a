package catalog

import (
	"encoding/json"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/store"
)

// decoded returns version i of a package as the store decodes it: every
// string and slice its own allocation, the README, summary, home page,
// licenses and dependencies equal to those of the other versions, unless
// changed.
func decoded(i int, changed bool) store.Version {
	own := strings.Clone
	readme := "# lib\n\n" + strings.Repeat("How to use lib. ", 100)
	if changed {
		readme += "Changed."
	}
	deps := []artifact.Dependency{
		{Package: own("left-pad"), DependencyType: own("regular"), VersionRange: own("^1.0.0")},
		{Package: own("right-pad"), DependencyType: own("regular"), VersionRange: own("^2.0.0")},
	}
	if changed {
		deps[1].VersionRange = own("^3.0.0")
	}
	asset := func(name string) artifact.Asset {
		return artifact.Asset{Name: name, Size: 100, SHA256: fmt.Sprintf("%064x", i), SHA1: fmt.Sprintf("%040x", i),
			MD5: fmt.Sprintf("%032x", i), SHA512: fmt.Sprintf("%0128x", i)}
	}
	extra, _ := json.Marshal(map[string]string{"name": "lib", "version": fmt.Sprint("1.0.", i), "main": "index.js"})
	return store.Version{
		ID: int64(i + 1), PackageID: 1, Version: fmt.Sprint("1.0.", i), Status: artifact.Status(own(string(artifact.Published))),
		Revision: fmt.Sprintf("rev-%08d", i), Origin: artifact.Origin{Type: artifact.OriginType(own("INTERNAL"))},
		Meta: artifact.Meta{
			DisplayName: own("lib"), Summary: own("A library."), HomePage: own("https://example.invalid/lib"),
			Licenses: []artifact.License{{Name: own("MIT")}}, Dependencies: deps, Readme: own(readme), Extra: extra,
		},
		Assets: []artifact.Asset{asset(fmt.Sprintf("lib-1.0.%d.tgz", i))},
	}
}

// A kept list holds the metadata its versions repeat once, whether they
// came in one read, one publish at a time or through a merge; the
// versions still read back equal to what the store gave.
func TestVersionListSharesRepeatedMetadata(t *testing.T) {
	var want []store.Version
	var changes []store.Version
	for i := range 6 {
		want = append(want, decoded(i, i == 3))
		changes = append(changes, decoded(i, i == 3))
	}
	l := (*versionList)(nil).apply(store.VersionChanges{Seq: 1, All: true, Changed: changes[:2]})
	for i := 2; i < 5; i++ { // publishes
		l = l.apply(store.VersionChanges{Seq: int64(i), Changed: changes[i : i+1]})
	}
	// A deletion and a publish: a merge.
	l = l.apply(store.VersionChanges{Seq: 6, Changed: changes[5:], Deleted: []int64{want[3].ID}})
	want = append(want[:3], want[4:]...)
	if !reflect.DeepEqual(l.versions, want) {
		t.Fatalf("the kept list =\n%+v\nthe store gave\n%+v", l.versions, want)
	}
	same := func(a, b string) bool { return unsafe.StringData(a) == unsafe.StringData(b) }
	for i := 1; i < len(l.versions); i++ {
		v, prev := l.versions[i].Meta, l.versions[i-1].Meta
		if !same(v.Readme, prev.Readme) || !same(v.Summary, prev.Summary) || !same(v.HomePage, prev.HomePage) ||
			!same(v.DisplayName, prev.DisplayName) || !same(string(l.versions[i].Status), string(l.versions[i-1].Status)) {
			t.Errorf("version %s does not share the strings of %s", l.versions[i].Version, l.versions[i-1].Version)
		}
		if unsafe.SliceData(v.Licenses) != unsafe.SliceData(prev.Licenses) || unsafe.SliceData(v.Dependencies) != unsafe.SliceData(prev.Dependencies) {
			t.Errorf("version %s does not share the licenses and dependencies of %s", l.versions[i].Version, l.versions[i-1].Version)
		}
	}
	// Counted once: the size kept along the way is that of the list as
	// it is, and the README is in it once.
	if fresh := shareRun(l.versions, 0); l.size != fresh {
		t.Errorf("the list's size after its changes is %d, counted afresh %d", l.size, fresh)
	}
	if readme := len(want[0].Meta.Readme); l.size > int64(readme)+int64(len(want))*1200 {
		t.Errorf("%d versions sharing a %d-byte README are counted %d bytes", len(want), readme, l.size)
	}
	// A version whose dependencies differ in one still shares the others'
	// strings.
	changed := decoded(3, true)
	vs := []store.Version{decoded(2, false), changed}
	shareRun(vs, 0)
	if d, p := vs[1].Meta.Dependencies, vs[0].Meta.Dependencies; !same(d[0].Package, p[0].Package) || !same(d[1].Package, p[1].Package) || same(d[1].VersionRange, p[1].VersionRange) {
		t.Errorf("dependencies differing in one range: %+v beside %+v", d, p)
	}
	if !reflect.DeepEqual(vs[1], changed) {
		t.Errorf("a version sharing with the one before reads %+v, want %+v", vs[1], changed)
	}
}

// The size a kept list counts is what it holds on the heap, within a
// tenth or so: the versions' share of the cache budget means what it
// says.
func TestVersionListSizeIsWhatItHolds(t *testing.T) {
	for _, repeated := range []bool{true, false} {
		// Other tests' goroutines may free or allocate meanwhile: up to
		// three measures.
		for try := 1; try <= 3; try++ {
			counted, held := listSizeAndHeap(repeated)
			t.Logf("repeated %v: counted %.0f bytes, held %.0f", repeated, counted, held)
			if counted >= 0.9*held && counted <= 1.15*held {
				break
			}
			if try == 3 {
				t.Errorf("repeated metadata %v: the list counts %.0f bytes, and holds %.0f", repeated, counted, held)
			}
		}
	}
}

// listSizeAndHeap returns what a list of 2,000 versions counts and what
// it holds on the heap.
func listSizeAndHeap(repeated bool) (counted, held float64) {
	heap := func() uint64 {
		for range 3 { // sync.Pools emptied too
			runtime.GC()
		}
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := heap()
	changes := make([]store.Version, 2000)
	for i := range changes {
		changes[i] = decoded(i, !repeated && i%2 == 1)
	}
	l := (*versionList)(nil).apply(store.VersionChanges{Seq: 1, All: true, Changed: changes})
	held = float64(heap()) - float64(before)
	counted = float64(l.size + int64(cap(l.versions)-len(l.versions))*int64(unsafe.Sizeof(store.Version{})))
	runtime.KeepAlive(l)
	return counted, held
}

// A version's assets, appended one by one by the store, are kept in an
// array of their number, and read back the same.
func TestVersionListFitsAssets(t *testing.T) {
	var changes []store.Version
	for i := range 3 {
		v := decoded(i, false)
		var assets []artifact.Asset
		for _, ext := range []string{"jar", "pom", "xml"} { // a Maven version's three: an array of four
			a := v.Assets[0]
			a.Name = fmt.Sprintf("lib-1.0.%d.%s", i, ext)
			assets = append(assets, a)
		}
		v.Assets = assets
		changes = append(changes, v)
	}
	want := make([]store.Version, len(changes))
	for i, v := range changes {
		want[i] = v
		want[i].Assets = slices.Clone(v.Assets)
	}
	l := (*versionList)(nil).apply(store.VersionChanges{Seq: 1, All: true, Changed: changes[:2]})
	l = l.apply(store.VersionChanges{Seq: 2, Changed: changes[2:]})
	for _, v := range l.versions {
		if len(v.Assets) != 3 || cap(v.Assets) != 3 {
			t.Errorf("version %s: %d assets in an array of %d", v.Version, len(v.Assets), cap(v.Assets))
		}
	}
	if !reflect.DeepEqual(l.versions, want) {
		t.Fatalf("the kept list =\n%+v\nthe store gave\n%+v", l.versions, want)
	}
}
