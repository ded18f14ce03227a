package resolve

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/pkggroup"
)

func (f *fakeConnection) addAt(version string, published time.Time) {
	f.remote.Versions[version] = RemoteVersion{Version: version, Meta: artifact.Meta{DisplayName: "web-helper", PublishedAt: published}}
}

func (w *world) gate(pattern string, g pkggroup.ReleaseGate) {
	w.t.Helper()
	d := catalog.DomainRef{Owner: owner, Name: "d"}
	if err := w.cat.CreatePackageGroup(ctx, d, pattern, "", "", nil); err != nil && !errors.Is(err, errkind.ErrConflict) {
		w.t.Fatal(err)
	}
	if err := w.cat.PutReleaseGate(ctx, d, pattern, g); err != nil {
		w.t.Fatal(err)
	}
}

// The release-age gate keeps young versions of a public registry out of
// the view and its tags, refuses their download with the reason, lets
// break-glass entries through, and never touches versions a repository
// holds.
func TestReleaseGate(t *testing.T) {
	w := newWorld(t)
	store := w.connect(w.repo("npm-store").Name)
	my := w.repo("my-repo", "npm-store")
	now := time.Now()
	w.fake.addAt("1.0.0", now.Add(-30*24*time.Hour))
	w.fake.addAt("1.1.0", now.Add(-10*24*time.Hour))
	w.fake.addAt("2.0.0-rc.1", now.Add(-5*24*time.Hour))
	w.fake.addAt("2.0.0", now.Add(-time.Hour))
	w.fake.add("3.0.0") // no publish time
	w.fake.remote.Tags = map[string]string{"latest": "2.0.0", "next": "3.0.0", "old": "1.0.0", "beta": "2.0.0-rc.2"}
	w.fake.addAt("2.0.0-rc.2", now.Add(-time.Hour))

	// Retained before the gate: unaffected by it.
	if _, err := w.res.Version(ctx, my, pkg, "1.1.0"); err != nil {
		t.Fatal(err)
	}
	w.gate("/npm/*", pkggroup.ReleaseGate{MinAge: 72 * time.Hour})

	view, err := w.res.Package(ctx, my, pkg)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"1.0.0", "1.1.0", "2.0.0-rc.1"} {
		if _, ok := view.Versions[v]; !ok {
			t.Errorf("%s is not in the view", v)
		}
	}
	for _, v := range []string{"2.0.0", "3.0.0"} {
		if _, ok := view.Versions[v]; ok {
			t.Errorf("%s passed the gate", v)
		}
		if _, ok := view.Held[v]; !ok {
			t.Errorf("%s is not listed as held", v)
		}
	}
	// latest and next (on releases) move to the newest release below
	// them: never to the rc.
	if view.Tags["latest"] != "1.1.0" || view.Tags["old"] != "1.0.0" || view.Tags["next"] != "1.1.0" {
		t.Errorf("tags %v", view.Tags)
	}
	// A tag on a held prerelease moves to the newest version below it.
	if view.Tags["beta"] != "2.0.0-rc.1" {
		t.Errorf("beta moved to %q, want 2.0.0-rc.1", view.Tags["beta"])
	}
	if w.fake.remote.Tags["latest"] != "2.0.0" {
		t.Error("settling the tags changed the registry client's map")
	}

	_, err = w.res.Version(ctx, my, pkg, "2.0.0")
	if !errors.Is(err, errkind.ErrAccessDenied) || !strings.Contains(err.Error(), "becomes available at") {
		t.Errorf("downloading a held version: %v", err)
	}
	if w.has(store, "2.0.0") || w.has(my, "2.0.0") {
		t.Error("a held version was ingested")
	}
	if _, err := w.res.Version(ctx, my, pkg, "3.0.0"); err == nil || !strings.Contains(err.Error(), "no publish time") {
		t.Errorf("a version without a publish time: %v, want the fail-closed reason", err)
	}
	// A held version of the registry cannot be shadowed by a local one.
	if err := w.res.CheckPublish(ctx, my, pkg, "2.0.0"); !errors.Is(err, errkind.ErrConflict) {
		t.Errorf("publishing a held version's number: %v, want Conflict", err)
	}

	// Break-glass for 2.0.0: it comes through and is ingested.
	d := catalog.DomainRef{Owner: owner, Name: "d"}
	if err := w.cat.AllowHeldVersion(ctx, d, pkg, "2.0.0", "arn:aws:iam::"+owner+":root"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.res.Version(ctx, my, pkg, "2.0.0"); err != nil || !w.has(store, "2.0.0") {
		t.Errorf("an allowed version: %v", err)
	}
	// Once retained it stays, even with the entry gone.
	if err := w.cat.DisallowHeldVersion(ctx, d, pkg, "2.0.0"); err != nil {
		t.Fatal(err)
	}
	if view, err = w.res.Package(ctx, my, pkg); err != nil || view.Tags["latest"] != "2.0.0" {
		t.Errorf("after retaining 2.0.0: latest %q, %v", view.Tags["latest"], err)
	}

	// Fail open on missing times, explicitly.
	w.gate("/npm/*", pkggroup.ReleaseGate{MinAge: 72 * time.Hour, AllowMissingTime: true})
	if _, err := w.res.Version(ctx, my, pkg, "3.0.0"); err != nil {
		t.Errorf("missing time allowed: %v", err)
	}
}

