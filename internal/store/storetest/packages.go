package storetest

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/store"
)

func packageTests() []namedTest {
	return []namedTest{
		{"Packages", testPackages},
		{"PackageListing", testPackageListing},
		{"PackageTags", testPackageTags},
		{"Versions", testVersions},
		{"VersionWithPrefix", testVersionWithPrefix},
		{"AssetAccounting", testAssetAccounting},
		{"DeleteRepositoryRemovesPackages", testDeleteRepositoryRemovesPackages},
	}
}

func mkPackage(t *testing.T, q store.Queries, r store.Repository, ref artifact.PackageRef) store.Package {
	t.Helper()
	p := store.Package{RepositoryID: r.ID, PackageRef: ref, Origin: artifact.DefaultOriginConfig(true), CreatedAt: now()}
	created, err := q.EnsurePackage(ctx, &p)
	must(t, err)
	if !created || p.ID == 0 {
		t.Fatalf("EnsurePackage(%v) created=%v id=%d", ref, created, p.ID)
	}
	return p
}

func asset(name, content string) artifact.Asset {
	// The digests only need to be distinct per content here.
	return artifact.Asset{Name: name, Size: int64(len(content)), SHA256: "sha256-" + content, SHA1: "sha1-" + content, MD5: "md5-" + content, SHA512: "sha512-" + content}
}

func mkVersion(t *testing.T, q store.Queries, d store.Domain, p store.Package, version string, assets ...artifact.Asset) store.Version {
	t.Helper()
	v := store.Version{
		PackageID: p.ID, Version: version, Status: artifact.Published, Revision: "rev-" + version,
		Origin: artifact.Origin{Type: artifact.OriginInternal, Repository: "r"},
		Meta: artifact.Meta{
			DisplayName: p.Name, Summary: "sum", HomePage: "https://example.invalid/", SourceCodeRepository: "git+https://example.invalid/x.git",
			Licenses: []artifact.License{{Name: "MIT"}}, Dependencies: []artifact.Dependency{{Package: "dep", DependencyType: "regular", VersionRange: "^1.0.0"}},
			Readme: "# readme", PublishedAt: now(), Extra: json.RawMessage(`{"name":"x"}`),
		},
		CreatedAt: now(), UpdatedAt: now(), Assets: assets,
	}
	must(t, q.CreateVersion(ctx, d.ID, &v))
	if v.ID == 0 {
		t.Fatal("CreateVersion did not set the id")
	}
	return v
}

func testPackages(t *testing.T, s store.Store) {
	d := mkDomain(t, s, "111122223333", "d")
	r := mkRepo(t, s, d, "r", d.Owner)
	ref := artifact.PackageRef{Format: artifact.NPM, Namespace: "scope", Name: "pkg"}
	p := mkPackage(t, s, r, ref)
	again := store.Package{RepositoryID: r.ID, PackageRef: ref, Origin: artifact.DefaultOriginConfig(false), CreatedAt: now()}
	created, err := s.EnsurePackage(ctx, &again)
	must(t, err)
	if created || again.ID != p.ID || again.Origin != p.Origin {
		t.Errorf("EnsurePackage of an existing package: created=%v %+v, want the existing %+v", created, again, p)
	}
	got, err := s.GetPackage(ctx, r.ID, ref)
	must(t, err)
	if !reflect.DeepEqual(got, p) {
		t.Errorf("GetPackage = %+v, want %+v", got, p)
	}
	_, err = s.GetPackage(ctx, r.ID, artifact.PackageRef{Format: artifact.NPM, Name: "pkg"})
	wantKind(t, err, errkind.ErrNotFound, "the same name without the namespace")
	blocked := artifact.OriginConfig{Publish: artifact.Block, Upstream: artifact.Block}
	must(t, s.SetOriginConfig(ctx, p.ID, blocked))
	if got, _ = s.GetPackage(ctx, r.ID, ref); got.Origin != blocked {
		t.Errorf("origin config = %+v after SetOriginConfig", got.Origin)
	}
	must(t, s.DeletePackage(ctx, p.ID))
	_, err = s.GetPackage(ctx, r.ID, ref)
	wantKind(t, err, errkind.ErrNotFound, "deleted package")
	wantKind(t, s.DeletePackage(ctx, p.ID), errkind.ErrNotFound, "deleting twice")
}

