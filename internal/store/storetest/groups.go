package storetest

import (
	"reflect"
	"testing"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/store"
)

func groupTests() []namedTest {
	return []namedTest{
		{"PackageGroups", testPackageGroups},
		{"PackageGroupsFollowDeletes", testPackageGroupsFollowDeletes},
		{"DomainPackages", testDomainPackages},
		{"ReleaseGates", testReleaseGates},
	}
}

func testPackageGroups(t *testing.T, s store.Store) {
	d := mkDomain(t, s, "111122223333", "groups")
	gen0, err := s.PackageGroupGeneration(ctx, d.ID)
	must(t, err)
	g := store.PackageGroup{DomainID: d.ID, Pattern: "/npm/*", Description: "npm", ContactInfo: "team@example.com",
		Modes: map[string]string{"PUBLISH": "BLOCK"}, CreatedAt: now()}
	must(t, s.CreatePackageGroup(ctx, &g))
	if g.ID == 0 {
		t.Fatal("CreatePackageGroup did not set the id")
	}
	gen1, err := s.PackageGroupGeneration(ctx, d.ID)
	must(t, err)
	if gen1 == gen0 {
		t.Fatal("the generation did not move with a create")
	}
	dup := store.PackageGroup{DomainID: d.ID, Pattern: "/npm/*", CreatedAt: now()}
	wantKind(t, s.CreatePackageGroup(ctx, &dup), errkind.ErrConflict, "a second /npm/*")

	list, err := s.ListPackageGroups(ctx, d.ID)
	must(t, err)
	var got *store.PackageGroup
	for i := range list {
		if list[i].Pattern == "/npm/*" {
			got = &list[i]
		}
	}
	if got == nil || !reflect.DeepEqual(*got, g) {
		t.Fatalf("listed %+v, want %+v", list, g)
	}

	g.Description, g.Modes = "changed", map[string]string{"PUBLISH": "ALLOW_SPECIFIC_REPOSITORIES", "EXTERNAL_UPSTREAM": "BLOCK"}
	must(t, s.UpdatePackageGroup(ctx, g))
	list, err = s.ListPackageGroups(ctx, d.ID)
	must(t, err)
	for _, l := range list {
		if l.ID == g.ID && !reflect.DeepEqual(l, g) {
			t.Fatalf("after update %+v, want %+v", l, g)
		}
	}
	gen2, _ := s.PackageGroupGeneration(ctx, d.ID)
	if gen2 == gen1 {
		t.Fatal("the generation did not move with an update")
	}

	r := mkRepo(t, s, d, "team", d.Owner)
	a := store.AllowedRepository{GroupID: g.ID, Restriction: "PUBLISH", RepositoryID: r.ID}
	must(t, s.AddAllowedRepository(ctx, d.ID, a))
	must(t, s.AddAllowedRepository(ctx, d.ID, a)) // again: a no-op
	allowed, err := s.ListAllowedRepositories(ctx, d.ID)
	must(t, err)
	a.RepositoryName = "team"
	if !reflect.DeepEqual(allowed, []store.AllowedRepository{a}) {
		t.Fatalf("allowed = %+v, want [%+v]", allowed, a)
	}
	must(t, s.RemoveAllowedRepository(ctx, d.ID, a))
	must(t, s.RemoveAllowedRepository(ctx, d.ID, a))
	if allowed, _ := s.ListAllowedRepositories(ctx, d.ID); len(allowed) != 0 {
		t.Fatalf("allowed after remove = %+v", allowed)
	}

	must(t, s.PutTags(ctx, store.Resource{Kind: "package-group", ID: g.ID}, []store.Tag{{Key: "k", Value: "v"}}))
	must(t, s.DeletePackageGroup(ctx, g.ID))
	wantKind(t, s.DeletePackageGroup(ctx, g.ID), errkind.ErrNotFound, "deleting it again")
	if tags, _ := s.ListTags(ctx, store.Resource{Kind: "package-group", ID: g.ID}); len(tags) != 0 {
		t.Fatalf("tags survived the group: %+v", tags)
	}
	wantKind(t, s.UpdatePackageGroup(ctx, g), errkind.ErrNotFound, "updating a deleted group")
}

func testPackageGroupsFollowDeletes(t *testing.T, s store.Store) {
	d := mkDomain(t, s, "111122223333", "groups")
	r := mkRepo(t, s, d, "team", d.Owner)
	g := store.PackageGroup{DomainID: d.ID, Pattern: "/npm/*", CreatedAt: now()}
	must(t, s.CreatePackageGroup(ctx, &g))
	must(t, s.AddAllowedRepository(ctx, d.ID, store.AllowedRepository{GroupID: g.ID, Restriction: "PUBLISH", RepositoryID: r.ID}))
	must(t, s.DeleteRepository(ctx, r.ID))
	if allowed, _ := s.ListAllowedRepositories(ctx, d.ID); len(allowed) != 0 {
		t.Fatalf("a deleted repository is still allowed: %+v", allowed)
	}
	must(t, s.PutTags(ctx, store.Resource{Kind: "package-group", ID: g.ID}, []store.Tag{{Key: "k", Value: "v"}}))
	must(t, s.DeleteDomain(ctx, d.ID))
	if tags, _ := s.ListTags(ctx, store.Resource{Kind: "package-group", ID: g.ID}); len(tags) != 0 {
		t.Fatalf("a group's tags survived its domain: %+v", tags)
	}
	if list, _ := s.ListPackageGroups(ctx, d.ID); len(list) != 0 {
		t.Fatalf("groups survived their domain: %+v", list)
	}
}

func testDomainPackages(t *testing.T, s store.Store) {
	d := mkDomain(t, s, "111122223333", "pkgs")
	r1, r2 := mkRepo(t, s, d, "one", d.Owner), mkRepo(t, s, d, "two", d.Owner)
	other := mkDomain(t, s, "111122223333", "other")
	r3 := mkRepo(t, s, other, "three", d.Owner)
	refs := []artifact.PackageRef{
		{Format: artifact.NPM, Namespace: "", Name: "b"},
		{Format: artifact.NPM, Namespace: "s", Name: "a"},
		{Format: artifact.PyPI, Namespace: "", Name: "a"},
	}
	for _, ref := range refs {
		for _, r := range []store.Repository{r1, r2} {
			p := store.Package{RepositoryID: r.ID, PackageRef: ref, Origin: artifact.DefaultOriginConfig(true), CreatedAt: now()}
			_, err := s.EnsurePackage(ctx, &p)
			must(t, err)
		}
	}
	p := store.Package{RepositoryID: r3.ID, PackageRef: artifact.PackageRef{Format: artifact.NPM, Name: "elsewhere"}, CreatedAt: now()}
	_, err := s.EnsurePackage(ctx, &p)
	must(t, err)
	page, err := s.ListDomainPackages(ctx, d.ID, artifact.PackageRef{}, 2)
	must(t, err)
	if !reflect.DeepEqual(page, refs[:2]) {
		t.Fatalf("first page %+v, want %+v", page, refs[:2])
	}
	page, err = s.ListDomainPackages(ctx, d.ID, page[1], 2)
	must(t, err)
	if !reflect.DeepEqual(page, refs[2:]) {
		t.Fatalf("second page %+v, want %+v", page, refs[2:])
	}
}
