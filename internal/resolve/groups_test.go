package resolve

import (
	"errors"
	"strings"
	"testing"

	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/pkggroup"
)

func (w *world) group(pattern string, modes map[pkggroup.Restriction]pkggroup.Mode, allow ...catalog.AllowedRepositoryChange) {
	w.t.Helper()
	d := catalog.DomainRef{Owner: owner, Name: "d"}
	if err := w.cat.CreatePackageGroup(ctx, d, pattern, "", "", nil); err != nil && !errors.Is(err, errkind.ErrConflict) {
		w.t.Fatal(err)
	}
	if _, err := w.cat.UpdateOriginConfiguration(ctx, d, pattern, modes, allow, nil); err != nil {
		w.t.Fatal(err)
	}
}

// Package groups gate the read path: EXTERNAL_UPSTREAM keeps the
// connection from being asked, INTERNAL_UPSTREAM keeps the requesting
// repository from taking versions of its upstreams, and a package found
// nowhere because of a group is AccessDenied naming it.
func TestGroupsGateUpstreams(t *testing.T) {
	w := newWorld(t)
	w.repo("npm-store")
	store := w.connect("npm-store")
	team := w.repo("team")
	my := w.repo("my-repo", "team", "npm-store")
	w.fake.add("1.0.0")
	w.publish(team, "2.0.0", nil)

	w.group("/npm//web-helper$", map[pkggroup.Restriction]pkggroup.Mode{pkggroup.ExternalUpstream: pkggroup.Block})
	view, err := w.res.Package(ctx, my, pkg)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := view.Versions["1.0.0"]; ok || w.fake.asked.Load() != 0 {
		t.Errorf("EXTERNAL_UPSTREAM BLOCK: the public version is in the view (registry asked %d times)", w.fake.asked.Load())
	}
	if _, ok := view.Versions["2.0.0"]; !ok {
		t.Error("EXTERNAL_UPSTREAM BLOCK hid the upstream repository's version")
	}
	if _, err := w.res.Version(ctx, store, pkg, "1.0.0"); !errors.Is(err, errkind.ErrAccessDenied) || !strings.Contains(err.Error(), "/npm//web-helper$") {
		t.Errorf("ingesting into npm-store: %v, want AccessDenied naming the group", err)
	}

	// Blocking ingestion does not block publishing the name.
	if err := w.res.CheckPublish(ctx, store, pkg, "1.0.0"); err != nil {
		t.Errorf("publishing where only EXTERNAL_UPSTREAM is blocked: %v", err)
	}

	// Only my-repo may retain from upstreams; INTERNAL_UPSTREAM blocked for everyone else.
	w.group("/npm/*", map[pkggroup.Restriction]pkggroup.Mode{pkggroup.InternalUpstream: pkggroup.Block})
	if _, err := w.res.Version(ctx, my, pkg, "2.0.0"); !errors.Is(err, errkind.ErrAccessDenied) {
		t.Errorf("retaining from an upstream under INTERNAL_UPSTREAM BLOCK (inherited): %v", err)
	}
	if w.has(my, "2.0.0") {
		t.Error("the version was retained anyway")
	}
	w.group("/npm//web-helper$", map[pkggroup.Restriction]pkggroup.Mode{pkggroup.InternalUpstream: pkggroup.AllowSpecificRepositories},
		catalog.AllowedRepositoryChange{Restriction: pkggroup.InternalUpstream, Repository: "my-repo"})
	if _, err := w.res.Version(ctx, my, pkg, "2.0.0"); err != nil || !w.has(my, "2.0.0") {
		t.Errorf("retaining into an allowed repository: %v", err)
	}

	// Publishing is gated before the upstream rule.
	w.group(pkggroup.Root, map[pkggroup.Restriction]pkggroup.Mode{pkggroup.Publish: pkggroup.Block})
	if err := w.res.CheckPublish(ctx, team, pkg, "3.0.0"); !errors.Is(err, errkind.ErrAccessDenied) {
		t.Errorf("CheckPublish under an inherited root BLOCK: %v", err)
	}
}