func testPackageListing(t *testing.T, s store.Store) {
	d := mkDomain(t, s, "111122223333", "d")
	r := mkRepo(t, s, d, "r", d.Owner)
	other := mkRepo(t, s, d, "other", d.Owner)
	for _, ref := range []artifact.PackageRef{
		{Format: artifact.NPM, Name: "lodash"}, {Format: artifact.NPM, Name: "left-pad"}, {Format: artifact.NPM, Namespace: "types", Name: "node"},
		{Format: artifact.NPM, Namespace: "types", Name: "lodash"}, {Format: artifact.PyPI, Name: "lodash"}, {Format: artifact.Generic, Namespace: "ns", Name: "tool"},
	} {
		mkPackage(t, s, r, ref)
	}
	mkPackage(t, s, other, artifact.PackageRef{Format: artifact.NPM, Name: "elsewhere"})
	list := func(f store.PackageFilter, page int) []string {
		t.Helper()
		var out []string
		for {
			ps, err := s.ListPackages(ctx, r.ID, f, page)
			must(t, err)
			if len(ps) == 0 {
				return out
			}
			for _, p := range ps {
				out = append(out, p.PackageRef.String())
			}
			f.After = ps[len(ps)-1].PackageRef
		}
	}
	cases := []struct {
		f    store.PackageFilter
		want []string
	}{
		{store.PackageFilter{}, []string{"generic ns/tool", "npm left-pad", "npm lodash", "npm types/lodash", "npm types/node", "pypi lodash"}},
		{store.PackageFilter{Format: artifact.NPM}, []string{"npm left-pad", "npm lodash", "npm types/lodash", "npm types/node"}},
		{store.PackageFilter{Format: artifact.NPM, HasNamespace: true, Namespace: "types"}, []string{"npm types/lodash", "npm types/node"}},
		{store.PackageFilter{Format: artifact.NPM, HasNamespace: true}, []string{"npm left-pad", "npm lodash"}},
		{store.PackageFilter{Prefix: "lo"}, []string{"npm lodash", "npm types/lodash", "pypi lodash"}},
		{store.PackageFilter{Format: artifact.PyPI, Prefix: "x"}, nil},
	}
	for _, c := range cases {
		for _, page := range []int{1, 4, 100} {
			if got := list(c.f, page); !reflect.DeepEqual(got, c.want) {
				t.Errorf("ListPackages(%+v) in pages of %d = %v, want %v", c.f, page, got, c.want)
			}
		}
	}
}

func testPackageTags(t *testing.T, s store.Store) {
	d := mkDomain(t, s, "111122223333", "d")
	r := mkRepo(t, s, d, "r", d.Owner)
	p := mkPackage(t, s, r, artifact.PackageRef{Format: artifact.NPM, Name: "web-helper"})
	tags, err := s.PackageTags(ctx, p.ID)
	must(t, err)
	if len(tags) != 0 {
		t.Fatalf("new package has tags %v", tags)
	}
	must(t, s.SetPackageTag(ctx, p.ID, "latest", "1.0.0"))
	must(t, s.SetPackageTag(ctx, p.ID, "beta", "1.1.0-beta.1"))
	must(t, s.SetPackageTag(ctx, p.ID, "latest", "1.0.1"))
	tags, _ = s.PackageTags(ctx, p.ID)
	if want := map[string]string{"latest": "1.0.1", "beta": "1.1.0-beta.1"}; !reflect.DeepEqual(tags, want) {
		t.Errorf("tags = %v, want %v", tags, want)
	}
	must(t, s.DeletePackageTag(ctx, p.ID, "beta"))
	wantKind(t, s.DeletePackageTag(ctx, p.ID, "beta"), errkind.ErrNotFound, "deleting an absent tag")
	must(t, s.DeletePackage(ctx, p.ID))
}