// A cut-off holds everything published after it, however old.
func TestReleaseGateCutoff(t *testing.T) {
	w := newWorld(t)
	w.connect(w.repo("npm-store").Name)
	my := w.repo("my-repo", "npm-store")
	cutoff := time.Now().Add(-20 * 24 * time.Hour)
	w.fake.addAt("1.0.0", cutoff.Add(-time.Hour))
	w.fake.addAt("1.0.1", cutoff.Add(time.Hour))
	w.gate(pkggroup.Root, pkggroup.ReleaseGate{Cutoff: cutoff})
	view, err := w.res.Package(ctx, my, pkg)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := view.Versions["1.0.0"]; !ok {
		t.Error("a version from before the cut-off is held")
	}
	if h, ok := view.Held["1.0.1"]; !ok || !strings.Contains(h.Reason, "after the cut-off") {
		t.Errorf("1.0.1 held: %v %+v", ok, h)
	}
}

// A registry whose document gives no per-version times (Maven): a
// PublishedBy bound older than the gate needs lets every version through
// without asking; otherwise each version's time is asked of the
// connection, and one it cannot give is held.
func TestReleaseGatePublishTimes(t *testing.T) {
	w := newWorld(t)
	w.connect(w.repo("npm-store").Name)
	my := w.repo("my-repo", "npm-store")
	now := time.Now()
	w.fake.add("1.0.0")
	w.fake.add("1.1.0")
	w.fake.add("1.2.0")
	w.gate(pkggroup.Root, pkggroup.ReleaseGate{MinAge: 72 * time.Hour})

	w.fake.remote.PublishedBy = now.Add(-10 * 24 * time.Hour)
	view, err := w.res.Package(ctx, my, pkg)
	if err != nil || len(view.Versions) != 3 || w.fake.timed.Load() != 0 {
		t.Fatalf("an old bound: %d versions, %d time requests, %v", len(view.Versions), w.fake.timed.Load(), err)
	}

	w.fake.remote.PublishedBy = now.Add(-time.Hour)
	w.fake.times = map[string]time.Time{"1.0.0": now.Add(-30 * 24 * time.Hour), "1.1.0": now.Add(-time.Hour)}
	view, err = w.res.Package(ctx, my, pkg)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := view.Versions["1.0.0"]; !ok {
		t.Error("a version the registry dates a month back is held")
	}
	if h, ok := view.Held["1.1.0"]; !ok || h.AvailableAt.IsZero() {
		t.Errorf("a version dated an hour ago: held %v %+v", ok, h)
	}
	if h, ok := view.Held["1.2.0"]; !ok || !strings.Contains(h.Reason, "no publish time") {
		t.Errorf("a version the registry cannot date: held %v %+v", ok, h)
	}
	if n := w.fake.timed.Load(); n != 3 {
		t.Errorf("%d time requests, want one per version", n)
	}
}