func testVersions(t *testing.T, s store.Store) {
	d := mkDomain(t, s, "111122223333", "d")
	r := mkRepo(t, s, d, "r", d.Owner)
	p := mkPackage(t, s, r, artifact.PackageRef{Format: artifact.Generic, Namespace: "ns", Name: "tool"})
	v := mkVersion(t, s, d, p, "1.0.0", asset("b.bin", "bee"), asset("a.txt", "ay"))
	got, err := s.GetVersion(ctx, p.ID, "1.0.0")
	must(t, err)
	want := v
	want.Assets = []artifact.Asset{asset("a.txt", "ay"), asset("b.bin", "bee")} // by name
	if !reflect.DeepEqual(got, want) {
		t.Errorf("GetVersion =\n%+v\nwant\n%+v", got, want)
	}
	dup := store.Version{PackageID: p.ID, Version: "1.0.0", Status: artifact.Published, CreatedAt: now(), UpdatedAt: now()}
	wantKind(t, s.CreateVersion(ctx, d.ID, &dup), errkind.ErrConflict, "duplicate version")
	_, err = s.GetVersion(ctx, p.ID, "9.9.9")
	wantKind(t, err, errkind.ErrNotFound, "missing version")

	mkVersion(t, s, d, p, "2.0.0", asset("c.txt", "sea"))
	bare, err := s.ListVersions(ctx, p.ID, false)
	must(t, err)
	if len(bare) != 2 || bare[0].Assets != nil || bare[1].Assets != nil {
		t.Errorf("ListVersions without assets = %+v", bare)
	}
	full, err := s.ListVersions(ctx, p.ID, true)
	must(t, err)
	for _, fv := range full {
		n := map[string]int{"1.0.0": 2, "2.0.0": 1}[fv.Version]
		if len(fv.Assets) != n {
			t.Errorf("version %s listed with %d assets, want %d", fv.Version, len(fv.Assets), n)
		}
	}

	stamps, err := s.VersionStampsWithStatus(ctx, p.ID, artifact.Published)
	must(t, err)
	if len(stamps) != 2 {
		t.Fatalf("VersionStampsWithStatus(Published) = %+v, want 2", stamps)
	}
	for _, st := range stamps {
		var want store.Version
		for _, fv := range full {
			if fv.ID == st.ID {
				want = fv
			}
		}
		if st.Version != want.Version || st.Status != want.Status || st.Revision != want.Revision || !st.UpdatedAt.Equal(want.UpdatedAt) {
			t.Errorf("VersionStampsWithStatus has %+v for %+v", st, want)
		}
	}

	got.Status, got.Revision, got.Meta.Summary = artifact.Unlisted, "rev-2", "new summary"
	must(t, s.UpdateVersion(ctx, got))
	if after, _ := s.VersionStampsWithStatus(ctx, p.ID, artifact.Published); len(after) != 1 || after[0].Version != "2.0.0" {
		t.Errorf("VersionStampsWithStatus(Published) after UpdateVersion = %+v, want 2.0.0 alone", after)
	}
	if only, err := s.VersionStampsWithStatus(ctx, p.ID, artifact.Unlisted); err != nil || len(only) != 1 || only[0].Version != "1.0.0" || only[0].Status != artifact.Unlisted {
		t.Errorf("VersionStampsWithStatus(Unlisted) = %+v, %v; want 1.0.0 alone", only, err)
	}
	if none, err := s.VersionStampsWithStatus(ctx, p.ID, artifact.Archived); err != nil || len(none) != 0 {
		t.Errorf("VersionStampsWithStatus(Archived) = %+v, %v; want none", none, err)
	}
	upd, _ := s.GetVersion(ctx, p.ID, "1.0.0")
	if upd.Status != artifact.Unlisted || upd.Revision != "rev-2" || upd.Meta.Summary != "new summary" {
		t.Errorf("UpdateVersion did not stick: %+v", upd)
	}
	must(t, s.AddAsset(ctx, d.ID, v.ID, asset("z.txt", "zed")))
	wantKind(t, s.AddAsset(ctx, d.ID, v.ID, asset("z.txt", "other")), errkind.ErrConflict, "an asset name twice")
	must(t, s.RemoveAssets(ctx, v.ID))
	disposed, _ := s.GetVersion(ctx, p.ID, "1.0.0")
	if len(disposed.Assets) != 0 {
		t.Errorf("assets after RemoveAssets: %v", disposed.Assets)
	}
	must(t, s.DeleteVersion(ctx, v.ID))
	_, err = s.GetVersion(ctx, p.ID, "1.0.0")
	wantKind(t, err, errkind.ErrNotFound, "deleted version")
}

func testAssetAccounting(t *testing.T, s store.Store) {
	d := mkDomain(t, s, "111122223333", "d")
	d2 := mkDomain(t, s, "111122223333", "d2")
	r1 := mkRepo(t, s, d, "r1", d.Owner)
	r2 := mkRepo(t, s, d, "r2", d.Owner)
	other := mkRepo(t, s, d2, "r", d.Owner)
	size := func(d store.Domain) int64 {
		t.Helper()
		got, err := s.GetDomainByID(ctx, d.ID)
		must(t, err)
		return got.AssetSizeBytes
	}
	p1 := mkPackage(t, s, r1, artifact.PackageRef{Format: artifact.NPM, Name: "x"})
	p2 := mkPackage(t, s, r2, artifact.PackageRef{Format: artifact.NPM, Name: "x"})
	v1 := mkVersion(t, s, d, p1, "1.0.0", asset("x-1.0.0.tgz", "0123456789"))
	if n := size(d); n != 10 {
		t.Fatalf("assetSizeBytes = %d after one 10-byte asset", n)
	}
	// The same bytes retained in another repository of the domain are
	// stored once.
	v2 := mkVersion(t, s, d, p2, "1.0.0", asset("x-1.0.0.tgz", "0123456789"))
	if n := size(d); n != 10 {
		t.Errorf("assetSizeBytes = %d after retaining the same bytes, want 10", n)
	}
	a, err := s.DomainAsset(ctx, d.ID, "sha256-0123456789")
	must(t, err)
	if a.Size != 10 || a.SHA1 != "sha1-0123456789" {
		t.Errorf("DomainAsset = %+v", a)
	}
	// A derived file lives with the digest in its domain.
	if b, err := s.Derived(ctx, d.ID, "sha256-0123456789"); err != nil || b != nil {
		t.Errorf("Derived before SetDerived = %q, %v; want nil", b, err)
	}
	must(t, s.SetDerived(ctx, d.ID, "sha256-0123456789", []byte("Metadata-Version: 2.1\n")))
	if b, err := s.Derived(ctx, d.ID, "sha256-0123456789"); err != nil || string(b) != "Metadata-Version: 2.1\n" {
		t.Errorf("Derived = %q, %v", b, err)
	}
	wantKind(t, s.SetDerived(ctx, d.ID, "sha256-unknown", []byte("x")), errkind.ErrNotFound, "SetDerived of a digest the domain does not reference")
	_, err = s.Derived(ctx, d.ID, "sha256-unknown")
	wantKind(t, err, errkind.ErrNotFound, "Derived of a digest the domain does not reference")
	// Another domain counts its own copy.
	po := mkPackage(t, s, other, artifact.PackageRef{Format: artifact.NPM, Name: "x"})
	mkVersion(t, s, d2, po, "1.0.0", asset("x-1.0.0.tgz", "0123456789"))
	if n := size(d2); n != 10 {
		t.Errorf("other domain assetSizeBytes = %d, want 10", n)
	}
	must(t, s.AddAsset(ctx, d.ID, v1.ID, asset("extra", "abc")))
	if n := size(d); n != 13 {
		t.Errorf("assetSizeBytes = %d after adding 3 bytes, want 13", n)
	}
	must(t, s.DeleteVersion(ctx, v1.ID))
	if n := size(d); n != 10 {
		t.Errorf("assetSizeBytes = %d after deleting one user of shared bytes, want 10", n)
	}
	must(t, s.RemoveAssets(ctx, v2.ID))
	if n := size(d); n != 0 {
		t.Errorf("assetSizeBytes = %d after the last user went, want 0", n)
	}
	_, err = s.DomainAsset(ctx, d.ID, "sha256-0123456789")
	wantKind(t, err, errkind.ErrNotFound, "released digest")
	_, err = s.Derived(ctx, d.ID, "sha256-0123456789")
	wantKind(t, err, errkind.ErrNotFound, "the derived file of a released digest")
	inUse, err := s.BlobInUse(ctx, "sha256-0123456789")
	must(t, err)
	if !inUse {
		t.Error("BlobInUse is false while domain d2 still uses the digest")
	}
	if inUse, _ = s.BlobInUse(ctx, "sha256-abc"); inUse {
		t.Error("BlobInUse is true for released bytes")
	}
}

func testDeleteRepositoryRemovesPackages(t *testing.T, s store.Store) {
	d := mkDomain(t, s, "111122223333", "d")
	r := mkRepo(t, s, d, "r", d.Owner)
	p := mkPackage(t, s, r, artifact.PackageRef{Format: artifact.NPM, Name: "x"})
	mkVersion(t, s, d, p, "1.0.0", asset("x-1.0.0.tgz", "bytes"))
	must(t, s.SetPackageTag(ctx, p.ID, "latest", "1.0.0"))
	must(t, s.DeleteRepository(ctx, r.ID))
	if got, _ := s.GetDomainByID(ctx, d.ID); got.AssetSizeBytes != 0 {
		t.Errorf("assetSizeBytes = %d after deleting the only repository", got.AssetSizeBytes)
	}
	must(t, s.DeleteDomain(ctx, d.ID))
}

func testVersionWithPrefix(t *testing.T, s store.Store) {
	d := mkDomain(t, s, "111122223333", "d")
	r := mkRepo(t, s, d, "r", "111122223333")
	p := mkPackage(t, s, r, artifact.PackageRef{Format: artifact.Cargo, Name: "c"})
	other := mkPackage(t, s, r, artifact.PackageRef{Format: artifact.Cargo, Name: "o"})
	mkVersion(t, s, d, other, "1.0.0+zz")
	if _, err := s.VersionWithPrefix(ctx, p.ID, ""); !errors.Is(err, errkind.ErrNotFound) {
		t.Errorf("VersionWithPrefix of a package without versions: %v, want NotFound", err)
	}
	for _, v := range []string{"1.0.0-rc.1", "1.0.0+b2", "1.0.0+b1", "1.0.0", "1.0.10", "2.0.0"} {
		mkVersion(t, s, d, p, v, asset(v+".crate", v))
	}
	for prefix, want := range map[string]string{
		"":        "1.0.0",
		"1.0.0":   "1.0.0",
		"1.0.0+":  "1.0.0+b1",
		"1.0.0-":  "1.0.0-rc.1",
		"1.0.1":   "1.0.10",
		"2.0.0":   "2.0.0",
		"1.0.0+c": "",
		"3":       "",
	} {
		got, err := s.VersionWithPrefix(ctx, p.ID, prefix)
		if want == "" {
			if !errors.Is(err, errkind.ErrNotFound) {
				t.Errorf("VersionWithPrefix(%q) = %q, %v; want NotFound", prefix, got.Version, err)
			}
			continue
		}
		if err != nil || got.Version != want || got.PackageID != p.ID || len(got.Assets) != 1 || got.Assets[0].Name != want+".crate" {
			t.Errorf("VersionWithPrefix(%q) = %q %v, %v; want %s with its asset", prefix, got.Version, got.Assets, err, want)
		}
	}
}
